"""Queueing the reminders that are due: before events, and before the forum's deadlines.

Due means: the reminder's time (its offset before the start or the deadline) has come and the
event has not started (the deadline has not passed). A reminder whose time passed while nothing
ran is queued on the next round, as long as the event is still ahead; once it has started the
reminder is never sent.

Exactly once per person and time: each one is claimed by inserting its ``...Sent`` row, which
keeps the start (or deadline) the message gives, with ON CONFLICT DO NOTHING, in the same
transaction as its outbox message. A second sender at once waits on the unique index for the
first to commit, then finds the row taken and queues nothing; a sender killed before its commit
leaves neither row nor message, and the next round queues both.

Moved times: once the event's start (or the deadline) is not the one a message gives, a message
still waiting in the outbox is withdrawn (``withdrawal``, with its row: it did not go), and the
reminder is due again for the new time; someone it may have reached with the old time is told
the time changed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from flask import url_for
from flask_babel import gettext as _
from sqlalchemy import ColumnElement, Table, exists, func, or_, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import joinedload

from planner.accounts.models import User
from planner.accounts.services import language_of
from planner.accreditation.models import CredentialsLetter, CredentialsStatus
from planner.db import table_of
from planner.delegations.models import (
    Delegation,
    DelegationFocalPoint,
    DelegationMember,
    DelegationStatus,
    NominationStatus,
    Person,
)
from planner.extensions import db
from planner.formatting import when_in
from planner.forums.models import Event, Forum
from planner.mail.models import OutboxMessage, OutboxStatus
from planner.mail.services import queue_email, written_in
from planner.registration.models import Registration, RegistrationMode, RegistrationPolicy, RegistrationStatus
from planner.reminders.deadlines import deadline_of
from planner.reminders.models import (
    DeadlineKind,
    DeadlineReminder,
    DeadlineReminderSent,
    Reminder,
    ReminderSent,
)
from planner.reminders.withdrawal import withdraw_late_reminders, withdraw_outdated_reminders
from planner.translated import localized


@dataclass
class ReminderReport:
    event_reminders: int = 0  # messages queued, one per person and reminder
    deadline_reminders: int = 0
    withdrawn: int = 0  # queued in time but still unsent when their event started
    outdated: int = 0  # still unsent when the time they give changed (or their deadline was cleared)


def queue_due_reminders(now: dt.datetime) -> ReminderReport:
    """Queue every reminder due at ``now`` for each person not yet sent it for the current start
    (or deadline), in the caller's transaction (the caller commits). Running it again, or twice
    at once, queues nothing more. First withdraw the reminders still waiting in the outbox (the
    mail server was down) whose event has started or whose deadline has passed: they are never
    sent late; then those whose event or deadline has moved, or whose deadline was cleared: they
    are never sent with the wrong time."""
    withdrawn = withdraw_late_reminders(now)
    outdated = withdraw_outdated_reminders()
    return ReminderReport(
        event_reminders=sum(_queue_event_reminder(reminder, now) for reminder in due_event_reminders(now)),
        deadline_reminders=sum(_queue_deadline_reminder(reminder, now) for reminder in due_deadline_reminders(now)),
        withdrawn=withdrawn,
        outdated=outdated,
    )


# Before events -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Recipient:
    """Someone a reminder before an event goes to: an account or an accredited member."""

    email: str
    name: str
    language: str | None
    user_id: int | None = None
    person_id: int | None = None
    told_another_time: bool = False  # a message with another start may have reached them


def due_event_reminders(now: dt.datetime) -> list[Reminder]:
    """Reminders whose time has come, of events that have not started."""
    upcoming = db.session.scalars(
        select(Reminder)
        .join(Event, Event.id == Reminder.event_id)
        .where(Event.starts_at > now)
        .options(joinedload(Reminder.event).joinedload(Event.forum), joinedload(Reminder.event).joinedload(Event.venue))
        .order_by(Event.starts_at, Reminder.id)
    ).all()
    return [r for r in upcoming if r.event.starts_at - dt.timedelta(minutes=r.minutes_before) <= now]


def event_recipients(reminder: Reminder) -> list[Recipient]:
    """Who takes part in the reminder's event and has not been sent it for its current start:
    the accounts with a confirmed registration (cancelled, declined, waiting and pending ones
    get none, nor deleted accounts) and, for a meeting by nomination, the accredited members of
    the forum's delegations that have an address (someone both gets one message, as the
    account). Those it may have reached with another start are told the time changed."""
    confirmed = (
        select(User.id)
        .join(Registration, Registration.user_id == User.id)
        .where(
            Registration.event_id == reminder.event_id,
            Registration.status == RegistrationStatus.CONFIRMED,
            User.deleted_at.is_(None),
        )
    )
    for_this_start = (ReminderSent.reminder_id == reminder.id) & (
        ReminderSent.event_starts_at == reminder.event.starts_at
    )
    told_users, told_people = _told_another_start(reminder)
    sent_to_users = select(ReminderSent.user_id).where(for_this_start, ReminderSent.user_id.is_not(None))
    users = db.session.scalars(select(User).where(User.id.in_(confirmed), User.id.not_in(sent_to_users)))
    recipients = [
        Recipient(u.email, u.name, u.language, user_id=u.id, told_another_time=u.id in told_users)
        for u in sorted(users, key=lambda u: u.id)
    ]
    if not _by_nomination(reminder.event):
        return recipients
    sent_to_people = select(ReminderSent.person_id).where(for_this_start, ReminderSent.person_id.is_not(None))
    people = db.session.scalars(
        select(Person)
        .join(DelegationMember, DelegationMember.person_id == Person.id)
        .join(Delegation, Delegation.id == DelegationMember.delegation_id)
        .where(
            Delegation.forum_id == reminder.event.forum_id,
            Delegation.status.in_([DelegationStatus.INVITED, DelegationStatus.CONFIRMED]),
            DelegationMember.status == NominationStatus.ACCREDITED,
            Person.email.is_not(None),
            func.lower(Person.email).not_in(select(func.lower(User.email)).where(User.id.in_(confirmed))),
            Person.id.not_in(sent_to_people),
        )
        .order_by(Person.id)
        .distinct()
    )
    return recipients + [
        Recipient(p.email, p.name, language_of(p.email), person_id=p.id, told_another_time=p.id in told_people)
        for p in people
        if p.email is not None
    ]


def _may_have_gone() -> ColumnElement[bool]:
    """Of a ``...Sent`` row joined to its outbox message: the message was sent, or may still be
    (a withdrawn one took its row with it; one the outbox gave up on reached nobody)."""
    return or_(OutboxMessage.id.is_(None), OutboxMessage.status != OutboxStatus.FAILED)


def _told_another_start(reminder: Reminder) -> tuple[set[int], set[int]]:
    """The accounts and the people the reminder may have reached with a start other than the
    event's current one."""
    rows = db.session.execute(
        select(ReminderSent.user_id, ReminderSent.person_id)
        .outerjoin(OutboxMessage, OutboxMessage.id == ReminderSent.outbox_message_id)
        .where(
            ReminderSent.reminder_id == reminder.id,
            ReminderSent.event_starts_at != reminder.event.starts_at,
            _may_have_gone(),
        )
    ).all()
    return {u for u, _p in rows if u is not None}, {p for _u, p in rows if p is not None}


