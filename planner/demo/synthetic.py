"""A large synthetic forum for load tests and benchmarks (``flask --app planner seed-synthetic``).

Sessions are spread over the forum's days and rooms without overlaps in a room, with
a chair and a speaker each, so pages do the same work as for a real programme.
"""

from __future__ import annotations

import datetime as dt

from planner.delegations.models import Person
from planner.extensions import db
from planner.forums.models import Event, EventKind, Forum, ForumStatus, Room, Venue
from planner.schedule.models import ParticipantRole, Session, SessionKind, SessionParticipant

DAY_START = dt.time(8, 0)
SLOT_MINUTES = 30


def load_synthetic_forum(slug: str, sessions: int, days: int = 4, rooms: int = 12) -> Forum:
    """Add forum ``slug`` with ``sessions`` half-hour sessions in ``rooms`` rooms over ``days`` days."""
    first_day = dt.date(2030, 3, 1)
    forum = Forum(
        slug=slug,
        name=slug.upper(),
        title=f"Synthetic forum with {sessions} sessions",
        host_city="Tokyo",
        host_country="JP",
        timezone="Asia/Tokyo",
        first_day=first_day,
        last_day=first_day + dt.timedelta(days=days - 1),
        status=ForumStatus.OPEN,
        is_demo=True,
    )
    db.session.add(forum)
    venue = Venue(name="Synthetic venue")
    forum.venues.append(venue)
    room_list = [Room(name=f"Room {n:02d}", capacity=100) for n in range(1, rooms + 1)]
    venue.rooms.extend(room_list)
    events = [
        Event(
            code=f"E{n}",
            kind=EventKind.MINISTERIAL if n == 1 else EventKind.SIDE_EVENT,
            title=f"Event {n}",
            venue=venue,
            starts_at=dt.datetime.combine(first_day, dt.time(0), tzinfo=forum.zone),
            ends_at=dt.datetime.combine(forum.last_day, dt.time(23, 59), tzinfo=forum.zone),
        )
        for n in range(1, 5)
    ]
    forum.events.extend(events)
    people = [Person(name=f"Synthetic person {slug} {n}", is_demo=True) for n in range(50)]
    db.session.add_all(people)

    per_day = -(-sessions // days)  # ceiling: fill each day's rooms in turn
    kinds = list(SessionKind)
    for n in range(sessions):
        day, index = divmod(n, per_day)
        slot, room_index = divmod(index, rooms)
        start = dt.datetime.combine(first_day + dt.timedelta(days=day), DAY_START, tzinfo=forum.zone)
        start += dt.timedelta(minutes=SLOT_MINUTES * slot)
        session = Session(
            title=f"Session {n + 1}",
            kind=kinds[n % len(kinds)],
            room=room_list[room_index],
            starts_at=start,
            ends_at=start + dt.timedelta(minutes=SLOT_MINUTES),
            description="Synthetic session.",
        )
        session.participants.append(SessionParticipant(person=people[n % 50], role=ParticipantRole.CHAIR))
        session.participants.append(SessionParticipant(person=people[(n + 1) % 50], role=ParticipantRole.SPEAKER))
        events[n % len(events)].sessions.append(session)
    db.session.flush()
    return forum
