"""A forum with a public, a closed and a cancelled session, and people around it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from flask import Flask

from planner.accounts.models import User
from planner.forums.models import Event, Forum
from planner.mail.services import init_app
from planner.schedule.models import Session, SessionStatus
from tests.factories import (
    Programme,
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


# Invitations by email: an app that sends to the test SMTP server, and a future forum -------

SENDER = "ISEF planner <noreply@planner.test>"


@pytest.fixture
def mail_app(app: Flask, smtp_server) -> Flask:
    app.config.update(
        MAIL_SERVER="127.0.0.1",
        MAIL_PORT=smtp_server.port,
        MAIL_DEFAULT_SENDER=SENDER,
        MAIL_TIMEOUT=5,
        MAIL_PROMPT_DELIVERY="off",
    )
    init_app(app)
    return app


@pytest.fixture
def future(mail_app) -> Programme:
    """ISEF3 in 2030, whose events still take registrations: Young ISEF with its opening, and
    Industry ISEF, which approves applications; Hana may apply."""
    with committed(mail_app):
        future = make_programme(
            make_forum(slug="isef3", name="ISEF3", first_day=dt.date(2030, 3, 1), last_day=dt.date(2030, 3, 3)),
            title="Young ISEF",
        )
        make_policy(future.event)
        make_policy(make_event(future.forum, "I-ISEF", title="Industry ISEF"), approval_required=True)
        future.room("hall", "Hall")
        future.session("opening", "Opening", "2030-03-01 09:00", room="hall")
        future.person("hana", name="Hana Mori", email="hana@example.org")
    return future
