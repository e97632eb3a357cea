"""``etp-orient send-outbox``, ``etp-orient send-reminders`` and ``etp-orient worker``."""

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

    @app.cli.command("worker")
    @click.option(
        "--interval",
        type=click.FloatRange(min=0.1),
        default=10.0,
        show_default=True,
        envvar="WORKER_INTERVAL",
        help="Seconds between two runs (WORKER_INTERVAL).",
    )
    @click.option(
        "--reminders-every",
        type=click.IntRange(min=1),
        default=60,
        show_default=True,
        help="Minutes between two reminder runs.",
    )
    @click.option("--batch", default=100, show_default=True, help="Messages claimed at a time.")
    def worker(interval: float, reminders_every: int, batch: int) -> None:
        """Send the outbox and the reminders on a schedule until SIGTERM (safe twice at once)."""
        import signal
        from datetime import timedelta

        from .worker import Worker, default_jobs

        runner = Worker(
            interval=interval,
            jobs=default_jobs(timedelta(minutes=reminders_every)),
            batch=batch,
        )
        signal.signal(signal.SIGTERM, runner.stop)
        signal.signal(signal.SIGINT, runner.stop)
        click.echo(f"worker: started (every {interval:g} s)")
        runner.run()
        click.echo("worker: stopped")
