"""``etp-orient create-user EMAIL --role ROLE [--structure CODE]…`` (DESIGN §4)."""

import os

import click

from ..extensions import db
from . import services
from .models import ROLES


def register(app) -> None:
    @app.cli.command("create-user")
    @click.argument("email")
    @click.option("--role", "role", type=click.Choice(ROLES), required=True, help="Role to give.")
    @click.option(
        "--structure",
        "structures",
        multiple=True,
        help="Structure code (repeat for several). Without one, --role admin is a platform admin.",
    )
    @click.option("--name", "full_name", default=None, help="Full name.")
    def create_user_command(email, role, structures, full_name):
        """Create a staff account; the password comes from ETP_PASSWORD or is asked for."""
        password = os.environ.get("ETP_PASSWORD")
        if not password:
            password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
        if role != "admin" and not structures:
            raise click.UsageError(f"--role {role} needs at least one --structure CODE")
        try:
            user = services.create_user(
                email, password, role=role, structures=list(structures), full_name=full_name
            )
        except services.AccountError as error:
            db.session.rollback()
            raise click.ClickException(str(error.message)) from error
        db.session.commit()
        where = ", ".join(structures) if structures else "platform"
        click.echo(f"Created {user.email} ({role}, {where}).")
