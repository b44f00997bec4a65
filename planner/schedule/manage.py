"""What organisers do to a programme: sessions (new, changed, moved, cancelled), venues,
rooms and events, and acknowledging warnings.

Every save of a session runs the rules of ``conflicts`` first: a blocking conflict refuses
the save, warnings are returned to show. A change to a session's time, room, title or
status is recorded in the audit log and announced to the delegates who picked it. These
functions check the acting user's permission, flush and never commit.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import delete, select
from sqlalchemy.orm import joinedload, selectinload

from planner.accounts.models import User
from planner.accounts.permissions import require_admin, require_organiser
from planner.audit.services import record
from planner.delegations.models import Person
from planner.extensions import db
from planner.forums.models import Event, EventKind, Forum, Room, Venue
from planner.schedule import conflicts
from planner.schedule.history import CHANGED, plain_changes, sentences
from planner.schedule.models import (
    AcknowledgedWarning, ParticipantRole, RoomClosedDay, Session, SessionKind, SessionParticipant, SessionStatus,
)
from planner.schedule.notifications import announce_session_change
from planner.schedule.versions import changed_attributes


class ScheduleError(Exception):
    """A change the rules refuse; the message says why, ``field`` names the form field it is about."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class BlockingConflicts(ScheduleError):
    def __init__(self, found: Sequence[conflicts.Conflict]) -> None:
        self.conflicts = list(found)
        super().__init__(" ".join(c.message for c in self.conflicts))


@dataclass
class SessionData:
    """A session as an organiser enters it (times already in UTC)."""

    event: Event
    title: str
    kind: SessionKind
    starts_at: dt.datetime
    ends_at: dt.datetime
    room: Room | None = None
    description: str = ""
    is_public: bool = True
    status: SessionStatus = SessionStatus.SCHEDULED
    chairs: list[Person] = field(default_factory=list)
    speakers: list[Person] = field(default_factory=list)


@dataclass(frozen=True)
class Saved:
    session: Session
    warnings: list[conflicts.Conflict]


# Reading --------------------------------------------------------------------------------------


def sessions_of(forum: Forum) -> list[Session]:
    """Every session of the forum, closed and cancelled too, by time (three queries)."""
    return list(db.session.scalars(
        select(Session).join(Session.event).where(Event.forum_id == forum.id)
        .options(joinedload(Session.event), joinedload(Session.room).joinedload(Room.venue),
                 selectinload(Session.participants).joinedload(SessionParticipant.person))
        .order_by(Session.starts_at, Session.id)
    ).unique())


def rooms_of(forum: Forum) -> list[Room]:
    return list(db.session.scalars(
        select(Room).join(Room.venue).where(Venue.forum_id == forum.id)
        .options(joinedload(Room.venue)).order_by(Venue.name, Room.name)
    ))


def session_of(forum: Forum, session_id: int) -> Session | None:
    session = db.session.get(Session, session_id)
    return session if session is not None and session.event.forum_id == forum.id else None


def closed_days_of(room: Room) -> list[dt.date]:
    return list(db.session.scalars(
        select(RoomClosedDay.day).where(RoomClosedDay.room_id == room.id).order_by(RoomClosedDay.day)))


def find_people(names: Sequence[str]) -> list[Person]:
    """People by email address (when the line holds an @) or exact name; unknown names become
    new people. Blank lines and repeats are dropped."""
    people: list[Person] = []
    for text in dict.fromkeys(n.strip() for n in names if n.strip()):
        if "@" in text:
            person = db.session.scalar(select(Person).where(Person.email == text.lower()))
            if person is None:
                raise ScheduleError(_("Nobody has the email address %(email)s.", email=text))
        else:
            person = db.session.scalars(select(Person).where(Person.name == text).order_by(Person.id)).first()
            if person is None:
                person = Person(name=text[:200])
                db.session.add(person)
        if person not in people:
            people.append(person)
    return people


# Sessions -------------------------------------------------------------------------------------


def _set_participants(session: Session, chairs: list[Person], speakers: list[Person]) -> None:
    existing = {(p.person_id, p.role): p for p in session.participants if p.person_id is not None}
    wanted = []
    for role, people in ((ParticipantRole.CHAIR, chairs), (ParticipantRole.SPEAKER, speakers)):
        for position, person in enumerate(people):
            kept = existing.get((person.id, role)) if person.id is not None else None
            if kept is not None:
                kept.position = position
                wanted.append(kept)
            else:
                wanted.append(SessionParticipant(person=person, role=role, position=position))
    session.participants = wanted


