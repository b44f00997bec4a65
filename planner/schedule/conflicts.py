"""The scheduling rules, checked over a whole forum in one pass.

Blocking (a save or an import is refused): a session that does not end after it starts, one
outside its event's dates, sessions in one room at overlapping times. Warnings (shown,
and acknowledged by an organiser): a person chairing or speaking in overlapping sessions,
across events too; more confirmed registrations for the event than the room holds; a
session on a day its room is closed. Placed bilateral meetings (``bilaterals``) hold their
room at their slot as a session does (a session there is refused) and their participants' time
(a session one of them chairs or speaks in is a warning); their messages name the two
delegations, and only organisers, who may see every bilateral, read these messages.

Overlaps are reported by run, not by pair: the sessions of one room (or of one person) whose
times chain together through overlaps make one conflict that lists them all. N parallel
sessions with one chair are one warning, not N²/2.

The rules run on plain facts (``SessionFacts``) so that a save, an import of many rows and
the conflicts page share them. Loading a forum's facts is a fixed number of queries
(``load_programme``); overlaps are found by sorting and sweeping in Python, never by one
query per pair. Cancelled sessions take part in no rule: they hold no room and nobody's time.
"""

from __future__ import annotations

import datetime as dt
import enum
import hashlib
from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import func, select

from planner.delegations.models import Person
from planner.extensions import db
from planner.formatting import clock, short_date
from planner.forums.models import Event, Forum, Room, Venue
from planner.registration.models import Registration, RegistrationStatus
from planner.schedule.bookings import BilateralFacts, placed_bilaterals
from planner.schedule.models import AcknowledgedWarning, RoomClosedDay, Session, SessionParticipant, SessionStatus


class Rule(enum.StrEnum):
    TIMES = "times"  # blocking
    OUTSIDE_EVENT = "outside_event"  # blocking
    ROOM_OVERLAP = "room_overlap"  # blocking
    PERSON_OVERLAP = "person_overlap"
    CAPACITY = "capacity"
    ROOM_CLOSED = "room_closed"
    BILATERAL_ROOM = "bilateral_room"  # blocking
    BILATERAL_PERSON = "bilateral_person"


BLOCKING = frozenset({Rule.TIMES, Rule.OUTSIDE_EVENT, Rule.ROOM_OVERLAP, Rule.BILATERAL_ROOM})
MESSAGE_TITLES = 5  # titles an overlap's message names before "and N more"
LISTED_SESSIONS = 20  # sessions the conflicts page links to per conflict before "and N more"
CONFLICTS_PER_PAGE = 50
KEY_LENGTH = 200  # AcknowledgedWarning.key


@dataclass(frozen=True)
class SessionFacts:
    """What the rules need to know of a session. ``key`` is its id, or for a session not yet
    saved anything unique (an import uses its line number)."""

    key: Hashable
    title: str
    event_id: int
    starts_at: dt.datetime
    ends_at: dt.datetime
    room_id: int | None
    person_ids: frozenset[int] = frozenset()
    cancelled: bool = False
    revision: int = 1

    @property
    def id(self) -> int | None:
        return self.key if isinstance(self.key, int) else None


@dataclass(frozen=True)
class Programme:
    """A forum's sessions and what the rules compare them with, as plain values."""

    forum: Forum
    sessions: dict[Hashable, SessionFacts]
    event_bounds: dict[int, tuple[dt.datetime, dt.datetime]]
    event_codes: dict[int, str]
    room_names: dict[int, str]
    room_capacity: dict[int, int]
    closed_days: set[tuple[int, dt.date]]
    attendance: dict[int, int]  # event id -> confirmed registrations
    person_names: dict[int, str] = field(default_factory=dict)
    bilaterals: tuple[BilateralFacts, ...] = ()

    def with_sessions(self, changed: Iterable[SessionFacts]) -> Programme:
        """This programme with sessions added or replaced (by key)."""
        sessions = dict(self.sessions)
        for facts in changed:
            sessions[facts.key] = facts
        return replace(self, sessions=sessions)