def _by_nomination(event: Event) -> bool:
    mode = db.session.scalar(select(RegistrationPolicy.mode).where(RegistrationPolicy.event_id == event.id))
    return mode is RegistrationMode.NOMINATION


def _queue_event_reminder(reminder: Reminder, now: dt.datetime) -> int:
    event = reminder.event
    forum = event.forum
    queued = 0
    for recipient in event_recipients(reminder):
        key = "user_id" if recipient.user_id is not None else "person_id"
        sent_id = _claim(
            table_of(ReminderSent),
            ["reminder_id", key, "event_starts_at"],
            reminder_id=reminder.id,
            user_id=recipient.user_id,
            person_id=recipient.person_id,
            event_starts_at=event.starts_at,
            queued_at=now,
        )
        if sent_id is None:
            continue  # another sender has just queued it
        with written_in(recipient.language):
            title = localized(event, "title")
            starts = when_in(event.starts_at, forum)
            venue = event.venue
            if recipient.told_another_time:
                subject = _("Reminder, new time: %(event)s, %(starts)s", event=title, starts=starts)
            else:
                subject = _("Reminder: %(event)s, %(starts)s", event=title, starts=starts)
            message = queue_email(
                recipient.email,
                "reminders/event_reminder",
                subject=subject,
                time_changed=recipient.told_another_time,
                forum_id=forum.id,
                name=recipient.name,
                forum=localized(forum, "name"),
                event=title,
                starts=starts,
                zone=forum.timezone,
                venue=localized(venue, "name") if venue else "",
                address=localized(venue, "address") if venue else "",
                details=localized(reminder, "details"),
                link=_link("forums.event", slug=forum.slug, code=event.code),
            )
        _note_message(table_of(ReminderSent), sent_id, message.id)
        queued += 1
    return queued


