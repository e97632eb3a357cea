"""The public read-only JSON API under /api/v1/ (DESIGN §4).

Routes live in one module per subject (``api/<subject>.py``) on the blueprint
defined here; each module is imported at the bottom of this file.
"""

from flask import Blueprint, jsonify

from ..extensions import csrf

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)


class BadParameter(Exception):
    """A query parameter that is missing or wrong: HTTP 400 naming it."""

    def __init__(self, name: str, message: str):
        super().__init__(message)
        self.name = name
        self.message = message


@bp.errorhandler(BadParameter)
def _bad_parameter(error: BadParameter):
    return jsonify(error={"parameter": error.name, "message": error.message}), 400


@bp.after_request
def _cors(response):
    # Read-only open data: any site may call it.
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


def init_app(app) -> None:
    app.register_blueprint(bp)


# Route modules (each adds its routes to ``bp``).
from . import communes  # noqa: E402, F401, I001  (issue 2: geography)
from . import conditions, orientation, programmes  # noqa: E402, F401  (issue 3)
from . import fhir  # noqa: E402, F401  (issue 20: the offer as FHIR R4)
from . import directory  # noqa: E402, F401  (issue 15)
