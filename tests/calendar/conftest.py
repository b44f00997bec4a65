"""A forum with a public, a closed and a cancelled session, and people around it."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from flask import Flask

from planner.accounts.models import User
from planner.forums.models import Event, Forum
from planner.schedule.models import Session, SessionStatus
from tests.factories import (
    committed,
    make_event,
    make_forum,
    make_policy,
    make_programme,
    make_session,
    make_user,
    tokyo,
)


@dataclass
class CalendarProgramme:
    forum: Forum  # ISEF2
    other_forum: Forum
    event: Event  # MINISTERIAL
    side_event: Event  # Y-ISEF
    public: Session
    closed: Session
    cancelled: Session
    side: Session  # of Y-ISEF
    other: Session  # of the other forum
    organiser: User  # of ISEF2, org@example.org


@pytest.fixture
def programme(app: Flask) -> CalendarProgramme:
    with committed(app):
        programme = make_programme(code="MINISTERIAL", title="Ministerial meeting")
        other = make_forum(slug="other", name="Other")
        side = make_event(programme.forum, "Y-ISEF", title="Young ISEF")
        programme.room("hall", "Hall A")
        public = programme.session("public", "Opening plenary", "2018-03-03 09:00", room="hall")
        closed = programme.session("closed", "Heads of delegation only", "2018-03-03 11:00", is_public=False)
        cancelled = programme.session(
            "cancelled", "Press conference", "2018-03-03 14:00", status=SessionStatus.CANCELLED
        )
        side_session = make_session(side, tokyo("2018-02-28 09:00"), title="Youth welcome")
        other_session = make_session(make_event(other, "OTHER"), tokyo("2018-03-03 09:00"), title="Elsewhere")
        make_policy(programme.event)
        make_policy(side)
    return CalendarProgramme(
        programme.forum,
        other,
        programme.event,
        side,
        public,
        closed,
        cancelled,
        side_session,
        other_session,
        programme.organiser,
    )


@pytest.fixture
def delegate(app: Flask) -> User:
    with committed(app):
        return make_user(name="Aiko Tanaka")
