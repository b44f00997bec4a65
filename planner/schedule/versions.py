"""Keeps ``Forum.schedule_version`` in step with the programme.

Before every flush, the forums whose events, sessions, chairs and speakers, rooms, venues
or access zones (shown with the rooms) are added, changed or deleted get their version
raised in the same transaction, so a cache keyed on the version can never serve a
programme that was changed. Writes that bypass the ORM (bulk UPDATE statements) must
call ``bump`` themselves.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import event, inspect, select, update
from sqlalchemy.orm import Session as OrmSession

from planner.badges.models import Zone
from planner.db import table_of
from planner.delegations.models import Person
from planner.forums.models import Event, Forum, Room, Venue
from planner.schedule.models import Session, SessionParticipant


def bump(session: OrmSession, forum_ids: set[int]) -> None:
    """Raise the forums' versions. On the connection, not through the ORM: inside a flush
    an ORM statement would start another flush."""
    if not forum_ids:
        return
    forums = table_of(Forum)
    session.connection().execute(
        update(forums).where(forums.c.id.in_(forum_ids)).values(schedule_version=forums.c.schedule_version + 1)
    )
    for obj in list(session.identity_map.values()):
        if isinstance(obj, Forum) and obj.id in forum_ids:
            session.expire(obj, ["schedule_version"])


def _forum_id(session: OrmSession, obj: Any) -> set[int]:
    if isinstance(obj, Forum):
        return {obj.id} if obj.id is not None else set()
    if isinstance(obj, Zone):
        return {obj.forum_id} if obj.forum_id is not None else set()
    if isinstance(obj, (Event, Venue)):
        return {obj.forum_id or (obj.forum.id if obj.forum else None)} - {None}  # type: ignore[return-value]
    if isinstance(obj, Room):
        venue = obj.venue or (session.get(Venue, obj.venue_id) if obj.venue_id else None)
        return _forum_id(session, venue) if venue else set()
    if isinstance(obj, Session):
        event_ = obj.event or (session.get(Event, obj.event_id) if obj.event_id else None)
        return _forum_id(session, event_) if event_ else set()
    if isinstance(obj, SessionParticipant):
        owner = obj.session or (session.get(Session, obj.session_id) if obj.session_id else None)
        return _forum_id(session, owner) if owner else set()
    if isinstance(obj, Person) and obj.id is not None:
        # A speaker's name appears in the programmes of every forum they take part in.
        return set(
            session.scalars(
                select(Event.forum_id)
                .join(Session)
                .join(SessionParticipant)
                .where(SessionParticipant.person_id == obj.id)
            )
        )
    return set()


#: What a delegate's calendar shows of a session: a change to any of these is a new revision.
#: A room may be changed through the relationship or the column; both count.
REVISED_ATTRIBUTES = (
    "title",
    "starts_at",
    "ends_at",
    "room",
    "room_id",
    "status",
    "spoken_language",
    "interpretation",
)


def changed_attributes(session_: Session) -> dict[str, tuple[Any, Any]]:
    """``{attribute: (before, after)}`` for the revised attributes changed since the last flush."""
    state = inspect(session_)
    changes = {}
    for name in REVISED_ATTRIBUTES:
        history = state.attrs[name].history
        if history.has_changes():
            before = history.deleted[0] if history.deleted else None
            after = history.added[0] if history.added else None
            if before != after:
                changes[name] = (before, after)
    if "room" in changes:
        changes.pop("room_id", None)
    return changes


@event.listens_for(OrmSession, "before_flush")
def _raise_session_revisions(session: OrmSession, flush_context: Any, instances: Any) -> None:
    for obj in session.dirty:
        if isinstance(obj, Session) and obj.id is not None and changed_attributes(obj):
            obj.revision = (obj.revision or 1) + 1


@event.listens_for(OrmSession, "before_flush")
def _bump_changed_forums(session: OrmSession, flush_context: Any, instances: Any) -> None:
    changed = [obj for obj in (*session.new, *session.deleted) if not isinstance(obj, Forum)]
    changed += [obj for obj in session.dirty if session.is_modified(obj, include_collections=False)]
    forum_ids: set[int] = set()
    with session.no_autoflush:
        for obj in changed:
            forum_ids |= _forum_id(session, obj)
    # A new forum starts at version 1; a changed one is bumped like the rest.
    bump(session, {i for i in forum_ids if i is not None})
