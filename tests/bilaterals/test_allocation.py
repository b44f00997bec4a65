"""The allocator on plain data: the rules it keeps, the repairs it makes, and its bound."""

from __future__ import annotations

import datetime as dt

from planner.bilaterals.allocation import Board, Wish, allocate, upper_bound

DAY1, DAY2 = dt.date(2018, 3, 3), dt.date(2018, 3, 4)


def board(slots: dict[int, dt.date], rooms: int = 1, limit: int = 4) -> Board:
    return Board(slot_days=slots, rooms={s: list(range(1, rooms + 1)) for s in slots}, limit=limit)


def wish(n: int, a: int, b: int, *slots: int, people: tuple[int, ...] = ()) -> Wish:
    return Wish(id=n, delegations=(a, b), people=frozenset(people), slots=slots)


def test_one_room_per_slot_and_one_place_per_delegation():
    b = board({1: DAY1, 2: DAY1})
    wishes = [wish(1, 10, 11, 1), wish(2, 10, 12, 1), wish(3, 13, 14, 1, 2)]
    placed = allocate(wishes, b)
    slots = [place[0] for place in placed.values()]
    assert len(placed) == 2 and sorted(slots) == [1, 2]
    assert upper_bound(wishes, board({1: DAY1, 2: DAY1})) == 2


def test_the_repair_moves_a_flexible_bilateral_out_of_the_way():
    # 1 can meet at slot 1 or 2; 2 only at slot 1. Greedy by id would take slot 1 for 1;
    # most-constrained-first and the repair make room for both.
    b = board({1: DAY1, 2: DAY1})
    wishes = [wish(1, 10, 11, 1, 2), wish(2, 12, 13, 1)]
    assert allocate(wishes, b) == {2: (1, 1), 1: (2, 1)}


def test_a_repair_after_a_greedy_dead_end():
    # Equal lengths, so greedy goes by id: 1 takes slot 1; 2 needs slot 1 or 3, and 3 is
    # taken by 3 that could also go to 2. The repair moves 1 or 3 to free a slot for 2.
    b = board({1: DAY1, 2: DAY1, 3: DAY1})
    wishes = [wish(1, 10, 11, 1, 2), wish(3, 14, 15, 3, 2), wish(2, 12, 13, 1, 3)]
    placed = allocate(wishes, b)
    assert len(placed) == 3 == upper_bound(wishes, board({1: DAY1, 2: DAY1, 3: DAY1}))


def test_the_daily_limit_and_the_people():
    b = board({1: DAY1, 2: DAY1, 3: DAY2}, rooms=2, limit=1)
    wishes = [
        wish(1, 10, 11, 1),
        wish(2, 10, 12, 2, 3),
        wish(3, 20, 21, 1, people=(5,)),
        wish(4, 22, 23, 1, people=(5,)),
    ]
    placed = allocate(wishes, b)
    # Delegation 10 holds one a day: 2 goes to the second day. Person 5 is in one place at slot 1.
    assert placed[1][0] == 1 and placed[2][0] == 3
    assert (3 in placed) != (4 in placed)


def test_nothing_outside_the_preferred_slots_or_rooms_in_use():
    b = board({1: DAY1, 2: DAY1})
    b.rooms[1] = []  # a session takes the only room at slot 1
    assert allocate([wish(1, 10, 11, 1)], b) == {}
    assert upper_bound([wish(1, 10, 11, 1)], b) == 0


def test_the_bound_counts_delegations_limits():
    # Three bilaterals of delegation 10 on one day with limit 2: at most 2.
    slots = {1: DAY1, 2: DAY1, 3: DAY1}
    wishes = [wish(1, 10, 11, 1), wish(2, 10, 12, 2), wish(3, 10, 13, 3)]
    assert upper_bound(wishes, board(slots, limit=2)) == 2
    assert len(allocate(wishes, board(slots, limit=2))) == 2
