"""The development transport (MAIL_SERVER=console): every message kept whole as an .eml file
under instance/mail/, its path, subject and text printed; delivery stays exactly once."""

from __future__ import annotations

import email
import email.policy
import re
from pathlib import Path

import pytest
from flask import Flask
from jinja2 import ChoiceLoader, DictLoader

from planner import create_app
from planner.extensions import db
from planner.mail.models import OutboxStatus
from planner.mail.services import deliver_due, queue_email
from planner.mail.smtp import ConsoleConnection, MailSettings, build_mime
from tests.mail.conftest import SENDER, TEST_TEMPLATES, reload

ICS = "BEGIN:VCALENDAR\r\nMETHOD:REQUEST\r\nSUMMARY:開会式\r\nEND:VCALENDAR\r\n"


@pytest.fixture
def console_app(app: Flask, tmp_path: Path) -> Flask:
    """The conftest app on the console transport, writing to a folder of the test's own."""
    app.config.update(MAIL_SERVER="console", MAIL_CONSOLE_DIRECTORY=str(tmp_path / "mail"), MAIL_DEFAULT_SENDER=SENDER)
    app.jinja_env.loader = ChoiceLoader([DictLoader(TEST_TEMPLATES), app.jinja_env.loader])
    return app


def saved(app: Flask) -> list[Path]:
    return sorted(Path(app.config["MAIL_CONSOLE_DIRECTORY"]).glob("*"))


def same_but_boundaries(a: bytes, b: bytes) -> bool:
    boundary = re.compile(rb"={5,}\d+==")
    return boundary.sub(b"BOUNDARY", a) == boundary.sub(b"BOUNDARY", b)


def read_eml(path: Path) -> email.message.EmailMessage:
    return email.message_from_bytes(path.read_bytes(), policy=email.policy.default)  # type: ignore[return-value]


@pytest.mark.commits
def test_an_invitation_is_kept_whole_with_its_html_and_calendar_parts(console_app, capsys):
    with console_app.app_context():
        message = queue_email(
            "dev@example.org",
            "greeting",
            subject="Invitation: 開会式",
            name="Dev",
            note="See you",
            attachment=("text/calendar; method=REQUEST", ICS),
        )
        db.session.commit()
        assert deliver_due().sent == 1
        sent = reload(message.id)
        as_sent = build_mime(sent, SENDER).as_bytes()
    [path] = saved(console_app)
    assert path.suffix == ".eml"
    # The file is the message as it would go over SMTP, byte for byte but for the random
    # boundary between parts.
    assert same_but_boundaries(path.read_bytes(), as_sent)
    mime = read_eml(path)
    assert mime["Subject"] == "Invitation: 開会式" and mime["Message-ID"] == message.message_id
    assert "Dev様" in mime.get_body(("plain",)).get_content()
    assert "<p>Dev様</p>" in mime.get_body(("html",)).get_content()
    [calendar] = [part for part in mime.walk() if part.get_content_type() == "text/calendar"]
    assert calendar["Content-Type"].params["method"] == "REQUEST"
    assert "SUMMARY:開会式" in calendar.get_content()

    printed = capsys.readouterr().err
    assert "To: dev@example.org" in printed and "Subject: Invitation: 開会式" in printed
    assert f"Saved as: {path}" in printed
    assert "Parts: text/plain, text/html, text/calendar; method=REQUEST" in printed
    assert "See you" in printed  # the text, so that links can be followed from the terminal


@pytest.mark.commits
def test_an_attachment_is_in_the_file(console_app, capsys):
    with console_app.app_context():
        queue_email(
            "dev@example.org", "plain_only", subject="Badges", note="x", attachment=("text/csv", "name\r\nAda\r\n")
        )
        db.session.commit()
        assert deliver_due().sent == 1
    [path] = saved(console_app)
    [attached] = read_eml(path).iter_attachments()
    assert attached.get_content_type() == "text/csv" and attached.get_content() == "name\r\nAda\r\n"
    assert "text/csv (attachment.csv)" in capsys.readouterr().err


@pytest.mark.commits
def test_each_message_once_and_a_resent_one_replaces_its_file(console_app):
    with console_app.app_context():
        first = queue_email("a@example.org", "plain_only", subject="One", note="1")
        queue_email("b@example.org", "plain_only", subject="Two", note="2")
        db.session.commit()
        assert deliver_due().sent == 2
        assert deliver_due().sent == 0  # nothing is delivered twice
        assert len(saved(console_app)) == 2
        # A sender that died after sending sends again (at least once): same Message-ID, same file.
        mime = build_mime(reload(first.id), SENDER)
        ConsoleConnection(MailSettings.from_config(console_app.config)).send(mime)
    files = saved(console_app)
    assert len(files) == 2 and all(f.suffix == ".eml" for f in files)
    assert {read_eml(f)["Subject"] for f in files} == {"One", "Two"}


@pytest.mark.commits
def test_a_file_that_cannot_be_written_is_tried_again_later(console_app, tmp_path):
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("")
    console_app.config["MAIL_CONSOLE_DIRECTORY"] = str(blocked)
    with console_app.app_context():
        message = queue_email("a@example.org", "plain_only", subject="One", note="1")
        db.session.commit()
        report = deliver_due()
        assert (report.sent, report.retrying) == (0, 1)
        stored = reload(message.id)
        assert stored.status is OutboxStatus.PENDING and stored.sent_at is None
        assert "FileExistsError" in stored.last_error


def test_development_keeps_mail_in_the_instance_folder(monkeypatch, tmp_path):
    monkeypatch.setenv("PLANNER_INSTANCE_PATH", str(tmp_path))
    monkeypatch.delenv("PLANNER_MAIL_SERVER", raising=False)
    monkeypatch.delenv("PLANNER_MAIL_CONSOLE_DIRECTORY", raising=False)
    config = create_app({"ENV": "development"}).config
    assert (config["MAIL_SERVER"], config["MAIL_CONSOLE_DIRECTORY"]) == ("console", str(tmp_path / "mail"))
    assert MailSettings.from_config(config).console_directory == str(tmp_path / "mail")
