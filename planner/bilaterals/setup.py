"""What organisers set for bilaterals: the rooms set aside, the slots, the daily limit, and
the day's grid of rooms and slots they watch."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import delete, func, select
from sqlalchemy.orm import joinedload

from planner.accounts.models import User
from planner.accounts.permissions import require_organiser
from planner.audit.services import record
from planner.bilaterals.models import (
    DAILY_LIMITS,
    Bilateral,
    BilateralPreference,
    BilateralRoom,
    BilateralSettings,
    BilateralSlot,
    BilateralStatus,
    DelegationDay,
)
from planner.bilaterals.placing import daily_limit
from planner.bilaterals.services import BilateralRefused
from planner.delegations.models import Delegation
from planner.extensions import db
from planner.formatting import skipped_time_refusal, to_utc, when_in
from planner.forums.models import Event, Forum, Room, Venue
from planner.forums.services import lock_forum, require_not_archived
from planner.schedule.models import Session, SessionStatus

#: Slots one form may add (a day of 15-minute slots from 07:00 to 22:00 is 60).
MAX_NEW_SLOTS = 60
SLOT_MINUTES = range(10, 241)


def rooms_of(forum: Forum) -> list[Room]:
    """Every room of the forum's venues, to choose the bilateral ones from."""
    return list(
        db.session.scalars(
            select(Room)
            .join(Venue, Venue.id == Room.venue_id)
            .where(Venue.forum_id == forum.id)
            .options(joinedload(Room.venue))
            .order_by(Venue.name, Room.name)
        )
    )


def bilateral_rooms(forum: Forum) -> list[Room]:
    return list(
        db.session.scalars(
            select(Room)
            .join(BilateralRoom, BilateralRoom.room_id == Room.id)
            .where(BilateralRoom.forum_id == forum.id)
            .options(joinedload(Room.venue))
            .order_by(Room.id)
        )
    )


def set_rooms_and_limit(actor: User, forum: Forum, room_ids: Sequence[int], limit: int) -> None:
    """Rooms set aside for bilaterals and the number a delegation may hold on one day. A room
    that holds a bilateral stays; the limit cannot drop below what a delegation holds."""
    require_organiser(actor, forum)
    require_not_archived(forum)
    if limit not in DAILY_LIMITS:
        raise BilateralRefused(
            _(
                "The daily limit is a number from %(low)d to %(high)d.",
                low=DAILY_LIMITS.start,
                high=DAILY_LIMITS.stop - 1,
            ),
            field="daily_limit",
        )
    chosen = set(room_ids)
    known = {room.id: room for room in rooms_of(forum)}
    if not chosen <= set(known):
        raise BilateralRefused(_("One of the rooms chosen is not a room of this forum."), field="rooms")
    current = {room.id for room in bilateral_rooms(forum)}
    leaving = current - chosen
    if leaving:
        busy = db.session.scalar(
            select(Bilateral.room_id).where(Bilateral.room_id.in_(leaving), Bilateral.slot_id.is_not(None)).limit(1)
        )
        if busy is not None:
            raise BilateralRefused(
                _("%(room)s holds bilaterals: cancel or move them first.", room=known[busy].name), field="rooms"
            )
        db.session.execute(delete(BilateralRoom).where(BilateralRoom.room_id.in_(leaving)))
    for room_id in sorted(chosen - current):
        db.session.add(BilateralRoom(room_id=room_id, forum_id=forum.id))
    most = db.session.scalar(
        select(func.max(DelegationDay.used))
        .join(Delegation, Delegation.id == DelegationDay.delegation_id)
        .where(Delegation.forum_id == forum.id)
    )
    if most is not None and most > limit:
        raise BilateralRefused(
            _("A delegation already holds %(count)d bilaterals on one day: the limit cannot be lower.", count=most),
            field="daily_limit",
        )
    settings = db.session.get(BilateralSettings, forum.id)
    if settings is None:
        db.session.add(BilateralSettings(forum_id=forum.id, daily_limit=limit))
    else:
        settings.daily_limit = limit
    db.session.flush()
    record(
        actor,
        "bilateral.settings",
        forum_id=forum.id,
        target=("forum", forum.id),
        summary=_("Bilateral rooms and daily limit set"),
        after={"rooms": sorted(chosen), "daily_limit": limit},
    )


