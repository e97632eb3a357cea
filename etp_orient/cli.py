"""The ``etp-orient`` command group (the same as ``flask --app etp_orient``).

Each domain package that has commands keeps them in ``commands.py`` with a
``register(app)`` function; they call the package's services and commit.
"""

import importlib
import importlib.util

from flask.cli import FlaskGroup

PACKAGES = (
    "geo",
    "catalogue",
    "orientation",
    "booking",
    "notify",
    "feeds",
    "accounts",
    "manage",
    "content",
    "ops",
)


def init_app(app) -> None:
    for package in PACKAGES:
        name = f"etp_orient.{package}.commands"
        if importlib.util.find_spec(name) is not None:
            importlib.import_module(name).register(app)


def _create_app():
    from . import create_app
    from .content.identity import IdentityError

    try:
        return create_app()
    except IdentityError as error:  # a platform setting: say which, no traceback
        raise SystemExit(f"etp-orient cannot start: {error}") from error


def main() -> None:
    """Console script entry point."""
    cli = FlaskGroup(create_app=_create_app, help="etp-orient: administration commands.")
    cli.main(prog_name="etp-orient")
