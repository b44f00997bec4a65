"""Operator commands: ``flask send-mail`` (the outbox worker) and ``flask send-test-mail``."""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict
from typing import Any

import click
from flask import Flask, current_app
from flask.cli import with_appcontext
from flask_babel import gettext as _
from sqlalchemy.exc import SQLAlchemyError

from planner.extensions import db
from planner.mail.services import DeliveryReport, deliver_due, deliver_queued_now, queue_email

#: ``app.extensions`` key: what other domains do at the start of every round, before sending
#: (reminders queue what is due); each commits its own work and says what it did, or None.
ROUND_TASKS = "planner.mail.round_tasks"


def add_round_task(app: Flask, task: Callable[[], str | None]) -> None:
    app.extensions.setdefault(ROUND_TASKS, []).append(task)


def _run_round_tasks() -> None:
    for task in current_app.extensions.get(ROUND_TASKS, ()):
        if said := task():
            click.echo(said)


def summary(report: DeliveryReport) -> str:
    return _("Sent %(sent)d, retrying %(retrying)d, failed %(failed)d, skipped %(skipped)d.", **asdict(report))


@click.command("send-mail")
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
    "--limit", type=click.IntRange(1, 10_000), default=100, show_default=True, help="Most messages per round."
)
def send_mail_command(loop: bool, interval: float, limit: int) -> None:
    """Send the outbox's due messages once, or every INTERVAL seconds with --loop."""
    if not loop:
        _run_round_tasks()
        click.echo(summary(deliver_due(limit=limit)))
        return
    stop = StopRequest()
    with stop.installed():
        while not stop.requested:
            try:
                _run_round_tasks()
                report = deliver_due(limit=limit)
            except SQLAlchemyError as error:
                # The database may be restarting; a worker should outlive that.
                click.echo(_("Delivery round failed, trying again: %(error)s", error=error), err=True)
            else:
                if report != DeliveryReport():
                    click.echo(summary(report))
            stop.sleep(interval)
    click.echo(_("Stopped sending mail."))


class StopRequest:
    """SIGTERM or SIGINT ends the loop after the current round, not in the middle of a message;
    a second one quits at once (a claimed message is retried when its lease runs out)."""

    def __init__(self) -> None:
        self.requested = False

    def __call__(self, signum: int, frame: Any) -> None:
        if self.requested:
            raise KeyboardInterrupt
        # Only a flag: a handler touching locks (threading.Event) can deadlock its own thread.
        self.requested = True

    def sleep(self, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while not self.requested and (left := deadline - time.monotonic()) > 0:
            time.sleep(min(left, 0.2))

    @contextmanager
    def installed(self) -> Iterator[None]:
        if threading.current_thread() is not threading.main_thread():
            yield  # only the main thread may set signal handlers
            return
        previous = {number: signal.signal(number, self) for number in (signal.SIGTERM, signal.SIGINT)}
        try:
            yield
        finally:
            for number, handler in previous.items():
                signal.signal(number, handler)


@click.command("send-test-mail")
@with_appcontext
@click.argument("address")
def send_test_mail_command(address: str) -> None:
    """Send a short test message to ADDRESS now, to check the MAIL_* settings."""
    try:
        message = queue_email(address, "hello", subject=_("planner test message"), address=address)
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint="ADDRESS") from None
    db.session.commit()
    report = deliver_queued_now([message.id])
    if report.sent != 1:
        # The sender recorded why on its own session: end ours (and its snapshot) to see it.
        db.session.commit()
        db.session.refresh(message)
        raise click.ClickException(
            _(
                "Could not send to %(address)s: %(error)s (it stays in the outbox for send-mail).",
                address=address,
                error=message.last_error or message.status,
            )
        )
    click.echo(_("Sent a test message to %(address)s.", address=address))