def add_slots(
    actor: User, forum: Forum, day: dt.date, start: dt.time, end: dt.time, minutes: int, gap: int = 0
) -> list[BilateralSlot]:
    """Slots of ``minutes`` each from ``start`` until ``end`` on ``day`` (in the forum's
    timezone), ``gap`` minutes apart; none may overlap another slot. A start or end the clocks
    skip is refused; of one they repeat, the first is meant."""
    require_organiser(actor, forum)
    require_not_archived(forum)
    if not forum.first_day <= day <= forum.last_day:
        raise BilateralRefused(_("Choose a day of the forum."), field="day")
    if minutes not in SLOT_MINUTES:
        raise BilateralRefused(_("A slot lasts from 10 to 240 minutes."), field="minutes")
    if not 0 <= gap <= 120:
        raise BilateralRefused(_("The gap between slots is from 0 to 120 minutes."), field="gap")
    if start >= end:
        raise BilateralRefused(_("The last slot must end after the first starts."), field="end")
    for field, clock in (("start", start), ("end", end)):
        refusal = skipped_time_refusal(dt.datetime.combine(day, clock), forum.zone)
        if refusal is not None:  # saved as typed it would be an hour off
            raise BilateralRefused(refusal, field=field)
    first = to_utc(dt.datetime.combine(day, start), forum)
    last = to_utc(dt.datetime.combine(day, end), forum)
    times = []
    moment = first
    while moment + dt.timedelta(minutes=minutes) <= last:
        times.append((moment, moment + dt.timedelta(minutes=minutes)))
        moment += dt.timedelta(minutes=minutes + gap)
        if len(times) > MAX_NEW_SLOTS:
            raise BilateralRefused(_("Add at most %(max)d slots at a time.", max=MAX_NEW_SLOTS), field="minutes")
    if not times:
        raise BilateralRefused(_("No slot of that length fits between those times."), field="end")
    clash = db.session.scalar(
        select(BilateralSlot.id).where(
            BilateralSlot.forum_id == forum.id, BilateralSlot.starts_at < last, BilateralSlot.ends_at > first
        )
    )
    if clash is not None:
        raise BilateralRefused(_("These slots would overlap slots the forum has already."), field="day")
    slots = [BilateralSlot(forum_id=forum.id, day=day, starts_at=s, ends_at=e) for s, e in times]
    db.session.add_all(slots)
    db.session.flush()
    record(
        actor,
        "bilateral.slots_added",
        forum_id=forum.id,
        target=("forum", forum.id),
        summary=_("%(count)d bilateral slots added", count=len(slots)),
    )
    return slots


@dataclass(frozen=True)
class SlotRemoved:
    """What removing a slot took with it, for the organiser to be told."""

    preferences_dropped: int  # open requests (asked or accepted) that had preferred the slot
    left_without_slot: int  # of those, the ones that preferred no other slot