@dataclass(frozen=True)
class Conflict:
    rule: Rule
    sessions: tuple[SessionFacts, ...]  # the session concerned, or the overlapping run by start
    message: str
    person_id: int | None = None
    bilaterals: tuple[BilateralFacts, ...] = ()  # the placed bilaterals the session clashes with

    @property
    def blocking(self) -> bool:
        return self.rule in BLOCKING

    @property
    def starts_at(self) -> dt.datetime:
        return min(s.starts_at for s in self.sessions)

    @cached_property
    def key(self) -> str:
        """What an acknowledgement is stored under: the rule, the person and every session with
        its revision, so it holds while the same sessions at the same revisions make up the
        conflict and lapses when one joins, leaves or changes. A run too long to spell out in
        the column is named by a hash of the same list."""
        prefix = self.rule.value if self.person_id is None else f"{self.rule.value}:p{self.person_id}"
        # Sorted as pair keys always were, so a pair acknowledged before runs keeps its key.
        members = ":".join(f"{s.key}r{s.revision}" for s in sorted(self.sessions, key=lambda s: str(s.key)))
        # A bilateral moved or cancelled and placed again is a new warning.
        members += "".join(f":b{b.id}r{b.revision}" for b in self.bilaterals)
        key = f"{prefix}:{members}"
        if len(key) <= KEY_LENGTH:
            return key
        return f"{prefix}:{hashlib.sha256(members.encode()).hexdigest()}"


def facts_of(session: Session) -> SessionFacts:
    """The facts of a session object as it is now (changed but not yet flushed, too)."""
    return SessionFacts(
        key=session.id if session.id is not None else ("new", id(session)),
        # The relationship first: a session moved to another event has the old event_id until the flush.
        title=session.title,
        event_id=session.event.id if session.event is not None else session.event_id,
        starts_at=session.starts_at,
        ends_at=session.ends_at,
        room_id=session.room.id if session.room is not None else None,
        # People not saved yet have no id and no other sessions.
        person_ids=frozenset(p.person.id if p.person is not None else p.person_id for p in session.participants)
        - {None},
        cancelled=session.status is SessionStatus.CANCELLED,
        revision=session.revision or 1,
    )


def load_programme(forum: Forum) -> Programme:
    """Every session of the forum and the facts around it, in seven queries."""
    rows = db.session.execute(
        select(
            Session.id,
            Session.title,
            Session.event_id,
            Session.starts_at,
            Session.ends_at,
            Session.room_id,
            Session.status,
            Session.revision,
        )
        .join(Event, Event.id == Session.event_id)
        .where(Event.forum_id == forum.id)
    ).all()
    people: dict[int, set[int]] = defaultdict(set)
    for session_id, person_id in db.session.execute(
        select(SessionParticipant.session_id, SessionParticipant.person_id)
        .join(Session, Session.id == SessionParticipant.session_id)
        .join(Event, Event.id == Session.event_id)
        .where(Event.forum_id == forum.id)
    ):
        people[session_id].add(person_id)
    sessions = {
        r.id: SessionFacts(
            r.id,
            r.title,
            r.event_id,
            r.starts_at,
            r.ends_at,
            r.room_id,
            frozenset(people[r.id]),
            r.status is SessionStatus.CANCELLED,
            r.revision,
        )
        for r in rows
    }
    events = db.session.execute(
        select(Event.id, Event.code, Event.starts_at, Event.ends_at).where(Event.forum_id == forum.id)
    ).all()
    rooms = db.session.execute(
        select(Room.id, Room.name, Room.capacity)
        .join(Venue, Venue.id == Room.venue_id)
        .where(Venue.forum_id == forum.id)
    ).all()
    closed = db.session.execute(
        select(RoomClosedDay.room_id, RoomClosedDay.day)
        .join(Room, Room.id == RoomClosedDay.room_id)
        .join(Venue, Venue.id == Room.venue_id)
        .where(Venue.forum_id == forum.id)
    ).all()
    attendance = db.session.execute(
        select(Registration.event_id, func.count())
        .join(Event, Event.id == Registration.event_id)
        .where(Event.forum_id == forum.id, Registration.status == RegistrationStatus.CONFIRMED)
        .group_by(Registration.event_id)
    ).all()
    return Programme(
        forum=forum,
        sessions=sessions,
        event_bounds={e.id: (e.starts_at, e.ends_at) for e in events},
        event_codes={e.id: e.code for e in events},
        room_names={r.id: r.name for r in rooms},
        room_capacity={r.id: r.capacity for r in rooms if r.capacity is not None},
        closed_days={(c.room_id, c.day) for c in closed},
        attendance={event_id: count for event_id, count in attendance},
        bilaterals=placed_bilaterals(forum),
    )


