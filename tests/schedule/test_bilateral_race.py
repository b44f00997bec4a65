"""A session saved into the last bilateral room while the organisers' allocation places a bilateral there: the
session is refused, never both in the room. Placing takes the forum's lock before it reads, as
a save of a session does, so the save waits for the placing to commit and then sees it. The
placing pauses after its read to let the save try to slip in; without the lock, on
PostgreSQL, the save reads the room as free and both commit. Runs on SQLite too."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select

from planner.accounts.models import User
from planner.bilaterals import placing, services
from planner.bilaterals.models import Bilateral, BilateralStatus
from planner.extensions import db
from planner.forums.models import Event, Forum, Room
from planner.schedule import editing
from planner.schedule.models import Session, SessionKind
from tests.bilaterals.builders import build
from tests.bilaterals.test_concurrency import requested
from tests.factories import committed, tokyo

pytestmark = pytest.mark.commits
PAUSE = 0.5  # seconds
WAIT = 10


def test_a_session_saved_while_a_bilateral_is_placed_is_refused(app, monkeypatch):
    with committed(app):
        forum = build(rooms=1, slots=1)
        bilateral = requested(forum, "japan", "france", [forum.slots[0].id])
        bilateral.status, bilateral.awaiting_id = BilateralStatus.ACCEPTED, None
    board_read = threading.Event()
    read_board = placing.load_board

    def load_board_then_pause(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        board = read_board(*args, **kwargs)
        board_read.set()
        time.sleep(PAUSE)  # the save, in the other thread, tries now
        return board

    monkeypatch.setattr(placing, "load_board", load_board_then_pause)

    def save_session() -> str:
        assert board_read.wait(WAIT)
        with app.test_request_context(method="POST"):
            organiser = db.session.get_one(User, forum.organiser.id)
            data = editing.SessionData(
                event=db.session.get_one(Event, forum.programme.event.id),
                title="Panel",
                kind=SessionKind.PANEL,
                starts_at=tokyo("2018-03-03 10:00"),
                ends_at=tokyo("2018-03-03 11:00"),
                room=db.session.get_one(Room, forum.rooms[0].id),
            )
            try:
                editing.create_session(organiser, db.session.get_one(Forum, forum.forum.id), data)
            except editing.BlockingConflicts:
                db.session.rollback()
                return "refused"
            db.session.commit()
            return "saved"

    def allocate() -> str:
        """The organisers' allocation, which writes nothing before it places."""
        with app.test_request_context(method="POST"):
            organiser = db.session.get_one(User, forum.organiser.id)
            outcome = services.place_accepted(organiser, db.session.get_one(Forum, forum.forum.id), notify=False)
            db.session.commit()
            return "placed" if outcome.placed else "waits"

    with ThreadPoolExecutor(2) as pool:
        placed, saved = pool.submit(allocate), pool.submit(save_session)
        assert (placed.result(), saved.result()) == ("placed", "refused")
    with app.app_context():
        in_room = db.session.scalar(select(func.count()).select_from(Session))
        placed_count = db.session.scalar(
            select(func.count()).select_from(Bilateral).where(Bilateral.room_id.is_not(None))
        )
        assert (in_room, placed_count) == (0, 1)
