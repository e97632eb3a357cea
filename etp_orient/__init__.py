"""etp-orient: find, book and follow therapeutic patient education programmes."""

import os

from flask import Flask

from . import config as config_module


def create_app(config: dict | None = None) -> Flask:
    """The application factory (``flask --app etp_orient``, ``gunicorn wsgi:app``)."""
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    app = Flask(
        __name__,
        instance_relative_config=True,
        template_folder=os.path.join(root, "templates"),
        static_folder=os.path.join(root, "static"),
    )
    app.config.from_mapping(config_module.from_environment(app.instance_path))
    if config:
        app.config.from_mapping(config)
    if app.config["ETP_ENV"] == "production" and not app.config["SECRET_KEY"]:
        raise RuntimeError("SECRET_KEY must be set in production")
    from .core.clock import check_not_in_production

    check_not_in_production(app.config)
    from .content.identity import check_identity

    check_identity(app.config)  # an unreadable accent colour or a missing logo: no start
    os.makedirs(app.instance_path, exist_ok=True)

    _init_extensions(app)
    _register_blueprints(app)
    if app.config.get("PROXY_COUNT"):
        # Behind a TLS reverse proxy: trust its X-Forwarded-For/Proto/Host, so that
        # rate limits see the visitor's address and url_for() builds https links.
        from werkzeug.middleware.proxy_fix import ProxyFix

        hops = app.config["PROXY_COUNT"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)

    from . import cli

    cli.init_app(app)
    return app


def _init_extensions(app: Flask) -> None:
    from . import models  # noqa: F401  (registers every table)
    from .accounts import auth, oidc
    from .core import db as core_db
    from .core import i18n, logs, security, sessions, static
    from .extensions import babel, csrf, db, limiter, login_manager, migrate

    logs.init_app(app)
    sessions.init_app(app)
    db.init_app(app)
    with app.app_context():
        core_db.configure_engine(db.engine)
    migrate.init_app(
        app, db, directory=os.path.join(app.root_path, "..", "migrations"), render_as_batch=True
    )
    csrf.init_app(app)
    babel.init_app(
        app,
        locale_selector=i18n.select_locale,
        default_translation_directories=os.path.join(app.root_path, "..", "translations"),
    )
    limiter.init_app(app)
    login_manager.init_app(app)
    auth.init_app(app)
    oidc.init_app(app)
    i18n.init_app(app)
    security.init_app(app)
    static.init_app(app)
    from .core.models import AUDIT_HOOKS
    from .webhooks.events import on_audit

    if on_audit not in AUDIT_HOOKS:
        AUDIT_HOOKS.append(on_audit)


def _register_blueprints(app: Flask) -> None:
    from .core import clean, converters
    from .core import views as core_views

    converters.init_app(app)
    clean.init_app(app)
    core_views.init_app(app)
    for name in (
        "accounts",
        "catalogue",
        "orientation",
        "booking",
        "feeds",
        "manage",
        "content",
        "api",
    ):
        module = _optional_views(name)
        if module is not None:
            module.init_app(app)


def _optional_views(package: str):
    """Import ``etp_orient.<package>.views`` if the package has views."""
    import importlib
    import importlib.util

    name = f"{__name__}.{package}.views"
    if importlib.util.find_spec(name) is None:
        return None
    return importlib.import_module(name)
