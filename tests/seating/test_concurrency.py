"""Organisers saving a forum's first seating plan at the same moment: every save goes through,
one after the other, and the forum has one plan (no 500 from its key taken twice).

PostgreSQL only: SQLite has a single writer, so the race cannot happen there."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select

from planner.accounts.models import User
from planner.audit.models import AuditEntry
from planner.extensions import db
from planner.forums.models import Forum
from planner.seating import services
from planner.seating.models import SeatingPlan
from tests.factories import committed, make_forum, make_organiser

ORGANISERS = 4


@pytest.mark.commits
@pytest.mark.postgresql
def test_simultaneous_first_plans_are_saved_one_after_the_other(app):
    with committed(app):
        forum = make_forum()
        organisers = [make_organiser(forum).id for _ in range(ORGANISERS)]
    barrier = threading.Barrier(ORGANISERS, timeout=10)

    def save(n: int) -> str:
        with app.app_context():
            user = db.session.get(User, organisers[n])
            current = db.session.get(Forum, forum.id)
            barrier.wait()
            services.save_plan(user, current, rows=[n + 1], seats_per_delegation=2, room_id=None, language="en")
            db.session.commit()
            return "saved"

    with ThreadPoolExecutor(ORGANISERS) as pool:
        outcomes = list(pool.map(save, range(ORGANISERS)))
    assert outcomes == ["saved"] * ORGANISERS
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(SeatingPlan)) == 1
        saved = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "seating.plan_saved")).all()
        assert len(saved) == ORGANISERS
        # Each save after the first saw the plan before it.
        assert sum(entry.before is None for entry in saved) == 1
