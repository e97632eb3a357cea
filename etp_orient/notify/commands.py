"""``etp-orient send-outbox`` and ``etp-orient send-reminders``."""

import click


def register(app) -> None:
    @app.cli.command("send-outbox")
    @click.option("--batch", default=100, show_default=True, help="Messages claimed at a time.")
    @click.option("--worker-id", default=None, help="Name recorded on claimed messages.")
    @click.option(
        "--once", is_flag=True, help="Send a single batch instead of everything that is due."
    )
    def send_outbox(batch: int, worker_id: str | None, once: bool) -> None:
        """Send the due e-mails and SMS of the outbox (safe to run twice at once)."""
        from .sending import send_all_due, send_due

        report = send_due(batch, worker_id) if once else send_all_due(batch, worker_id)
        click.echo(f"send-outbox: {report}")

    @app.cli.command("send-reminders")
    def send_reminders() -> None:
        """Queue the reminders of appointments and group sessions two days ahead."""
        from .reminders import run_reminders

        count = run_reminders()
        click.echo(f"send-reminders: {count} reminder(s) queued")
