"""Focal points inscribing at the same moment: the list's row is locked, so the limit of speakers
per delegation holds and places are numbered one after the other; an inscription while the
session is being cancelled waits for the cancellation and is refused.

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
from planner.schedule.models import Session, SessionStatus
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


@pytest.mark.commits
@pytest.mark.postgresql
def test_an_inscription_while_the_session_is_being_cancelled_waits_and_is_refused(app):
    with committed(app):
        world = make_world()
        speakers_list = open_list(world)
    saved, done = threading.Event(), threading.Event()

    def cancel() -> None:
        with app.app_context():
            db.session.get(Session, world.plenary.id).status = SessionStatus.CANCELLED
            db.session.flush()  # the row is written, not yet committed
            saved.set()
            done.wait(0.5)  # the inscription is under way meanwhile
            db.session.commit()

    def inscribe() -> str:
        with app.app_context():
            user, delegation = (
                db.session.get(User, world.japan_focal_point.id),
                db.session.get(Delegation, world.japan.id),
            )
            listed = db.session.get(SpeakersList, speakers_list.id)
            listed.session.status  # noqa: B018 (read before the cancellation is committed)
            saved.wait(10)
            try:
                inscriptions.inscribe(user, listed, delegation, world.person_id("japan_minister"))
            except services.SpeakersListError as refusal:
                db.session.rollback()
                return str(refusal)
            finally:
                done.set()
            db.session.commit()
            return "inscribed"

    with ThreadPoolExecutor(2) as pool:
        cancelling, inscribing = pool.submit(cancel), pool.submit(inscribe)
        cancelling.result()
        assert "is cancelled" in inscribing.result()
    with app.app_context():
        assert services.shown_entries(db.session.get(SpeakersList, speakers_list.id)) == []
