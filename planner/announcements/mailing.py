"""An announcement's message as the sender renders it: the stored text in the recipient's
language, read when the message is sent (``mail.services.load_context_for``)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from planner.announcements.models import Announcement, AnnouncementRecipient
from planner.extensions import db
from planner.mail.models import OutboxMessage
from planner.statements.rendering import render_markdown
from planner.translated import localized


class AnnouncementGone(LookupError):
    """The message's announcement was deleted (with its forum) before it was sent."""


def announcement_context(message: OutboxMessage) -> dict[str, Any]:
    """What ``mail/announcement.*`` shows. Read on a short session of its own: the sender
    calls it between its own transactions, and must not be left holding one."""
    language = message.language or "en"
    with Session(db.engine) as session:
        announcement = session.get(Announcement, message.announcement_id) if message.announcement_id else None
        if announcement is None:
            raise AnnouncementGone(f"announcement {message.announcement_id} of mail {message.id} is gone")
        name = session.scalar(
            select(AnnouncementRecipient.name).where(
                AnnouncementRecipient.announcement_id == announcement.id,
                AnnouncementRecipient.email == message.to_address,
            )
        )
        body = localized(announcement, "body", language)
        return {
            "recipient_name": name or "",
            "forum_name": announcement.forum.name,
            "sender_name": announcement.sender_name,
            "reply_to": announcement.reply_to,
            "subject": localized(announcement, "subject", language),
            "body_text": body,
            "body_html": render_markdown(body),
        }