def _apply(session: Session, data: SessionData) -> None:
    session.event = data.event
    session.title = data.title.strip()
    session.kind = data.kind
    session.starts_at, session.ends_at = data.starts_at, data.ends_at
    session.room = data.room
    session.description = data.description
    session.is_public = data.is_public
    session.status = data.status
    _set_participants(session, data.chairs, data.speakers)


def lock_programme(forum: Forum) -> None:
    """Serialise changes to one forum's programme: the rules read the whole programme, so two
    saves checked at once could each miss the other (two sessions booked into one free room).
    A row lock on PostgreSQL; SQLite has one writer anyway (requests that write BEGIN IMMEDIATE)."""
    db.session.execute(select(Forum.id).where(Forum.id == forum.id).with_for_update())


def _check(forum: Forum, session: Session, programme: conflicts.Programme | None = None) -> list[conflicts.Conflict]:
    with db.session.no_autoflush:
        found = conflicts.check_changes(forum, [conflicts.facts_of(session)], programme)
    blocking = [c for c in found if c.blocking]
    if blocking:
        raise BlockingConflicts(blocking)
    return found


def record_change(actor: User | None, session: Session, changes: dict) -> None:
    """Audit entry and emails for a change taken (``changed_attributes``) before the flush."""
    if not changes:
        return
    before, after = plain_changes(session, changes)
    told = " ".join(sentences(session.event.forum, before, after))
    record(actor, CHANGED, forum_id=session.event.forum_id, target=("session", session.id),
           summary=_("%(title)s: %(what)s", title=session.title, what=told), before=before, after=after)
    announce_session_change(session, changes)


def create_session(actor: User | None, forum: Forum, data: SessionData) -> Saved:
    """A new session, if no blocking rule refuses it."""
    require_organiser(actor, forum)
    _check_event(forum, data.event)
    lock_programme(forum)
    session = Session(revision=1, status=SessionStatus.SCHEDULED)
    with db.session.no_autoflush:
        _apply(session, data)
        warnings = _check(forum, session)
    db.session.add(session)
    db.session.flush()
    record(actor, "session.created", forum_id=forum.id, target=("session", session.id), summary=session.title)
    return Saved(session, warnings)


def update_session(actor: User | None, forum: Forum, session: Session, data: SessionData) -> Saved:
    """Change a session (move it, rename it, cancel it...), if no blocking rule refuses it.
    Its revision goes up in the flush when the time, room, title or status changes."""
    require_organiser(actor, forum)
    _check_event(forum, data.event)
    lock_programme(forum)
    with db.session.no_autoflush:
        _apply(session, data)
        try:
            warnings = _check(forum, session)
        except BlockingConflicts:
            db.session.expire(session)  # nothing of the refused change reaches the database
            raise
        changes = changed_attributes(session)
    db.session.flush()
    record_change(actor, session, changes)
    db.session.flush()
    return Saved(session, warnings)


def _check_event(forum: Forum, event: Event) -> None:
    if event.forum_id != forum.id:
        raise ScheduleError(_("This forum has no such event."))


def acknowledge(actor: User, forum: Forum, key: str) -> bool:
    """Accept an open warning of the forum; False when there is no such warning (any more)."""
    require_organiser(actor, forum)
    found = conflicts.forum_conflicts(forum)
    if key not in {c.key for c in found.warnings}:
        return False
    db.session.add(AcknowledgedWarning(forum_id=forum.id, key=key, acknowledged_by_id=actor.id))
    record(actor, "schedule.warning_acknowledged", forum_id=forum.id, target=("warning", key[:64]), summary=key)
    db.session.flush()
    return True


# Venues, rooms, events ------------------------------------------------------------------------


def save_venue(actor: User, forum: Forum, venue: Venue | None, name: str, address: str) -> Venue:
    require_organiser(actor, forum)
    name = name.strip()
    clash = db.session.scalar(select(Venue).where(Venue.forum_id == forum.id, Venue.name == name))
    if clash is not None and clash is not venue:
        raise ScheduleError(_("This forum already has a venue called %(name)s.", name=name))
    if venue is None:
        venue = Venue(forum=forum, name=name, address=address)
        db.session.add(venue)
    else:
        venue.name, venue.address = name, address
    db.session.flush()
    record(actor, "venue.saved", forum_id=forum.id, target=("venue", venue.id), summary=venue.name)
    return venue


