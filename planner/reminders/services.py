"""Organisers' operations on reminders: before events (with the practical details), the forum's
deadlines and the reminders before them. Queueing what is due is ``sending``."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import func, select

from planner.accounts.models import User
from planner.accounts.permissions import require_organiser
from planner.audit.services import record
from planner.extensions import db
from planner.formatting import skipped_time_refusal, wall_clock_to_utc, when_in
from planner.forums.models import Event, Forum
from planner.forums.services import translate
from planner.refusals import Refused
from planner.reminders.deadlines import deadline_column, deadline_of
from planner.reminders.models import (
    LONGEST_OFFSET_MINUTES,
    DeadlineKind,
    DeadlineReminder,
    DeadlineReminderSent,
    Reminder,
    ReminderSent,
)
from planner.translated import GivenTranslations

DETAILS_MAX = 5000


class ReminderRefused(Refused):
    """A reminder or deadline the rules do not accept, with the reason."""


@dataclass(frozen=True)
class ReminderRow:
    reminder: Reminder
    sends_at: dt.datetime
    sent: int  # people it is queued for so far


@dataclass(frozen=True)
class DeadlineReminderRow:
    reminder: DeadlineReminder
    sends_at: dt.datetime | None  # None while the forum has no such deadline
    sent: int


def offset_text(minutes: int) -> str:
    """'7 days', '1 day 6 hours', '3 hours' (offsets are whole hours on the forms)."""
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    parts = []
    if days:
        parts.append(ngettext("%(num)d day", "%(num)d days", days))
    if hours:
        parts.append(ngettext("%(num)d hour", "%(num)d hours", hours))
    if minutes or not parts:
        parts.append(ngettext("%(num)d minute", "%(num)d minutes", minutes))
    return " ".join(parts)


def _summary(reminder: Reminder) -> str:
    return _(
        "Reminder %(offset)s before %(event)s", offset=offset_text(reminder.minutes_before), event=reminder.event.code
    )


def _check_offset(minutes: int) -> None:
    if not 1 <= minutes <= LONGEST_OFFSET_MINUTES:
        raise ReminderRefused(_("A reminder comes from 1 hour to 366 days before."), field="days")


# Before events -------------------------------------------------------------------------------


def reminders_of(forum: Forum) -> list[ReminderRow]:
    """The forum's event reminders, by event and then earliest first, with how many were sent
    the event's current start (after a move, those told the old one are reminded again)."""
    counts = dict(
        db.session.execute(
            select(ReminderSent.reminder_id, func.count())
            .join(Reminder, Reminder.id == ReminderSent.reminder_id)
            .join(Event, Event.id == Reminder.event_id)
            .where(Event.forum_id == forum.id, ReminderSent.event_starts_at == Event.starts_at)
            .group_by(ReminderSent.reminder_id)
        ).all()
    )
    reminders = db.session.scalars(
        select(Reminder)
        .join(Event, Event.id == Reminder.event_id)
        .where(Event.forum_id == forum.id)
        .order_by(Event.starts_at, Event.code, Reminder.minutes_before.desc())
    )
    return [
        ReminderRow(r, r.event.starts_at - dt.timedelta(minutes=r.minutes_before), counts.get(r.id, 0))
        for r in reminders
    ]


def reminder_of(forum: Forum, reminder_id: int) -> Reminder | None:
    reminder = db.session.get(Reminder, reminder_id)
    return reminder if reminder is not None and reminder.event.forum_id == forum.id else None


