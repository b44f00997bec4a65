"""Two organisers booking one free room at the same moment: one gets it, the other is refused.

PostgreSQL only: there, without the programme lock, both checks would read the room as free
(SQLite has a single writer, so the race cannot happen there)."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select

from planner.accounts.models import User
from planner.extensions import db
from planner.forums.models import Event, Forum, Room
from planner.schedule import editing
from planner.schedule.models import Session, SessionKind
from tests.factories import committed, make_event, make_forum, make_organiser, make_room, tokyo

ORGANISERS = 6


@pytest.mark.commits
@pytest.mark.postgresql
def test_only_one_of_several_simultaneous_bookings_of_a_room_goes_through(app):
    with committed(app):
        forum = make_forum()
        event, room = make_event(forum), make_room(forum)
        organisers = [make_organiser(forum).id for _ in range(ORGANISERS)]
    ids = (forum.id, event.id, room.id)
    barrier = threading.Barrier(ORGANISERS, timeout=10)

    def book(n: int) -> str:
        with app.app_context():
            forum, event, room = (
                db.session.get(Forum, ids[0]),
                db.session.get(Event, ids[1]),
                db.session.get(Room, ids[2]),
            )
            user = db.session.get(User, organisers[n])
            data = editing.SessionData(
                event=event,
                title=f"Bilateral {n}",
                kind=SessionKind.BILATERAL,
                starts_at=tokyo("2018-03-03 10:00"),
                ends_at=tokyo("2018-03-03 10:30"),
                room=room,
            )
            barrier.wait()
            try:
                editing.create_session(user, forum, data)
            except editing.BlockingConflicts:
                db.session.rollback()
                return "refused"
            db.session.commit()
            return "booked"

    with ThreadPoolExecutor(ORGANISERS) as pool:
        outcomes = sorted(pool.map(book, range(ORGANISERS)))
    assert outcomes == ["booked"] + ["refused"] * (ORGANISERS - 1)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Session)) == 1
