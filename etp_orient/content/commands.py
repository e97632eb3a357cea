"""Commands for the reference content and the demo territory."""

import json
import os

import click
from sqlalchemy import func, select

from ..catalogue.demo import DEMO_ACCOUNTS, build_demo_offer
from ..catalogue.models import Programme
from ..catalogue.taxonomy import sync_conditions
from ..extensions import db


def _import_offer(data: dict):
    """Import the demo offer with the offer importer, all or nothing; return its report."""
    from ..catalogue.offer import OfferInvalid, import_offer
    from ..core.db import begin_write, refresh_statistics

    begin_write()
    try:
        report = import_offer(data)
    except OfferInvalid as invalid:
        db.session.rollback()
        lines = [str(error) for error in invalid.errors]
        raise click.ClickException("demo offer refused:\n" + "\n".join(lines)) from invalid
    db.session.commit()
    refresh_statistics()
    return report


def _create_demo_accounts(password: str) -> list[tuple[str, str, str]]:
    """Create the demo staff accounts that do not exist yet; return (email, role, structure)."""
    # The demo command is a composition root: it may use accounts, content may not.
    from ..accounts.services import AccountError, create_user, find_user
    from ..core.db import begin_write

    begin_write()  # read-then-write: take SQLite's write lock up front
    listed = []
    for email, role, structure, full_name, profession in DEMO_ACCOUNTS:
        if find_user(email) is None:
            try:
                create_user(
                    email,
                    password,
                    role=role,
                    structures=[structure] if structure else None,
                    full_name=full_name,
                    profession=profession,
                )
            except AccountError as error:
                db.session.rollback()
                raise click.ClickException(f"{email}: {error}") from error
        listed.append((email, role, structure or "-"))
    db.session.flush()
    _link_demo_team()
    db.session.commit()
    return listed


def _link_demo_team() -> None:
    """A demo account whose name is a member of its structure's programmes' teams is that
    member: they see in their planning and feed what they run (as an account linked
    from the team form would)."""
    from ..accounts.models import Membership, User
    from ..catalogue.models import TeamMember, programme_structures
    from ..manage.team import follow

    rows = db.session.execute(
        select(TeamMember, User)
        .join(programme_structures, programme_structures.c.programme_id == TeamMember.programme_id)
        .join(Membership, Membership.structure_id == programme_structures.c.structure_id)
        .join(User, User.id == Membership.user_id)
        .where(TeamMember.name == User.full_name, TeamMember.user_id.is_(None))
    ).all()
    for member, user in rows:
        member.user_id = user.id
        follow(member)


def register(app) -> None:
    @app.cli.group("content")
    def content_group():
        """The plain-language pages (content files: docs/content.md)."""

    @content_group.command("check")
    @click.option("--quiet", is_flag=True, help="Only print the pages that fail or warn.")
    def content_check_command(quiet: bool):
        """Measure every page in every language; exit 1 when one is below its thresholds."""
        from flask import current_app

        from .check import check_all
        from .pages import content_dir

        with current_app.test_request_context("/"):
            results = check_all()
        click.echo(f"Content folder: {content_dir()}")
        for result in results:
            if not quiet or result.failures or result.warnings:
                click.echo(result.line())
        failed = [r for r in results if r.failures]
        warned = [r for r in results if r.warnings and not r.failures]
        click.echo(
            f"{len(results)} pages checked: {len(failed)} below their thresholds,"
            f" {len(warned)} with warnings."
        )
        if failed:
            raise SystemExit(1)

    @app.cli.command("sync-conditions")
    def sync_conditions_command():
        """Refresh the condition taxonomy (labels, synonyms, pictograms) from the shipped data."""
        with db.engine.begin() as conn:
            count = sync_conditions(conn)
        click.echo(f"{count} conditions à jour.")

    @app.cli.command("seed-demo")
    @click.option("--if-empty", is_flag=True, help="Do nothing when programmes already exist.")
    @click.option(
        "--write",
        "write_to",
        type=click.Path(dir_okay=False, writable=True),
        help="Only write the demo offer file (JSON) there; import nothing.",
    )
    def seed_demo_command(if_empty: bool, write_to: str | None):
        """Load the demo territory (dated in the weeks after today) and demo staff accounts."""
        data = build_demo_offer()
        if write_to:
            with open(write_to, "w", encoding="utf-8") as handle:
                json.dump(data, handle, ensure_ascii=False, indent=2)
            click.echo(f"Demo offer written to {write_to}.")
            return
        if if_empty and db.session.scalar(select(func.count()).select_from(Programme)):
            click.echo("Programmes already exist: demo not loaded.")
            return
        try:
            report = _import_offer(data)
        except ImportError:
            click.echo("The offer importer is not available yet: demo not loaded.", err=True)
            return
        click.echo(
            f"Demo territory loaded: {len(data['programmes'])} programmes, "
            f"{len(data['slots'])} BEP slots, {len(data['cohorts'])} groups."
        )
        for line in report.lines() if hasattr(report, "lines") else []:
            click.echo(f"  {line}")
        password = os.environ.get("ETP_DEMO_PASSWORD", "demo-etp-orient")
        try:
            accounts = _create_demo_accounts(password)
        except ImportError:
            click.echo("Staff accounts are not available yet: no demo account created.")
            return
        click.echo(f"Demo staff accounts (password: {password}):")
        for email, role, structure in accounts:
            click.echo(f"  {email:38} {role:12} {structure}")
