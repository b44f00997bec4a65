"""Organisers' webhook endpoints and the outbox of their deliveries."""

from __future__ import annotations

import datetime as dt
import enum
from typing import TYPE_CHECKING

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from planner.crypto import EncryptedText
from planner.db import Base, UTCDateTime, utcnow
from planner.enums import enum_column_type

if TYPE_CHECKING:
    from planner.accounts.models import User


class WebhookEvent(enum.StrEnum):
    """What an endpoint may be told of; ``ping`` only comes from the page's test button."""

    REGISTRATION_CREATED = "registration.created"
    REGISTRATION_CHANGED = "registration.changed"
    SESSION_MOVED = "session.moved"
    SESSION_CLOSED = "session.closed"
    STATEMENT_ADOPTED = "statement.adopted"
    PING = "ping"


#: The events an organiser subscribes an endpoint to (every endpoint gets the pings it asks for).
SUBSCRIBABLE = tuple(event for event in WebhookEvent if event is not WebhookEvent.PING)


class WebhookEndpoint(Base):
    __tablename__ = "webhook_endpoints"
    __table_args__ = (CheckConstraint("url <> ''", name="url_not_empty"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    forum_id: Mapped[int] = mapped_column(ForeignKey("forums.id", ondelete="CASCADE"), index=True)
    url: Mapped[str] = mapped_column(String(500))
    description: Mapped[str] = mapped_column(String(200), default="")
    # WebhookEvent values the endpoint is told of.
    events: Mapped[list[str]] = mapped_column(JSON, default=list)
    # The HMAC key deliveries are signed with: shown to the organiser once, encrypted at rest.
    secret: Mapped[str] = mapped_column(EncryptedText)
    is_active: Mapped[bool] = mapped_column(default=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    created_by: Mapped[User | None] = relationship()

    def __repr__(self) -> str:
        return f"<WebhookEndpoint {self.id} forum={self.forum_id}>"


class DeliveryStatus(enum.StrEnum):
    PENDING = "pending"
    DELIVERED = "delivered"
    FAILED = "failed"  # gave up: a day of refusals or silence


class WebhookDelivery(Base):
    """One event owed to one endpoint: written in the transaction of the change it tells of."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        CheckConstraint("attempts >= 0", name="attempts_not_negative"),
        CheckConstraint("(status = 'delivered') = (delivered_at IS NOT NULL)", name="delivered_at_when_delivered"),
        # A lease only makes sense while a sender may still pick the delivery up.
        CheckConstraint("claimed_until IS NULL OR status = 'pending'", name="lease_only_pending"),
        # The sender's question is "pending and due?"; delivered rows pile up, so status leads.
        Index("ix_webhook_deliveries_due", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    endpoint_id: Mapped[int] = mapped_column(ForeignKey("webhook_endpoints.id", ondelete="CASCADE"), index=True)
    # A UUID4: the receiver's key to recognise a delivery it got before.
    delivery_id: Mapped[str] = mapped_column(String(36), unique=True)
    event: Mapped[str] = mapped_column(String(60))
    # The exact JSON sent, fixed when queued: every attempt signs and sends the same bytes.
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[DeliveryStatus] = mapped_column(
        enum_column_type(DeliveryStatus, "webhook_delivery_status"), default=DeliveryStatus.PENDING
    )
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    # A sender's lease: until then no other sender may take the delivery.
    claimed_until: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    last_status_code: Mapped[int | None]
    last_error: Mapped[str] = mapped_column(Text, default="")
    delivered_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    endpoint: Mapped[WebhookEndpoint] = relationship()

    def __repr__(self) -> str:
        return f"<WebhookDelivery {self.id} {self.event} {self.status}>"
