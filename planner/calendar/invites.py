"""Calendar invitations by email: iTIP messages (RFC 5546) sent as iMIP (RFC 6047).

ORGANIZER is the forum, at the address planner sends from (MAIL_DEFAULT_SENDER, a no-reply
address); ATTENDEE is the delegate alone, already ACCEPTED, with RSVP=FALSE. Clients then
show a real invitation (it lands in the calendar, later REQUESTs with the same UID move it,
a CANCEL removes it) but ask for no answer: the place was decided by registration, and an
answer could only go to an address nobody reads. Nobody else is listed, so no message
discloses who else attends.

Every message to an attendee about a UID raises its SEQUENCE and its DTSTAMP past the last
one they were sent (``InvitationState``): RFC 5546 2.1.4 wants a higher SEQUENCE for a CANCEL
too, and a REQUEST after a CANCEL (a session picked again) must not look older than it.
A session's first message starts at its revision, so a session that moved before it was
picked still starts above its old messages. Events' messages are numbered by the clock
instead (``event_sequence``): later is higher, without a row written on the busy path.

Agenda picks and removals wait ``CALENDAR_AGENDA_MAIL_DELAY`` seconds in the outbox: a
second change to the same session within that time replaces the waiting message (a pick
removed again at once sends nothing at all). Several sessions are still several messages:
an iTIP REQUEST or CANCEL is about one UID (RFC 5546 3.2.2 and 3.2.5), and only a message
whose calendar part is such a REQUEST or CANCEL is put in the calendar by mail clients.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

from flask import current_app, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import CursorResult, case, delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import joinedload

from planner.accounts.models import User
from planner.calendar import feeds, ical, services
from planner.calendar.models import HeldInvitation, InvitationState
from planner.db import as_utc, table_of, utcnow
from planner.delegations.models import Delegation, DelegationMember, NominationStatus, Person
from planner.extensions import db
from planner.forums.models import Event
from planner.mail.models import OutboxMessage, OutboxStatus
from planner.mail.services import queue_email
from planner.registration.models import (
    AgendaItem,
    Registration,
    RegistrationMode,
    RegistrationPolicy,
    RegistrationStatus,
)
from planner.schedule.models import Session, SessionStatus
from planner.translated import localized

if TYPE_CHECKING:
    from planner.forums.models import Forum

REQUEST, CANCEL = "REQUEST", "CANCEL"


def content_type(method: str) -> str:
    """The MIME type calendar clients recognise an invitation by (RFC 6047 2.4)."""
    return f"text/calendar; method={method}"


def organizer_of(forum: Forum) -> ical.Attendee:
    return ical.Attendee(services.organizer_address(), forum.name)


@dataclass(frozen=True)
class Numbered:
    """SEQUENCE and DTSTAMP of the next message to one attendee about one UID."""

    sequence: int
    stamp: dt.datetime
    first: bool  # no earlier message about this UID went to them


def next_message(email: str, uid: str, method: str, base_sequence: int, now: dt.datetime) -> Numbered:
    """Take the next SEQUENCE and DTSTAMP for ``email`` and ``uid``: at least
    ``base_sequence`` (the component's own revision) and above the last message's, and a
    DTSTAMP later than the last one by at least a second. One INSERT ... ON CONFLICT DO
    UPDATE: two requests at once (a move while the delegate removes the session) queue on
    the row and get different numbers, never a duplicate-key error."""
    attendee = email.strip().lower()
    first = (
        db.session.scalar(
            select(InvitationState.sequence).where(InvitationState.attendee == attendee, InvitationState.uid == uid)
        )
        is None
    )
    table = table_of(InvitationState)
    insert = postgresql.insert if db.session.get_bind().dialect.name == "postgresql" else sqlite.insert
    statement = insert(table).values(
        attendee=attendee, uid=uid, sequence=base_sequence, stamp=int(as_utc(now).timestamp()), method=method
    )
    new = statement.excluded
    upsert = statement.on_conflict_do_update(
        index_elements=[table.c.attendee, table.c.uid],
        set_={
            "sequence": case((new.sequence > table.c.sequence, new.sequence), else_=table.c.sequence + 1),
            "stamp": case((new.stamp > table.c.stamp, new.stamp), else_=table.c.stamp + 1),
            "method": new.method,
        },
    ).returning(table.c.sequence, table.c.stamp)
    sequence, stamp = db.session.execute(upsert).one()
    return Numbered(sequence, dt.datetime.fromtimestamp(stamp, dt.UTC), first)


#: Events' messages are numbered by the clock (seconds since 2000: an int32 until 2068).
#: They are written on the busiest path, and speculatively (the confirmed email of an
#: application that may end on the waiting list): a counter row written there would
#: serialise a rush of applications, and take SQLite's write lock before the seat check.
_EVENT_EPOCH = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)


def event_sequence(now: dt.datetime) -> int:
    """Later messages have higher numbers: confirmed, moved, cancelled, confirmed again
    (two messages about one event within the same second would tie)."""
    return int((as_utc(now) - _EVENT_EPOCH).total_seconds())


def session_invite(
    session: Session, email: str, name: str, method: str, now: dt.datetime | None = None
) -> tuple[str, str]:
    """``(content_type, ics_text)`` of a REQUEST or CANCEL for one session and one person,
    numbered after the last message they were sent about it."""
    return _session_invite(session, email, name, method, now)[0]


def _session_invite(
    session: Session, email: str, name: str, method: str, now: dt.datetime | None = None
) -> tuple[tuple[str, str], Numbered]:
    forum = session.event.forum
    entry = feeds.session_entries([session])[0]
    numbered = next_message(email, entry.uid, method, session.revision, now or utcnow())
    text = ical.itip(method, entry, organizer_of(forum), ical.Attendee(email, name), numbered.stamp, numbered.sequence)
    return (content_type(method), text), numbered


def session_change_invite(session: Session, attendee_email: str, attendee_name: str = "") -> tuple[str, str]:
    """The invitation that goes with an announcement that ``session`` changed: a REQUEST
    with the same UID and a higher SEQUENCE when it moved, a CANCEL once it is cancelled or
    closed to the public (it leaves the person's agenda then)."""
    gone = session.status is SessionStatus.CANCELLED or not session.is_public
    return session_invite(session, attendee_email, attendee_name, CANCEL if gone else REQUEST)


def event_invite(event: Event, email: str, name: str, method: str, stamp: dt.datetime) -> tuple[str, str]:
    entry = feeds.event_entry(event)
    text = ical.itip(method, entry, organizer_of(event.forum), ical.Attendee(email, name), stamp, event_sequence(stamp))
    return content_type(method), text


# Sent with registration and agenda changes ------------------------------------------------


def registration_attachment(
    user: User, event: Event, what: str, held_seat: bool = False, now: dt.datetime | None = None
) -> tuple[str, str] | None:
    """The invitation that goes with the email about ``user``'s registration for ``event``:
    REQUEST when the place is confirmed, CANCEL when a confirmed registration ends; None
    otherwise (nothing was in the person's calendar)."""
    if what in ("confirmed", "promoted"):
        method = REQUEST
    elif what in ("cancelled", "declined") and held_seat:
        method = CANCEL
    else:
        return None
    with force_locale(user.language or "en"):
        return event_invite(event, user.email, user.name, method, now or utcnow())


def accreditation_attachment(
    forum: Forum, email: str, name: str, method: str, now: dt.datetime | None = None
) -> tuple[str, str] | None:
    """The invitation for an accredited delegation member: the forum's meeting by
    nomination (REQUEST on accreditation, CANCEL when an accreditation is declined).
    None when the forum has no such meeting or several (one event per message)."""
    events = db.session.scalars(
        select(Event)
        .join(RegistrationPolicy, RegistrationPolicy.event_id == Event.id)
        .where(Event.forum_id == forum.id, RegistrationPolicy.mode == RegistrationMode.NOMINATION)
        .options(joinedload(Event.venue))
        .limit(2)
    ).all()
    if len(events) != 1:
        return None
    return event_invite(events[0], email, name, method, now or utcnow())


def _agenda_delay() -> dt.timedelta:
    return dt.timedelta(seconds=float(current_app.config.get("CALENDAR_AGENDA_MAIL_DELAY") or 0))


def _release_held(user: User, session: Session) -> HeldInvitation | None:
    """Take back the person's invitation about ``session`` that still waits in the outbox:
    the one deleted (its outbox row gone with it), or None when none waits or the sender
    has it already. A conditional DELETE: a message the sender claimed is never taken back."""
    mine = (HeldInvitation.user_id == user.id) & (HeldInvitation.session_id == session.id)
    held = db.session.execute(select(HeldInvitation.message_id, HeldInvitation.first).where(mine)).all()
    if not held:
        return None
    # Whatever happens to them, these messages are no longer waiting for a next change.
    db.session.execute(delete(HeldInvitation).where(mine).execution_options(synchronize_session=False))
    released = None
    for message_id, first in held:
        taken = db.session.execute(
            delete(OutboxMessage)
            .where(
                OutboxMessage.id == message_id,
                OutboxMessage.status == OutboxStatus.PENDING,
                OutboxMessage.attempts == 0,
                OutboxMessage.claimed_until.is_(None),
            )
            .execution_options(synchronize_session=False)
        )
        if cast(CursorResult[Any], taken).rowcount == 1:
            released = HeldInvitation(message_id=message_id, user_id=user.id, session_id=session.id, first=first)
    return released


def _queue_session_mail(user: User, session: Session, method: str, now: dt.datetime) -> None:
    """Hold the agenda invitation for a moment; a waiting one about the same session is
    replaced by it, or, for a pick taken back before anything went out, dropped with it."""
    released = _release_held(user, session)
    if released is not None and method == CANCEL and released.first:
        return  # the person's calendar never had it
    forum = session.event.forum
    with force_locale(user.language or "en"):
        subject = (
            _("In your calendar: %(title)s", title=localized(session, "title"))
            if method == REQUEST
            else _("Removed from your calendar: %(title)s", title=localized(session, "title"))
        )
        attachment, numbered = _session_invite(session, user.email, user.name, method, now)
        delay = _agenda_delay()
        message = queue_email(
            user.email,
            "calendar/session_added" if method == REQUEST else "calendar/session_removed",
            not_before=now + delay if delay > dt.timedelta(0) else None,
            subject=subject,
            forum_id=forum.id,
            attachment=attachment,
            name=user.name,
            title=localized(session, "title"),
            forum=forum.name,
            link=url_for("schedule.session", session_id=session.id, _external=True),
        )
    if delay > dt.timedelta(0):
        db.session.add(
            HeldInvitation(
                message_id=message.id,
                user_id=user.id,
                session_id=session.id,
                method=method,
                first=numbered.first and (released is None or released.first),
            )
        )
        db.session.flush()


def session_picked(user: User, session: Session, now: dt.datetime | None = None) -> None:
    """A delegate added a session to their agenda: send it to their calendar."""
    _queue_session_mail(user, session, REQUEST, now or utcnow())


def session_unpicked(user: User, session: Session, now: dt.datetime | None = None) -> None:
    """A delegate removed a session from their agenda: take it out of their calendar."""
    _queue_session_mail(user, session, CANCEL, now or utcnow())


def registration_ended(registration: Registration, now: dt.datetime | None = None) -> int:
    """A confirmed registration ended: the picked sessions of that event leave the
    person's calendar too (one CANCEL each; clients handle one UID per message best)."""
    sessions = db.session.scalars(
        select(Session)
        .join(AgendaItem, AgendaItem.session_id == Session.id)
        .where(
            AgendaItem.user_id == registration.user_id,
            Session.event_id == registration.event_id,
            Session.is_public.is_(True),
        )
        .order_by(Session.starts_at, Session.id)
    ).all()
    for session in sessions:
        session_unpicked(registration.user, session, now)
    return len(sessions)


# Sent when an event moves ---------------------------------------------------------------


def _event_attendees(event: Event) -> list[tuple[str, str, str]]:
    """(email, name, language) of everyone whose calendar holds the event: those confirmed
    for it, and, for the forum's meeting by nomination, its accredited delegation members."""
    attendees = {
        user.email.lower(): (user.email, user.name, user.language or "en")
        for user in db.session.scalars(
            select(User)
            .join(Registration, Registration.user_id == User.id)
            .where(Registration.event_id == event.id, Registration.status == RegistrationStatus.CONFIRMED)
            .order_by(User.id)
        )
    }
    nomination = db.session.scalars(
        select(RegistrationPolicy.event_id)
        .join(Event, Event.id == RegistrationPolicy.event_id)
        .where(Event.forum_id == event.forum_id, RegistrationPolicy.mode == RegistrationMode.NOMINATION)
        .limit(2)
    ).all()
    if nomination == [event.id]:  # accreditation_attachment's rule: one meeting by nomination
        for person in db.session.scalars(
            select(Person)
            .join(DelegationMember, DelegationMember.person_id == Person.id)
            .join(Delegation, Delegation.id == DelegationMember.delegation_id)
            .where(
                Delegation.forum_id == event.forum_id,
                DelegationMember.status == NominationStatus.ACCREDITED,
                Person.email.is_not(None),
            )
            .order_by(Person.id)
        ):
            assert person.email is not None
            attendees.setdefault(person.email.lower(), (person.email, person.name, "en"))
    return list(attendees.values())


def event_moved(event: Event, now: dt.datetime | None = None) -> int:
    """The event's times or place changed: everyone who has it in their calendar gets an
    updated REQUEST (same UID, a higher SEQUENCE). How many were written."""
    now = now or utcnow()
    forum = event.forum
    link = url_for("forums.event", slug=forum.slug, code=event.code, _external=True)
    attendees = _event_attendees(event)
    for email, name, language in attendees:
        with force_locale(language):
            queue_email(
                email,
                "calendar/event_moved",
                subject=_("Changed: %(title)s (%(forum)s)", title=event.title, forum=forum.name)[:300],
                forum_id=forum.id,
                attachment=event_invite(event, email, name, REQUEST, now),
                name=name,
                title=event.title,
                forum=forum.name,
                link=link,
            )
    return len(attendees)
