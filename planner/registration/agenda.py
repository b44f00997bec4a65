"""A delegate's personal agenda: sessions of the events they are confirmed for."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import delete, select
from sqlalchemy.orm import joinedload

from planner.accounts.models import User
from planner.calendar import invites
from planner.extensions import db
from planner.forums.models import Event, Room
from planner.refusals import Refused
from planner.registration.models import AgendaItem, Registration, RegistrationStatus
from planner.schedule.models import Session


class AgendaError(Refused):
    pass


def confirmed_event_ids(user: User) -> set[int]:
    return set(
        db.session.scalars(
            select(Registration.event_id).where(
                Registration.user_id == user.id, Registration.status == RegistrationStatus.CONFIRMED
            )
        )
    )


def add(user: User, session: Session) -> None:
    """Only public sessions of events the person is confirmed for can be picked."""
    if not session.is_public or session.event_id not in confirmed_event_ids(user):
        raise AgendaError(_("You can pick sessions of events you are confirmed for."))
    if db.session.get(AgendaItem, (user.id, session.id)) is None:
        db.session.add(AgendaItem(user_id=user.id, session_id=session.id))
        db.session.flush()
        invites.session_picked(user, session)  # the session goes to their calendar too


def remove(user: User, session_id: int) -> None:
    item = db.session.get(AgendaItem, (user.id, session_id))
    if item is not None:
        db.session.delete(item)
        db.session.flush()
        session = db.session.get(Session, session_id)
        if session is not None:
            invites.session_unpicked(user, session)  # and leaves their calendar


def leave_event(registration: Registration) -> None:
    """A confirmed registration ended: the person's picks among that event's sessions leave
    their agenda, as they left their calendar (``invites.registration_ended``). Applying again
    starts an empty agenda for the event."""
    db.session.execute(
        delete(AgendaItem).where(
            AgendaItem.user_id == registration.user_id,
            AgendaItem.session_id.in_(select(Session.id).where(Session.event_id == registration.event_id)),
        )
    )


def sessions_of(user: User) -> list[Session]:
    """The sessions picked, of the events the person is confirmed for (as their calendar feed)."""
    return list(
        db.session.scalars(
            select(Session)
            .join(AgendaItem, AgendaItem.session_id == Session.id)
            .join(Registration, (Registration.event_id == Session.event_id) & (Registration.user_id == user.id))
            .where(AgendaItem.user_id == user.id, Registration.status == RegistrationStatus.CONFIRMED)
            .options(joinedload(Session.event).joinedload(Event.forum), joinedload(Session.room).joinedload(Room.venue))
            .order_by(Session.starts_at, Session.id)
        )
    )


def clashes(sessions: list[Session]) -> set[int]:
    """Ids of the sessions that overlap another one in the list (any overlap counts)."""
    clashing: set[int] = set()
    ordered = sorted(sessions, key=lambda s: s.starts_at)
    latest_end, latest_id = None, None
    for session in ordered:
        if latest_end is not None and session.starts_at < latest_end:
            clashing |= {session.id, latest_id}  # type: ignore[arg-type]
        if latest_end is None or session.ends_at > latest_end:
            latest_end, latest_id = session.ends_at, session.id
    return clashing


def offered_sessions(event_ids: set[int]) -> list[Session]:
    """Public sessions of these events (those the person is confirmed for), to pick from."""
    if not event_ids:
        return []
    return list(
        db.session.scalars(
            select(Session)
            .where(Session.event_id.in_(event_ids), Session.is_public.is_(True))
            .options(joinedload(Session.event).joinedload(Event.forum), joinedload(Session.room).joinedload(Room.venue))
            .order_by(Session.starts_at, Session.id)
        )
    )
