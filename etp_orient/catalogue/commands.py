"""Commands for the offer file: ``import-offer FILE.json`` and ``export-offer FILE.json``."""

import json
import sys
import time

import click

from ..core.db import begin_write, refresh_statistics
from ..extensions import db
from .offer import OfferInvalid, export_offer, import_offer, validate_offer
from .offer.errors import tr as _

# files with more items than this print their progress
PROGRESS_FROM = 5000

_STAGES = {
    "validation": "vérification",
    "structures": "structures",
    "sites": "lieux",
    "programmes": "programmes",
    "team_members": "équipes",
    "workshops": "ateliers",
    "slots": "créneaux",
    "cohorts": "groupes",
    "facilitators": "animateurs",
    "sessions": "séances",
}


def read_offer_file(path: str) -> dict:
    """The JSON content of an offer file, or a ClickException with a plain message."""
    try:
        with open(path, encoding="utf-8") as handle:
            return json.load(handle)
    except OSError as exc:
        raise click.ClickException(
            _("Impossible de lire le fichier %(path)s : %(reason)s", path=path, reason=exc.strerror)
        ) from exc
    except UnicodeDecodeError as exc:
        raise click.ClickException(
            _("Le fichier %(path)s n'est pas encodé en UTF-8.", path=path)
        ) from exc
    except json.JSONDecodeError as exc:
        raise click.ClickException(
            _(
                "Le fichier %(path)s n'est pas un JSON valide (ligne %(line)s, colonne %(col)s) : "
                "%(reason)s.",
                path=path,
                line=exc.lineno,
                col=exc.colno,
                reason=exc.msg,
            )
        ) from exc


def _size(data) -> int:
    if not isinstance(data, dict):
        return 0
    total = 0
    for value in data.values():
        if isinstance(value, list):
            total += len(value)
            total += sum(
                len(item.get("sessions", []))
                for item in value
                if isinstance(item, dict) and isinstance(item.get("sessions"), list)
            )
    return total


def _progress_printer():
    started = time.monotonic()

    def show(stage: str, done: int, total: int) -> None:
        elapsed = time.monotonic() - started
        click.echo(
            f"  {_STAGES.get(stage, stage)} : {done}/{total} ({elapsed:.0f} s)",
            err=True,
        )

    return show


def register(app) -> None:
    @app.cli.command("import-offer")
    @click.argument("path", type=click.Path(dir_okay=False))
    @click.option("--check", is_flag=True, help="Only check the file; write nothing.")
    def import_offer_command(path, check):
        """Import an offer file (JSON): all of it or nothing, every error listed."""
        data = read_offer_file(path)
        progress = _progress_printer() if _size(data) > PROGRESS_FROM else None
        if check:
            errors = validate_offer(data, progress=progress)
            db.session.rollback()
            for error in errors:
                click.echo(f"{error.path}: {error.message}", err=True)
            if errors:
                click.echo(_("%(count)s erreur(s).", count=len(errors)), err=True)
                sys.exit(1)
            click.echo(_("Le fichier est valide : il peut être importé."))
            return
        begin_write()
        try:
            report = import_offer(data, progress=progress)
        except OfferInvalid as exc:
            db.session.rollback()
            for error in exc.errors:
                click.echo(f"{error.path}: {error.message}", err=True)
            click.echo(
                _(
                    "%(count)s erreur(s) : rien n'a été importé. Corrigez le fichier puis "
                    "relancez la commande.",
                    count=len(exc.errors),
                ),
                err=True,
            )
            sys.exit(1)
        except Exception:
            db.session.rollback()
            raise
        db.session.commit()
        if report.changed:
            refresh_statistics()
        for line in report.lines():
            click.echo(line)
        if report.changed:
            click.echo(_("Import terminé."))
        else:
            click.echo(_("Import terminé : rien n'a changé."))

    @app.cli.command("export-offer")
    @click.argument("path", type=click.Path(dir_okay=False, writable=True))
    @click.option(
        "--format",
        "file_format",
        type=click.Choice(["offer", "fhir"]),
        default="offer",
        show_default=True,
        help="offer: the offer file (imports back); fhir: a FHIR R4 Bundle of the published offer.",
    )
    def export_offer_command(path, file_format):
        """Write the whole offer to a JSON file that imports back unchanged (or, with
        ``--format fhir``, the published offer as a FHIR R4 Bundle)."""
        if file_format == "fhir":
            from flask import current_app

            from .offer.fhir import offer_bundle

            data = offer_bundle(current_app.config["BASE_URL"])
        else:
            data = export_offer()
        db.session.rollback()
        try:
            with open(path, "w", encoding="utf-8") as handle:
                json.dump(data, handle, ensure_ascii=False, indent=1)
                handle.write("\n")
        except OSError as exc:
            raise click.ClickException(
                _(
                    "Impossible d'écrire le fichier %(path)s : %(reason)s",
                    path=path,
                    reason=exc.strerror,
                )
            ) from exc
        if file_format == "fhir":
            click.echo(
                _(
                    "%(resources)s ressource(s) FHIR exportées dans %(path)s.",
                    resources=len(data["entry"]),
                    path=path,
                )
            )
            return
        click.echo(
            _(
                "%(programmes)s programme(s), %(slots)s créneau(x) et %(cohorts)s groupe(s) "
                "exportés dans %(path)s.",
                programmes=len(data["programmes"]),
                slots=len(data["slots"]),
                cohorts=len(data["cohorts"]),
                path=path,
            )
        )
