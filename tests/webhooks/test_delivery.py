"""A receiver gets each event once, signed; later when it was down; never for a change rolled
back; once when two senders race; and planner gives up after a day."""

from __future__ import annotations

import datetime as dt
import json
import threading

import pytest
from sqlalchemy import select

from planner.db import utcnow
from planner.extensions import db
from planner.registration import services as registration
from planner.registration.eligibility import Application
from planner.registration.models import Registration
from planner.schedule import editing
from planner.schedule.models import SessionStatus
from planner.statements import services as statements
from planner.statements.models import DocumentKind
from planner.webhooks import sender, services
from planner.webhooks.models import DeliveryStatus, WebhookDelivery
from planner.webhooks.sender import deliver_due
from tests.factories import current, tokyo

BEFORE_THE_FORUM = dt.datetime(2018, 1, 10, tzinfo=dt.UTC)


def deliveries(app) -> list[WebhookDelivery]:
    with app.app_context():
        return list(db.session.scalars(select(WebhookDelivery).order_by(WebhookDelivery.id)))


def apply(app, setting) -> int:
    with app.test_request_context(method="POST"):
        made = registration.apply(
            current(setting.delegate),
            current(setting.programme.event),
            Application(organisation="JAXA", country_code="JP"),
            now=BEFORE_THE_FORUM,
        )
        db.session.commit()
        return made.id


def approve(app, setting, registration_id: int) -> None:
    with app.test_request_context(method="POST"):
        registration.approve(
            current(setting.programme.organiser),
            db.session.get_one(Registration, registration_id),
            now=BEFORE_THE_FORUM,
        )
        db.session.commit()


def change_session(app, setting, key: str, start: str, room: str, status=SessionStatus.SCHEDULED) -> None:
    with app.test_request_context(method="POST"):
        session = current(setting.programme.sessions[key])
        starts_at = tokyo(start)
        data = editing.SessionData(
            event=session.event,
            title=session.title,
            kind=session.kind,
            starts_at=starts_at,
            ends_at=starts_at + session.duration,
            room=current(setting.programme.rooms[room]),
            status=status,
        )
        editing.update_session(current(setting.programme.organiser), current(setting.programme.forum), session, data)
        db.session.commit()


def adopt_statement(app, setting) -> int:
    with app.test_request_context(method="POST"):
        organiser, forum = current(setting.programme.organiser), current(setting.programme.forum)
        document = statements.create_document(
            organiser,
            forum,
            kind=DocumentKind.JOINT_STATEMENT,
            title="Tokyo Principles",
            slug="tokyo",
            text="We agree.",
        )
        statements.adopt(organiser, document, on=dt.date(2018, 3, 3), place="Tokyo")
        db.session.commit()
        return document.id