def save_room(actor: User, forum: Forum, room: Room | None, venue: Venue, name: str, capacity: int | None,
              accessibility_notes: str, closed_days: Sequence[dt.date]) -> Room:
    """A room with its capacity, accessibility notes and the days it cannot be used."""
    require_organiser(actor, forum)
    if venue.forum_id != forum.id:
        raise ScheduleError(_("This forum has no such venue."))
    name = name.strip()
    clash = db.session.scalar(select(Room).where(Room.venue_id == venue.id, Room.name == name))
    if clash is not None and clash is not room:
        raise ScheduleError(_("%(venue)s already has a room called %(name)s.", venue=venue.name, name=name))
    outside = [d for d in closed_days if not forum.first_day <= d <= forum.last_day]
    if outside:
        raise ScheduleError(_("%(day)s is not a day of the forum.", day=outside[0].isoformat()), "closed_days")
    if room is None:
        room = Room(venue=venue, name=name)
        db.session.add(room)
    room.venue, room.name, room.capacity, room.accessibility_notes = venue, name, capacity, accessibility_notes
    db.session.flush()
    db.session.execute(delete(RoomClosedDay).where(RoomClosedDay.room_id == room.id))
    db.session.add_all(RoomClosedDay(room_id=room.id, day=d) for d in sorted(set(closed_days)))
    db.session.flush()
    record(actor, "room.saved", forum_id=forum.id, target=("room", room.id), summary=room.name,
           after={"capacity": capacity, "closed_days": [d.isoformat() for d in sorted(set(closed_days))]})
    return room


def save_event(actor: User, forum: Forum, event: Event | None, *, code: str, kind: EventKind, title: str,
               starts_at: dt.datetime, ends_at: dt.datetime, venue: Venue | None, description: str) -> Event:
    """An event of the forum; its sessions must stay within its new dates."""
    require_organiser(actor, forum)
    code = code.strip().upper()
    if ends_at <= starts_at:
        raise ScheduleError(_("The event must end after it starts."))
    opens = dt.datetime.combine(forum.first_day, dt.time(0), tzinfo=forum.zone)
    closes = dt.datetime.combine(forum.last_day + dt.timedelta(days=1), dt.time(0), tzinfo=forum.zone)
    if starts_at < opens or ends_at > closes:
        raise ScheduleError(_("An event takes place within the forum's days (%(first)s to %(last)s).",
                              first=forum.first_day.isoformat(), last=forum.last_day.isoformat()))
    clash = db.session.scalar(select(Event).where(Event.forum_id == forum.id, Event.code == code))
    if clash is not None and clash is not event:
        raise ScheduleError(_("This forum already has an event with the code %(code)s.", code=code))
    if venue is not None and venue.forum_id != forum.id:
        raise ScheduleError(_("This forum has no such venue."))
    if event is not None:
        outside = db.session.scalar(select(Session.title).where(
            Session.event_id == event.id, Session.status == SessionStatus.SCHEDULED,
            (Session.starts_at < starts_at) | (Session.ends_at > ends_at)).limit(1))
        if outside is not None:
            raise ScheduleError(_("“%(title)s” would fall outside the event's new dates; move it first.",
                                  title=outside))
    if event is None:
        event = Event(forum=forum, code=code, kind=kind, title=title, starts_at=starts_at, ends_at=ends_at)
        db.session.add(event)
    event.code, event.kind, event.title, event.venue = code, kind, title, venue
    event.starts_at, event.ends_at, event.description = starts_at, ends_at, description
    db.session.flush()
    record(actor, "event.saved", forum_id=forum.id, target=("event", event.id), summary=event.code)
    return event


def create_forum(actor: User, *, slug: str, name: str, title: str, host_city: str, host_country: str,
                 timezone: str, first_day: dt.date, last_day: dt.date, description: str) -> Forum:
    """A new forum, by a site administrator; its organisers are appointed afterwards."""
    require_admin(actor)
    if db.session.scalar(select(Forum.id).where(Forum.slug == slug)) is not None:
        raise ScheduleError(_("Another forum has the address name %(slug)s.", slug=slug), "slug")
    forum = Forum(slug=slug, name=name.strip(), title=title.strip(), host_city=host_city.strip(),
                  host_country=host_country, timezone=timezone, first_day=first_day, last_day=last_day,
                  description=description)
    db.session.add(forum)
    db.session.flush()
    record(actor, "forum.created", forum_id=forum.id, target=("forum", forum.id), summary=forum.name)
    return forum


def save_forum(actor: User, forum: Forum, *, name: str, title: str, host_city: str, description: str) -> Forum:
    """The forum's names and description (its dates and timezone anchor the whole programme
    and are set when it is created)."""
    require_organiser(actor, forum)
    forum.name, forum.title, forum.host_city, forum.description = name.strip(), title.strip(), host_city.strip(), description
    db.session.flush()
    record(actor, "forum.saved", forum_id=forum.id, target=("forum", forum.id), summary=forum.name)
    return forum
