"""Mail tests talk to a real SMTP server: aiosmtpd on 127.0.0.1, recording what it receives."""

from __future__ import annotations

import pytest
from flask import Flask
from jinja2 import ChoiceLoader, DictLoader

# Registers outbox_messages in the metadata before the session fixture creates the schema.
import planner.mail.models  # noqa: F401
from planner.extensions import db
from planner.mail.models import OutboxMessage
from planner.mail.services import init_app
from tests.smtp import SMTPServer

SENDER = "planner <noreply@planner.test>"

# Templates only the tests use: Japanese text, and markup that must be escaped in HTML only.
TEST_TEMPLATES = {
    "mail/greeting.txt": ('{% extends "mail/base.txt" %}{% block body %}{{ name }}様\n\n{{ note }}{% endblock %}'),
    "mail/greeting.html": (
        '{% extends "mail/base.html" %}{% block body %}<p>{{ name }}様</p><p>{{ note }}</p>{% endblock %}'
    ),
    "mail/plain_only.txt": "{{ note }}",
}


@pytest.fixture
def mail_app(app: Flask, smtp_server: SMTPServer) -> Flask:
    """The conftest app sending to ``smtp_server`` (its settings and templates are put back after the test)."""
    app.config.update(
        MAIL_SERVER="127.0.0.1",
        MAIL_PORT=smtp_server.port,
        MAIL_DEFAULT_SENDER=SENDER,
        MAIL_TIMEOUT=5,
        MAIL_PROMPT_DELIVERY="off",
    )
    init_app(app)
    app.jinja_env.loader = ChoiceLoader([DictLoader(TEST_TEMPLATES), app.jinja_env.loader])
    return app


def reload(message_id: int) -> OutboxMessage:
    """The message as the sender left it (it commits on a session of its own). Ends the
    test's transaction first: on SQLite a transaction keeps reading its first snapshot."""
    db.session.commit()
    message = db.session.get(OutboxMessage, message_id)
    assert message is not None
    return message
