"""The prompt attempt: mail queued by a request goes out as soon as the request commits."""

from __future__ import annotations

import threading

import pytest
from flask import Flask, request
from sqlalchemy import func, select

from planner.extensions import db
from planner.mail.models import OutboxMessage, OutboxStatus
from planner.mail.services import queue_email
from tests.mail.conftest import reload

# The client below adds a route: an app of the module's own for each test.
pytestmark = pytest.mark.app_config()


@pytest.fixture
def client(mail_app: Flask):
    """A client of an app with one view that queues a message, as a real view would."""

    @mail_app.post("/queue")
    def queue() -> str:
        message = queue_email(request.form["to"], "plain_only", subject="Welcome", note="こんにちは")
        if request.form.get("fail"):
            db.session.rollback()  # the view's change failed: its mail must go with it
            return "rolled back"
        db.session.commit()
        return str(message.id)

    return mail_app.test_client()


@pytest.mark.commits
def test_inline_delivers_right_after_the_commit(mail_app, smtp_server, client):
    mail_app.config["MAIL_PROMPT_DELIVERY"] = "inline"
    response = client.post("/queue", data={"to": "a@example.org"})
    assert response.status_code == 200
    # Sent before the response returned.
    [received] = smtp_server.received
    assert received.message.get_content().strip() == "こんにちは"
    with mail_app.app_context():
        assert reload(int(response.text)).status is OutboxStatus.SENT


@pytest.mark.commits
def test_a_down_server_during_the_prompt_attempt_leaves_the_message_pending(mail_app, smtp_server, client):
    mail_app.config["MAIL_PROMPT_DELIVERY"] = "inline"
    smtp_server.stop()
    response = client.post("/queue", data={"to": "a@example.org"})
    assert response.status_code == 200
    with mail_app.app_context():
        stored = reload(int(response.text))
        assert stored.status is OutboxStatus.PENDING
        assert stored.attempts == 1
        assert stored.last_error


@pytest.mark.commits
def test_a_rolled_back_request_sends_nothing(mail_app, smtp_server, client):
    mail_app.config["MAIL_PROMPT_DELIVERY"] = "inline"
    response = client.post("/queue", data={"to": "a@example.org", "fail": "1"})
    assert response.text == "rolled back"
    assert smtp_server.received == []
    with mail_app.app_context():
        assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 0


@pytest.mark.commits
def test_thread_delivers_in_the_background(mail_app, smtp_server, client):
    mail_app.config["MAIL_PROMPT_DELIVERY"] = "thread"
    response = client.post("/queue", data={"to": "a@example.org"})
    assert response.status_code == 200
    for thread in threading.enumerate():
        if thread.name == "planner-mail":
            thread.join(timeout=10)
    assert len(smtp_server.received) == 1


def test_off_leaves_the_message_to_the_worker(mail_app, smtp_server, client):
    response = client.post("/queue", data={"to": "a@example.org"})
    assert smtp_server.received == []
    with mail_app.app_context():
        assert reload(int(response.text)).status is OutboxStatus.PENDING


def test_a_commit_outside_a_request_is_left_to_the_worker(mail_app, smtp_server):
    mail_app.config["MAIL_PROMPT_DELIVERY"] = "inline"
    with mail_app.app_context():
        message = queue_email("a@example.org", "plain_only", subject="From a script", note="x")
        db.session.commit()
        assert reload(message.id).status is OutboxStatus.PENDING
    assert smtp_server.received == []


def test_a_bad_prompt_mode_is_refused_at_start_up(database_url):
    from planner import ConfigError, create_app

    with pytest.raises(ConfigError, match="MAIL_PROMPT_DELIVERY"):
        create_app({"ENV": "testing", "SQLALCHEMY_DATABASE_URI": database_url, "MAIL_PROMPT_DELIVERY": "later"})
