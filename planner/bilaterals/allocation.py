"""The allocator: accepted bilaterals into (slot, room), as plain data, no database.

Hard rules: only a slot the delegations asked for; a room free at that slot (no session
there, not closed that day, no other bilateral); each delegation and each participant in
one place per slot (their sessions, agendas and other bilaterals count); no delegation
past the forum's daily limit. Among what the rules allow, the earlier preference wins.

The search is greedy, most constrained first (fewest preferred slots), then repairs: a
bilateral left out takes the place of one that moves to another of its own preferred slots,
which may in turn take the place of a third (chains of ``REPAIR_DEPTH`` moves).
``upper_bound`` says how many could be placed at best, by counting the resources each
placement uses; an allocation that reaches it is proven the best there is.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

Place = tuple[int, int]  # (slot id, room id)


@dataclass(frozen=True)
class Wish:
    """An accepted bilateral, as the allocator sees it."""

    id: int
    delegations: tuple[int, int]
    people: frozenset[int]
    slots: tuple[int, ...]  # preferred, best first


@dataclass
class Board:
    """What is free. ``rooms``: per slot, the bilateral rooms free of sessions and closures
    (in the order to fill them); the sets hold what is taken already."""

    slot_days: dict[int, dt.date]
    rooms: dict[int, list[int]]
    limit: int
    rooms_taken: set[Place] = field(default_factory=set)
    people_busy: set[tuple[int, int]] = field(default_factory=set)  # (slot, person)
    delegations_busy: set[tuple[int, int]] = field(default_factory=set)  # (slot, delegation)
    day_used: Counter[tuple[int, dt.date]] = field(default_factory=Counter)  # (delegation, day)

    def free_room(self, slot: int) -> int | None:
        return next((room for room in self.rooms.get(slot, ()) if (slot, room) not in self.rooms_taken), None)

    def open_to(self, wish: Wish, slot: int) -> bool:
        """Everything but the room allows ``wish`` at ``slot``."""
        day = self.slot_days.get(slot)
        if day is None:
            return False
        if any((slot, d) in self.delegations_busy or self.day_used[(d, day)] >= self.limit for d in wish.delegations):
            return False
        return not any((slot, p) in self.people_busy for p in wish.people)

    def take(self, wish: Wish, place: Place) -> None:
        slot, room = place
        self.rooms_taken.add(place)
        self.people_busy.update((slot, p) for p in wish.people)
        self.delegations_busy.update((slot, d) for d in wish.delegations)
        for d in wish.delegations:
            self.day_used[(d, self.slot_days[slot])] += 1

    def give_back(self, wish: Wish, place: Place) -> None:
        slot, room = place
        self.rooms_taken.discard(place)
        self.people_busy.difference_update((slot, p) for p in wish.people)
        self.delegations_busy.difference_update((slot, d) for d in wish.delegations)
        for d in wish.delegations:
            self.day_used[(d, self.slot_days[slot])] -= 1


def first_place(wish: Wish, board: Board, slots: Iterable[int] | None = None) -> Place | None:
    """The first preferred slot (of ``slots``, if given) the rules allow, with its first free room."""
    for slot in wish.slots if slots is None else slots:
        if board.open_to(wish, slot):
            room = board.free_room(slot)
            if room is not None:
                return slot, room
    return None


def allocate(wishes: Sequence[Wish], board: Board) -> dict[int, Place]:
    """Places for as many wishes as the search finds; ``board`` is updated with them."""
    placed: dict[int, Place] = {}
    by_id = {w.id: w for w in wishes}
    for wish in sorted(wishes, key=lambda w: (len(w.slots), w.id)):
        place = first_place(wish, board)
        if place is not None:
            board.take(wish, place)
            placed[wish.id] = place
    _repair(by_id, board, placed)
    return placed


#: How many placed bilaterals one repair may move in a chain (each to another of its slots).
REPAIR_DEPTH = 2


def _repair(wishes: dict[int, Wish], board: Board, placed: dict[int, Place]) -> None:
    """For each wish left out: a chain of placed bilaterals in its way moves, each to another
    of its own slots, if that lets it in (the first in the chain takes the place of the
    second...). Chains of up to ``REPAIR_DEPTH`` moves; repeated while it helps."""
    search = _Search(wishes, board, placed)
    improved = True
    while improved:
        improved = False
        for wish in sorted(wishes.values(), key=lambda w: (len(w.slots), w.id)):
            if wish.id not in placed and search.insert(wish, REPAIR_DEPTH, frozenset({wish.id})):
                improved = True


class _Search:
    def __init__(self, wishes: dict[int, Wish], board: Board, placed: dict[int, Place]) -> None:
        self.wishes, self.board, self.placed = wishes, board, placed
        self.at_slot: dict[int, set[int]] = defaultdict(set)
        self.by_delegation_day: dict[tuple[int, dt.date], set[int]] = defaultdict(set)
        for wish_id, place in placed.items():
            self._note(self.wishes[wish_id], place, True)

    def _note(self, wish: Wish, place: Place, present: bool) -> None:
        day = self.board.slot_days[place[0]]
        groups = [self.at_slot[place[0]], *(self.by_delegation_day[(d, day)] for d in wish.delegations)]
        for group in groups:
            (group.add if present else group.discard)(wish.id)

    def put(self, wish: Wish, place: Place) -> None:
        self.board.take(wish, place)
        self.placed[wish.id] = place
        self._note(wish, place, True)

    def lift(self, wish: Wish) -> Place:
        place = self.placed.pop(wish.id)
        self.board.give_back(wish, place)
        self._note(wish, place, False)
        return place

    def in_the_way(self, wish: Wish, slot: int) -> list[int]:
        """Placed bilaterals whose move could free ``slot`` for ``wish``: those at the slot,
        and those of its delegations on the slot's day (for the daily limit)."""
        day = self.board.slot_days[slot]
        found = set(self.at_slot.get(slot, ()))
        for d in wish.delegations:
            found |= self.by_delegation_day.get((d, day), set())
        return sorted(found)

    def insert(self, wish: Wish, depth: int, banned: frozenset[int], avoid: int | None = None) -> bool:
        """Place ``wish`` (not at slot ``avoid``), moving up to ``depth`` others out of its way."""
        slots = [s for s in wish.slots if s != avoid and s in self.board.slot_days]
        place = first_place(wish, self.board, slots)
        if place is not None:
            self.put(wish, place)
            return True
        if depth == 0:
            return False
        for slot in slots:
            for blocker_id in self.in_the_way(wish, slot):
                if blocker_id in banned:
                    continue
                blocker = self.wishes[blocker_id]
                old = self.lift(blocker)
                own = first_place(wish, self.board, [slot])
                if own is not None:
                    self.put(wish, own)
                    if self.insert(blocker, depth - 1, banned | {blocker_id}, avoid=old[0]):
                        return True
                    self.lift(wish)
                self.put(blocker, old)
        return False