@pytest.mark.commits
def test_the_receiver_gets_each_event_once_with_a_signature_it_verifies(app, setting, receiver):
    registration_id = apply(app, setting)
    approve(app, setting, registration_id)
    change_session(app, setting, "panel", "2018-03-03 14:00", "hall")
    change_session(app, setting, "plenary", "2018-03-03 09:00", "hall", status=SessionStatus.CANCELLED)
    document_id = adopt_statement(app, setting)
    with app.app_context():
        report = deliver_due()
    assert report == sender.DeliveryReport(delivered=5)
    with app.app_context():
        assert deliver_due() == sender.DeliveryReport()  # nothing twice
    assert receiver.events() == [
        "registration.created",
        "registration.changed",
        "session.moved",
        "session.closed",
        "statement.adopted",
    ]
    assert all(r.verified for r in receiver.received)
    assert len({r.delivery for r in receiver.received}) == 5
    created, changed = receiver.of("registration.created")[0], receiver.of("registration.changed")[0]
    assert created.headers["Content-Type"] == "application/json"
    assert created.headers["User-Agent"] == "planner-webhooks"
    assert created.body["id"] == created.delivery and created.body["event"] == "registration.created"
    assert created.body["forum"] == {"slug": "isef2", "name": "ISEF2", "timezone": "Asia/Tokyo"}
    assert created.body["created_at"].endswith("Z")
    data = created.body["data"]
    assert data == {
        "id": registration_id,
        "event": "Y-ISEF",
        "status": "pending",
        "applied_at": "2018-01-10T00:00:00Z",
        "decided_at": None,
        "name": "Aiko Tanaka",
        "email": "aiko@example.org",
        "delegation": None,
        "country": "JP",
        "organisation": "JAXA",
        "answers": {},
    }
    assert changed.body["data"]["status"] == "confirmed" and changed.body["data"]["decided_at"].endswith("Z")
    moved = receiver.of("session.moved")[0].body["data"]
    panel = setting.programme.panel
    hall, annex = setting.programme.hall, setting.programme.annex
    assert moved["id"] == panel.id and moved["status"] == "scheduled" and moved["event"] == "Y-ISEF"
    assert moved["starts_at"] == "2018-03-03T05:00:00Z" and moved["room"] == {"id": hall.id, "name": "Hall"}
    assert moved["previous"] == {
        "starts_at": "2018-03-03T02:00:00Z",
        "ends_at": "2018-03-03T03:00:00Z",
        "room": {"id": annex.id, "name": "Annex"},
    }
    assert set(moved) == {
        "id", "title", "kind", "status", "event", "starts_at", "ends_at", "room", "language", "interpretation",
        "is_public", "previous",
    }  # fmt: skip
    closed = receiver.of("session.closed")[0].body["data"]
    assert closed["status"] == "cancelled" and "previous" not in closed
    adopted = receiver.of("statement.adopted")[0].body["data"]
    assert adopted == {
        "id": document_id,
        "slug": "tokyo",
        "title": "Tokyo Principles",
        "kind": "joint_statement",
        "status": "adopted",
        "language": "en",
        "adopted_on": "2018-03-03",
        "adopted_place": "Tokyo",
        "adopted_version": 1,
    }
    recorded = deliveries(app)
    assert {d.status for d in recorded} == {DeliveryStatus.DELIVERED}
    assert all(d.attempts == 1 and d.last_status_code == 200 and d.delivered_at for d in recorded)


@pytest.mark.commits
@pytest.mark.parametrize("down, error", [(503, "HTTP 503"), (None, "RemoteDisconnected")])
def test_a_receiver_that_is_down_gets_the_delivery_later(app, setting, receiver, down, error):
    receiver.status = down
    apply(app, setting)
    with app.app_context():
        assert deliver_due() == sender.DeliveryReport(retrying=1)
        assert deliver_due() == sender.DeliveryReport()  # not due again yet
    (waiting,) = deliveries(app)
    assert waiting.status is DeliveryStatus.PENDING and waiting.attempts == 1
    assert waiting.last_status_code == down and error in waiting.last_error
    assert dt.timedelta(seconds=50) < waiting.next_attempt_at - utcnow() <= dt.timedelta(minutes=1)
    receiver.status = 200
    later = utcnow() + dt.timedelta(minutes=2)
    receiver.clock = lambda: later.timestamp()  # the attempt is signed with the sender's clock
    with app.app_context():
        assert deliver_due(now=later) == sender.DeliveryReport(delivered=1)
    (delivered,) = deliveries(app)
    assert delivered.status is DeliveryStatus.DELIVERED and delivered.attempts == 2
    assert delivered.last_error == "" and delivered.last_status_code == 200
    (received,) = receiver.received
    assert received.verified and received.delivery == delivered.delivery_id
    assert received.body == json.loads(delivered.body)  # the body fixed when queued


@pytest.mark.commits
def test_an_endpoint_that_refuses_connections_is_retried_and_given_up_on_after_a_day(app, setting, receiver):
    with app.app_context():
        endpoint = current(setting.endpoint)
        endpoint.url = "https://127.0.0.1:9/hooks"  # the discard port: nothing listens
        db.session.commit()
    apply(app, setting)
    with app.app_context():
        assert deliver_due() == sender.DeliveryReport(retrying=1)
    (waiting,) = deliveries(app)
    assert waiting.last_status_code is None and "Connection" in waiting.last_error
    for hours in (1, 5, 23.75):
        with app.app_context():
            assert deliver_due(now=utcnow() + dt.timedelta(hours=hours)).retrying == 1
    (waiting,) = deliveries(app)
    # The last try falls on the day's end.
    assert waiting.next_attempt_at == waiting.created_at + dt.timedelta(hours=24)
    with app.app_context():
        assert deliver_due(now=utcnow() + dt.timedelta(hours=25)) == sender.DeliveryReport(failed=1)
        assert deliver_due(now=utcnow() + dt.timedelta(hours=26)) == sender.DeliveryReport()
    (failed,) = deliveries(app)
    assert failed.status is DeliveryStatus.FAILED and failed.attempts == 5 and failed.claimed_until is None
    assert "Connection" in failed.last_error
    assert receiver.received == []


