"""The seating plan's rules: what organisers may describe, and who sits where.

The rule (the README's "The seating plan" says it for organisers):

- the delegations seated are those of the list of participants with someone accredited, in
  its protocol order (``participants.protocol_order``: alphabetical in the reader's language,
  countries first where the forum says so, from the delegation drawn by lot);
- each gets its accredited members up to the plan's ``seats_per_delegation``, in their protocol
  order: the head of delegation first (or, without one, the highest level);
- the heads of delegation take the front rows, in protocol order, left to right as one faces
  the rostrum, row after row: as few front rows as hold them all;
- reserved seats (the chair's, the host's, interpreters') are skipped: nobody is seated there;
- the rest of each delegation sits behind, from the first row after the heads', in the same
  protocol order, each delegation's members side by side, left to right, row after row;
- a hall with too few seats for that is refused with what is missing, never seated in part.

Nothing of who sits where is stored, so the same list always gives the same plan.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import select

from planner.accounts.models import User
from planner.accounts.permissions import require_organiser
from planner.audit.services import record
from planner.delegations.models import MemberRole
from planner.delegations.participants import ListedDelegation, ListedMember, ParticipantList, protocol_order
from planner.extensions import db
from planner.forums.models import Forum, Room, Venue
from planner.forums.services import lock_forum, require_not_archived
from planner.refusals import Refused
from planner.seating.models import SeatingPlan

MAX_ROWS = 40
MAX_SEATS_IN_ROW = 60
MAX_SEATS_PER_DELEGATION = 20
SEAT_LABEL = re.compile(r"(?P<row>[A-Z]{1,2})(?P<number>[0-9]{1,3})")


class SeatingError(Refused):
    """A refused seating plan, with a message for the organiser."""


class HallTooSmall(SeatingError):
    """The hall cannot seat the delegations as the rule says."""


@dataclass(frozen=True)
class Seat:
    row: int  # 0: the front row
    number: int  # 1: the leftmost seat as one faces the rostrum
    delegation: ListedDelegation
    member: ListedMember
    is_head: bool  # the delegation's first seat, in the front rows

    @property
    def label(self) -> str:
        return f"{row_label(self.row)}{self.number}"

    @property
    def is_head_of_delegation(self) -> bool:
        return self.member.role is MemberRole.HEAD


@dataclass(frozen=True)
class Seating:
    plan: SeatingPlan
    listing: ParticipantList
    rows: tuple[tuple[Seat | None, ...], ...]  # the hall's rows, front first; None: an empty seat
    head_rows: int  # how many front rows the heads of delegation take
    reserved: frozenset[tuple[int, int]]  # (row, number) of the reserved seats

    @property
    def seats(self) -> list[Seat]:
        return [seat for row in self.rows for seat in row if seat is not None]

    @property
    def empty_seats(self) -> int:
        return sum(1 for row in self.rows for seat in row if seat is None) - len(self.reserved)

    def is_reserved(self, row: int, number: int) -> bool:
        return (row, number) in self.reserved

    @property
    def taken(self) -> list[tuple[str, Seat | None]]:
        """The seats seated or reserved (None), labelled, in the hall's order: the plan's table."""
        return [
            (f"{row_label(r)}{n}", seat)
            for r, row in enumerate(self.rows)
            for n, seat in enumerate(row, 1)
            if seat is not None or (r, n) in self.reserved
        ]


def row_label(row: int) -> str:
    """A, B ... Z, AA, AB ...: the front row is A."""
    letters = ""
    n = row + 1
    while n:
        n, rest = divmod(n - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def seat_place(label: str) -> tuple[int, int] | None:
    """ "B12" as (1, 12): the row's index and the seat's number; None for what is no seat's label."""
    match = SEAT_LABEL.fullmatch(label.strip().upper())
    if match is None:
        return None
    row = 0
    for letter in match["row"]:
        row = row * 26 + ord(letter) - ord("A") + 1
    return row - 1, int(match["number"])


