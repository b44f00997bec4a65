"""Found in a hostile review: certificates of attendance of an event that has not happened."""

from __future__ import annotations

import datetime as dt

import pytest

from planner.certificates.models import AttendanceMark
from planner.db import utcnow
from planner.extensions import db
from planner.forums.models import EventKind
from planner.registration.models import Registration, RegistrationStatus
from tests.certificates.helpers import ATTENDANCE
from tests.certificates.test_attendance import marks
from tests.certificates.test_services import certificates, outbox_size, send
from tests.conftest import sign_in
from tests.factories import committed, make_event


@pytest.fixture
def next_week(app, scene):
    """A student event of ISEF2 a week from now, with Yui confirmed for it."""
    with committed(app):
        starts = utcnow() + dt.timedelta(days=7)
        event = make_event(
            scene.forum, "LATER", kind=EventKind.STUDENT, starts_at=starts, ends_at=starts + dt.timedelta(hours=8)
        )
        db.session.add(Registration(event_id=event.id, user_id=scene.student.id, status=RegistrationStatus.CONFIRMED))
    return event


@pytest.fixture
def organiser_client(app, scene):
    client = app.test_client()
    sign_in(client, scene.organiser)
    return client


NOT_YET = "LATER has not started yet: nobody can have attended it."


def test_nobody_is_marked_present_at_an_event_that_has_not_started(app, scene, next_week, organiser_client):
    response = organiser_client.post(
        ATTENDANCE.format(code="LATER") + "/present", data={"attendee": f"user-{scene.student.id}"}
    )
    assert response.status_code == 422
    assert NOT_YET in response.get_data(as_text=True)
    assert marks(app) == 0


def test_no_certificate_is_sent_for_an_event_that_has_not_started(app, scene, next_week, organiser_client):
    # A mark made before this rule (or the event moved later after it): still no certificate.
    with committed(app):
        db.session.add(AttendanceMark(event_id=next_week.id, user_id=scene.student.id, marked_by_id=scene.organiser.id))
    page = send(organiser_client, "LATER")
    assert NOT_YET in page
    assert certificates(app) == [] and outbox_size(app) == 0


def test_an_event_under_way_is_marked_and_sent_as_before(app, scene, organiser_client):
    with committed(app):
        starts = utcnow() - dt.timedelta(hours=1)
        event = make_event(
            scene.forum, "TODAY", kind=EventKind.STUDENT, starts_at=starts, ends_at=starts + dt.timedelta(hours=8)
        )
        db.session.add(Registration(event_id=event.id, user_id=scene.student.id, status=RegistrationStatus.CONFIRMED))
    url = ATTENDANCE.format(code="TODAY")
    assert organiser_client.post(url + "/present", data={"attendee": f"user-{scene.student.id}"}).status_code == 302
    assert "1 certificate is issued." in send(organiser_client, "TODAY")


def test_the_start_is_judged_by_the_app_s_clock(app, scene, organiser_client):
    """A rehearsal whose clock (``CLOCK``) stands before the event marks nobody present yet."""
    with committed(app):
        starts = utcnow() - dt.timedelta(hours=1)
        event = make_event(
            scene.forum, "LATER", kind=EventKind.STUDENT, starts_at=starts, ends_at=starts + dt.timedelta(hours=8)
        )
        db.session.add(Registration(event_id=event.id, user_id=scene.student.id, status=RegistrationStatus.CONFIRMED))
    app.config["CLOCK"] = lambda: starts - dt.timedelta(days=1)
    response = organiser_client.post(
        ATTENDANCE.format(code="LATER") + "/present", data={"attendee": f"user-{scene.student.id}"}
    )
    assert response.status_code == 422 and NOT_YET in response.get_data(as_text=True)
    assert marks(app) == 0
