"""Reading the programme: the timetable grid of a day and the sessions of an event.

Every read here is a fixed number of queries, however many sessions a forum has.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import groupby

from sqlalchemy import Select, select
from sqlalchemy.orm import contains_eager, joinedload, selectinload, subqueryload

from planner.extensions import db
from planner.forums.models import Event, Forum, Room
from planner.schedule.models import Session, SessionKind, SessionParticipant, SessionStatus

#: Finest grid row; sessions that start off these marks are drawn from the mark before.
MIN_STEP_MINUTES = 5


class DayNotInForum(LookupError):
    pass


def day_bounds(forum: Forum, day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The UTC instants at which ``day`` starts and ends in the forum's timezone."""
    start = dt.datetime.combine(day, dt.time(0), tzinfo=forum.zone)
    end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0), tzinfo=forum.zone)
    return start.astimezone(dt.UTC), end.astimezone(dt.UTC)


@dataclass(frozen=True)
class ProgrammeFilter:
    """What a reader of the timetable asked to see. Closed sessions only for organisers."""

    event_code: str = ""
    kind: SessionKind | None = None
    include_closed: bool = False


def _public_sessions(forum: Forum, filters: ProgrammeFilter = ProgrammeFilter()) -> Select[Session]:
    query = select(Session).join(Session.event).where(Event.forum_id == forum.id)
    if not filters.include_closed:
        query = query.where(Session.is_public.is_(True))
    if filters.event_code:
        query = query.where(Event.code == filters.event_code)
    if filters.kind is not None:
        query = query.where(Session.kind == filters.kind)
    return query.options(
        contains_eager(Session.event),
        joinedload(Session.room).joinedload(Room.venue),
        joinedload(Session.room).joinedload(Room.required_zone),  # a badge zone's note, in the same query
        # One query however many sessions; selectinload would add one per 500.
        subqueryload(Session.participants).joinedload(SessionParticipant.person),
    ).order_by(Session.starts_at, Session.ends_at, Session.id)


def sessions_on(forum: Forum, day: dt.date, filters: ProgrammeFilter = ProgrammeFilter()) -> list[Session]:
    start, end = day_bounds(forum, day)
    query = _public_sessions(forum, filters).where(Session.starts_at >= start, Session.starts_at < end)
    return list(db.session.scalars(query).unique())


def public_programme(forum: Forum) -> list[Session]:
    """The forum's public sessions (cancelled ones too) in time order, with their event, room,
    venue, chairs and speakers: what the conference-app formats show, in two queries."""
    return list(db.session.scalars(_public_sessions(forum)).unique())


def get_session(session_id: int) -> Session | None:
    """A session, public or closed (the view decides who may see a closed one)."""
    return db.session.scalar(
        select(Session)
        .where(Session.id == session_id)
        .options(
            joinedload(Session.event).joinedload(Event.forum),
            joinedload(Session.room).joinedload(Room.venue),
            joinedload(Session.room).joinedload(Room.required_zone),
            selectinload(Session.participants).joinedload(SessionParticipant.person),
        )
    )


@dataclass(frozen=True)
class SessionDay:
    day: dt.date
    sessions: list[Session]


def sessions_by_day(forum: Forum, event: Event) -> list[SessionDay]:
    """The event's public sessions grouped by their day in the forum's timezone."""
    sessions = db.session.scalars(_public_sessions(forum).where(Session.event_id == event.id)).unique()
    return [
        SessionDay(day, list(group))
        for day, group in groupby(sessions, key=lambda s: s.starts_at.astimezone(forum.zone).date())
    ]


@dataclass(frozen=True)
class Column:
    room: Room | None  # None collects sessions that have no room yet


@dataclass(frozen=True)
class Cell:
    session: Session | None = None  # None: an empty slot
    span: int = 1
    covered: bool = False  # inside a session that started in an earlier row


@dataclass
class Row:
    starts: dt.datetime  # in the forum's timezone
    cells: list[Cell] = field(default_factory=list)


@dataclass
class TimetableDay:
    forum: Forum
    day: dt.date
    sessions: list[Session]
    columns: list[Column]
    rows: list[Row]
    step_minutes: int
    # Sessions that overlap another in the same room: listed, never drawn on top of each other.
    overlapping: list[Session]


def _minute_of_day(moment: dt.datetime, forum: Forum, day: dt.date) -> int:
    """Wall-clock minutes since the day's local midnight (what a printed programme shows)."""
    local = moment.astimezone(forum.zone).replace(tzinfo=None)
    return int((local - dt.datetime.combine(day, dt.time(0))).total_seconds() // 60)


def _grid_step(minutes: Sequence[int]) -> int:
    step = 60
    for minute in minutes:
        step = math.gcd(step, minute)
    return max(step, MIN_STEP_MINUTES)


def timetable_day(forum: Forum, day: dt.date, filters: ProgrammeFilter = ProgrammeFilter()) -> TimetableDay:
    """Sessions of ``day`` as a grid of rooms (columns) against time (rows). Cancelled sessions
    are drawn where they would have been, unless another session took their place."""
    if not forum.first_day <= day <= forum.last_day:
        raise DayNotInForum(day)
    sessions = sessions_on(forum, day, filters)
    rooms = {s.room_id: s.room for s in sessions}
    columns = [
        Column(rooms[key])
        for key in sorted(
            (k for k in rooms if k is not None),
            key=lambda k: (rooms[k].venue.name, rooms[k].name),  # type: ignore[union-attr]
        )
    ]
    if None in rooms:
        columns.append(Column(None))
    if not sessions:
        return TimetableDay(forum, day, [], [], [], 60, [])

    spans = [(_minute_of_day(s.starts_at, forum, day), _minute_of_day(s.ends_at, forum, day)) for s in sessions]
    step = _grid_step([m for pair in spans for m in pair])
    first = min(start for start, _ in spans) // step * step
    last = math.ceil(max(end for _, end in spans) / step) * step
    row_count = (last - first) // step
    index_of = {column.room.id if column.room else None: i for i, column in enumerate(columns)}

    grid: list[list[Cell | None]] = [[None] * len(columns) for _ in range(row_count)]
    overlapping: list[Session] = []
    placed = sorted(zip(sessions, spans, strict=True), key=lambda pair: pair[0].status is SessionStatus.CANCELLED)
    for session, (start, end) in placed:
        column = index_of[session.room_id]
        top = (start - first) // step
        bottom = max(top + 1, math.ceil((end - first) / step))
        if any(grid[r][column] is not None for r in range(top, bottom)):
            if session.status is not SessionStatus.CANCELLED:  # a cancelled one gave its place away
                overlapping.append(session)
            continue
        grid[top][column] = Cell(session, bottom - top)
        for r in range(top + 1, bottom):
            grid[r][column] = Cell(covered=True)

    midnight = dt.datetime.combine(day, dt.time(0), tzinfo=forum.zone)
    empty = Cell()
    rows = [
        Row(midnight + dt.timedelta(minutes=first + r * step), [cell or empty for cell in grid[r]])
        for r in range(row_count)
    ]
    return TimetableDay(forum, day, sessions, columns, rows, step, overlapping)
