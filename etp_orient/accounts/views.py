"""Staff login, logout and password reset (``/connexion``); admin pages in views_admin."""

from urllib.parse import urlsplit

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from ..core.models import audit
from ..core.security import private_page, secret_link_limit
from ..extensions import db, limiter
from . import login_delay, oidc, services
from .auth import SESSION_KEY
from .forms import LoginForm, NewPasswordForm, ResetRequestForm
from .permissions import structure_ids

bp = Blueprint("accounts", __name__)

# Failed attempts allowed per client IP before 429 (then Retry-After). Per account,
# a growing wait instead (login_delay): a lock-out anyone could cause is worse.
LOGIN_LIMIT_ADDRESS = "30 per 15 minutes"
RESET_LIMIT_ADDRESS = "10 per hour"
# sign-ins started with a provider's button, per client IP
OIDC_START_LIMIT_ADDRESS = "30 per 15 minutes"


def _failed(response) -> bool:
    # A successful login redirects; only failures count against the limits.
    return response.status_code != 302


def _safe_next(target: str | None, user) -> str:
    if target:
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and target.startswith("/gestion"):
            return target
    if structure_ids(user, "read") == set():
        # A referrer has no back office: their page is the professional's orientation.
        return "/pro/orienter"
    return url_for("manage.dashboard")


@bp.route("/connexion", methods=["GET", "POST"])
@limiter.limit(LOGIN_LIMIT_ADDRESS, methods=["POST"], deduct_when=_failed)
def login():
    form = LoginForm()
    failed = False
    if form.validate_on_submit():
        wait = login_delay.seconds_to_wait(form.email.data)
        if wait:
            # Refused before the password is read: the page cannot tell whether it was right.
            page = render_template("accounts/login.html", form=form, wait=wait)
            return page, 429, {"Retry-After": str(wait)}
        user = services.authenticate(form.email.data, form.password.data)
        if user is not None:
            login_delay.succeeded(form.email.data)
            # A new session id at login: nothing from before survives.
            session.clear()
            token = services.start_session(user)
            db.session.commit()
            login_user(user)
            session[SESSION_KEY] = token
            return redirect(_safe_next(request.args.get("next"), user))
        login_delay.failed(form.email.data)
        db.session.commit()  # the audit and the count of the failure
        failed = True
    elif request.method == "GET" and current_user.is_authenticated:
        return redirect(url_for("manage.dashboard"))
    return render_template(
        "accounts/login.html", form=form, failed=failed, providers=oidc.providers()
    )


def _oidc_provider(name: str):
    provider = oidc.provider(name)
    if provider is None:
        abort(404)
    return provider


@bp.get("/connexion/oidc/<name>")
@limiter.limit(OIDC_START_LIMIT_ADDRESS)
def oidc_start(name: str):
    """The provider's button: off to its sign-in page (state, nonce and PKCE kept)."""
    provider = _oidc_provider(name)
    private_page()
    try:
        url = oidc.begin(provider, session, request.args.get("next"))
    except oidc.Unavailable as error:
        current_app.logger.warning("oidc %s: provider unreachable: %s", name, error)
        page = render_template("accounts/oidc_unavailable.html", provider=provider)
        return page, 503
    return redirect(url)


@bp.get("/connexion/oidc/<name>/retour")
@limiter.limit(LOGIN_LIMIT_ADDRESS, deduct_when=_failed)
def oidc_callback(name: str):
    """The provider's answer: verified, linked to an existing account, or refused."""
    provider = _oidc_provider(name)
    private_page()
    try:
        identity, next_url = oidc.finish(provider, session, request.args)
        user = oidc.link_account(provider, identity)
    except oidc.Refused as refusal:
        db.session.rollback()
        audit("login.oidc_refused", obj_type="user", provider=name, reason=refusal.reason)
        db.session.commit()
        template = (
            "accounts/oidc_unknown.html"
            if refusal.reason in ("unknown_user", "already_linked", "inactive")
            else "accounts/oidc_failed.html"
        )
        return render_template(template, provider=provider), 403
    except oidc.Unavailable as error:
        db.session.rollback()
        current_app.logger.warning("oidc %s: provider unreachable: %s", name, error)
        return render_template("accounts/oidc_unavailable.html", provider=provider), 503
    # A new session id at login: nothing from before survives.
    session.clear()
    token = services.start_session(user)
    db.session.commit()
    login_user(user)
    session[SESSION_KEY] = token
    session[oidc.SESSION_LOGOUT] = {"provider": name, "id_token": identity.id_token}
    return redirect(_safe_next(next_url, user))


@bp.post("/deconnexion")
def logout():
    if current_user.is_authenticated:
        audit("logout", actor_id=current_user.id, obj_type="user", obj_id=current_user.id)
    services.revoke_session(session.get(SESSION_KEY))
    db.session.commit()
    signed_in_with = session.get(oidc.SESSION_LOGOUT)
    logout_user()
    session.clear()
    flash(_("Vous êtes déconnecté."), "info")
    if isinstance(signed_in_with, dict):
        # RP-initiated logout: the provider ends its own session too, then sends back here
        url = oidc.end_session_url(signed_in_with.get("provider"), signed_in_with.get("id_token"))
        if url:
            return redirect(url)
    return redirect(url_for("accounts.login"))


@bp.route("/connexion/mot-de-passe-oublie", methods=["GET", "POST"])
@limiter.limit(RESET_LIMIT_ADDRESS, methods=["POST"])
def reset_request():
    form = ResetRequestForm()
    if form.validate_on_submit():
        services.request_password_reset(form.email.data)
        db.session.commit()
        return render_template("accounts/reset_sent.html")
    return render_template("accounts/reset_request.html", form=form)


@bp.route("/connexion/nouveau-mot-de-passe/<token>", methods=["GET", "POST"])
@secret_link_limit
def reset_password(token: str):
    private_page()
    user = services.user_for_reset(token)
    if user is None:
        return render_template("accounts/reset_invalid.html"), 404
    form = NewPasswordForm()
    if form.validate_on_submit():
        try:
            services.set_password(user, form.password.data)
        except services.AccountError as error:
            form.password.errors.append(error.message)
        else:
            db.session.commit()
            flash(_("Votre mot de passe est changé. Connectez-vous."), "info")
            return redirect(url_for("accounts.login"))
    return render_template("accounts/reset_password.html", form=form)


def init_app(app) -> None:
    from . import views_admin, views_team

    app.register_blueprint(bp)
    app.register_blueprint(views_admin.bp)
    app.register_blueprint(views_team.bp)
