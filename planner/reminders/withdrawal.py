"""Withdrawing reminders still waiting in the outbox that must not go: too late (their event has
started, their deadline passed) or giving a time no longer right (the event or the deadline
moved, or the deadline was cleared). Each is marked failed with the reason, for the outbox
pages, and its ``...Sent`` row goes with it: it reached nobody, so the reminder is due again
for the new time. A message a sender has claimed is being sent already and is left to it.
"""

from __future__ import annotations

import datetime as dt

from flask_babel import gettext as _
from sqlalchemy import ColumnElement, Select, delete, or_, select, update

from planner.db import table_of, utcnow
from planner.extensions import db
from planner.forums.models import Event, Forum
from planner.mail.models import OutboxMessage, OutboxStatus
from planner.reminders.deadlines import deadline_column
from planner.reminders.models import DeadlineReminder, DeadlineReminderSent, Reminder, ReminderSent


def withdraw_late_reminders(now: dt.datetime) -> int:
    """Give up the reminders still waiting in the outbox whose event has started (or whose
    deadline has passed) at ``now``: they are never sent late."""
    late_event = (
        select(ReminderSent.outbox_message_id)
        .join(Reminder, Reminder.id == ReminderSent.reminder_id)
        .join(Event, Event.id == Reminder.event_id)
        .where(Event.starts_at <= now)
    )
    late_deadline = _deadline_messages().where(deadline_column() <= now)
    return _withdraw(
        or_(table_of(OutboxMessage).c.id.in_(late_event), table_of(OutboxMessage).c.id.in_(late_deadline)),
        # Stored as the round writes it; the outbox pages show the mail server's errors as they came too.
        _("Not sent: its event had started, or its deadline had passed, before it could be sent."),
    )


def withdraw_outdated_reminders() -> int:
    """Give up the reminders still waiting in the outbox that give a time no longer right: their
    event's start or their deadline moved, or their deadline was cleared. They are never sent
    with the wrong time, and the reminder is due again for the new one. A message a sender has
    claimed may go with the old time: the next one then says the time changed."""
    outbox_id = table_of(OutboxMessage).c.id
    moved_event = (
        select(ReminderSent.outbox_message_id)
        .join(Reminder, Reminder.id == ReminderSent.reminder_id)
        .join(Event, Event.id == Reminder.event_id)
        .where(ReminderSent.event_starts_at != Event.starts_at)
    )
    deadline = deadline_column()
    moved_deadline = _deadline_messages().where(deadline.is_not(None), DeadlineReminderSent.deadline_at != deadline)
    cleared_deadline = _deadline_messages().where(deadline.is_(None))
    return (
        _withdraw(
            outbox_id.in_(moved_event),
            _(
                "Not sent: its event's start time changed before it could be sent. The reminder goes again "
                "with the new time."
            ),
        )
        + _withdraw(
            outbox_id.in_(moved_deadline),
            _(
                "Not sent: its deadline changed before it could be sent. The reminder goes again with the new "
                "deadline, to those still behind on it."
            ),
        )
        + _withdraw(outbox_id.in_(cleared_deadline), _("Not sent: its deadline was cleared before it could be sent."))
    )


def _deadline_messages() -> Select[int | None]:
    return (
        select(DeadlineReminderSent.outbox_message_id)
        .join(DeadlineReminder, DeadlineReminder.id == DeadlineReminderSent.reminder_id)
        .join(Forum, Forum.id == DeadlineReminder.forum_id)
    )


def _withdraw(which: ColumnElement[bool], reason: str) -> int:
    """Mark failed, with ``reason``, the reminders' messages ``which`` chooses that still wait
    for a sender, and forget whom they went to (they went to nobody); how many."""
    outbox = table_of(OutboxMessage)
    withdrawn = list(
        db.session.scalars(
            update(outbox)
            .where(
                outbox.c.status == OutboxStatus.PENDING.value,
                or_(outbox.c.claimed_until.is_(None), outbox.c.claimed_until < utcnow()),  # leases are real time
                which,
            )
            .values(status=OutboxStatus.FAILED.value, claimed_until=None, last_error=reason)
            .returning(outbox.c.id)
        )
    )
    if withdrawn:
        for sent in (table_of(ReminderSent), table_of(DeadlineReminderSent)):
            db.session.execute(delete(sent).where(sent.c.outbox_message_id.in_(withdrawn)))
    return len(withdrawn)