def _in_time(s: SessionFacts) -> tuple:
    """By start, then end, then key: ids (or an import's lines) in their own order."""
    # Keys of one kind compare with each other: ids, ("line", n), ("new", n).
    return (s.starts_at, s.ends_at, type(s.key).__name__, s.key if isinstance(s.key, int | tuple) else str(s.key))


def _overlapping_runs(sessions: Iterable[SessionFacts]) -> Iterator[tuple[SessionFacts, ...]]:
    """The runs of sessions whose times chain together through overlaps (touching ends do
    not overlap), each by start; a session that overlaps nothing is in no run. One sort and
    one sweep, O(n log n), however many pairs overlap."""
    run: list[SessionFacts] = []
    run_ends_at = dt.datetime.min.replace(tzinfo=dt.UTC)
    for current in sorted(sessions, key=_in_time):
        if run and current.starts_at < run_ends_at:
            run.append(current)
            run_ends_at = max(run_ends_at, current.ends_at)
            continue
        if len(run) > 1:
            yield tuple(run)
        run, run_ends_at = [current], current.ends_at
    if len(run) > 1:
        yield tuple(run)


def _titles(run: Sequence[SessionFacts]) -> str:
    """The first titles of a run, then how many more: a message stays short however long the run."""
    # Quotes and commas as the reader's language writes them: “A”, “B” in English, 「A」、「B」 in Japanese.
    named = _(", ").join(_("“%(title)s”", title=s.title) for s in run[:MESSAGE_TITLES])
    rest = len(run) - MESSAGE_TITLES
    if rest <= 0:
        return named
    return ngettext("%(titles)s and %(num)d more", "%(titles)s and %(num)d more", rest, titles=named)


def _local_days(facts: SessionFacts, forum: Forum) -> set[dt.date]:
    first = facts.starts_at.astimezone(forum.zone).date()
    # A session that ends at midnight does not use the next day.
    last = (facts.ends_at.astimezone(forum.zone) - dt.timedelta(microseconds=1)).date()
    return {first + dt.timedelta(days=n) for n in range(max((last - first).days, 0) + 1)}


def _clock(moment: dt.datetime, forum: Forum) -> str:
    """For example "3 Mar 09:00", in the forum's timezone and the reader's language."""
    return f"{short_date(moment, forum)} {clock(moment, forum)}"


