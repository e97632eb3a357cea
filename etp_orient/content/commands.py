"""Commands for the reference content and the demo territory."""

import click

from ..catalogue.taxonomy import sync_conditions
from ..extensions import db


def register(app) -> None:
    @app.cli.command("sync-conditions")
    def sync_conditions_command():
        """Refresh the condition taxonomy (labels, synonyms, pictograms) from the shipped data."""
        with db.engine.begin() as conn:
            count = sync_conditions(conn)
        click.echo(f"{count} conditions à jour.")
