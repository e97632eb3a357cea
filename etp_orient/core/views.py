"""Routes that belong to no domain: health check and error pages."""

from flask import Blueprint, jsonify, render_template, request
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError, SQLAlchemyError

from ..extensions import db

bp = Blueprint("core", __name__)


@bp.get("/healthz")
def healthz():
    """Liveness and database check for load balancers and monitoring."""
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError:
        db.session.rollback()
        return jsonify(status="error", database="unavailable"), 503
    return jsonify(status="ok", database="ok")


def _wants_json() -> bool:
    return request.path.startswith("/api/") or request.path.startswith("/calendar/")


def error_page(status: int):
    def handler(error):
        if status >= 500:
            db.session.rollback()
        if _wants_json():
            return jsonify(error={"status": status}), status
        return render_template(f"errors/{status}.html"), status

    return handler


def database_unavailable(error):
    """A database outage becomes a clear 503 page, never a stack trace."""
    db.session.rollback()
    if _wants_json():
        return jsonify(error={"status": 503, "message": "service unavailable"}), 503
    response = render_template("errors/503.html"), 503
    return response


def init_app(app) -> None:
    app.register_blueprint(bp)
    for status in (400, 403, 404, 405, 413, 429, 500):
        app.register_error_handler(status, error_page(status))
    # Only connection-level failures: a constraint error is a bug, not an outage.
    app.register_error_handler(DBAPIError, _dbapi_error)


def _dbapi_error(error):
    if (
        error.connection_invalidated
        or isinstance(error.orig, (ConnectionError, OSError))
        or error.__class__.__name__ in ("OperationalError", "InterfaceError")
    ):
        return database_unavailable(error)
    db.session.rollback()
    raise error