# Before deadlines ----------------------------------------------------------------------------


def due_deadline_reminders(now: dt.datetime) -> list[DeadlineReminder]:
    """Deadline reminders whose time has come, of deadlines that have not passed."""
    reminders = db.session.scalars(
        select(DeadlineReminder)
        .join(Forum, Forum.id == DeadlineReminder.forum_id)
        .where((Forum.nominations_close_at > now) | (Forum.credentials_due_at > now))
        .options(joinedload(DeadlineReminder.forum))
        .order_by(DeadlineReminder.id)
    ).all()
    due = []
    for reminder in reminders:
        deadline = deadline_of(reminder.forum, reminder.deadline)
        if deadline is not None and deadline - dt.timedelta(minutes=reminder.minutes_before) <= now < deadline:
            due.append(reminder)
    return due


def behind_on(forum: Forum, kind: DeadlineKind) -> list[Delegation]:
    """The delegations still asked for something by ``kind``, among those invited or confirmed
    (a delegation that declined or withdrew is asked nothing):

    - nominations: no member nominated or accredited (every member declined or withdrawn, or none);
    - credentials: no credentials letter, or its newest one returned. A letter waiting for the
      secretariat is the secretariat's to decide, so its focal points are not reminded.
    """
    delegations = select(Delegation).where(
        Delegation.forum_id == forum.id,
        Delegation.status.in_([DelegationStatus.INVITED, DelegationStatus.CONFIRMED]),
    )
    if kind is DeadlineKind.NOMINATIONS:
        holding_seats = exists().where(
            DelegationMember.delegation_id == Delegation.id,
            DelegationMember.status.in_([NominationStatus.NOMINATED, NominationStatus.ACCREDITED]),
        )
        return list(db.session.scalars(delegations.where(~holding_seats).order_by(Delegation.id)))
    newest: dict[int, CredentialsLetter] = {}
    for letter in db.session.scalars(
        select(CredentialsLetter)
        .join(Delegation, Delegation.id == CredentialsLetter.delegation_id)
        .where(Delegation.forum_id == forum.id)
        .order_by(CredentialsLetter.uploaded_at, CredentialsLetter.id)
    ):
        newest[letter.delegation_id] = letter  # oldest first: the last one seen is the newest
    return [
        delegation
        for delegation in db.session.scalars(delegations.order_by(Delegation.id))
        if delegation.id not in newest or newest[delegation.id].status is CredentialsStatus.RETURNED
    ]


def _focal_points(delegation: Delegation) -> list[User]:
    return list(
        db.session.scalars(
            select(User)
            .join(DelegationFocalPoint, DelegationFocalPoint.user_id == User.id)
            .where(DelegationFocalPoint.delegation_id == delegation.id, User.deleted_at.is_(None))
            .order_by(User.id)
        )
    )