def check(programme: Programme) -> list[Conflict]:
    """Every conflict in the programme, blocking ones first."""
    forum = programme.forum
    conflicts: list[Conflict] = []
    live: list[SessionFacts] = []
    # Sessions share a few start and end times, and Babel's date formatting is slow: once each.
    written: dict[dt.datetime, str] = {}

    def at(moment: dt.datetime) -> str:
        if moment not in written:
            written[moment] = _clock(moment, forum)
        return written[moment]

    for s in programme.sessions.values():
        if s.ends_at <= s.starts_at:
            conflicts.append(Conflict(Rule.TIMES, (s,), _("“%(title)s” must end after it starts.", title=s.title)))
            continue  # the other rules cannot place it in time
        if s.cancelled:
            continue
        live.append(s)
        bounds = programme.event_bounds.get(s.event_id)
        if bounds and (s.starts_at < bounds[0] or s.ends_at > bounds[1]):
            conflicts.append(
                Conflict(
                    Rule.OUTSIDE_EVENT,
                    (s,),
                    _(
                        "“%(title)s” is outside the dates of %(event)s (%(start)s to %(end)s).",
                        title=s.title,
                        event=programme.event_codes.get(s.event_id, ""),
                        start=at(bounds[0]),
                        end=at(bounds[1]),
                    ),
                )
            )

    by_room: dict[int, list[SessionFacts]] = defaultdict(list)
    by_person: dict[int, list[SessionFacts]] = defaultdict(list)
    for s in live:
        if s.room_id is not None:
            by_room[s.room_id].append(s)
        for person_id in s.person_ids:
            by_person[person_id].append(s)
    for room_id, sessions in by_room.items():
        for run in _overlapping_runs(sessions):
            conflicts.append(
                Conflict(
                    Rule.ROOM_OVERLAP,
                    run,
                    ngettext(
                        "%(room)s is booked for %(num)d overlapping session from %(start)s to %(end)s: %(titles)s.",
                        "%(room)s is booked for %(num)d overlapping sessions from %(start)s to %(end)s: %(titles)s.",
                        len(run),
                        room=programme.room_names.get(room_id, "?"),
                        start=at(run[0].starts_at),
                        end=at(max(s.ends_at for s in run)),
                        titles=_titles(run),
                    ),
                )
            )
    for person_id, sessions in by_person.items():
        for run in _overlapping_runs(sessions):
            conflicts.append(
                Conflict(
                    Rule.PERSON_OVERLAP,
                    run,
                    ngettext(
                        "%(person)s chairs or speaks in %(num)d overlapping session from %(start)s to %(end)s: "
                        "%(titles)s.",
                        "%(person)s chairs or speaks in %(num)d overlapping sessions from %(start)s to %(end)s: "
                        "%(titles)s.",
                        len(run),
                        person=programme.person_names.get(person_id) or _("Person %(id)d", id=person_id),
                        start=at(run[0].starts_at),
                        end=at(max(s.ends_at for s in run)),
                        titles=_titles(run),
                    ),
                    person_id=person_id,
                )
            )
    for s in live:
        if s.room_id is None:
            continue
        capacity = programme.room_capacity.get(s.room_id)
        expected = programme.attendance.get(s.event_id, 0)
        if capacity is not None and expected > capacity:
            conflicts.append(
                Conflict(
                    Rule.CAPACITY,
                    (s,),
                    _(
                        "%(num)d people are confirmed for %(event)s but %(room)s holds %(capacity)d (“%(title)s”).",
                        num=expected,
                        event=programme.event_codes.get(s.event_id, ""),
                        room=programme.room_names.get(s.room_id, "?"),
                        capacity=capacity,
                        title=s.title,
                    ),
                )
            )
        if any((s.room_id, day) in programme.closed_days for day in _local_days(s, forum)):
            conflicts.append(
                Conflict(
                    Rule.ROOM_CLOSED,
                    (s,),
                    _(
                        "%(room)s is not available on the day of “%(title)s”.",
                        room=programme.room_names.get(s.room_id, "?"),
                        title=s.title,
                    ),
                )
            )
    conflicts += _bilateral_clashes(programme, live, at)
    conflicts.sort(key=lambda c: (not c.blocking, c.starts_at))
    return conflicts


