"""iTIP numbering and the agenda mail: SEQUENCE and DTSTAMP only go up for an attendee and a
UID, whatever happens to the session (RFC 5546 2.1.4, 2.1.5); agenda changes wait a moment
and replace one another; closing a session and moving an event are told."""

from __future__ import annotations

import datetime as dt

import pytest
import vobject
from flask import Flask

from planner.calendar.models import HeldInvitation
from planner.db import utcnow
from planner.extensions import db
from planner.forums import services as forum_services
from planner.mail.models import OutboxMessage
from planner.schedule import editing
from planner.schedule.models import Session, SessionStatus
from tests.calendar.helpers import parse
from tests.calendar.test_invites import APPLICATION, calendar_part, delivered
from tests.conftest import sign_in
from tests.factories import Programme, current, tokyo


def itip_of(message) -> tuple[str, str, int, dt.datetime]:
    """(METHOD, UID, SEQUENCE, DTSTAMP) of a message's calendar part, read by icalendar and,
    independently, by vobject; both must agree."""
    text = calendar_part(message).get_content()
    calendar = parse(text.encode())
    [event] = calendar.walk("VEVENT")
    read = vobject.readOne(text)
    [other] = read.vevent_list
    assert (read.method.value, other.uid.value, int(other.sequence.value)) == (
        str(calendar["METHOD"]),
        str(event["UID"]),
        int(event["SEQUENCE"]),
    )
    assert other.dtstamp.value == event["DTSTAMP"].dt
    assert calendar_part(message)["Content-Type"].params["method"] == str(calendar["METHOD"])
    return str(calendar["METHOD"]), str(event["UID"]), int(event["SEQUENCE"]), event["DTSTAMP"].dt


def change(app: Flask, future: Programme, session_id: int, **values) -> None:
    """An organiser's save of the session, as the session form makes it."""
    with app.test_request_context():
        session = db.session.get(Session, session_id)
        data = editing.SessionData(
            event=session.event,
            title=session.title,
            kind=session.kind,
            starts_at=session.starts_at,
            ends_at=session.ends_at,
            room=session.room,
            description=session.description,
            is_public=session.is_public,
            status=session.status,
        )
        for name, value in values.items():
            setattr(data, name, value)
        editing.update_session(current(future.organiser), session.event.forum, session, data)
        db.session.commit()


@pytest.fixture
def hana(mail_app, client, future):
    mail_app.config["CALENDAR_AGENDA_MAIL_DELAY"] = 0
    sign_in(client, future.hana)
    assert client.post("/forums/isef3/events/Y-ISEF/register", data=APPLICATION).status_code == 302
    return future


@pytest.mark.commits
def test_request_move_close_reopen_remove_pick_cancel_only_ever_go_up(mail_app, client, hana, smtp_server):
    opening = hana.opening.id
    delivered(mail_app, smtp_server)  # the registration's own message
    client.post(f"/me/agenda/{opening}")  # REQUEST
    change(mail_app, hana, opening, starts_at=tokyo("2030-03-01 10:00"), ends_at=tokyo("2030-03-01 11:00"))
    change(mail_app, hana, opening, is_public=False)  # closed: CANCEL
    change(mail_app, hana, opening, is_public=True)  # open again: REQUEST
    client.post(f"/me/agenda/{opening}/remove")  # CANCEL
    client.post(f"/me/agenda/{opening}")  # picked again: REQUEST
    change(mail_app, hana, opening, status=SessionStatus.CANCELLED)  # CANCEL
    messages = delivered(mail_app, smtp_server)[1:]
    read = [itip_of(m) for m in messages]
    assert [method for method, *_ in read] == ["REQUEST", "REQUEST", "CANCEL", "REQUEST", "CANCEL", "REQUEST", "CANCEL"]
    assert {uid for _, uid, *_ in read} == {f"session-{opening}@planner"}
    sequences = [sequence for *_, sequence, _ in read]
    stamps = [stamp for *_, stamp in read]
    assert sequences == sorted(set(sequences)), sequences  # strictly increasing
    assert stamps == sorted(set(stamps)), stamps
    assert all(m["To"] == "hana@example.org" for m in messages)


@pytest.mark.commits
def test_closing_a_picked_session_cancels_it_for_those_who_picked_it_only(mail_app, client, hana, smtp_server):
    client.post(f"/me/agenda/{hana.opening.id}")
    delivered(mail_app, smtp_server)
    change(mail_app, hana, hana.opening.id, is_public=False)
    [message] = delivered(mail_app, smtp_server)[2:]
    method, uid, *_ = itip_of(message)
    assert (method, uid) == ("CANCEL", f"session-{hana.opening.id}@planner")
    assert "no longer in the public programme" in message.get_body(("plain",)).get_content()
    # Changes to the closed session are told to nobody: it left their calendar.
    change(mail_app, hana, hana.opening.id, title="Opening, closed")
    assert delivered(mail_app, smtp_server)[3:] == []


