"""Invitations by email (iTIP over iMIP), as the test SMTP server receives them."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from planner.calendar.invites import event_sequence, session_change_invite
from planner.db import utcnow
from planner.extensions import db
from planner.mail.models import OutboxMessage
from planner.mail.services import deliver_due
from planner.registration.models import Registration
from planner.schedule.models import SessionStatus
from tests.calendar.helpers import parse
from tests.conftest import sign_in
from tests.factories import (
    current,
    make_event,
    make_forum,
    make_policy,
    make_user,
    tokyo,
)

APPLICATION = {"delegation": "0", "date_of_birth": "1995-05-05", "organisation": "", "country": "JP"}


def delivered(app, smtp_server) -> list:
    """Everything in the outbox, held agenda invitations too (as the worker a while later)."""
    with app.app_context():
        report = deliver_due(utcnow() + dt.timedelta(hours=1))
    assert report.failed == 0 and report.retrying == 0
    return [r.message for r in smtp_server.received]


def calendar_part(message):
    parts = [p for p in message.walk() if p.get_content_type() == "text/calendar"]
    assert len(parts) == 1, [p.get_content_type() for p in message.walk()]
    return parts[0]


def only_event(part):
    calendar = parse(part.get_content().encode())
    [event] = calendar.walk("VEVENT")
    return calendar, event


@pytest.mark.commits
def test_a_confirmed_registration_brings_a_request_for_the_event(mail_app, client, future, smtp_server):
    sign_in(client, future.hana)
    assert client.post("/forums/isef3/events/Y-ISEF/register", data=APPLICATION).status_code == 302
    [message] = delivered(mail_app, smtp_server)
    assert message["To"] == "hana@example.org"
    part = calendar_part(message)
    assert part.get_content_type() == "text/calendar"
    assert part["Content-Type"].params["method"] == "REQUEST"
    assert part.get_content_charset() == "utf-8"
    # iMIP: the invitation is an alternative of the text, which calendar clients look for,
    # and it is attached once more as invite.ics.
    assert message.get_content_type() == "multipart/mixed"
    assert calendar_part(message) in list(message.get_payload()[0].iter_parts())
    calendar, event = only_event(part)
    assert calendar["METHOD"] == "REQUEST"
    assert event["UID"] == f"event-{future.event.id}@planner"
    assert event["SEQUENCE"] == event_sequence(event["DTSTAMP"].dt)
    assert event["STATUS"] == "CONFIRMED"
    assert event["ORGANIZER"] == "mailto:noreply@planner.test"
    assert event["ATTENDEE"] == "mailto:hana@example.org"
    assert event["ATTENDEE"].params["RSVP"] == "FALSE"
    assert calendar.get_missing_tzids() == set()


@pytest.mark.commits
def test_a_pending_application_brings_no_invitation_until_approved(mail_app, client, future, smtp_server):
    from planner.registration import services
    from tests.factories import make_organiser

    sign_in(client, future.hana)
    client.post("/forums/isef3/events/I-ISEF/register", data=APPLICATION)
    [message] = delivered(mail_app, smtp_server)
    assert not [p for p in message.walk() if p.get_content_type() == "text/calendar"]
    with mail_app.test_request_context():
        registration = db.session.scalar(select(Registration))
        services.approve(make_organiser(registration.event.forum), registration)
        event_uid = f"event-{registration.event_id}@planner"
        db.session.commit()
    _, approved = delivered(mail_app, smtp_server)
    assert calendar_part(approved)["Content-Type"].params["method"] == "REQUEST"
    assert only_event(calendar_part(approved))[1]["UID"] == event_uid


@pytest.mark.commits
def test_picking_and_removing_a_session_sends_request_then_cancel(mail_app, client, future, smtp_server):
    sign_in(client, future.hana)
    client.post("/forums/isef3/events/Y-ISEF/register", data=APPLICATION)
    assert client.post(f"/me/agenda/{future.opening.id}").status_code == 302
    delivered(mail_app, smtp_server)  # after the agenda mail delay: the pick went out
    assert client.post(f"/me/agenda/{future.opening.id}/remove").status_code == 302
    _, picked, removed = delivered(mail_app, smtp_server)
    _, request = only_event(calendar_part(picked))
    cancel_calendar, cancel = only_event(calendar_part(removed))
    assert calendar_part(picked)["Content-Type"].params["method"] == "REQUEST"
    assert calendar_part(removed)["Content-Type"].params["method"] == "CANCEL"
    assert cancel_calendar["METHOD"] == "CANCEL"
    assert request["UID"] == cancel["UID"] == f"session-{future.opening.id}@planner"
    # RFC 5546 2.1.4: the CANCEL has a higher SEQUENCE than the REQUEST it cancels.
    assert (request["SEQUENCE"], cancel["SEQUENCE"]) == (1, 2)
    assert cancel["STATUS"] == "CANCELLED"
    assert cancel["DTSTAMP"].dt > request["DTSTAMP"].dt
    assert request["LOCATION"] == "Hall, Main venue"
    assert "Opening" in picked["Subject"]


@pytest.mark.commits
def test_cancelling_a_confirmed_registration_cancels_the_event_and_its_picked_sessions(
    mail_app, client, future, smtp_server
):
    sign_in(client, future.hana)
    client.post("/forums/isef3/events/Y-ISEF/register", data=APPLICATION)
    client.post(f"/me/agenda/{future.opening.id}")
    delivered(mail_app, smtp_server)
    with mail_app.app_context():
        registration_id = db.session.scalar(select(Registration.id))
    assert client.post(f"/me/registrations/{registration_id}/cancel").status_code == 302
    messages = delivered(mail_app, smtp_server)[2:]
    methods = {
        str(only_event(calendar_part(m))[1]["UID"]): calendar_part(m)["Content-Type"].params["method"] for m in messages
    }
    assert methods == {f"event-{future.event.id}@planner": "CANCEL", f"session-{future.opening.id}@planner": "CANCEL"}


def test_the_outbox_keeps_the_invitation_with_its_method(mail_app, client, future):
    sign_in(client, future.hana)
    client.post("/forums/isef3/events/Y-ISEF/register", data=APPLICATION)
    with mail_app.app_context():
        message = db.session.scalar(select(OutboxMessage))
        assert message.attachment_content_type == "text/calendar; method=REQUEST"
        assert message.attachment_body.startswith("BEGIN:VCALENDAR\r\n")


@pytest.mark.commits
def test_the_invitation_goes_out_right_after_the_application_commits(mail_app, client, future, smtp_server):
    """The confirmed email is written with the registration (one statement on PostgreSQL)
    and still goes out at once when prompt delivery is on."""
    mail_app.config["MAIL_PROMPT_DELIVERY"] = "inline"
    sign_in(client, future.hana)
    assert client.post("/forums/isef3/events/Y-ISEF/register", data=APPLICATION).status_code == 302
    [received] = [r.message for r in smtp_server.received]
    assert received["To"] == "hana@example.org" and "is confirmed" in received["Subject"]
    assert calendar_part(received)["Content-Type"].params["method"] == "REQUEST"


def test_session_change_invite_moves_with_a_higher_sequence_and_cancels(mail_app, future):
    with mail_app.test_request_context():
        session = current(future.opening)
        content_type, text = session_change_invite(session, "hana@example.org", "Hana Mori")
        assert content_type == "text/calendar; method=REQUEST"
        _, before = only_event_text(text)
        session.starts_at, session.ends_at = tokyo("2030-03-01 10:00"), tokyo("2030-03-01 11:00")
        db.session.commit()
        content_type, text = session_change_invite(session, "hana@example.org", "Hana Mori")
        calendar, moved = only_event_text(text)
        assert content_type == "text/calendar; method=REQUEST"
        assert calendar["METHOD"] == "REQUEST"
        assert moved["UID"] == before["UID"] == f"session-{future.opening.id}@planner"
        assert moved["SEQUENCE"] == before["SEQUENCE"] + 1
        assert moved["DTSTART"].dt == tokyo("2030-03-01 10:00")
        assert moved["DTSTAMP"].dt > before["DTSTAMP"].dt
        assert moved["ATTENDEE"] == "mailto:hana@example.org"
        session.status = SessionStatus.CANCELLED
        db.session.commit()
        content_type, text = session_change_invite(session, "hana@example.org")
        calendar, cancelled = only_event_text(text)
        assert content_type == "text/calendar; method=CANCEL"
        assert calendar["METHOD"] == "CANCEL"
        assert cancelled["STATUS"] == "CANCELLED"
        assert cancelled["UID"] == before["UID"]
        assert cancelled["SEQUENCE"] == moved["SEQUENCE"] + 1


def only_event_text(text: str):
    assert "\r\n" in text and "\n" not in text.replace("\r\n", "")
    calendar = parse(text.encode())
    [event] = calendar.walk("VEVENT")
    return calendar, event


@pytest.mark.commits
def test_approval_and_promotion_from_the_waiting_list_bring_a_request(mail_app, future, smtp_server):
    from planner.registration import services
    from planner.registration.eligibility import Application
    from planner.registration.models import RegistrationPolicy, RegistrationStatus
    from tests.factories import make_organiser

    with mail_app.test_request_context():
        event = current(future.event)
        db.session.get(RegistrationPolicy, event.id).capacity = 1
        first, second = make_user(email="first@example.org"), make_user(email="second@example.org")
        organiser = make_organiser(event.forum)
        db.session.flush()
        taken = services.apply(first, event, Application(country_code="JP"))
        waiting = services.apply(second, event, Application(country_code="JP"))
        assert (taken.status, waiting.status) == (RegistrationStatus.CONFIRMED, RegistrationStatus.WAITLISTED)
        services.cancel_by_organiser(organiser, taken)  # the seat goes to the waiting list
        db.session.commit()
    received = {m["To"]: [] for m in delivered(mail_app, smtp_server)}
    for m in [r.message for r in smtp_server.received]:
        parts = [p for p in m.walk() if p.get_content_type() == "text/calendar"]
        received[m["To"]].append(parts[0]["Content-Type"].params["method"] if parts else None)
    assert received["first@example.org"] == ["REQUEST", "CANCEL"]
    assert received["second@example.org"] == [None, "REQUEST"]  # waitlisted, then promoted


@pytest.mark.commits
def test_accreditation_brings_a_request_for_the_meeting_and_declining_it_a_cancel(mail_app, smtp_server):
    from planner.delegations import services as nominations
    from planner.delegations.models import DelegationKind
    from planner.registration.models import RegistrationMode
    from tests.factories import make_delegation, make_organiser

    with mail_app.test_request_context():
        forum = make_forum(slug="isef4", name="ISEF4", first_day=dt.date(2030, 3, 1), last_day=dt.date(2030, 3, 3))
        meeting = make_event(forum, "MINISTERIAL", title="Ministerial meeting")
        make_policy(meeting, mode=RegistrationMode.NOMINATION)
        delegation = make_delegation(forum, name="Japan", kind=DelegationKind.COUNTRY, country_code="JP", seat_quota=5)
        organiser = make_organiser(forum)
        member = nominations.nominate(organiser, delegation, given_name="Minister Sato", email="sato@example.org")
        nominations.accredit(organiser, member)
        db.session.commit()
        nominations.decline(organiser, member)
        meeting_uid = f"event-{meeting.id}@planner"
        db.session.commit()
    accredited, declined = delivered(mail_app, smtp_server)
    for message, method in ((accredited, "REQUEST"), (declined, "CANCEL")):
        part = calendar_part(message)
        assert part["Content-Type"].params["method"] == method
        calendar, event = only_event(part)
        assert calendar["METHOD"] == method
        assert event["UID"] == meeting_uid
        assert event["ATTENDEE"] == "mailto:sato@example.org"
