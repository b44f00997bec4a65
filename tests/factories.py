"""Small builders for test data: sensible defaults, override what the test is about.

They add to the session and flush; the test commits when the app should see the data.
"""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any
from zoneinfo import ZoneInfo

from werkzeug.security import generate_password_hash

from planner.accounts.models import User
from planner.db import utcnow
from planner.delegations.models import Delegation, DelegationFocalPoint, DelegationKind, Person
from planner.extensions import db
from planner.forums.models import Event, EventKind, Forum, ForumOrganiser, Room, Venue
from planner.schedule.models import ParticipantRole, Session, SessionKind, SessionParticipant

_numbers = itertools.count(1)
TOKYO = ZoneInfo("Asia/Tokyo")


def tokyo(text: str) -> dt.datetime:
    """'2018-03-03 09:00' in Tokyo, as an aware datetime."""
    return dt.datetime.fromisoformat(text).replace(tzinfo=TOKYO)


def _save(obj: Any) -> Any:
    db.session.add(obj)
    db.session.flush()
    return obj


def make_forum(**overrides: Any) -> Forum:
    n = next(_numbers)
    values: dict[str, Any] = dict(
        slug=f"forum-{n}",
        name=f"Forum {n}",
        title=f"Test forum {n}",
        host_city="Tokyo",
        host_country="JP",
        timezone="Asia/Tokyo",
        first_day=dt.date(2018, 2, 28),
        last_day=dt.date(2018, 3, 3),
    )
    values.update(overrides)
    return _save(Forum(**values))


def make_room(forum: Forum, name: str | None = None, venue: Venue | None = None, **overrides: Any) -> Room:
    if venue is None:
        venue = forum.venues[0] if forum.venues else _save(Venue(forum=forum, name="Main venue"))
    return _save(Room(venue=venue, name=name or f"Room {next(_numbers)}", **overrides))


def make_event(forum: Forum, code: str | None = None, **overrides: Any) -> Event:
    values: dict[str, Any] = dict(
        kind=EventKind.SIDE_EVENT,
        title="Test event",
        starts_at=dt.datetime.combine(forum.first_day, dt.time(9), tzinfo=forum.zone),
        ends_at=dt.datetime.combine(forum.last_day, dt.time(18), tzinfo=forum.zone),
    )
    values.update(overrides)
    return _save(Event(forum=forum, code=code or f"EV{next(_numbers)}", **values))


def make_session(event: Event, start: dt.datetime, minutes: int = 60, **overrides: Any) -> Session:
    values: dict[str, Any] = dict(title=f"Session {next(_numbers)}", kind=SessionKind.PANEL)
    values.update(overrides)
    return _save(Session(event=event, starts_at=start, ends_at=start + dt.timedelta(minutes=minutes), **values))


def make_person(**overrides: Any) -> Person:
    n = next(_numbers)
    values: dict[str, Any] = dict(name=f"Person {n}", email=f"person{n}@example.org")
    values.update(overrides)
    return _save(Person(**values))


def add_participant(session: Session, person: Person, role: ParticipantRole, position: int = 0) -> None:
    _save(SessionParticipant(session=session, person=person, role=role, position=position))


def make_delegation(forum: Forum, **overrides: Any) -> Delegation:
    n = next(_numbers)
    values: dict[str, Any] = dict(name=f"Delegation {n}", kind=DelegationKind.ORGANISATION)
    values.update(overrides)
    return _save(Delegation(forum=forum, **values))


PASSWORD = "correct horse battery staple"
# Hashing is slow on purpose; hash the shared test password once.
PASSWORD_HASH = generate_password_hash(PASSWORD)


def make_user(verified: bool = True, **overrides: Any) -> User:
    n = next(_numbers)
    values: dict[str, Any] = dict(
        name=f"User {n}",
        email=f"user{n}@example.org",
        password_hash=PASSWORD_HASH,
        email_verified_at=utcnow() if verified else None,
    )
    values.update(overrides)
    return _save(User(**values))


def make_organiser(forum: Forum, **overrides: Any) -> User:
    user = make_user(**overrides)
    _save(ForumOrganiser(forum_id=forum.id, user_id=user.id))
    return user


def make_focal_point(delegation: Delegation, **overrides: Any) -> User:
    user = make_user(**overrides)
    _save(DelegationFocalPoint(delegation_id=delegation.id, user_id=user.id))
    return user


def make_policy(event: Event, **overrides: Any):  # noqa: ANN201
    from planner.registration.models import RegistrationMode, RegistrationPolicy

    values: dict[str, Any] = dict(mode=RegistrationMode.OPEN)
    values.update(overrides)
    return _save(RegistrationPolicy(event_id=event.id, **values))
