"""The operator commands, through Flask's CLI runner."""

from __future__ import annotations

import signal

import pytest

from planner.crypto import new_key
from planner.extensions import db
from planner.mail import cli
from planner.mail.cli import send_mail_command, send_test_mail_command
from planner.mail.services import queue_email


@pytest.mark.commits
def test_send_mail_delivers_what_is_due_and_says_so(mail_app, smtp_server):
    with mail_app.app_context():
        queue_email("a@example.org", "plain_only", subject="1", note="x")
        queue_email("b@example.org", "plain_only", subject="2", note="x")
        db.session.commit()
    result = mail_app.test_cli_runner().invoke(send_mail_command)
    assert result.exit_code == 0, result.output
    assert result.output == "Sent 2, retrying 0, failed 0, skipped 0.\n"
    assert len(smtp_server.received) == 2


@pytest.mark.commits
def test_send_mail_loop_stops_cleanly_on_sigterm(mail_app, smtp_server, monkeypatch):
    with mail_app.app_context():
        queue_email("a@example.org", "plain_only", subject="1", note="x")
        db.session.commit()
    rounds = []
    deliver_due = cli.deliver_due

    def deliver_then_terminate(**kwargs):
        rounds.append(kwargs)
        if len(rounds) == 2:
            signal.raise_signal(signal.SIGTERM)  # as `kill` or systemd would
        return deliver_due(**kwargs)

    monkeypatch.setattr(cli, "deliver_due", deliver_then_terminate)
    default_handler = signal.getsignal(signal.SIGTERM)
    result = mail_app.test_cli_runner().invoke(send_mail_command, ["--loop", "--interval", "0.1"])

    assert result.exit_code == 0, result.output
    assert len(rounds) == 2  # the round under way finished, no further one started
    assert result.output.splitlines() == ["Sent 1, retrying 0, failed 0, skipped 0.", "Stopped sending mail."]
    assert signal.getsignal(signal.SIGTERM) is default_handler
    assert len(smtp_server.received) == 1


@pytest.mark.commits
def test_send_test_mail_sends_the_hello_message(mail_app, smtp_server):
    result = mail_app.test_cli_runner().invoke(send_test_mail_command, ["ops@example.org"])
    assert result.exit_code == 0, result.output
    assert "Sent a test message to ops@example.org." in result.output
    [received] = smtp_server.received
    assert received.message["Subject"] == "planner test message"
    assert "ops@example.org" in received.message.get_body(("plain",)).get_content()
    assert received.message.get_body(("html",)) is not None


@pytest.mark.commits
def test_send_test_mail_reports_a_down_server(mail_app, smtp_server):
    smtp_server.stop()
    result = mail_app.test_cli_runner().invoke(send_test_mail_command, ["ops@example.org"])
    assert result.exit_code == 1
    assert "Could not send to ops@example.org" in result.output
    assert "Connection" in result.output


def test_send_test_mail_refuses_a_bad_address(mail_app):
    result = mail_app.test_cli_runner().invoke(send_test_mail_command, ["not an address"])
    assert result.exit_code == 2


def test_development_defaults_to_the_console_transport(monkeypatch, tmp_path):
    from planner import create_app

    monkeypatch.setenv("PLANNER_INSTANCE_PATH", str(tmp_path))
    monkeypatch.delenv("PLANNER_MAIL_SERVER", raising=False)
    assert create_app({"ENV": "development"}).config["MAIL_SERVER"] == "console"
    assert (
        create_app({"ENV": "production", "SECRET_KEY": "x" * 40, "IDENTITY_KEYS": new_key()}).config.get("MAIL_SERVER")
        is None
    )
