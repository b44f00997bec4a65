"""Loads the ISEF2 demonstration forum. Flushes, never commits: the caller decides."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from sqlalchemy import select

from planner.delegations.models import Delegation, DelegationKind, Person
from planner.demo import data
from planner.demo.statements import load_isef2_statements
from planner.extensions import db
from planner.forums.models import Event, EventKind, Forum, ForumStatus, Room, Venue
from planner.registration.models import Question, QuestionKind, RegistrationMode, RegistrationPolicy
from planner.schedule.models import ParticipantRole, Session, SessionKind, SessionParticipant


def _local(text: str, zone: ZoneInfo) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=zone).astimezone(dt.UTC)


def _people() -> dict[str, Person]:
    """The demo people, reusing any already stored under the same email."""
    emails = [email for _, email, _, _ in data.PEOPLE]
    people = {p.email: p for p in db.session.scalars(select(Person).where(Person.email.in_(emails)))}
    for name, email, organisation, country in data.PEOPLE:
        if email not in people:
            people[email] = Person(
                name=name, email=email, organisation=organisation, country_code=country, is_demo=True
            )
            db.session.add(people[email])
    return people  # type: ignore[return-value]


def load_isef2() -> Forum | None:
    """Add the ISEF2 forum unless a forum with its slug exists; return it, or None if it did."""
    if db.session.scalar(select(Forum.id).where(Forum.slug == data.SLUG)) is not None:
        return None

    people = _people()
    spec = dict(data.FORUM)
    forum = Forum(
        **{k: v for k, v in spec.items() if k not in {"first_day", "last_day", "status"}},
        first_day=dt.date.fromisoformat(spec["first_day"]),
        last_day=dt.date.fromisoformat(spec["last_day"]),
        status=ForumStatus(spec["status"]),
        is_demo=True,
    )
    zone = ZoneInfo(forum.timezone)
    db.session.add(forum)

    venues: dict[str, Venue] = {}
    rooms: dict[str, Room] = {}
    for venue_name, room_specs in data.VENUES.items():
        venue = venues[venue_name] = Venue(name=venue_name)
        forum.venues.append(venue)
        for room_name, capacity in room_specs:
            rooms[room_name] = Room(name=room_name, capacity=capacity)
            venue.rooms.append(rooms[room_name])

    events: dict[str, Event] = {}
    for code, kind, title, audience, venue_name, start, end in data.EVENTS:
        events[code] = Event(
            code=code,
            kind=EventKind(kind),
            title=title,
            audience=audience,
            venue=venues[venue_name],
            starts_at=_local(start, zone),
            ends_at=_local(end, zone),
        )
        forum.events.append(events[code])

    for code, day, start, end, title, kind, room, chairs, speakers, description in data.SESSIONS:
        session = Session(
            title=title,
            kind=SessionKind(kind),
            room=rooms[room],
            starts_at=_local(f"{day} {start}", zone),
            ends_at=_local(f"{day} {end}", zone),
            description=description,
        )
        for role, emails in ((ParticipantRole.CHAIR, chairs), (ParticipantRole.SPEAKER, speakers)):
            for position, email in enumerate(emails):
                session.participants.append(SessionParticipant(person=people[email], role=role, position=position))
        events[code].sessions.append(session)

    for name, kind, country_code, agency in data.DELEGATIONS:
        forum.delegations.append(
            Delegation(
                name=name,
                kind=DelegationKind(kind),
                country_code=country_code,
                space_agency=agency,
                seat_quota=data.SEAT_QUOTA[kind],
            )
        )
    db.session.flush()
    for code, rules in data.REGISTRATION.items():
        _add_registration_rules(events[code], dict(rules), zone)
    db.session.flush()
    load_isef2_statements(forum)
    return forum


def _add_registration_rules(event: Event, rules: dict, zone: ZoneInfo) -> None:
    questions = rules.pop("questions", [])
    opens, closes = rules.pop("opens", None), rules.pop("closes", None)
    db.session.add(
        RegistrationPolicy(
            event_id=event.id,
            mode=RegistrationMode(rules.pop("mode")),
            opens_at=_local(opens, zone) if opens else None,
            closes_at=_local(closes, zone) if closes else None,
            **rules,
        )
    )
    for position, (label, kind, choices, required) in enumerate(questions):
        db.session.add(
            Question(
                event_id=event.id,
                position=position,
                label=label,
                kind=QuestionKind(kind),
                choices=choices,
                required=required,
            )
        )
