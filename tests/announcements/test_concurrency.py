"""The same announcement form posted twice at the same moment (a double click reaching two
workers): one announcement, one message per person.

PostgreSQL only: SQLite has a single writer, so the two cannot overlap there."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select

from planner.accounts.models import User
from planner.announcements import services
from planner.announcements.audiences import Audience
from planner.announcements.models import Announcement, AudienceKind
from planner.extensions import db
from planner.forums.models import Forum
from planner.mail.models import OutboxMessage

POSTS = 4


@pytest.mark.commits
@pytest.mark.postgresql
def test_simultaneous_posts_of_one_form_send_it_once(app, world):
    key = services.new_form_key()
    barrier = threading.Barrier(POSTS, timeout=10)

    def post(n: int) -> str:
        with app.test_request_context():
            forum = db.session.get(Forum, world.forum_id)
            organiser = db.session.get(User, world.ids["organiser"])
            barrier.wait()
            try:
                services.send_announcement(
                    organiser, forum, Audience(AudienceKind.REGISTRATIONS), subject="Buses", body="At 8.", form_key=key
                )
                db.session.commit()
            except services.AlreadySent:
                db.session.rollback()
                return "already sent"
            return "sent"

    with ThreadPoolExecutor(POSTS) as pool:
        outcomes = sorted(pool.map(post, range(POSTS)))
    assert outcomes == ["already sent"] * (POSTS - 1) + ["sent"]
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Announcement)) == 1
        assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 4
