"""Calendar invitations by email: iTIP messages (RFC 5546) sent as iMIP (RFC 6047).

ORGANIZER is the forum, at the address planner sends from (MAIL_DEFAULT_SENDER, a no-reply
address); ATTENDEE is the delegate alone, already ACCEPTED, with RSVP=FALSE. Clients then
show a real invitation (it lands in the calendar, later REQUESTs with the same UID move it,
a CANCEL removes it) but ask for no answer: the place was decided by registration, and an
answer could only go to an address nobody reads. Nobody else is listed, so no message
discloses who else attends.

Sessions carry their revision as SEQUENCE (raised by every move and by cancelling);
events, which have no revision, keep SEQUENCE 0, and their messages are ordered by
DTSTAMP, the moment each message is written (RFC 5546 2.1.5).
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from flask import url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from planner.calendar import feeds, ical, services
from planner.db import utcnow
from planner.extensions import db
from planner.forums.models import Event
from planner.mail.services import queue_email
from planner.registration.models import AgendaItem, RegistrationMode, RegistrationPolicy
from planner.schedule.models import Session, SessionStatus
from planner.translated import localized

if TYPE_CHECKING:
    from planner.accounts.models import User
    from planner.forums.models import Forum
    from planner.registration.models import Registration

REQUEST, CANCEL = "REQUEST", "CANCEL"


def content_type(method: str) -> str:
    """The MIME type calendar clients recognise an invitation by (RFC 6047 2.4)."""
    return f"text/calendar; method={method}"


def organizer_of(forum: Forum) -> ical.Attendee:
    return ical.Attendee(services.organizer_address(), forum.name)


def session_invite(
    session: Session, email: str, name: str, method: str, stamp: dt.datetime | None = None
) -> tuple[str, str]:
    """``(content_type, ics_text)`` of a REQUEST or CANCEL for one session and one person."""
    forum = session.event.forum
    entry = feeds.session_entries([session])[0]
    text = ical.itip(method, entry, organizer_of(forum), ical.Attendee(email, name), stamp or session.updated_at)
    return content_type(method), text


def session_change_invite(session: Session, attendee_email: str, attendee_name: str = "") -> tuple[str, str]:
    """The invitation that goes with an announcement that ``session`` changed: a REQUEST
    with the same UID and the session's new, higher SEQUENCE when it moved, a CANCEL once
    it is cancelled. DTSTAMP is the change itself, so the same change gives the same text."""
    method = CANCEL if session.status is SessionStatus.CANCELLED else REQUEST
    return session_invite(session, attendee_email, attendee_name, method, stamp=session.updated_at)


def event_invite(event: Event, email: str, name: str, method: str, stamp: dt.datetime) -> tuple[str, str]:
    entry = feeds.event_entry(event)
    text = ical.itip(method, entry, organizer_of(event.forum), ical.Attendee(email, name), stamp)
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


def _queue_session_mail(user: User, session: Session, method: str, now: dt.datetime) -> None:
    forum = session.event.forum
    with force_locale(user.language or "en"):
        subject = (
            _("In your calendar: %(title)s", title=localized(session, "title"))
            if method == REQUEST
            else _("Removed from your calendar: %(title)s", title=localized(session, "title"))
        )
        queue_email(
            user.email,
            "calendar/session_added" if method == REQUEST else "calendar/session_removed",
            subject=subject,
            forum_id=forum.id,
            attachment=session_invite(session, user.email, user.name, method, stamp=now),
            name=user.name,
            title=localized(session, "title"),
            forum=forum.name,
            link=url_for("schedule.session", session_id=session.id, _external=True),
        )


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
