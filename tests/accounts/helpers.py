"""Reading what planner queued in the outbox, as a person reads their email."""

from __future__ import annotations

import re

from sqlalchemy import select

from planner.extensions import db
from planner.mail.models import OutboxMessage


def mails_to(app, address: str) -> list[OutboxMessage]:  # noqa: ANN001
    with app.app_context():
        messages = db.session.scalars(
            select(OutboxMessage).where(OutboxMessage.to_address == address).order_by(OutboxMessage.id)
        ).all()
        db.session.expunge_all()
        return list(messages)


def link_in(message: OutboxMessage) -> str:
    """The path of the first planner link in a message's text."""
    match = re.search(r"https?://[^/\s]+(/\S+)", message.text_body)
    assert match, message.text_body
    return match.group(1)
