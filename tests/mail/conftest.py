"""Mail tests talk to a real SMTP server: aiosmtpd on 127.0.0.1, recording what it receives."""
from __future__ import annotations

import asyncio
import email
import email.policy
import socket
from collections.abc import Iterator
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from flask import Flask
from jinja2 import ChoiceLoader, DictLoader

# Registers outbox_messages in the metadata before the session fixture creates the schema.
import planner.mail.models  # noqa: F401
from planner.extensions import db
from planner.mail.models import OutboxMessage
from planner.mail.services import init_app

SENDER = "planner <noreply@planner.test>"

# Templates only the tests use: Japanese text, and markup that must be escaped in HTML only.
TEST_TEMPLATES = {
    "mail/greeting.txt": (
        '{% extends "mail/base.txt" %}{% block body %}{{ name }}様\n\n{{ note }}{% endblock %}'
    ),
    "mail/greeting.html": (
        '{% extends "mail/base.html" %}{% block body %}<p>{{ name }}様</p><p>{{ note }}</p>{% endblock %}'
    ),
    "mail/plain_only.txt": "{{ note }}",
}


@dataclass(frozen=True)
class Received:
    mail_from: str
    rcpt_tos: list[str]
    peer: Any  # the client's (host, port): one value per SMTP connection
    message: EmailMessage


class RecordingHandler:
    """Accepts everything except the addresses in ``refuse``, which get a permanent 550."""

    def __init__(self) -> None:
        self.received: list[Received] = []
        self.refuse: set[str] = set()
        self.delay = 0.0

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, options: Any) -> str:
        if address in self.refuse:
            return "550 5.1.1 No such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.delay:
            await asyncio.sleep(self.delay)
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        self.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos), session.peer, message))
        return "250 Message accepted"


class SMTPServer:
    """An aiosmtpd server on a fixed free port that a test can stop (an outage) and restart."""

    def __init__(self) -> None:
        self.handler = RecordingHandler()
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port: int = probe.getsockname()[1]
        self._controller: Controller | None = None

    @property
    def received(self) -> list[Received]:
        return self.handler.received

    def start(self) -> None:
        # A stopped controller has closed its event loop; a restart needs a new one.
        self._controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)
        self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None


@pytest.fixture
def smtp_server() -> Iterator[SMTPServer]:
    server = SMTPServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def mail_app(app: Flask, smtp_server: SMTPServer) -> Flask:
    """The conftest app (tables emptied after the test) sending to ``smtp_server``."""
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
    """The message as the sender left it (it commits on a session of its own)."""
    db.session.expire_all()
    message = db.session.get(OutboxMessage, message_id)
    assert message is not None
    return message
