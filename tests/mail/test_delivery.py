"""Queueing and delivering outbox mail through a real SMTP server."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from planner.db import utcnow
from planner.extensions import db
from planner.forums.models import Forum
from planner.mail import services
from planner.mail.models import OutboxMessage, OutboxStatus
from planner.mail.services import deliver_due, queue_email, retry_delay, undelivered
from tests.mail.conftest import SENDER, reload

SUBJECT = "参加登録の確認"
NOTE = "ご登録ありがとうございます。会場でお待ちしております。"


@pytest.mark.commits
def test_a_queued_message_arrives_with_text_and_html_in_utf8(mail_app, smtp_server):
    with mail_app.app_context():
        message = queue_email("taro@example.jp", "greeting", subject=SUBJECT, name="山田 <太郎>", note=NOTE)
        db.session.commit()
        report = deliver_due()

        assert (report.sent, report.retrying, report.failed) == (1, 0, 0)
        [received] = smtp_server.received
        assert received.rcpt_tos == ["taro@example.jp"]
        mime = received.message
        assert mime["Subject"] == SUBJECT
        assert mime["From"] == SENDER
        assert mime["Message-ID"] == message.message_id
        assert mime["Date"]
        assert mime.get_content_type() == "multipart/alternative"
        text = mime.get_body(("plain",)).get_content()
        html = mime.get_body(("html",)).get_content()
        assert "山田 <太郎>様" in text and NOTE in text
        assert "山田 &lt;太郎&gt;様" in html and NOTE in html  # escaped in HTML only
        assert 'lang="en"' in html

        stored = reload(message.id)
        assert stored.status is OutboxStatus.SENT
        assert stored.sent_at is not None and stored.claimed_until is None
        assert stored.attempts == 1


@pytest.mark.commits
def test_the_html_part_is_optional(mail_app, smtp_server):
    with mail_app.app_context():
        message = queue_email("a@example.org", "plain_only", subject="Plain", note="Nur Text: äöü")
        assert message.html_body is None
        db.session.commit()
        deliver_due()
    mime = smtp_server.received[0].message
    assert mime.get_content_type() == "text/plain"
    assert mime.get_content().strip() == "Nur Text: äöü"


@pytest.mark.commits
def test_a_calendar_part_travels_as_an_alternative(mail_app, smtp_server):
    ics = "BEGIN:VCALENDAR\r\nMETHOD:REQUEST\r\nSUMMARY:開会式\r\nEND:VCALENDAR\r\n"
    with mail_app.app_context():
        queue_email(
            "a@example.org",
            "greeting",
            subject="Invitation",
            name="A",
            note="See you",
            attachment=("text/calendar; method=REQUEST", ics),
        )
        db.session.commit()
        deliver_due()
    mime = smtp_server.received[0].message
    # The alternatives (text, calendar) and the same invitation as a file beside them.
    assert mime.get_content_type() == "multipart/mixed"
    alternatives, attached = mime.iter_parts()
    assert alternatives.get_content_type() == "multipart/alternative"
    [calendar] = [part for part in alternatives.iter_parts() if part.get_content_type() == "text/calendar"]
    assert calendar["Content-Type"].params["method"] == "REQUEST"
    assert "SUMMARY:開会式" in calendar.get_content()
    assert attached.get_content_type() == "application/ics"
    assert attached["Content-Type"].params["method"] == "REQUEST"
    assert attached.get_filename() == "invite.ics"
    assert attached.get_content_disposition() == "attachment"
    assert attached.get_content().decode() == calendar.get_content() == ics


@pytest.mark.commits
def test_an_invitation_with_its_file_is_sent_exactly_once(mail_app, smtp_server):
    """The file is assembled from the stored row when sending: nothing new is stored, and
    later runs of the sender find nothing more to send."""
    ics = "BEGIN:VCALENDAR\r\nMETHOD:CANCEL\r\nEND:VCALENDAR\r\n"
    with mail_app.app_context():
        queue_email(
            "a@example.org",
            "plain_only",
            subject="Cancelled",
            note="x",
            attachment=("text/calendar; method=CANCEL", ics),
        )
        db.session.commit()
        assert deliver_due().sent == 1
        assert deliver_due(utcnow() + dt.timedelta(hours=1)).sent == 0
    [received] = smtp_server.received
    assert [p.get_content_type() for p in received.message.walk()][-2:] == ["text/calendar", "application/ics"]


@pytest.mark.commits
def test_a_message_of_a_rolled_back_transaction_is_never_sent(mail_app, smtp_server):
    with mail_app.app_context():
        queue_email("a@example.org", "plain_only", subject="Never", note="x")
        db.session.rollback()
        report = deliver_due()
        assert report.sent == 0
        assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 0
    assert smtp_server.received == []


@pytest.mark.commits
def test_a_message_survives_an_outage_and_goes_out_when_the_server_returns(mail_app, smtp_server):
    smtp_server.stop()
    with mail_app.app_context():
        message = queue_email("a@example.org", "plain_only", subject="Later", note="x")
        db.session.commit()
        before = utcnow()
        report = deliver_due()
        assert (report.sent, report.retrying) == (0, 1)

        stored = reload(message.id)
        assert stored.status is OutboxStatus.PENDING
        assert stored.attempts == 1
        assert stored.next_attempt_at > before + dt.timedelta(seconds=50)
        assert stored.claimed_until is None
        assert "Connection" in stored.last_error  # ConnectionRefusedError
        retry_at = stored.next_attempt_at

        smtp_server.start()
        assert deliver_due().sent == 0  # not due yet: the back-off holds
        report = deliver_due(now=retry_at)
        assert report.sent == 1
        assert reload(message.id).status is OutboxStatus.SENT
    [received] = smtp_server.received
    assert received.message["Message-ID"] == message.message_id  # kept across the retry


@pytest.mark.commits
def test_back_off_doubles_then_the_message_fails_after_max_attempts(mail_app, smtp_server):
    mail_app.config["MAIL_MAX_ATTEMPTS"] = 4
    smtp_server.stop()
    with mail_app.app_context():
        message = queue_email("a@example.org", "plain_only", subject="Doomed", note="x")
        db.session.commit()
        now = utcnow()
        delays = []
        for _ in range(3):
            assert deliver_due(now=now).retrying == 1
            stored = reload(message.id)
            assert stored.status is OutboxStatus.PENDING
            delays.append(stored.next_attempt_at - now)
            now = stored.next_attempt_at
        for delay, minutes in zip(delays, (1, 2, 4)):
            assert abs(delay - dt.timedelta(minutes=minutes)) < dt.timedelta(seconds=5)

        assert deliver_due(now=now).failed == 1
        stored = reload(message.id)
        assert stored.status is OutboxStatus.FAILED
        assert stored.attempts == 4
        assert deliver_due(now=now + dt.timedelta(days=1)).sent == 0  # never tried again


def make_forum(slug: str) -> Forum:
    # Built here rather than by tests.factories: mail needs nothing of a forum but its id.
    forum = Forum(
        slug=slug,
        name=slug,
        title=slug,
        host_city="Tokyo",
        host_country="JP",
        timezone="Asia/Tokyo",
        first_day=dt.date(2018, 3, 1),
        last_day=dt.date(2018, 3, 3),
    )
    db.session.add(forum)
    db.session.flush()
    return forum


def test_retry_delay_is_capped_at_six_hours():
    assert retry_delay(1) == dt.timedelta(minutes=1)
    assert retry_delay(5) == dt.timedelta(minutes=16)
    assert retry_delay(10) == dt.timedelta(hours=6)
    assert retry_delay(1000) == dt.timedelta(hours=6)


@pytest.mark.commits
def test_a_refused_recipient_does_not_stop_the_batch(mail_app, smtp_server):
    smtp_server.handler.refuse.add("nobody@example.org")
    with mail_app.app_context():
        first = queue_email("first@example.org", "plain_only", subject="1", note="x")
        refused = queue_email("nobody@example.org", "plain_only", subject="2", note="x")
        last = queue_email("last@example.org", "plain_only", subject="3", note="x")
        db.session.commit()
        report = deliver_due()

        assert (report.sent, report.failed) == (2, 1)
        assert reload(first.id).status is OutboxStatus.SENT
        assert reload(last.id).status is OutboxStatus.SENT
        stored = reload(refused.id)
        assert stored.status is OutboxStatus.FAILED  # a 550 will not get better by retrying
        assert "550" in stored.last_error
    assert [r.rcpt_tos for r in smtp_server.received] == [["first@example.org"], ["last@example.org"]]
    assert len({r.peer for r in smtp_server.received}) == 1  # one connection for the batch


@pytest.mark.commits
def test_two_senders_at_once_never_send_a_message_twice(mail_app, smtp_server, monkeypatch):
    smtp_server.handler.delay = 0.01
    count = 12
    with mail_app.app_context():
        ids = [queue_email(f"p{n}@example.org", "plain_only", subject=f"#{n}", note="x").id for n in range(count)]
        db.session.commit()

    # Both senders pick the same due messages before either claims one: a real race.
    both_selected = threading.Barrier(2, timeout=10)
    due_ids = services._due_ids

    def due_ids_in_step(now: dt.datetime, limit: int) -> list[int]:
        found = due_ids(now, limit)
        both_selected.wait()
        return found

    monkeypatch.setattr(services, "_due_ids", due_ids_in_step)
    reports: list[services.DeliveryReport] = []
    errors: list[BaseException] = []

    def sender() -> None:
        try:
            with mail_app.app_context():
                reports.append(deliver_due())
        except BaseException as error:  # re-raised below, in the test's thread
            errors.append(error)

    threads = [threading.Thread(target=sender) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    assert sum(r.sent for r in reports) == count
    assert sum(r.skipped for r in reports) == count  # each lost every race it was in
    message_ids = [r.message["Message-ID"] for r in smtp_server.received]
    assert len(message_ids) == len(set(message_ids)) == count
    with mail_app.app_context():
        assert {reload(i).status for i in ids} == {OutboxStatus.SENT}


@pytest.mark.commits
def test_undelivered_lists_pending_and_failed_newest_first(mail_app, smtp_server):
    smtp_server.handler.refuse.add("bad@example.org")
    with mail_app.app_context():
        forum, other = make_forum("isef2"), make_forum("isef3")
        sent = queue_email("ok@example.org", "plain_only", subject="sent", note="x", forum_id=forum.id)
        failed = queue_email("bad@example.org", "plain_only", subject="failed", note="x", forum_id=forum.id)
        db.session.commit()
        deliver_due()
        pending = queue_email("new@example.org", "plain_only", subject="pending", note="x", forum_id=forum.id)
        elsewhere = queue_email("x@example.org", "plain_only", subject="other", note="x", forum_id=other.id)
        db.session.commit()

        assert [m.id for m in undelivered(forum.id)] == [pending.id, failed.id]
        assert [m.id for m in undelivered()] == [elsewhere.id, pending.id, failed.id]
        assert sent.id not in [m.id for m in undelivered()]


def test_mail_outlives_its_forum(mail_app):
    with mail_app.app_context():
        forum = make_forum("isef2")
        message = queue_email("a@example.org", "plain_only", subject="x", note="x", forum_id=forum.id)
        db.session.commit()
        db.session.delete(forum)
        db.session.commit()
        assert reload(message.id).forum_id is None


@pytest.mark.parametrize(
    ("to", "subject"),
    [
        ("a@example.org\r\nBcc: victim@example.org", "Hi"),
        ("a@example.org, b@example.org", "Hi"),
        ("not-an-address", "Hi"),
        ("a@example.org", "Hi\r\nBcc: victim@example.org"),
        ("a@example.org", ""),
    ],
)
def test_header_injection_and_bad_addresses_are_refused(mail_app, to, subject):
    with mail_app.app_context(), pytest.raises(ValueError):
        queue_email(to, "plain_only", subject=subject, note="x")


def test_the_database_keeps_attempts_non_negative(mail_app):
    with mail_app.app_context():
        message = queue_email("a@example.org", "plain_only", subject="x", note="x")
        message.attempts = -1
        with pytest.raises(IntegrityError):
            db.session.flush()
        db.session.rollback()


@pytest.mark.commits
def test_mail_rendered_later_is_rendered_by_the_sender_and_kept(mail_app, smtp_server):
    """Busy paths queue the template and its context; the sender renders it, in the language
    stored with it, and the record keeps what was sent."""
    from planner.mail.services import deliver_due, queue_email

    with mail_app.test_request_context():
        message = queue_email(
            "a@example.org", "greeting", subject="Later", render_later=True, name="田中", note="Rendered by the sender."
        )
        assert (message.text_body, message.template, message.language) == ("", "greeting", "en")
        db.session.commit()
        assert deliver_due().sent == 1
        stored = reload(message.id)
        assert "田中様" in stored.text_body and "Rendered by the sender." in stored.html_body
    [received] = smtp_server.received
    assert "田中様" in received.message.get_body(preferencelist=("plain",)).get_content()


def test_mail_rendered_later_needs_a_plain_context(mail_app):
    import datetime

    from planner.mail.services import queue_email

    with mail_app.test_request_context(), pytest.raises(ValueError, match="plain JSON context"):
        queue_email(
            "a@example.org", "greeting", subject="Later", render_later=True, name="x", note=datetime.date(2018, 3, 3)
        )
