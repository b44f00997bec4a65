"""``flask send-webhooks``: the worker that delivers the webhooks' outbox. Like ``send-mail``
it commits nothing itself: the sender records each delivery on a session of its own."""

from __future__ import annotations

from dataclasses import asdict

import click
from flask.cli import with_appcontext
from flask_babel import gettext as _
from sqlalchemy.exc import SQLAlchemyError

from planner.mail.cli import StopRequest
from planner.webhooks.sender import DeliveryReport, deliver_due


def summary(report: DeliveryReport) -> str:
    return _(
        "Delivered %(delivered)d, retrying %(retrying)d, failed %(failed)d, skipped %(skipped)d.", **asdict(report)
    )


@click.command("send-webhooks")
@with_appcontext
@click.option("--loop", is_flag=True, help="Keep sending until SIGTERM or Ctrl-C.")
@click.option(
    "--interval",
    type=click.FloatRange(min=0.1),
    default=10.0,
    show_default=True,
    help="Seconds between rounds with --loop.",
)
@click.option(
    "--limit", type=click.IntRange(1, 10_000), default=50, show_default=True, help="Most deliveries per round."
)
def send_webhooks_command(loop: bool, interval: float, limit: int) -> None:
    """Send the webhooks' due deliveries once, or every INTERVAL seconds with --loop."""
    if not loop:
        click.echo(summary(deliver_due(limit=limit)))
        return
    stop = StopRequest()
    with stop.installed():
        while not stop.requested:
            try:
                report = deliver_due(limit=limit)
            except SQLAlchemyError as error:
                # The database may be restarting; a worker should outlive that.
                click.echo(_("Delivery round failed, trying again: %(error)s", error=error), err=True)
            else:
                if report != DeliveryReport():
                    click.echo(summary(report))
            stop.sleep(interval)
    click.echo(_("Stopped sending webhooks."))