@pytest.mark.commits
def test_moving_an_event_sends_its_confirmed_people_an_updated_request(
    mail_app, client, hana, smtp_server, monkeypatch
):
    [confirmed] = delivered(mail_app, smtp_server)
    later = utcnow() + dt.timedelta(minutes=5)  # events' messages are numbered by the second
    monkeypatch.setattr("planner.calendar.invites.utcnow", lambda: later)
    with mail_app.test_request_context():
        event = current(hana.event)
        forum_services.save_event(
            current(hana.organiser),
            event.forum,
            event,
            code=event.code,
            kind=event.kind,
            title=event.title,
            starts_at=event.starts_at,
            ends_at=event.ends_at - dt.timedelta(hours=1),
            venue=event.venue,
            description=event.description,
        )
        ends_at = event.ends_at
        db.session.commit()
    [moved] = delivered(mail_app, smtp_server)[1:]
    before, after = itip_of(confirmed), itip_of(moved)
    assert after[0] == "REQUEST" and after[1] == before[1] == f"event-{hana.event.id}@planner"
    assert after[2] > before[2] and after[3] >= before[3]
    [event_read] = parse(calendar_part(moved).get_content().encode()).walk("VEVENT")
    assert event_read["DTEND"].dt == ends_at


# The agenda mail waits, and the next change replaces it --------------------------------


@pytest.fixture
def waiting(mail_app, client, future):
    mail_app.config["CALENDAR_AGENDA_MAIL_DELAY"] = 120
    sign_in(client, future.hana)
    client.post("/forums/isef3/events/Y-ISEF/register", data=APPLICATION)
    return future


def agenda_outbox(app) -> list[str]:
    with app.app_context():
        return [m.subject for m in db.session.scalars(db.select(OutboxMessage).order_by(OutboxMessage.id))][1:]


@pytest.mark.commits
def test_a_pick_waits_a_moment_before_its_invitation_goes(mail_app, client, waiting, smtp_server):
    from planner.mail.services import deliver_due

    client.post(f"/me/agenda/{waiting.opening.id}")
    with mail_app.app_context():
        assert deliver_due().sent == 1  # the registration's message only
        assert deliver_due(utcnow() + dt.timedelta(seconds=30)).sent == 0
        assert deliver_due(utcnow() + dt.timedelta(seconds=121)).sent == 1
    assert itip_of(smtp_server.received[-1].message)[0] == "REQUEST"


@pytest.mark.commits
def test_a_pick_taken_back_at_once_sends_nothing(mail_app, client, waiting, smtp_server):
    client.post(f"/me/agenda/{waiting.opening.id}")
    client.post(f"/me/agenda/{waiting.opening.id}/remove")
    assert agenda_outbox(mail_app) == []
    assert len(delivered(mail_app, smtp_server)) == 1  # the registration's
    with mail_app.app_context():
        assert db.session.scalars(db.select(HeldInvitation)).all() == []


@pytest.mark.commits
def test_a_removal_taken_back_at_once_becomes_one_request(mail_app, client, waiting, smtp_server):
    client.post(f"/me/agenda/{waiting.opening.id}")
    delivered(mail_app, smtp_server)  # the pick went out
    client.post(f"/me/agenda/{waiting.opening.id}/remove")
    client.post(f"/me/agenda/{waiting.opening.id}")
    [message] = delivered(mail_app, smtp_server)[2:]
    method, _, sequence, _ = itip_of(message)
    assert method == "REQUEST" and sequence > itip_of(smtp_server.received[1].message)[2]


@pytest.mark.commits
def test_a_claimed_message_is_never_taken_back(mail_app, client, waiting, smtp_server):
    """Exactly once: a message the sender holds is left alone; the next change follows it."""
    client.post(f"/me/agenda/{waiting.opening.id}")
    with mail_app.app_context():
        held = db.session.scalar(db.select(HeldInvitation))
        message = db.session.get(OutboxMessage, held.message_id)
        message.claimed_until = utcnow() + dt.timedelta(minutes=5)  # a sender is sending it
        db.session.commit()
    client.post(f"/me/agenda/{waiting.opening.id}/remove")
    assert agenda_outbox(mail_app) == [
        "In your calendar: Opening",
        "Removed from your calendar: Opening",
    ]
