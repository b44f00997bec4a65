"""Focal points inscribing at the same moment: the list's row is locked, so the limit of speakers
per delegation holds and places are numbered one after the other.

PostgreSQL only (SQLite has a single writer, so the race cannot happen there)."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from planner.accounts.models import User
from planner.delegations.models import Delegation
from planner.extensions import db
from planner.plenary import inscriptions, services
from planner.plenary.models import SpeakersList
from tests.factories import committed, make_focal_point
from tests.plenary.world import L, make_world, member, open_list

FOCAL_POINTS = 4


@pytest.mark.commits
@pytest.mark.postgresql
def test_simultaneous_inscriptions_keep_the_limit_and_number_the_places_once(app):
    with committed(app):
        world = make_world()
        speakers_list = open_list(world)
        focal_points = [make_focal_point(world.japan).id for _ in range(FOCAL_POINTS)]
        japanese = [member(world.japan, f"Japanese {n}", L.VICE_MINISTER).id for n in range(FOCAL_POINTS)]
        # Other delegations' speakers at the same moment, to be numbered beside them.
        others = [
            (world.kenya.id, world.kenya_focal_point.id, world.person_id("kenya_minister")),
        ]
    barrier = threading.Barrier(FOCAL_POINTS + len(others), timeout=10)
    attempts = [(world.japan.id, focal_points[n], japanese[n]) for n in range(FOCAL_POINTS)] + others

    def inscribe(attempt: tuple[int, int, int]) -> str:
        delegation_id, user_id, person_id = attempt
        with app.app_context():
            user, delegation = db.session.get(User, user_id), db.session.get(Delegation, delegation_id)
            listed = db.session.get(SpeakersList, speakers_list.id)
            barrier.wait()
            try:
                inscriptions.inscribe(user, listed, delegation, person_id)
            except services.SpeakersListError:
                db.session.rollback()
                return "refused"
            db.session.commit()
            return "inscribed"

    with ThreadPoolExecutor(len(attempts)) as pool:
        outcomes = list(pool.map(inscribe, attempts))
    assert sorted(outcomes[:FOCAL_POINTS]) == ["inscribed"] + ["refused"] * (FOCAL_POINTS - 1)
    assert outcomes[FOCAL_POINTS:] == ["inscribed"]
    with app.app_context():
        entries = services.sequence(db.session.get(SpeakersList, speakers_list.id))
        assert [e.position for e in entries] == [1, 2]
        assert entries[0].person.name == "Amina Otieno"  # the minister before the vice-minister