def upper_bound(wishes: Sequence[Wish], board: Board) -> int:
    """No allocation of ``wishes`` on ``board`` places more than this. Each placed bilateral
    uses: one of its preferred slots; there, one free room and two delegations not yet busy;
    and one of each delegation's places under the daily limit on that day. So the total is
    at most (a) the wishes that have a slot with a free room at all, (b) the sum over slots of
    min(free rooms, wishes preferring it, half the delegations that could meet there), and (c)
    half the sum over delegations of what each can still hold: per day, the limit less what it
    holds, and no more than its distinct preferred slots that day; in all, no more than its
    wishes; and (d) the same two counts day by day, the smaller of them each day."""
    usable = [w for w in wishes if any(board.free_room(s) is not None for s in w.slots)]
    per_slot_wishes: Counter[int] = Counter()
    per_slot_delegations: dict[int, set[int]] = defaultdict(set)
    delegation_wishes: Counter[int] = Counter()
    delegation_day_slots: dict[tuple[int, dt.date], set[int]] = defaultdict(set)
    for wish in usable:
        for d in wish.delegations:
            delegation_wishes[d] += 1
        for slot in set(wish.slots):
            if board.free_room(slot) is None or slot not in board.slot_days:
                continue
            free_delegations = [d for d in wish.delegations if (slot, d) not in board.delegations_busy]
            if len(free_delegations) < 2:
                continue
            per_slot_wishes[slot] += 1
            per_slot_delegations[slot].update(free_delegations)
            for d in wish.delegations:
                delegation_day_slots[(d, board.slot_days[slot])].add(slot)
    by_slots = 0
    day_rooms: Counter[dt.date] = Counter()
    for slot, count in per_slot_wishes.items():
        free_rooms = sum(1 for room in board.rooms.get(slot, ()) if (slot, room) not in board.rooms_taken)
        usable_here = min(free_rooms, count, len(per_slot_delegations[slot]) // 2)
        by_slots += usable_here
        day_rooms[board.slot_days[slot]] += usable_here
    capacity: Counter[int] = Counter()
    day_capacity: Counter[dt.date] = Counter()
    for (d, day), slots in delegation_day_slots.items():
        can = max(0, min(board.limit - board.day_used[(d, day)], len(slots)))
        capacity[d] += can
        day_capacity[day] += can
    by_delegations = sum(min(capacity[d], delegation_wishes[d]) for d in delegation_wishes) // 2
    # (d) day by day: no more than the day's usable rooms, nor half its delegations' places.
    by_days = sum(min(day_rooms[day], day_capacity[day] // 2) for day in set(day_rooms) | set(day_capacity))
    return min(len(usable), by_slots, by_delegations, by_days)