def test_the_back_off_is_1_5_15_30_minutes_then_hourly():
    assert [sender.retry_delay(n) for n in range(1, 8)] == [dt.timedelta(minutes=m) for m in (1, 5, 15, 30, 60, 60, 60)]


@pytest.mark.commits
def test_two_senders_racing_deliver_each_delivery_once(app, setting, receiver):
    with app.app_context():
        organiser, forum = current(setting.programme.organiser), current(setting.programme.forum)
        endpoint = current(setting.endpoint)
        for _ in range(12):
            services.send_test(organiser, forum, endpoint)
        db.session.commit()
    barrier = threading.Barrier(2)
    reports: list[sender.DeliveryReport] = []

    def send() -> None:
        with app.app_context():
            barrier.wait()
            reports.append(deliver_due())

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sum(r.delivered for r in reports) == 12
    assert sum(r.skipped for r in reports) + 12 == sum(r.delivered + r.skipped for r in reports)
    pings = receiver.of("ping")
    assert len(pings) == 12 and len({r.delivery for r in pings}) == 12
    assert all(r.verified for r in pings)
    assert {d.status for d in deliveries(app)} == {DeliveryStatus.DELIVERED}


def set_active(app, setting, active: bool) -> None:
    with app.app_context():
        programme = setting.programme
        services.set_active(current(programme.organiser), current(programme.forum), current(setting.endpoint), active)
        db.session.commit()


@pytest.mark.commits
def test_a_paused_endpoint_gets_nothing_new_and_its_waiting_deliveries_when_resumed(app, setting, receiver):
    apply(app, setting)  # queued while it was active
    set_active(app, setting, False)
    with app.app_context():
        assert deliver_due() == sender.DeliveryReport()
    change_session(app, setting, "panel", "2018-03-03 14:00", "hall")  # while paused: not for it
    set_active(app, setting, True)
    with app.app_context():
        assert deliver_due() == sender.DeliveryReport(delivered=1)
    assert receiver.events() == ["registration.created"]


@pytest.mark.commits
def test_the_test_button_sends_a_ping(app, setting, receiver):
    with app.app_context():
        services.send_test(
            current(setting.programme.organiser), current(setting.programme.forum), current(setting.endpoint)
        )
        db.session.commit()
        assert deliver_due().delivered == 1
    (ping,) = receiver.received
    assert ping.verified and ping.event == "ping" and ping.body["data"]["endpoint"] == setting.endpoint.id


@pytest.mark.commits
def test_the_command_sends_what_is_due(app, setting, receiver):
    apply(app, setting)
    result = app.test_cli_runner().invoke(args=["send-webhooks"])
    assert result.exit_code == 0, result.output
    assert "Delivered 1, retrying 0, failed 0, skipped 0." in result.output
    assert receiver.events() == ["registration.created"]


@pytest.mark.commits
def test_deliveries_done_with_are_forgotten_after_thirty_days(app, setting, receiver):
    """Their bodies hold registrants' names and addresses: kept while the page's list is of use."""
    registration_id = apply(app, setting)
    with app.app_context():
        assert deliver_due() == sender.DeliveryReport(delivered=1)
    receiver.status = 503
    approve(app, setting, registration_id)
    with app.app_context():
        assert deliver_due() == sender.DeliveryReport(retrying=1)
    month_later = utcnow() + dt.timedelta(days=31)
    with app.app_context():
        assert sender.forget_old(utcnow() + dt.timedelta(days=29)) == 0
        assert sender.forget_old(month_later) == 1
    (left,) = deliveries(app)
    assert left.status is DeliveryStatus.PENDING  # still owed: never forgotten
