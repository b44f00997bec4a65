"""The outbox: every email planner owes someone, written in the transaction that causes it."""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from planner.db import Base, UTCDateTime, utcnow
from planner.enums import enum_column_type


class OutboxStatus(enum.StrEnum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"  # gave up: too many attempts, or the server refused it for good


class OutboxMessage(Base):
    __tablename__ = "outbox_messages"
    __table_args__ = (
        CheckConstraint("to_address <> ''", name="to_address_not_empty"),
        CheckConstraint("attempts >= 0", name="attempts_not_negative"),
        CheckConstraint("(status = 'sent') = (sent_at IS NOT NULL)", name="sent_at_when_sent"),
        # A lease only makes sense while a sender may still pick the message up.
        CheckConstraint("claimed_until IS NULL OR status = 'pending'", name="lease_only_pending"),
        CheckConstraint("(attachment_content_type IS NULL) = (attachment_body IS NULL)", name="attachment_complete"),
        # The sender's question is "pending and due?"; sent mail piles up, so status leads.
        Index("ix_outbox_messages_due", "status", "next_attempt_at"),
        # An announcement is queued once per address, however often its queueing is tried.
        UniqueConstraint("announcement_id", "to_address"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    to_address: Mapped[str] = mapped_column(String(320))
    subject: Mapped[str] = mapped_column(String(300))
    text_body: Mapped[str] = mapped_column(Text)
    html_body: Mapped[str | None] = mapped_column(Text)
    # Mail rendered when it is sent, not in the request that queued it: the template, its
    # plain-JSON context and the language. The bodies above are filled in on delivery.
    template: Mapped[str | None] = mapped_column(String(100))
    context: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    language: Mapped[str | None] = mapped_column(String(16))
    # One extra text part, e.g. 'text/calendar; method=REQUEST' for calendar invites.
    attachment_content_type: Mapped[str | None] = mapped_column(String(100))
    attachment_body: Mapped[str | None] = mapped_column(Text)
    # Lets a forum's organisers see its undelivered mail; the mail outlives a deleted forum.
    forum_id: Mapped[int | None] = mapped_column(ForeignKey("forums.id", ondelete="SET NULL"), index=True)
    status: Mapped[OutboxStatus] = mapped_column(
        enum_column_type(OutboxStatus, "outbox_status"), default=OutboxStatus.PENDING
    )
    # Delivery attempts made so far, the successful one included.
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    # A sender's lease: until then no other sender may take the message.
    claimed_until: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str] = mapped_column(Text, default="")
    sent_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The announcement this message is one copy of: its text is stored there once and read
    # when the message is rendered (``load_context_for``); its outcome counts as delivered.
    announcement_id: Mapped[int | None] = mapped_column(ForeignKey("announcements.id", ondelete="SET NULL"))
    # Where replies go (an announcement's organiser); None: the sender's address, not read.
    reply_to: Mapped[str | None] = mapped_column(String(320))
    # RFC 5322 Message-ID, fixed at queue time so that a retried message keeps it.
    message_id: Mapped[str] = mapped_column(String(200), unique=True)

    def __repr__(self) -> str:
        return f"<OutboxMessage {self.id} to {self.to_address} {self.status}>"
