"""``etp-orient indicators --year YYYY [--csv]``: the yearly figures for the whole territory."""

import click
from flask_babel import force_locale

from . import indicators


def register(app) -> None:
    @app.cli.command("indicators")
    @click.option("--year", type=int, default=None, help="Calendar year (default: the last one).")
    @click.option("--csv", "as_csv", is_flag=True, help="Write the whole table as CSV.")
    def indicators_command(year: int | None, as_csv: bool):
        """Compute the activity figures of INDICATORS.md per programme and for the territory.

        Orientation and unmet-demand counts cover every département of the platform.
        """
        year = year or indicators.default_year()
        report = indicators.compute(year)
        if as_csv:
            click.echo(indicators.to_csv(report), nl=False)
            return
        with force_locale("fr"):
            for _scope, code, figure, value in indicators.rows(report):
                where = code or "territoire"
                click.echo(
                    f"{year}  {where:24} {figure.key:28} {indicators.format_value(figure, value)}"
                )
