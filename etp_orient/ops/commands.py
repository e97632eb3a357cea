"""``etp-orient purge``, ``etp-orient forget`` and ``etp-orient backup``."""

import sys

import click
from flask import current_app


def register(app) -> None:
    @app.cli.command("purge")
    def purge_command() -> None:
        """Apply the retention rules: anonymise inactive participants, delete old
        messages and audit events, expire referrals (safe to run every night)."""
        from ..extensions import db
        from .purge import purge

        report = purge()
        db.session.commit()
        click.echo(f"purge: {report}")

    @app.cli.command("forget")
    @click.argument("address")
    @click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
    def forget_command(address: str, yes: bool) -> None:
        """Erase a person on request (staff side): every live participant with this
        e-mail or phone loses their future places and their identity."""
        from ..booking.services import delete_my_data
        from ..core.models import audit
        from ..extensions import db
        from .purge import find_people

        people = find_people(address)
        if not people:
            click.echo("forget: nobody with this address")
            return
        if not yes:
            click.confirm(f"Erase {len(people)} participant(s)?", abort=True)
        for person in people:
            person_id = person.id
            delete_my_data(person)  # also deletes their messages from the outbox
            audit("participant.forget_on_request", obj_type="participant", obj_id=person_id)
            db.session.commit()
        click.echo(f"forget: {len(people)} participant(s) erased")

    @app.cli.command("backup")
    @click.argument("destination", required=False)
    def backup_command(destination: str | None) -> None:
        """Back the database up: a SQLite file (online, consistent), or the
        pg_dump command to run for PostgreSQL."""
        from .backup import (
            BackupError,
            copy_sqlite,
            default_destination,
            pg_dump_command,
            sqlite_path,
        )

        uri = current_app.config["SQLALCHEMY_DATABASE_URI"]
        try:
            source = sqlite_path(uri)
            if source is None:
                click.echo("PostgreSQL: back up with pg_dump, for example:", err=True)
                click.echo(pg_dump_command(uri, destination))
                sys.exit(2)
            target = destination or default_destination(current_app.instance_path)
            pages = copy_sqlite(source, target)
        except BackupError as error:
            raise click.ClickException(str(error)) from error
        click.echo(f"backup: {target} ({pages} pages)")