def remove_slot(actor: User, forum: Forum, slot_id: int) -> SlotRemoved:
    """A slot no bilateral holds goes, and with it the open requests' preferences for it: how
    many, and how many requests are left preferring no slot at all, is said and audited."""
    require_organiser(actor, forum)
    require_not_archived(forum)
    # A bilateral placed in this slot at the same moment would make the delete fail on its
    # foreign key: placing takes the forum's lock, so one waits for the other and sees it.
    lock_forum(forum)
    slot = db.session.get(BilateralSlot, slot_id)
    if slot is None or slot.forum_id != forum.id:
        raise BilateralRefused(_("This forum has no such bilateral slot."))
    if db.session.scalar(select(Bilateral.id).where(Bilateral.slot_id == slot.id).limit(1)) is not None:
        raise BilateralRefused(_("A bilateral is held in this slot: cancel it first."))
    preferring = set(
        db.session.scalars(
            select(BilateralPreference.bilateral_id)
            .join(Bilateral, Bilateral.id == BilateralPreference.bilateral_id)
            .where(
                BilateralPreference.slot_id == slot.id,
                Bilateral.status.in_([BilateralStatus.REQUESTED.value, BilateralStatus.ACCEPTED.value]),
            )
        )
    )
    with_others = set(
        db.session.scalars(
            select(BilateralPreference.bilateral_id).where(
                BilateralPreference.bilateral_id.in_(preferring), BilateralPreference.slot_id != slot.id
            )
        )
    )
    removed = SlotRemoved(len(preferring), len(preferring - with_others))
    label = when_in(slot.starts_at, forum)
    record(
        actor,
        "bilateral.slot_removed",
        forum_id=forum.id,
        target=("bilateral_slot", slot.id),
        summary=ngettext(
            "Bilateral slot %(slot)s removed: %(num)d request had preferred it",
            "Bilateral slot %(slot)s removed: %(num)d requests had preferred it",
            removed.preferences_dropped,
            slot=label,
        )
        if removed.preferences_dropped
        else _("Bilateral slot %(slot)s removed", slot=label),
        before={"starts_at": slot.starts_at.isoformat(), "ends_at": slot.ends_at.isoformat()},
        after={"preferences_dropped": removed.preferences_dropped, "left_without_slot": removed.left_without_slot},
    )
    db.session.delete(slot)
    db.session.flush()
    return removed


# The organisers' grid ---------------------------------------------------------------------


@dataclass(frozen=True)
class Cell:
    bilateral: Bilateral | None = None
    session_title: str | None = None  # a session of the programme uses the room then


@dataclass(frozen=True)
class Grid:
    day: dt.date
    rooms: list[Room]
    rows: list[tuple[BilateralSlot, list[Cell]]]
    limit: int


def days_with_slots(forum: Forum) -> list[dt.date]:
    return list(
        db.session.scalars(
            select(BilateralSlot.day).where(BilateralSlot.forum_id == forum.id).distinct().order_by(BilateralSlot.day)
        )
    )


def grid(forum: Forum, day: dt.date) -> Grid:
    """The day's slots by the bilateral rooms: who meets where, and where a session takes the
    room. Four queries."""
    rooms = bilateral_rooms(forum)
    slots = list(
        db.session.scalars(
            select(BilateralSlot)
            .where(BilateralSlot.forum_id == forum.id, BilateralSlot.day == day)
            .order_by(BilateralSlot.starts_at)
        )
    )
    placed = {
        (b.slot_id, b.room_id): b
        for b in db.session.scalars(
            select(Bilateral)
            .where(Bilateral.slot_id.in_([s.id for s in slots]), Bilateral.status == BilateralStatus.SCHEDULED)
            .options(joinedload(Bilateral.requester), joinedload(Bilateral.requested))
        )
    }
    sessions: list[tuple[int | None, str, dt.datetime, dt.datetime]] = []
    if slots:
        sessions = list(
            db.session.execute(
                select(Session.room_id, Session.title, Session.starts_at, Session.ends_at)
                .join(Event, Event.id == Session.event_id)
                .where(
                    Event.forum_id == forum.id,
                    Session.room_id.in_([r.id for r in rooms]),
                    Session.status != SessionStatus.CANCELLED,
                    Session.starts_at < slots[-1].ends_at,
                    Session.ends_at > slots[0].starts_at,
                )
            ).all()
        )
    rows = []
    for slot in slots:
        cells = []
        for room in rooms:
            session = next(
                (
                    title
                    for room_id, title, start, end in sessions
                    if room_id == room.id and start < slot.ends_at and slot.starts_at < end
                ),
                None,
            )
            cells.append(Cell(placed.get((slot.id, room.id)), session))
        rows.append((slot, cells))
    return Grid(day, rooms, rows, daily_limit(forum))
