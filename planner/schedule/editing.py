"""What organisers do to a programme: sessions (new, changed, moved, cancelled) and
acknowledging warnings.

Every save of a session runs the rules of ``conflicts`` first: a blocking conflict refuses
the save, warnings are returned to show. A change to a session's time, room, title,
status or languages is recorded in the audit log and announced to the delegates who picked it. These
functions check the acting user's permission, flush and never commit.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import inspect, select
from sqlalchemy.orm import joinedload, selectinload

from planner.accounts.models import User
from planner.accounts.permissions import require_organiser
from planner.audit.services import record
from planner.delegations.models import Person
from planner.extensions import db
from planner.forums.models import Event, Forum, Room, Venue
from planner.forums.services import lock_forum
from planner.refusals import Refused
from planner.schedule import conflicts
from planner.schedule.history import CHANGED, plain_changes, sentences
from planner.schedule.models import (
    AcknowledgedWarning,
    ParticipantRole,
    Session,
    SessionKind,
    SessionParticipant,
    SessionStatus,
)
from planner.schedule.notifications import announce_session_change
from planner.schedule.versions import changed_attributes
from planner.translated import GivenTranslations, language_name, merged
from planner.validators import language_problems


class ScheduleError(Refused):
    """A change to the programme that the rules refuse."""


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
    # The title and description in the forum's other languages; an empty text removes one.
    translations: GivenTranslations = field(default_factory=dict)
    spoken_language: str | None = None  # ISO 639-1
    interpretation: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Saved:
    session: Session
    warnings: list[conflicts.Conflict]


# Reading --------------------------------------------------------------------------------------


def sessions_of(forum: Forum) -> list[Session]:
    """Every session of the forum, closed and cancelled too, by time (three queries)."""
    return list(
        db.session.scalars(
            select(Session)
            .join(Session.event)
            .where(Event.forum_id == forum.id)
            .options(
                joinedload(Session.event),
                joinedload(Session.room).joinedload(Room.venue),
                selectinload(Session.participants).joinedload(SessionParticipant.person),
            )
            .order_by(Session.starts_at, Session.id)
        ).unique()
    )


def rooms_of(forum: Forum) -> list[Room]:
    return list(
        db.session.scalars(
            select(Room)
            .join(Room.venue)
            .where(Venue.forum_id == forum.id)
            .options(joinedload(Room.venue), joinedload(Room.required_zone))
            .order_by(Venue.name, Room.name)
        )
    )


def session_of(forum: Forum, session_id: int) -> Session | None:
    session = db.session.get(Session, session_id)
    return session if session is not None and session.event.forum_id == forum.id else None


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


def assign(session: Session, data: SessionData) -> None:
    session.event = data.event
    session.title = data.title.strip()
    session.kind = data.kind
    session.starts_at, session.ends_at = data.starts_at, data.ends_at
    session.room = data.room
    session.description = data.description
    session.is_public = data.is_public
    session.status = data.status
    if data.translations:
        session.translations = merged(session.translations, data.translations)
    session.spoken_language = data.spoken_language or None
    session.interpretation = list(data.interpretation)
    _set_participants(session, data.chairs, data.speakers)


def _check(forum: Forum, session: Session, programme: conflicts.Programme | None = None) -> list[conflicts.Conflict]:
    with db.session.no_autoflush:
        found = conflicts.check_changes(forum, [conflicts.facts_of(session)], programme)
    blocking = [c for c in found if c.blocking]
    if blocking:
        raise BlockingConflicts(blocking)
    return found


def record_change(actor: User | None, session: Session, changes: dict, visibility_changed: bool = False) -> None:
    """Audit entry and emails for a change taken (``changed_attributes``) before the flush;
    ``visibility_changed``: the session was closed to the public or opened again."""
    if not changes:
        announce_session_change(session, changes, visibility_changed)
        return
    before, after = plain_changes(session, changes)
    told = " ".join(sentences(session.event.forum, before, after))
    record(
        actor,
        CHANGED,
        forum_id=session.event.forum_id,
        target=("session", session.id),
        summary=_("%(title)s: %(what)s", title=session.title, what=told),
        before=before,
        after=after,
    )
    announce_session_change(session, changes, visibility_changed)


def check_languages(data: SessionData) -> None:
    """Languages are ISO 639-1 codes; interpretation from the language spoken, into at most
    MAX_INTERPRETATIONS others."""
    if problems := language_problems(data.spoken_language, data.interpretation):
        raise ScheduleError(" ".join(message for _field, message in problems))


def create_session(actor: User | None, forum: Forum, data: SessionData) -> Saved:
    """A new session, if no blocking rule refuses it."""
    require_organiser(actor, forum)
    _check_event(forum, data.event, data)
    check_languages(data)
    lock_forum(forum)  # the rules read the whole programme
    session = Session(revision=1, status=SessionStatus.SCHEDULED)
    with db.session.no_autoflush:
        assign(session, data)
        warnings = _check(forum, session)
    db.session.add(session)
    db.session.flush()
    record(actor, "session.created", forum_id=forum.id, target=("session", session.id), summary=session.title)
    return Saved(session, warnings)


def update_session(actor: User | None, forum: Forum, session: Session, data: SessionData) -> Saved:
    """Change a session (move it, rename it, cancel it...), if no blocking rule refuses it.
    Its revision goes up in the flush when the time, room, title, status or languages change."""
    require_organiser(actor, forum)
    _check_event(forum, data.event, data)
    check_languages(data)
    lock_forum(forum)  # the rules read the whole programme
    with db.session.no_autoflush:
        assign(session, data)
        try:
            warnings = _check(forum, session)
        except BlockingConflicts:
            db.session.expire(session)  # nothing of the refused change reaches the database
            raise
        changes = changed_attributes(session)
        visibility_changed = inspect(session).attrs.is_public.history.has_changes()
    db.session.flush()
    record_change(actor, session, changes, visibility_changed)
    db.session.flush()
    return Saved(session, warnings)


def _check_event(forum: Forum, event: Event, data: SessionData | None = None) -> None:
    if event.forum_id != forum.id:
        raise ScheduleError(_("This forum has no such event."))
    for language in data.translations if data is not None else ():
        if language not in forum.other_languages:
            raise ScheduleError(
                _(
                    "%(forum)s is not written in %(language)s; add the language to the forum first.",
                    forum=forum.name,
                    language=language_name(language),
                )
            )


def acknowledge(actor: User, forum: Forum, keys: Collection[str]) -> int:
    """Accept open warnings of the forum, each named by its key; keys of no open warning (any
    more) are passed over. How many were accepted."""
    require_organiser(actor, forum)
    open_keys = {c.key for c in conflicts.forum_conflicts(forum).warnings}
    accepted = [key for key in dict.fromkeys(keys) if key in open_keys]
    for key in accepted:
        db.session.add(AcknowledgedWarning(forum_id=forum.id, key=key, acknowledged_by_id=actor.id))
        record(actor, "schedule.warning_acknowledged", forum_id=forum.id, target=("warning", key[:64]), summary=key)
    db.session.flush()
    return len(accepted)
