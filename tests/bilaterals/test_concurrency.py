"""Two acceptances for the last place at the same moment: one gets it, the other is told
that none is free and keeps nothing half-written. The database decides: the unique
(slot, room), the holds' primary keys (a delegation in one place per slot) and the
conditional UPDATE of the daily counters, behind the forum lock that placing takes (so that a
session saved at the same moment is seen). Runs on SQLite and on PostgreSQL (where the two
transactions really start together; the second waits for the first at the lock)."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select

from planner.accounts.models import User
from planner.bilaterals import services, setup
from planner.bilaterals.models import (
    Bilateral,
    BilateralParticipant,
    BilateralPreference,
    BilateralStatus,
    DelegationDay,
    DelegationSlotHold,
    PersonSlotHold,
)
from planner.bilaterals.services import BilateralRefused
from planner.extensions import db
from planner.forums.models import Forum
from tests.bilaterals.builders import BilateralForum, build, make_side
from tests.factories import committed

pytestmark = pytest.mark.commits
BARRIER_TIMEOUT = 10


def requested(forum: BilateralForum, asking: str, asked: str, slot_ids: list[int]) -> Bilateral:
    """A request waiting for ``asked``'s answer, written directly (the forms are tested apart)."""
    a, b = forum.sides[asking], forum.sides[asked]
    bilateral = Bilateral(
        forum_id=forum.forum.id,
        requester_id=a.delegation.id,
        requested_id=b.delegation.id,
        awaiting_id=b.delegation.id,
        topic=f"{asking} and {asked}",
    )
    db.session.add(bilateral)
    db.session.flush()
    for n, slot_id in enumerate(slot_ids):
        db.session.add(BilateralPreference(bilateral_id=bilateral.id, slot_id=slot_id, position=n))
    db.session.add(
        BilateralParticipant(bilateral_id=bilateral.id, person_id=a.members[0].id, delegation_id=a.delegation.id)
    )
    db.session.flush()
    return bilateral


def accept_at_once(app, answers: list[tuple[int, int, int]]) -> list[bool]:
    """Each (focal point's user id, bilateral id, person id) accepts in its own thread and
    transaction, all released together."""
    barrier = threading.Barrier(len(answers), timeout=BARRIER_TIMEOUT)

    def accept(n: int) -> bool:
        user_id, bilateral_id, person_id = answers[n]
        barrier.wait()
        # A POST, as the form is: on SQLite the request's transaction starts as the writer.
        with app.test_request_context(method="POST"):
            user = db.session.get_one(User, user_id)
            bilateral = db.session.get_one(Bilateral, bilateral_id)
            placed = services.accept(user, bilateral, [person_id])
            db.session.commit()
            return placed

    with ThreadPoolExecutor(len(answers)) as pool:
        return list(pool.map(accept, range(len(answers))))


def counts(app) -> tuple[int, int, int]:
    with app.app_context():
        placed = db.session.scalar(select(func.count()).select_from(Bilateral).where(Bilateral.slot_id.is_not(None)))
        holds = db.session.scalar(select(func.count()).select_from(DelegationSlotHold))
        people = db.session.scalar(select(func.count()).select_from(PersonSlotHold))
        return placed, holds, people


def test_two_acceptances_for_the_last_room_one_gets_it(app):
    with committed(app):
        forum = build(rooms=1, slots=1)
        forum.sides["germany"] = make_side(forum.programme, "Germany", "DE")
        first = requested(forum, "japan", "france", [forum.slots[0].id])
        second = requested(forum, "italy", "germany", [forum.slots[0].id])
    outcomes = accept_at_once(
        app,
        [
            (forum.france.focal_point.id, first.id, forum.france.members[0].id),
            (forum.germany.focal_point.id, second.id, forum.germany.members[0].id),
        ],
    )
    assert sorted(outcomes) == [False, True]
    # One place, its four holds (two delegations, two people), and the loser accepted without one.
    assert counts(app) == (1, 2, 2)
    with app.app_context():
        statuses = sorted(s.value for s in db.session.scalars(select(Bilateral.status)))
        assert statuses == [BilateralStatus.ACCEPTED.value, BilateralStatus.SCHEDULED.value]
        used = sorted(db.session.scalars(select(DelegationDay.used)))
        assert used[-2:] == [1, 1] and sum(used) == 2  # the loser's counters went back with its savepoint


def test_one_delegation_asked_twice_for_the_same_slot_meets_once(app):
    with committed(app):
        forum = build(rooms=2, slots=1)
        with_france = requested(forum, "france", "japan", [forum.slots[0].id])
        with_italy = requested(forum, "italy", "japan", [forum.slots[0].id])
    japan = forum.japan
    outcomes = accept_at_once(
        app,
        [
            (japan.focal_point.id, with_france.id, japan.members[0].id),
            (japan.focal_point.id, with_italy.id, japan.members[1].id),
        ],
    )
    assert sorted(outcomes) == [False, True]
    assert counts(app) == (1, 2, 2)


def test_the_daily_limit_holds_under_two_acceptances_at_once(app):
    with committed(app):
        forum = build(rooms=2, slots=2, daily_limit=1)
        with_france = requested(forum, "france", "japan", [forum.slots[0].id])
        with_italy = requested(forum, "italy", "japan", [forum.slots[1].id])
    japan = forum.japan
    outcomes = accept_at_once(
        app,
        [
            (japan.focal_point.id, with_france.id, japan.members[0].id),
            (japan.focal_point.id, with_italy.id, japan.members[1].id),
        ],
    )
    assert sorted(outcomes) == [False, True]
    with app.app_context():
        assert db.session.get(DelegationDay, (japan.delegation.id, forum.slots[0].day)).used == 1


def test_a_slot_removed_while_a_bilateral_is_placed_in_it(app):
    """The organiser removes the slot a bilateral is being placed in: the removal waits for the
    placing to commit, then sees the bilateral and is refused with the reason (without the
    forum's lock it would pass its check and fail on the foreign key: a 500)."""
    with committed(app):
        forum = build(rooms=1, slots=2)
        bilateral = requested(forum, "japan", "france", [forum.slots[0].id])
    placed_uncommitted = threading.Event()

    def accept() -> bool:
        with app.test_request_context(method="POST"):
            user = db.session.get_one(User, forum.france.focal_point.id)
            found = db.session.get_one(Bilateral, bilateral.id)
            placed = services.accept(user, found, [forum.france.members[0].id])
            placed_uncommitted.set()
            time.sleep(0.3)  # the removal reaches its check meanwhile
            db.session.commit()
            return placed

    def remove() -> str:
        assert placed_uncommitted.wait(BARRIER_TIMEOUT)
        with app.test_request_context(method="POST"):
            organiser = db.session.get_one(User, forum.organiser.id)
            try:
                setup.remove_slot(organiser, db.session.get_one(Forum, forum.forum.id), forum.slots[0].id)
            except BilateralRefused as refusal:
                db.session.rollback()
                return str(refusal)
            db.session.commit()
            return "removed"

    with ThreadPoolExecutor(2) as pool:
        accepted, removed = pool.submit(accept), pool.submit(remove)
        assert accepted.result() is True
        assert removed.result() == "A bilateral is held in this slot: cancel it first."
    assert counts(app)[0] == 1
