"""The .ics endpoints (DESIGN §4) and the staff page to manage one's own feed link."""

from urllib.parse import urlsplit

from flask import Blueprint, abort, current_app, make_response, render_template, request, url_for
from flask_babel import gettext
from flask_compress.flask_compress import _choose_algorithm as choose_algorithm
from flask_login import current_user, login_required

from ..core.logfilter import install_werkzeug_filter
from ..core.security import private_page, secret_link_limit
from ..extensions import db
from . import services

bp = Blueprint("feeds", __name__)

MAX_AGE = 300


def _serve(feed: services.Feed | None, filename: str):
    if feed is None:
        abort(404)
    # Public feeds are compressed here, once per feed and encoding (kept with the feed),
    # rather than by Flask-Compress on every answer; the ETag of the compressed bytes
    # ends with ":gzip" or ":br" as Flask-Compress writes it. Personal feeds are not
    # compressed (a token in the address: core.static._breach_exposed).
    encoding = None if feed.personal else _encoding()
    response = make_response(feed.encoded(encoding) if encoding else feed.body)
    response.headers["Content-Type"] = "text/calendar; charset=utf-8"
    response.headers["Content-Disposition"] = f'inline; filename="{filename}"'
    scope = "private" if feed.personal else "public"
    response.headers["Cache-Control"] = f"{scope}, max-age={MAX_AGE}"
    if encoding:
        # Flask-Compress leaves an answer that has a Content-Encoding alone
        response.headers["Content-Encoding"] = encoding
    # public feeds come kept, with their ETag: a matching If-None-Match is answered
    # without building anything (services._public_feed)
    response.set_etag(f"{feed.etag}:{encoding}" if encoding else feed.etag)
    response.last_modified = feed.last_modified.replace(microsecond=0)
    # If-None-Match wins over If-Modified-Since (RFC 9110 §13.2.2): werkzeug does so.
    return response.make_conditional(request)


def _encoding() -> str | None:
    """The compression the client accepts, chosen by Flask-Compress's own function
    (q-values, its order of preference; a private name, of the pinned version)."""
    config = current_app.config
    if not config.get("COMPRESS_RESPONSES", True):
        return None
    accepted = request.headers.get("Accept-Encoding", "")
    if not accepted:
        return None
    algorithms = config["COMPRESS_ALGORITHM"]
    if isinstance(algorithms, str):  # Flask-Compress also takes "br,gzip"
        algorithms = [a.strip() for a in algorithms.split(",")]
    return choose_algorithm(tuple(algorithms), accepted)


def _token_answer(feed: services.Feed | None, filename: str):
    private_page()
    if feed is None:
        # The same answer for an unknown and a revoked token.
        response = make_response(gettext("Ce lien d'agenda ne marche pas ou plus."), 404)
        response.headers["Content-Type"] = "text/plain; charset=utf-8"
        response.headers["Cache-Control"] = "no-store"
        return response
    return _serve(feed, filename)


@bp.get("/calendar/programme/<code>.ics")
def programme_ics(code: str):
    return _serve(services.build("programme", code), f"{code}.ics")


@bp.get("/calendar/structure/<code>.ics")
def structure_ics(code: str):
    return _serve(services.build("structure", code), f"{code}.ics")


@bp.get("/calendar/me/<token>.ics")
@secret_link_limit
def participant_ics(token: str):
    return _token_answer(services.build("me", token), "mes-rendez-vous.ics")


@bp.get("/calendar/staff/<token>.ics")
@secret_link_limit
def staff_ics(token: str):
    return _token_answer(services.build("staff", token), "mes-seances.ics")


@bp.route("/gestion/agenda", methods=["GET", "POST"])
@login_required
def staff_agenda():
    """The staff member's own feed link: create, re-create, stop."""
    user = current_user._get_current_object()
    new_url = None
    if request.method == "POST":
        action = request.form.get("action")
        if action == "issue":
            token = services.issue_staff_feed_token(user)
            db.session.commit()
            new_url = feed_url("staff", token)
        elif action == "revoke":
            services.revoke_staff_feed_token(user)
            db.session.commit()
        else:
            abort(400)
    response = make_response(
        render_template(
            "feeds/agenda.html",
            has_link=user.feed_token_hash is not None,
            new_url=new_url,
            revoked=request.method == "POST" and new_url is None,
        )
    )
    # The page may show a secret link once: keep it out of caches and referrers.
    response.headers["Cache-Control"] = "no-store"
    private_page()
    return response


def feed_url(kind: str, code_or_token: str) -> str:
    """The absolute https address of a feed, from BASE_URL (kind: programme, structure,
    me, staff)."""
    base = current_app.config["BASE_URL"].rstrip("/")
    path = url_for(f"feeds.{_ENDPOINTS[kind]}", **{_ARGS[kind]: code_or_token})
    return base + path


def webcal_url(url: str) -> str:
    """The same address with the ``webcal://`` scheme, which calendar apps open."""
    parts = urlsplit(url)
    return "webcal://" + url[len(parts.scheme) + 3 :] if parts.scheme else url


_ENDPOINTS = {
    "programme": "programme_ics",
    "structure": "structure_ics",
    "me": "participant_ics",
    "staff": "staff_ics",
}
_ARGS = {"programme": "code", "structure": "code", "me": "token", "staff": "token"}


def init_app(app) -> None:
    app.register_blueprint(bp)
    app.add_template_global(feed_url, "feed_url")
    app.add_template_global(webcal_url, "webcal_url")
    install_werkzeug_filter()