def reserved_places(plan: SeatingPlan) -> frozenset[tuple[int, int]]:
    places = (seat_place(label) for label in plan.reserved_seats or ())
    return frozenset(p for p in places if p is not None)


def plan_of(forum: Forum) -> SeatingPlan | None:
    return db.session.get(SeatingPlan, forum.id)


def rooms_of(forum: Forum) -> list[Room]:
    """The rooms of the forum's venues, a hall to name on the plan."""
    return list(
        db.session.scalars(select(Room).join(Venue).where(Venue.forum_id == forum.id).order_by(Venue.name, Room.name))
    )


def seat_delegations(plan: SeatingPlan, listing: ParticipantList) -> Seating:
    """Who sits where in ``plan`` for ``listing`` (see the module's docstring for the rule);
    ``HallTooSmall`` when the hall cannot hold them."""
    per = plan.seats_per_delegation
    reserved = reserved_places(plan)
    seated = [(d, d.members[:per]) for d in listing.delegations if d.members]
    free = [length - sum(1 for r, _n in reserved if r == row) for row, length in enumerate(plan.rows)]
    _check_room(free, seated, per)
    rows: list[list[Seat | None]] = [[None] * length for length in plan.rows]
    places = ((r, n) for r, length in enumerate(plan.rows) for n in range(length) if (r, n + 1) not in reserved)
    head_rows = 0
    for delegation, members in seated:
        r, n = next(places)
        rows[r][n] = Seat(row=r, number=n + 1, delegation=delegation, member=members[0], is_head=True)
        head_rows = r + 1
    if seated:
        # The rest start behind the heads' last row, which may stay partly empty.
        places = (
            (r, n)
            for r, length in enumerate(plan.rows)
            for n in range(length)
            if r >= head_rows and (r, n + 1) not in reserved
        )
    for delegation, members in seated:
        for member in members[1:]:
            r, n = next(places)
            rows[r][n] = Seat(row=r, number=n + 1, delegation=delegation, member=member, is_head=False)
    return Seating(
        plan=plan, listing=listing, rows=tuple(tuple(row) for row in rows), head_rows=head_rows, reserved=reserved
    )


def _check_room(free: list[int], seated: list[tuple[ListedDelegation, tuple[ListedMember, ...]]], per: int) -> None:
    """``free``: the seats not reserved in each row."""
    delegations = len(seated)
    seats = sum(free)
    if delegations > seats:
        raise HallTooSmall(
            ngettext(
                "The hall has %(num)d seat not reserved for %(delegations)d delegations: each delegation needs at"
                " least its head's seat. Add rows or seats, or reserve fewer.",
                "The hall has %(num)d seats not reserved for %(delegations)d delegations: each delegation needs at"
                " least its head's seat. Add rows or seats, or reserve fewer.",
                seats,
                delegations=delegations,
            ),
            field="rows",
        )
    lengths = free
    head_rows, room = 0, 0
    while room < delegations:
        room += lengths[head_rows]
        head_rows += 1
    others = sum(len(members) - 1 for _, members in seated)
    behind = sum(lengths[head_rows:])
    if others > behind:
        raise HallTooSmall(
            ngettext(
                "The heads of %(heads)d delegations sit in the front rows up to row %(row)s; the %(others)d other"
                " members need as many seats behind them, but the rows behind have %(num)d seat not reserved."
                " Add rows or seats, reserve fewer, or give each delegation fewer seats than %(per)d.",
                "The heads of %(heads)d delegations sit in the front rows up to row %(row)s; the %(others)d other"
                " members need as many seats behind them, but the rows behind have %(num)d seats not reserved."
                " Add rows or seats, reserve fewer, or give each delegation fewer seats than %(per)d.",
                behind,
                heads=delegations,
                row=row_label(head_rows - 1),
                others=others,
                per=per,
            ),
            field="rows",
        )


