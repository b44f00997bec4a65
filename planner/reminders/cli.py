"""``flask send-reminders`` (for cron), and the same work as a round of ``flask send-mail``."""

from __future__ import annotations

import logging

import click
from flask.cli import with_appcontext
from flask_babel import gettext as _

from planner.db import current_time
from planner.extensions import db
from planner.reminders.sending import ReminderReport, queue_due_reminders

logger = logging.getLogger(__name__)


def summary(report: ReminderReport) -> str:
    queued = _(
        "Reminders queued: %(event_reminders)d before events, %(deadline_reminders)d before deadlines.",
        event_reminders=report.event_reminders,
        deadline_reminders=report.deadline_reminders,
    )
    said = [queued]
    if report.withdrawn:
        said.append(_("Withdrawn, too late to send: %(withdrawn)d.", withdrawn=report.withdrawn))
    if report.outdated:
        said.append(_("Withdrawn, their time had changed: %(outdated)d.", outdated=report.outdated))
    return " ".join(said)


def queue_reminders_round() -> str | None:
    """Queue the reminders due now and commit them with their mail; what was queued, for the
    output (None when nothing was)."""
    try:
        report = queue_due_reminders(current_time())
        db.session.commit()  # the round's commit point: the rows and their messages, together
    except BaseException:
        db.session.rollback()
        raise
    finally:
        db.session.remove()  # the next round reads afresh
    return summary(report) if report != ReminderReport() else None


def send_mail_round() -> str | None:
    """``queue_reminders_round`` as a round of ``send-mail``: a failure is logged and said, and
    the round goes on to send the outbox, so that reminders never hold up the rest of the mail."""
    try:
        return queue_reminders_round()
    except Exception as error:  # noqa: BLE001 - the mail worker must outlive it; retried next round
        logger.exception("queueing the due reminders failed")
        return _("Queueing reminders failed, trying again next round: %(error)s", error=error)


@click.command("send-reminders")
@with_appcontext
def send_reminders_command() -> None:
    """Queue the reminders that are due (before events, before the forum's deadlines), once per
    person; ``send-mail`` sends them. Every round of ``send-mail`` does this too: run it from cron
    when no ``send-mail --loop`` runs. Running it again, or twice at once, queues nothing more."""
    click.echo(queue_reminders_round() or summary(ReminderReport()))
