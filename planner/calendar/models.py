"""Secret links to calendar feeds that a calendar app reads without signing in."""

from __future__ import annotations

import datetime as dt
import enum
import secrets
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from planner.db import Base, UTCDateTime, utcnow
from planner.enums import enum_column_type

if TYPE_CHECKING:
    from planner.accounts.models import User
    from planner.forums.models import Forum

#: 32 random bytes (256 bits), URL-safe: 43 characters.
TOKEN_BYTES = 32
TOKEN_LENGTH = 43


def new_feed_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


class FeedKind(enum.StrEnum):
    PERSONAL = "personal"  # a delegate's picked sessions and confirmed events
    ORGANISER = "organiser"  # every session of one forum, closed ones too


class CalendarFeedToken(Base):
    """The secret in ``/feeds/<token>.ics``. Making a new one deletes the old row, so the
    old address stops working in the same transaction."""

    __tablename__ = "calendar_feed_tokens"
    __table_args__ = (
        CheckConstraint("(kind = 'organiser') = (forum_id IS NOT NULL)", name="organiser_feed_has_forum"),
        Index("ix_calendar_feed_tokens_user_id_kind", "user_id", "kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(64), unique=True, default=new_feed_token)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[FeedKind] = mapped_column(enum_column_type(FeedKind, "feed_kind"))
    forum_id: Mapped[int | None] = mapped_column(ForeignKey("forums.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship()
    forum: Mapped[Forum | None] = relationship()


class InvitationState(Base):
    """What planner last told one attendee about one UID by email (iTIP). RFC 5546 orders
    messages by SEQUENCE, then DTSTAMP: each new message to the attendee raises both, so a
    REQUEST after a CANCEL (a session picked again) is never taken for an older one."""

    __tablename__ = "calendar_invitations"

    attendee: Mapped[str] = mapped_column(String(320), primary_key=True)  # the address, lower case
    uid: Mapped[str] = mapped_column(String(255), primary_key=True)
    sequence: Mapped[int] = mapped_column()
    # DTSTAMP in whole seconds since the epoch: iCalendar has no finer unit to compare.
    stamp: Mapped[int] = mapped_column()
    method: Mapped[str] = mapped_column(String(8))


class HeldInvitation(Base):
    """An agenda invitation waiting in the outbox for a moment (CALENDAR_AGENDA_MAIL_DELAY),
    so that the person's next change to the same session replaces it instead of following it."""

    __tablename__ = "calendar_held_invitations"
    __table_args__ = (Index("ix_calendar_held_invitations_user_id_session_id", "user_id", "session_id"),)

    message_id: Mapped[int] = mapped_column(ForeignKey("outbox_messages.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    session_id: Mapped[int] = mapped_column(ForeignKey("sessions.id", ondelete="CASCADE"))
    method: Mapped[str] = mapped_column(String(8))
    # No earlier message about the session reached the person: dropping this one leaves nothing to cancel.
    first: Mapped[bool] = mapped_column()
