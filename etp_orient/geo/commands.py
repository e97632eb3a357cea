"""``etp-orient load-communes``: refresh the communes table from the shipped file."""

import click

from ..core.db import refresh_statistics
from ..extensions import db
from .loader import load_communes
from .services import reset_index


def register(app) -> None:
    @app.cli.command("load-communes")
    def load_communes_command():
        """Insert or refresh every commune and postal code from geo/data (safe to rerun)."""
        with db.engine.begin() as conn:
            count = load_communes(conn)
        refresh_statistics("communes", "commune_postal_codes")
        reset_index()
        click.echo(f"{count} communes à jour.")
