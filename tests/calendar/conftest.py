"""A forum with a public, a closed and a cancelled session, and people around it."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from flask import Flask

from planner.extensions import db
from planner.schedule.models import SessionStatus
from tests.factories import make_event, make_forum, make_policy, make_room, make_session, make_user, tokyo


@dataclass
class Programme:
    forum_id: int
    other_forum_id: int
    event_id: int
    side_event_id: int
    public_id: int
    closed_id: int
    cancelled_id: int
    side_id: int
    other_id: int


@pytest.fixture
def programme(app: Flask) -> Programme:
    with app.app_context():
        forum = make_forum(slug="isef2", name="ISEF2")
        other = make_forum(slug="other", name="Other")
        event = make_event(forum, "MINISTERIAL", title="Ministerial meeting")
        side = make_event(forum, "Y-ISEF", title="Young ISEF")
        room = make_room(forum, "Hall A")
        public = make_session(event, tokyo("2018-03-03 09:00"), title="Opening plenary", room=room)
        closed = make_session(event, tokyo("2018-03-03 11:00"), title="Heads of delegation only", is_public=False)
        cancelled = make_session(
            event, tokyo("2018-03-03 14:00"), title="Press conference", status=SessionStatus.CANCELLED
        )
        side_session = make_session(side, tokyo("2018-02-28 09:00"), title="Youth welcome")
        other_session = make_session(make_event(other, "OTHER"), tokyo("2018-03-03 09:00"), title="Elsewhere")
        make_policy(event)
        make_policy(side)
        db.session.commit()
        return Programme(
            forum.id, other.id, event.id, side.id, public.id, closed.id, cancelled.id, side_session.id, other_session.id
        )


@pytest.fixture
def delegate(app: Flask):
    with app.app_context():
        user = make_user(name="Aiko Tanaka")
        db.session.commit()
        return user.id, user.session_token, user.email