def add_reminder(
    actor: User,
    forum: Forum,
    event: Event,
    *,
    minutes_before: int,
    details: str,
    translations: GivenTranslations | None = None,
    now: dt.datetime,
) -> Reminder:
    """A reminder to everyone confirmed for ``event``, ``minutes_before`` it starts. Refused for
    an event that has started (nobody would get it) and for a second one at the same time.
    One whose time has passed already goes out on the next round."""
    require_organiser(actor, forum)
    if event.forum_id != forum.id:
        raise ReminderRefused(_("Choose one of the forum's events."), field="event")
    _check_offset(minutes_before)
    if event.starts_at <= now:
        raise ReminderRefused(
            _("%(event)s has started: reminders go only before an event starts.", event=event.code), field="event"
        )
    details = details.strip()
    if len(details) > DETAILS_MAX:
        raise ReminderRefused(_("Keep the details to %(max)d characters.", max=DETAILS_MAX), field="details")
    taken = db.session.scalar(
        select(Reminder.id).where(Reminder.event_id == event.id, Reminder.minutes_before == minutes_before)
    )
    if taken is not None:
        raise ReminderRefused(
            _(
                "%(event)s has a reminder %(offset)s before already.",
                event=event.code,
                offset=offset_text(minutes_before),
            ),
            field="days",
        )
    reminder = Reminder(event_id=event.id, minutes_before=minutes_before, details=details)
    reminder.event = event
    translate(forum, reminder, translations)
    db.session.add(reminder)
    db.session.flush()
    record(
        actor,
        "reminder.added",
        forum_id=forum.id,
        target=("reminder", reminder.id),
        summary=_("Reminder %(offset)s before %(event)s", offset=offset_text(minutes_before), event=event.code),
        after={"event": event.code, "minutes_before": minutes_before},
    )
    return reminder


def edit_details(
    actor: User, forum: Forum, reminder: Reminder, *, details: str, translations: GivenTranslations | None = None
) -> None:
    """Correct a reminder's details; those it was sent to already are not sent it again."""
    require_organiser(actor, forum)
    details = details.strip()
    if len(details) > DETAILS_MAX:
        raise ReminderRefused(_("Keep the details to %(max)d characters.", max=DETAILS_MAX), field="details")
    before = {"details": reminder.details, "translations": reminder.translations}
    reminder.details = details
    translate(forum, reminder, translations)
    db.session.flush()
    record(
        actor,
        "reminder.edited",
        forum_id=forum.id,
        target=("reminder", reminder.id),
        summary=_summary(reminder),
        before=before,
        after={"details": reminder.details, "translations": reminder.translations},
    )


def remove_reminder(actor: User, forum: Forum, reminder: Reminder) -> None:
    """Delete a reminder and the record of whom it was sent to (mail queued stays queued)."""
    require_organiser(actor, forum)
    summary = _summary(reminder)
    reminder_id = reminder.id
    db.session.delete(reminder)
    db.session.flush()
    record(actor, "reminder.removed", forum_id=forum.id, target=("reminder", reminder_id), summary=summary)


# Deadlines -----------------------------------------------------------------------------------


def set_deadlines(
    actor: User,
    forum: Forum,
    *,
    nominations_close_at: dt.datetime | None,
    credentials_due_at: dt.datetime | None,
) -> None:
    """The forum's deadlines for focal points, as wall-clock times typed in the forum's timezone
    (naive); None: no such deadline (its reminders wait). A time the clocks skip is refused,
    naming the gap, rather than saved an hour off; of a time that happens twice, the one its
    ``fold`` names (0, the default: the first; 1: the second)."""
    require_organiser(actor, forum)
    typed = {"nominations_close_at": nominations_close_at, "credentials_due_at": credentials_due_at}
    moments = {name: _deadline_moment(forum, local, name) for name, local in typed.items()}
    before = {kind.value: _iso(deadline_of(forum, kind)) for kind in DeadlineKind}
    forum.nominations_close_at = moments["nominations_close_at"]
    forum.credentials_due_at = moments["credentials_due_at"]
    db.session.flush()
    after = {kind.value: _iso(deadline_of(forum, kind)) for kind in DeadlineKind}
    if before != after:
        record(
            actor,
            "forum.deadlines",
            forum_id=forum.id,
            target=("forum", forum.id),
            summary=_("Deadlines of %(forum)s", forum=forum.name),
            before=before,
            after=after,
        )


