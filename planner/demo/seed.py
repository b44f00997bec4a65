"""Loads the demonstration forums: ISEF2 (2018) and the open demo forum, dated from the day it
is first loaded. Flushes, never commits: the caller decides."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select

from planner.badges.models import Zone
from planner.db import utcnow
from planner.delegations.models import Delegation, DelegationKind, DelegationStatus, Person
from planner.demo import data, japanese, open_data
from planner.demo.content import ForumContent
from planner.demo.statements import load_isef2_statements
from planner.extensions import db
from planner.forums.models import Event, EventKind, Forum, ForumSeries, ForumStatus, Room, Venue
from planner.registration.models import Question, QuestionKind, RegistrationMode, RegistrationPolicy
from planner.schedule.models import ParticipantRole, Session, SessionKind, SessionParticipant

ISEF2 = ForumContent(
    forum=data.FORUM,
    venues=data.VENUES,
    events=data.EVENTS,
    sessions=data.SESSIONS,
    delegations=data.DELEGATIONS,
    seat_quota=data.SEAT_QUOTA,
    registration=data.REGISTRATION,
    languages=data.LANGUAGES,
    zones=data.ZONES,
)


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


def _exists(slug: str) -> bool:
    return db.session.scalar(select(Forum.id).where(Forum.slug == slug)) is not None


def load_isef2() -> Forum | None:
    """Add the ISEF2 forum unless a forum with its slug exists; return it, or None if it did."""
    if _exists(data.SLUG):
        return None
    forum = _load(ISEF2)
    load_isef2_statements(forum)
    put_isef2_in_its_series()
    return forum


def load_open_demo(now: dt.datetime | None = None) -> Forum | None:
    """Add the open demo forum, dated from ``now`` (default: the present), unless a forum with
    its slug exists; return it, or None if it did. Its dates are stored when it is added, so a
    later load, on whatever day, leaves it as it is."""
    if _exists(open_data.SLUG):
        return None
    load_day = (now or utcnow()).astimezone(ZoneInfo(open_data.TIMEZONE)).date()
    return _load(open_data.content(load_day))


def put_isef2_in_its_series() -> bool:
    """Add the ISEF series unless it exists, and put the ISEF2 demo forum in it unless it is
    in a series already (an administrator may have chosen another); whether anything changed."""
    series = db.session.scalar(select(ForumSeries).where(ForumSeries.slug == data.SERIES["slug"]))
    changed = series is None
    if series is None:
        series = ForumSeries(**data.SERIES)
        db.session.add(series)
    forum = db.session.scalar(select(Forum).where(Forum.slug == data.SLUG, Forum.is_demo))
    if forum is not None and forum.series_id is None:
        forum.series = series
        changed = True
    db.session.flush()
    return changed


def add_isef2_zones() -> bool:
    """The ISEF2 demo forum's badge zones, for a database loaded before badges existed;
    whether any were added (none if the forum has zones of its own already)."""
    forum = db.session.scalar(select(Forum).where(Forum.slug == data.SLUG, Forum.is_demo))
    if forum is None or db.session.scalar(select(Zone.id).where(Zone.forum_id == forum.id).limit(1)) is not None:
        return False
    _add_zones(forum, data.ZONES)
    return True


def _add_zones(forum: Forum, zones: list[tuple[int, str, str, list[str], list[str], list[str]]]) -> None:
    events = {event.code: event for event in forum.events}
    rooms = {room.name: room for venue in forum.venues for room in venue.rooms}
    for number, name, japanese_name, categories, codes, room_names in zones:
        zone = Zone(
            forum_id=forum.id,
            number=number,
            name=name,
            translations={"ja": {"name": japanese_name}},
            categories=categories,
            events=[events[code] for code in codes],
        )
        db.session.add(zone)
        db.session.flush()
        for room_name in room_names:
            rooms[room_name].required_zone_id = zone.id
    db.session.flush()


def add_missing_japanese() -> int:
    """The Japanese of the demo forums' texts that a database loaded before they had it
    lacks; how many texts were added (none on a second run)."""
    forums = db.session.scalars(select(Forum).where(Forum.slug.in_([data.SLUG, open_data.SLUG]), Forum.is_demo))
    return sum(japanese.translate(forum) for forum in forums)


def _load(content: ForumContent) -> Forum:
    people = _people()
    spec = dict(content.forum)
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
    for venue_name, room_specs in content.venues.items():
        venue = venues[venue_name] = Venue(name=venue_name)
        forum.venues.append(venue)
        for room_name, capacity in room_specs:
            rooms[room_name] = Room(name=room_name, capacity=capacity)
            venue.rooms.append(rooms[room_name])

    events: dict[str, Event] = {}
    for code, kind, title, audience, venue_name, start, end in content.events:
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

    for code, day, start, end, title, kind, room, chairs, speakers, description in content.sessions:
        session = Session(
            title=title,
            kind=SessionKind(kind),
            room=rooms[room],
            starts_at=_local(f"{day} {start}", zone),
            ends_at=_local(f"{day} {end}", zone),
            description=description,
        )
        if code in content.languages and kind not in content.silent_kinds:
            session.spoken_language, interpretation = content.languages[code]
            session.interpretation = list(interpretation)
        for role, emails in ((ParticipantRole.CHAIR, chairs), (ParticipantRole.SPEAKER, speakers)):
            for position, email in enumerate(emails):
                session.participants.append(SessionParticipant(person=people[email], role=role, position=position))
        events[code].sessions.append(session)

    for name, kind, country_code, agency in content.delegations:
        forum.delegations.append(
            Delegation(
                name=name,
                kind=DelegationKind(kind),
                country_code=country_code,
                space_agency=agency,
                seat_quota=content.seat_quota[kind],
                status=DelegationStatus.CONFIRMED,  # the demo forums' delegations came
            )
        )
    db.session.flush()
    for code, rules in content.registration.items():
        _add_registration_rules(events[code], dict(rules), zone)
    _add_zones(forum, content.zones)
    japanese.translate(forum)  # English first, Japanese beside it
    db.session.flush()
    return forum


def _add_registration_rules(event: Event, rules: dict[str, Any], zone: ZoneInfo) -> None:
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
