"""``flask send-consent-reminders``: remind guardians and end the applications that waited too long."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext
from flask_babel import gettext as _

from planner.extensions import db
from planner.registration import consent


@click.command("send-consent-reminders")
@with_appcontext
def send_consent_reminders_command() -> None:
    """Remind guardians whose answer is due (at most once per PLANNER_CONSENT_REMINDER_DAYS) and
    cancel the applications that waited PLANNER_CONSENT_DAYS, freeing their seats. Run it
    periodically (hourly, say); running it more often sends no extra reminders."""
    if not current_app.config.get("SERVER_NAME"):
        raise click.UsageError(
            _("Set PLANNER_SERVER_NAME (like planner.example.org) so that the reminders can carry their links.")
        )
    report = consent.send_reminders()
    db.session.commit()  # the command's commit point; the outbox sends the reminders after it
    click.echo(_("%(reminded)d reminders queued, %(expired)d applications expired.", **vars(report)))