def _deadline_moment(forum: Forum, local: dt.datetime | None, field: str) -> dt.datetime | None:
    if local is None:
        return None
    zone = forum.zone
    refusal = skipped_time_refusal(local, zone)
    if refusal is not None:
        raise ReminderRefused(refusal, field=field)
    return wall_clock_to_utc(local.replace(tzinfo=None), zone, local.fold)


def _iso(moment: dt.datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def deadline_reminders_of(forum: Forum) -> list[DeadlineReminderRow]:
    """The forum's deadline reminders, with how many focal points were sent the current deadline."""
    counts = dict(
        db.session.execute(
            select(DeadlineReminderSent.reminder_id, func.count())
            .join(DeadlineReminder, DeadlineReminder.id == DeadlineReminderSent.reminder_id)
            .join(Forum, Forum.id == DeadlineReminder.forum_id)
            .where(DeadlineReminder.forum_id == forum.id, DeadlineReminderSent.deadline_at == deadline_column())
            .group_by(DeadlineReminderSent.reminder_id)
        ).all()
    )
    rows = []
    for reminder in db.session.scalars(
        select(DeadlineReminder)
        .where(DeadlineReminder.forum_id == forum.id)
        .order_by(DeadlineReminder.deadline, DeadlineReminder.minutes_before.desc())
    ):
        deadline = deadline_of(forum, reminder.deadline)
        sends_at = deadline - dt.timedelta(minutes=reminder.minutes_before) if deadline else None
        rows.append(DeadlineReminderRow(reminder, sends_at, counts.get(reminder.id, 0)))
    return rows


def deadline_reminder_of(forum: Forum, reminder_id: int) -> DeadlineReminder | None:
    reminder = db.session.get(DeadlineReminder, reminder_id)
    return reminder if reminder is not None and reminder.forum_id == forum.id else None


def add_deadline_reminder(
    actor: User, forum: Forum, *, deadline: DeadlineKind, minutes_before: int, now: dt.datetime
) -> DeadlineReminder:
    """A reminder to the focal points of delegations behind on ``deadline`` (see
    ``sending.behind_on``), ``minutes_before`` it. The deadline must be set first, and ahead."""
    require_organiser(actor, forum)
    _check_offset(minutes_before)
    moment = deadline_of(forum, deadline)
    if moment is None:
        raise ReminderRefused(_("Set this deadline above first."), field="deadline")
    if moment <= now:
        raise ReminderRefused(_("This deadline has passed: reminders go only before it."), field="deadline")
    taken = db.session.scalar(
        select(DeadlineReminder.id).where(
            DeadlineReminder.forum_id == forum.id,
            DeadlineReminder.deadline == deadline,
            DeadlineReminder.minutes_before == minutes_before,
        )
    )
    if taken is not None:
        raise ReminderRefused(
            _("This deadline has a reminder %(offset)s before already.", offset=offset_text(minutes_before)),
            field="days",
        )
    reminder = DeadlineReminder(forum_id=forum.id, deadline=deadline, minutes_before=minutes_before)
    db.session.add(reminder)
    db.session.flush()
    record(
        actor,
        "deadline_reminder.added",
        forum_id=forum.id,
        target=("deadline_reminder", reminder.id),
        summary=_("Deadline reminder %(offset)s before", offset=offset_text(minutes_before)),
        after={"deadline": deadline.value, "minutes_before": minutes_before},
    )
    return reminder


def remove_deadline_reminder(actor: User, forum: Forum, reminder: DeadlineReminder) -> None:
    require_organiser(actor, forum)
    reminder_id, summary = (
        reminder.id,
        _("Deadline reminder %(offset)s before", offset=offset_text(reminder.minutes_before)),
    )
    db.session.delete(reminder)
    db.session.flush()
    record(
        actor,
        "deadline_reminder.removed",
        forum_id=forum.id,
        target=("deadline_reminder", reminder_id),
        summary=summary,
    )


def shown_deadlines(forum: Forum) -> Mapping[DeadlineKind, str | None]:
    """Each deadline as the forum's clocks show it, None where it is not set."""
    return {kind: (when_in(d, forum) if (d := deadline_of(forum, kind)) else None) for kind in DeadlineKind}
