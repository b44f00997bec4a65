"""Giving bilaterals their place: the facts the allocator needs, read in a fixed number of
queries, and the writes that let the database decide between requests at the same moment.

A place is written inside a SAVEPOINT: the two delegations' day counters are raised by a
conditional UPDATE under the daily limit, then the holds are inserted (their primary keys:
one bilateral per person and per delegation per slot) and the bilateral takes the room
(unique per slot). Whichever step the database refuses, the savepoint is rolled back and
the next candidate is tried, so a loser of a race leaves nothing half-written.

Sessions are not in those constraints: a session saved into a bilateral room while a
bilateral is placed there at the same moment would pass both checks, each reading the other's
room as free. So placing takes the forum's lock first, as every save of a session does
(``forums.services.lock_forum``): one waits for the other to commit and then reads what it
wrote (READ COMMITTED reads afresh at each statement on PostgreSQL; SQLite has one writer).
Two placements therefore wait for each other too; the constraints stay as the last word.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Any, cast

from sqlalchemy import CursorResult, case, delete, insert, select, tuple_, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError

from planner.accounts.models import User
from planner.bilaterals.allocation import Board, Place, Wish, allocate
from planner.bilaterals.models import (
    DEFAULT_DAILY_LIMIT,
    Bilateral,
    BilateralRoom,
    BilateralSettings,
    BilateralSlot,
    BilateralStatus,
    DelegationDay,
    DelegationSlotHold,
    PersonSlotHold,
)
from planner.db import current_time, table_of
from planner.delegations.models import Delegation, Person
from planner.extensions import db
from planner.forums.models import Event, Forum
from planner.forums.services import lock_forum
from planner.registration.models import AgendaItem
from planner.schedule.models import RoomClosedDay, Session, SessionParticipant, SessionStatus


def daily_limit(forum: Forum) -> int:
    settings = db.session.get(BilateralSettings, forum.id)
    return settings.daily_limit if settings is not None else DEFAULT_DAILY_LIMIT


def wish_of(bilateral: Bilateral) -> Wish:
    return Wish(
        id=bilateral.id,
        delegations=(bilateral.requester_id, bilateral.requested_id),
        people=frozenset(p.person_id for p in bilateral.participants),
        slots=tuple(p.slot_id for p in bilateral.preferences),
    )


def _overlaps(start: dt.datetime, end: dt.datetime, other_start: dt.datetime, other_end: dt.datetime) -> bool:
    return start < other_end and other_start < end


def load_board(forum: Forum, people: Iterable[int], now: dt.datetime | None = None) -> Board:
    """What is free for the forum's bilaterals, for these participants: eleven queries,
    whatever the number of bilaterals. A slot that has started (by ``now``, the app's clock
    unless given) is not on the board: nothing is placed in it any more."""
    person_ids = sorted(set(people))
    slots = db.session.execute(
        select(BilateralSlot.id, BilateralSlot.day, BilateralSlot.starts_at, BilateralSlot.ends_at)
        .where(BilateralSlot.forum_id == forum.id, BilateralSlot.starts_at > (now or current_time()))
        .order_by(BilateralSlot.starts_at)
    ).all()
    room_ids = list(
        db.session.scalars(
            select(BilateralRoom.room_id).where(BilateralRoom.forum_id == forum.id).order_by(BilateralRoom.room_id)
        )
    )
    first, last = (slots[0].starts_at, slots[-1].ends_at) if slots else (None, None)
    sessions: list[tuple[int, int | None, dt.datetime, dt.datetime]] = []
    if slots:
        sessions = list(
            db.session.execute(
                select(Session.id, Session.room_id, Session.starts_at, Session.ends_at)
                .join(Event, Event.id == Session.event_id)
                .where(
                    Event.forum_id == forum.id,
                    Session.status != SessionStatus.CANCELLED,
                    Session.starts_at < last,
                    Session.ends_at > first,
                )
            ).all()
        )
    closed = set(
        db.session.execute(
            select(RoomClosedDay.room_id, RoomClosedDay.day).where(RoomClosedDay.room_id.in_(room_ids))
        ).all()
    )
    # The participants' own times: sessions they chair or speak in, and those in their agendas
    # (a person's agenda belongs to the account with their address).
    busy_sessions: list[tuple[int, dt.datetime, dt.datetime]] = []
    if person_ids and slots:
        speaking = select(SessionParticipant.person_id, Session.starts_at, Session.ends_at).join(
            Session, Session.id == SessionParticipant.session_id
        )
        busy_sessions += db.session.execute(
            speaking.where(
                SessionParticipant.person_id.in_(person_ids),
                Session.status != SessionStatus.CANCELLED,
                Session.starts_at < last,
                Session.ends_at > first,
            )
        ).all()
        busy_sessions += db.session.execute(
            select(Person.id, Session.starts_at, Session.ends_at)
            .join(User, User.email == Person.email)
            .join(AgendaItem, AgendaItem.user_id == User.id)
            .join(Session, Session.id == AgendaItem.session_id)
            .where(
                Person.id.in_(person_ids),
                Session.status != SessionStatus.CANCELLED,
                Session.starts_at < last,
                Session.ends_at > first,
            )
        ).all()
    slot_ids = [s.id for s in slots]
    board = Board(
        slot_days={s.id: s.day for s in slots},
        rooms={
            s.id: [
                room
                for room in room_ids
                if (room, s.day) not in closed
                and not any(
                    r == room and _overlaps(s.starts_at, s.ends_at, start, end) for _id, r, start, end in sessions
                )
            ]
            for s in slots
        },
        limit=daily_limit(forum),
    )
    for person_id, start, end in busy_sessions:
        board.people_busy.update((s.id, person_id) for s in slots if _overlaps(s.starts_at, s.ends_at, start, end))
    if slot_ids:
        board.rooms_taken.update(
            db.session.execute(
                select(Bilateral.slot_id, Bilateral.room_id).where(
                    Bilateral.forum_id == forum.id, Bilateral.slot_id.is_not(None)
                )
            ).all()  # type: ignore[arg-type]
        )
        board.people_busy.update(
            db.session.execute(
                select(PersonSlotHold.slot_id, PersonSlotHold.person_id).where(
                    PersonSlotHold.slot_id.in_(slot_ids), PersonSlotHold.person_id.in_(person_ids)
                )
            ).all()
        )
        board.delegations_busy.update(
            db.session.execute(
                select(DelegationSlotHold.slot_id, DelegationSlotHold.delegation_id).where(
                    DelegationSlotHold.slot_id.in_(slot_ids)
                )
            ).all()
        )
        days = sorted({s.day for s in slots})
        board.day_used.update(
            {
                (d, day): used
                for d, day, used in db.session.execute(
                    select(DelegationDay.delegation_id, DelegationDay.day, DelegationDay.used)
                    .join(Delegation, Delegation.id == DelegationDay.delegation_id)
                    .where(DelegationDay.day.in_(days), Delegation.forum_id == forum.id)
                )
            }
        )
    return board


def _insert_ignoring_duplicates(model: type, rows: list[dict]) -> None:
    table = table_of(model)
    dialect = db.session.get_bind().dialect.name
    statement = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table).on_conflict_do_nothing()
    db.session.execute(statement, rows)


class _Refused(Exception):
    """The database refused this place (a counter at its limit): try the next one."""


def _take_days(delegations: Counter[tuple[int, dt.date]], limit: int) -> None:
    """Raise each (delegation, day) counter by its count, if every one stays within the limit:
    the rows are locked in one order first (so two transactions never wait for each other's
    counters: no deadlock), then one conditional UPDATE raises them all, and a row it could not
    raise refuses the lot. Three statements however many delegations."""
    keys = sorted(delegations)
    _insert_ignoring_duplicates(DelegationDay, [{"delegation_id": d, "day": day, "used": 0} for d, day in keys])
    rows = tuple_(DelegationDay.delegation_id, DelegationDay.day).in_(keys)
    db.session.execute(
        select(DelegationDay.delegation_id)
        .where(rows)
        .order_by(DelegationDay.delegation_id, DelegationDay.day)
        .with_for_update()
    ).all()
    raised_by = case(
        *(((DelegationDay.delegation_id == d) & (DelegationDay.day == day), delegations[(d, day)]) for d, day in keys),
        else_=0,
    )
    raised = db.session.execute(
        update(DelegationDay)
        .where(rows, DelegationDay.used + raised_by <= limit)
        .values(used=DelegationDay.used + raised_by)
        .execution_options(synchronize_session=False)
    )
    if cast(CursorResult[Any], raised).rowcount != len(keys):
        raise _Refused


def _write(bilaterals: Sequence[tuple[Bilateral, Wish, Place]], slot_days: dict[int, dt.date], limit: int) -> None:
    days: Counter[tuple[int, dt.date]] = Counter()
    for _bilateral, wish, (slot, _room) in bilaterals:
        for d in wish.delegations:
            days[(d, slot_days[slot])] += 1
    _take_days(days, limit)
    delegation_holds = [
        {"slot_id": slot, "delegation_id": d, "bilateral_id": b.id}
        for b, wish, (slot, _room) in bilaterals
        for d in wish.delegations
    ]
    person_holds = [
        {"slot_id": slot, "person_id": p, "bilateral_id": b.id}
        for b, wish, (slot, _room) in bilaterals
        for p in wish.people
    ]
    db.session.execute(insert(DelegationSlotHold), delegation_holds)
    if person_holds:
        db.session.execute(insert(PersonSlotHold), person_holds)
    for bilateral, _wish, (slot, room) in bilaterals:
        bilateral.slot_id, bilateral.room_id = slot, room
        bilateral.status = BilateralStatus.SCHEDULED
        bilateral.awaiting_id = None
    db.session.flush()
    for bilateral, _wish, _place in bilaterals:
        db.session.expire(bilateral, ["slot", "room", "awaiting"])


def place(forum: Forum, bilateral: Bilateral) -> bool:
    """Give ``bilateral`` the first place its preferred slots allow, in a room free then.
    False when none is free (it stays as it was; nothing is written)."""
    lock_forum(forum)  # a session saved at the same moment: see the module's docstring
    wish = wish_of(bilateral)
    board = load_board(forum, wish.people)
    for slot in wish.slots:
        if not board.open_to(wish, slot):
            continue
        for room in board.rooms.get(slot, ()):
            if (slot, room) in board.rooms_taken:
                continue
            try:
                with db.session.begin_nested():
                    _write([(bilateral, wish, (slot, room))], board.slot_days, board.limit)
            except IntegrityError:
                # Someone took the room, a participant or a delegation at this slot meanwhile.
                db.session.refresh(bilateral)
                continue
            except _Refused:
                db.session.refresh(bilateral)
                break  # the day is full for one of the delegations: the next slot
            return True
    return False


def place_many(forum: Forum, bilaterals: Sequence[Bilateral]) -> dict[int, Place] | None:
    """Allocate ``bilaterals`` together (``allocation.allocate``) and write every place at
    once; None if the database refused them because something changed meanwhile (nothing
    written then)."""
    lock_forum(forum)  # a session saved at the same moment: see the module's docstring
    wishes = {b.id: wish_of(b) for b in bilaterals}
    board = load_board(forum, (p for w in wishes.values() for p in w.people))
    placed = allocate(list(wishes.values()), copy_of(board))
    if not placed:
        return {}
    by_id = {b.id: b for b in bilaterals}
    try:
        with db.session.begin_nested():
            _write([(by_id[i], wishes[i], place) for i, place in placed.items()], board.slot_days, board.limit)
    except (IntegrityError, _Refused):
        for bilateral in bilaterals:
            db.session.refresh(bilateral)
        return None
    return placed


def copy_of(board: Board) -> Board:
    """A board to try things on, leaving ``board`` as it is."""
    return Board(
        slot_days=board.slot_days,
        rooms=board.rooms,
        limit=board.limit,
        rooms_taken=set(board.rooms_taken),
        people_busy=set(board.people_busy),
        delegations_busy=set(board.delegations_busy),
        day_used=Counter(board.day_used),
    )


def release(bilateral: Bilateral, day: dt.date) -> None:
    """The bilateral gave its place back (its row says so already): its holds go, and its
    delegations' counters for that day drop."""
    db.session.execute(delete(DelegationSlotHold).where(DelegationSlotHold.bilateral_id == bilateral.id))
    db.session.execute(delete(PersonSlotHold).where(PersonSlotHold.bilateral_id == bilateral.id))
    db.session.execute(
        update(DelegationDay)
        .where(
            DelegationDay.delegation_id.in_(bilateral.delegation_ids),
            DelegationDay.day == day,
            DelegationDay.used > 0,
        )
        .values(used=DelegationDay.used - 1)
        .execution_options(synchronize_session=False)
    )