def _bilateral_clashes(
    programme: Programme, live: Iterable[SessionFacts], at: Callable[[dt.datetime], str]
) -> Iterator[Conflict]:
    """A session in the room of a placed bilateral at its time (blocking), and a person who
    chairs or speaks in a session while in a bilateral (a warning): one conflict per session
    and room, and per session and person, naming every bilateral concerned."""
    if not programme.bilaterals:
        return
    by_room: dict[int, list[BilateralFacts]] = defaultdict(list)
    by_person: dict[int, list[BilateralFacts]] = defaultdict(list)
    for b in programme.bilaterals:
        by_room[b.room_id].append(b)
        for person_id in b.person_ids:
            by_person[person_id].append(b)

    def meeting(found: Sequence[BilateralFacts]) -> dict[str, str]:
        pairs = _(", ").join(_("%(one)s and %(other)s", one=b.delegations[0], other=b.delegations[1]) for b in found)
        return {"start": at(found[0].starts_at), "end": at(max(b.ends_at for b in found)), "delegations": pairs}

    for s in live:
        if s.room_id is not None and (in_room := _during(s, by_room.get(s.room_id, ()))):
            yield Conflict(
                Rule.BILATERAL_ROOM,
                (s,),
                _(
                    "%(room)s holds a bilateral meeting from %(start)s to %(end)s (%(delegations)s): "
                    "“%(title)s” cannot be there then.",
                    room=programme.room_names.get(s.room_id, "?"),
                    title=s.title,
                    **meeting(in_room),
                ),
                bilaterals=tuple(in_room),
            )
        for person_id in sorted(s.person_ids):
            if busy := _during(s, by_person.get(person_id, ())):
                yield Conflict(
                    Rule.BILATERAL_PERSON,
                    (s,),
                    _(
                        "%(person)s chairs or speaks in “%(title)s” while in a bilateral meeting from %(start)s "
                        "to %(end)s (%(delegations)s).",
                        person=programme.person_names.get(person_id) or _("Person %(id)d", id=person_id),
                        title=s.title,
                        **meeting(busy),
                    ),
                    person_id=person_id,
                    bilaterals=tuple(busy),
                )


def _during(session: SessionFacts, bilaterals: Iterable[BilateralFacts]) -> list[BilateralFacts]:
    """The bilaterals whose slot overlaps the session's time (touching ends are fine)."""
    return [b for b in bilaterals if b.starts_at < session.ends_at and session.starts_at < b.ends_at]


def _with_person_names(programme: Programme) -> Programme:
    ids = {p for s in programme.sessions.values() for p in s.person_ids if p > 0} - set(programme.person_names)
    if not ids:
        return programme
    names = {row.id: row.name for row in db.session.execute(select(Person.id, Person.name).where(Person.id.in_(ids)))}
    return replace(programme, person_names={**programme.person_names, **names})


def check_changes(forum: Forum, changed: Iterable[SessionFacts], programme: Programme | None = None) -> list[Conflict]:
    """The conflicts the changed (or new) sessions take part in, against the rest of the forum."""
    changed = list(changed)
    keys = {c.key for c in changed}
    programme = (programme or load_programme(forum)).with_sessions(changed)
    programme = _with_person_names(programme)
    # One pass over each conflict's sessions: an import changes many sessions, and runs are long.
    return [c for c in check(programme) if any(s.key in keys for s in c.sessions)]


@dataclass(frozen=True)
class ConflictsPage:
    number: int  # from 1
    pages: int
    blocking: list[Conflict]
    warnings: list[Conflict]


@dataclass(frozen=True)
class ForumConflicts:
    blocking: list[Conflict]
    warnings: list[Conflict]  # not acknowledged
    acknowledged: int

    def page(self, number: int) -> ConflictsPage:
        """A page's worth of conflicts, blocking ones first; a number past either end is the
        nearest page there is, so a stale link still shows something."""
        total = len(self.blocking) + len(self.warnings)
        pages = max(1, -(-total // CONFLICTS_PER_PAGE))
        number = min(max(number, 1), pages)
        start = (number - 1) * CONFLICTS_PER_PAGE
        end = start + CONFLICTS_PER_PAGE
        blocked = len(self.blocking)
        return ConflictsPage(
            number,
            pages,
            self.blocking[start:end],
            self.warnings[max(start - blocked, 0) : max(end - blocked, 0)],
        )


def forum_conflicts(forum: Forum) -> ForumConflicts:
    """Everything the forum's programme breaks, with acknowledged warnings left out (nine queries)."""
    conflicts = check(_with_person_names(load_programme(forum)))
    acknowledged = set(
        db.session.scalars(select(AcknowledgedWarning.key).where(AcknowledgedWarning.forum_id == forum.id))
    )
    open_warnings = [c for c in conflicts if not c.blocking and c.key not in acknowledged]
    warning_count = sum(1 for c in conflicts if not c.blocking)
    return ForumConflicts([c for c in conflicts if c.blocking], open_warnings, warning_count - len(open_warnings))