def seating_of(organiser: User, forum: Forum, plan: SeatingPlan, language: str) -> Seating:
    """The plan with the forum's accredited people seated, for its organisers: the plan holds
    the names of people who did not agree to the public list."""
    require_organiser(organiser, forum)
    return seat_delegations(plan, protocol_order(forum, language))


def checked_rows(rows: list[int]) -> list[int]:
    if not rows:
        raise SeatingError(_("Give the number of seats of at least one row."), field="rows")
    if len(rows) > MAX_ROWS:
        raise SeatingError(_("A plan holds at most %(max)d rows.", max=MAX_ROWS), field="rows")
    if any(not 1 <= seats <= MAX_SEATS_IN_ROW for seats in rows):
        raise SeatingError(
            _("Each row holds from 1 to %(max)d seats.", max=MAX_SEATS_IN_ROW),
            field="rows",
        )
    return rows


def checked_reserved(labels: list[str], rows: list[int]) -> list[str]:
    """The labels, upper-case, each once, in the hall's order; each must name one of its seats."""
    places: set[tuple[int, int]] = set()
    for label in labels:
        place = seat_place(label)
        if place is None or not (place[0] < len(rows) and 1 <= place[1] <= rows[place[0]]):
            raise SeatingError(
                _("There is no seat %(seat)s in this hall: rows run from A, seats from 1.", seat=label.strip()),
                field="reserved_seats",
            )
        places.add(place)
    return [f"{row_label(r)}{n}" for r, n in sorted(places)]


def save_plan(
    organiser: User,
    forum: Forum,
    *,
    rows: list[int],
    seats_per_delegation: int,
    room_id: int | None,
    language: str,
    reserved_seats: Sequence[str] = (),
) -> SeatingPlan:
    """Describe the hall: its rows (front first), its reserved seats, the most seats a delegation
    gets and the room it is. Refused, with nothing saved, when the hall cannot seat the
    delegations accredited now."""
    require_organiser(organiser, forum)
    require_not_archived(forum)
    rows = checked_rows(list(rows))
    reserved = checked_reserved(list(reserved_seats), rows)
    if not 1 <= seats_per_delegation <= MAX_SEATS_PER_DELEGATION:
        raise SeatingError(
            _("A delegation gets from 1 to %(max)d seats.", max=MAX_SEATS_PER_DELEGATION),
            field="seats_per_delegation",
        )
    if room_id is not None and room_id not in {room.id for room in rooms_of(forum)}:
        raise SeatingError(_("Choose one of the rooms of %(forum)s.", forum=forum.name), field="room")
    # Two organisers saving the forum's first plan at once: the second waits, then changes it
    # (instead of failing on the plan's key); and each checks the list as the other left it.
    lock_forum(forum)
    # Checked before anything changes: a hall too small is refused with nothing written.
    seat_delegations(
        SeatingPlan(rows=rows, reserved_seats=reserved, seats_per_delegation=seats_per_delegation),
        protocol_order(forum, language),
    )
    plan = plan_of(forum)
    before = (
        None
        if plan is None
        else {
            "rows": plan.rows,
            "reserved_seats": plan.reserved_seats,
            "seats_per_delegation": plan.seats_per_delegation,
        }
    )
    if plan is None:
        plan = SeatingPlan(forum_id=forum.id)
        db.session.add(plan)
    plan.rows, plan.reserved_seats = rows, reserved
    plan.seats_per_delegation, plan.room_id = seats_per_delegation, room_id
    plan.updated_by_id = organiser.id
    db.session.flush()
    after = {"rows": rows, "reserved_seats": reserved, "seats_per_delegation": seats_per_delegation}
    record(
        organiser,
        "seating.plan_saved",
        forum_id=forum.id,
        target=("forum", forum.id),
        summary=ngettext(
            "Seating plan: %(num)d seat in %(rows)d rows, up to %(per)d a delegation",
            "Seating plan: %(num)d seats in %(rows)d rows, up to %(per)d a delegation",
            sum(rows),
            rows=len(rows),
            per=seats_per_delegation,
        ),
        before=before,
        after=after,
    )
    return plan
