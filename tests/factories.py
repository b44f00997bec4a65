"""Small builders for test data: sensible defaults, override what the test is about.

They add to the session and flush, and return what they made. Fixtures build inside
``with committed(app):``, which commits at its end and leaves the objects readable after it,
so tests get objects, not ids, and no app context has to stay open around their requests.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from flask import Flask
from sqlalchemy import inspect
from werkzeug.security import generate_password_hash

from planner.accounts.models import User
from planner.db import utcnow
from planner.delegations.models import (
    Delegation,
    DelegationFocalPoint,
    DelegationKind,
    InternationalOrganisation,
    Person,
)
from planner.delegations.organisations import starting_rows
from planner.extensions import db
from planner.forums.models import Event, EventKind, Forum, ForumOrganiser, ForumSeries, Room, Venue
from planner.schedule.models import ParticipantRole, Session, SessionKind, SessionParticipant

_numbers = itertools.count(1)
T = TypeVar("T")
TOKYO = ZoneInfo("Asia/Tokyo")


def tokyo(text: str) -> dt.datetime:
    """'2018-03-03 09:00' in Tokyo, as an aware datetime."""
    return dt.datetime.fromisoformat(text).replace(tzinfo=TOKYO)


@contextmanager
def committed(app: Flask) -> Iterator[None]:
    """An app context to build a test's data in: it commits at the end, and what was built
    stays readable after it (detached, its columns loaded). A relationship not loaded inside
    stays out of reach (DetachedInstanceError): read it inside, or fetch it again."""
    with app.app_context():
        db.session().expire_on_commit = False
        yield
        db.session.commit()


def current(obj: T) -> T:
    """``obj``, built in another app context, as the current one's session reads it (for
    tests of services, whose objects must belong to the session at hand)."""
    found = db.session.get(type(obj), inspect(obj).identity)
    assert found is not None, f"{obj!r} is not in the database"
    return found


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


def make_series(*forums: Forum, **overrides: Any) -> ForumSeries:
    """A series (ISEF unless told otherwise) with ``forums`` in it."""
    values: dict[str, Any] = dict(slug="isef", name="International Space Exploration Forum")
    values.update(overrides)
    series = _save(ForumSeries(**values))
    for forum in forums:
        forum.series = series
    db.session.flush()
    return series


def make_isef2(**overrides: Any) -> Forum:
    """ISEF2, the forum most tests are about: in Tokyo, 28 February to 3 March 2018."""
    return make_forum(**{"slug": "isef2", "name": "ISEF2", **overrides})


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
    # An account made with a name alone has it as its given name, as the migration left them.
    values.setdefault("given_name", values["name"])
    return _save(User(**values))


def make_admin(**overrides: Any) -> User:
    return make_user(is_admin=True, **overrides)


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


@dataclass
class Programme:
    """A forum's event with an organiser, and what a test adds around it with ``room``,
    ``session``, ``delegation``, ``person``, ``focal_point`` and ``add``, each under a key of
    its own: ``programme.panel``, ``programme.hall``, ``programme.japan``, ``programme.delegate``."""

    forum: Forum
    event: Event
    organiser: User
    rooms: dict[str, Room] = field(default_factory=dict)
    sessions: dict[str, Session] = field(default_factory=dict)
    delegations: dict[str, Delegation] = field(default_factory=dict)
    people: dict[str, User] = field(default_factory=dict)
    others: dict[str, Any] = field(default_factory=dict)

    def room(self, key: str, name: str, **overrides: Any) -> Room:
        self.rooms[key] = make_room(self.forum, name, **overrides)
        return self.rooms[key]

    def session(
        self, key: str, title: str, start: str, minutes: int = 60, room: str | None = None, **overrides: Any
    ) -> Session:
        """A session of the event from ``start`` in Tokyo ('2018-03-03 09:00'), in the room
        added under the key ``room``."""
        if room is not None:
            overrides["room"] = self.rooms[room]
        self.sessions[key] = make_session(self.event, tokyo(start), minutes, title=title, **overrides)
        return self.sessions[key]

    def delegation(self, key: str, name: str, forum: Forum | None = None, **overrides: Any) -> Delegation:
        """A delegation of the programme's forum, or of ``forum``."""
        self.delegations[key] = make_delegation(forum or self.forum, name=name, **overrides)
        return self.delegations[key]

    def person(self, key: str, **overrides: Any) -> User:
        """Someone with an account (make_user), not (yet) taking part."""
        self.people[key] = make_user(**overrides)
        return self.people[key]

    def focal_point(self, key: str, delegation: str, **overrides: Any) -> User:
        """A focal point of the delegation added under the key ``delegation``."""
        self.people[key] = make_focal_point(self.delegations[delegation], **overrides)
        return self.people[key]

    def add(self, key: str, row: Any) -> Any:
        """Any other row the test needs (a question, a registration), saved."""
        self.others[key] = _save(row)
        return row

    def __getattr__(self, key: str) -> Any:
        for kind in ("sessions", "rooms", "delegations", "people", "others"):
            if key in self.__dict__.get(kind, {}):
                return self.__dict__[kind][key]
        raise AttributeError(f"the programme has nothing added as {key!r}")


def make_programme(
    forum: Forum | None = None, code: str = "Y-ISEF", organiser: str = "org@example.org", **event: Any
) -> Programme:
    """``forum`` (ISEF2 unless given) with the event ``code`` and an organiser (``organiser``
    is the email address); no rooms or sessions yet."""
    forum = forum or make_isef2()
    return Programme(forum, make_event(forum, code, **event), make_organiser(forum, email=organiser))


def make_plenary_and_panel(panel: str | None = "Panel", **programme: Any) -> Programme:
    """make_programme with the Hall (100 seats) and the Annex, and on 3 March an hour's
    plenary at 09:00 in the Hall and, unless ``panel`` is None, a panel so titled at 11:00
    in the Annex: ``hall``, ``annex``, ``plenary``, ``panel``."""
    built = make_programme(**programme)
    built.room("hall", "Hall", capacity=100)
    built.room("annex", "Annex")
    built.session("plenary", "Plenary", "2018-03-03 09:00", room="hall")
    if panel is not None:
        built.session("panel", panel, "2018-03-03 11:00", room="annex")
    return built


def make_kept_list() -> dict[str, Any]:
    """The site's starting list of international organisations (the migration inserts it;
    tests' create_all does not), by acronym."""
    return {row["acronym"]: _save(InternationalOrganisation(**row)) for row in starting_rows()}


def session_form_data(event_id: int | str, room_id: int | str, **fields: Any) -> dict[str, Any]:
    """What the organisers' session form posts for a public, scheduled panel with nobody in it,
    at 11:00 to 12:00 on 3 March unless ``fields`` say otherwise."""
    return {
        "title": "Panel",
        "event": event_id,
        "kind": "panel",
        "starts_at": "2018-03-03T11:00",
        "ends_at": "2018-03-03T12:00",
        "room": room_id,
        "chairs": "",
        "speakers": "",
        "description": "",
        "is_public": "y",
        "status": "scheduled",
    } | fields