def _queue_deadline_reminder(reminder: DeadlineReminder, now: dt.datetime) -> int:
    forum = reminder.forum
    deadline = deadline_of(forum, reminder.deadline)
    assert deadline is not None  # only due reminders come here
    # (delegation, focal point) it may have reached with another deadline.
    told_another_deadline = {
        (delegation_id, user_id)
        for delegation_id, user_id in db.session.execute(
            select(DeadlineReminderSent.delegation_id, DeadlineReminderSent.user_id)
            .outerjoin(OutboxMessage, OutboxMessage.id == DeadlineReminderSent.outbox_message_id)
            .where(
                DeadlineReminderSent.reminder_id == reminder.id,
                DeadlineReminderSent.deadline_at != deadline,
                _may_have_gone(),
            )
        )
    }
    queued = 0
    for delegation in behind_on(forum, reminder.deadline):
        for user in _focal_points(delegation):
            sent_id = _claim(
                table_of(DeadlineReminderSent),
                ["reminder_id", "delegation_id", "user_id", "deadline_at"],
                reminder_id=reminder.id,
                delegation_id=delegation.id,
                user_id=user.id,
                deadline_at=deadline,
                queued_at=now,
            )
            if sent_id is not None:
                changed = (delegation.id, user.id) in told_another_deadline
                message = _queue_deadline_mail(reminder.deadline, forum, delegation, user, deadline, changed)
                _note_message(table_of(DeadlineReminderSent), sent_id, message.id)
                queued += 1
    return queued


def _queue_deadline_mail(
    kind: DeadlineKind,
    forum: Forum,
    delegation: Delegation,
    user: User,
    deadline: dt.datetime,
    changed: bool,
) -> OutboxMessage:
    """The reminder's mail; ``changed``: an earlier one may have reached them with another deadline."""
    with written_in(user.language):
        values: dict[str, Any] = dict(
            forum_id=forum.id,
            name=user.name,
            forum=localized(forum, "name"),
            delegation=localized(delegation, "name"),
            deadline=when_in(deadline, forum),
            kind=kind.value,
            deadline_changed=changed,
        )
        names = {"forum": values["forum"], "deadline": values["deadline"]}
        if kind is DeadlineKind.NOMINATIONS:
            if changed:
                subject = _("%(forum)s: nominations now close %(deadline)s", **names)
            else:
                subject = _("%(forum)s: nominations close %(deadline)s", **names)
            link = _link("delegations.delegation", slug=forum.slug, delegation_id=delegation.id)
        else:
            if changed:
                subject = _("%(forum)s: credentials letters are now due %(deadline)s", **names)
            else:
                subject = _("%(forum)s: credentials letters are due %(deadline)s", **names)
            link = _link("accreditation.credentials", slug=forum.slug, delegation_id=delegation.id)
        return queue_email(user.email, "reminders/deadline_reminder", subject=subject, link=link, **values)


# Helpers -------------------------------------------------------------------------------------


def _claim(table: Table, conflict: Iterable[str], **values: Any) -> int | None:
    """Insert the row unless one with the same ``conflict`` columns exists (or is being
    inserted by another transaction, which this one then waits for): its id if this one did."""
    dialect = db.session.get_bind().dialect.name
    insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
    statement = insert(table).values(**values).on_conflict_do_nothing(index_elements=list(conflict))
    return db.session.execute(statement.returning(table.c.id)).scalar()


def _note_message(table: Table, sent_id: int, message_id: int) -> None:
    db.session.execute(update(table).where(table.c.id == sent_id).values(outbox_message_id=message_id))


def _link(endpoint: str, **values: Any) -> str | None:
    """An absolute link to a page, where planner knows its own address (PLANNER_SERVER_NAME or
    a request); None otherwise, and the mail goes without it."""
    try:
        return url_for(endpoint, _external=True, **values)
    except RuntimeError:
        return None
