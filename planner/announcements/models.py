"""Announcements as they were sent: the message in the forum's languages, stored once, and
everyone it went to. The outbox keeps one message per recipient (``OutboxMessage.announcement_id``),
rendered from the announcement when it is sent."""

from __future__ import annotations

import datetime as dt
import enum
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from planner.db import Base, UTCDateTime, utcnow
from planner.enums import enum_column_type
from planner.translated import Translations, translations_column
from planner.validators import NAME_MAX

if TYPE_CHECKING:
    from planner.accounts.models import User
    from planner.forums.models import Forum


class AudienceKind(enum.StrEnum):
    REGISTRATIONS = "registrations"  # of the forum's events, filtered as on the registrations page
    FOCAL_POINTS = "focal_points"  # of the forum's delegations
    DELEGATIONS = "delegations"  # the accredited members of chosen delegations
    SESSIONS = "sessions"  # the people who picked chosen sessions for their agenda


class Announcement(Base):
    __tablename__ = "announcements"
    __table_args__ = (
        CheckConstraint("subject <> ''", name="subject_not_empty"),
        CheckConstraint("recipient_count > 0", name="someone_to_tell"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    forum_id: Mapped[int] = mapped_column(ForeignKey("forums.id", ondelete="CASCADE"), index=True)
    # Kept after the organiser's account is deleted: the announcement was still sent.
    sender_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    sender_name: Mapped[str] = mapped_column(String(NAME_MAX))
    # Where recipients' replies go: the sending organiser's address when it was sent.
    reply_to: Mapped[str] = mapped_column(String(320))
    # In the forum's first language; the others in ``translations``.
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)  # Markdown, rendered and sanitised as statements are
    translations: Mapped[Translations] = translations_column()
    audience_kind: Mapped[AudienceKind] = mapped_column(enum_column_type(AudienceKind, "audience_kind"))
    # The audience's choices as query arguments (filters, delegation or session ids) and in words.
    audience: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    audience_summary: Mapped[str] = mapped_column(Text, default="")
    recipient_count: Mapped[int]
    # The key of the form it was sent from: the same form posted twice (a double click, a
    # resent request) is sent once.
    form_key: Mapped[str] = mapped_column(String(64), unique=True)
    sent_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    forum: Mapped[Forum] = relationship()
    sender: Mapped[User | None] = relationship()
    recipients: Mapped[list[AnnouncementRecipient]] = relationship(
        back_populates="announcement", cascade="all, delete-orphan", passive_deletes=True
    )

    def __repr__(self) -> str:
        return f"<Announcement {self.id} {self.subject!r} to {self.recipient_count}>"


class AnnouncementRecipient(Base):
    """One person an announcement went to: one per address, however many ways they were in the audience."""

    __tablename__ = "announcement_recipients"
    __table_args__ = (
        UniqueConstraint("announcement_id", "email"),
        CheckConstraint("email <> ''", name="email_not_empty"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    announcement_id: Mapped[int] = mapped_column(ForeignKey("announcements.id", ondelete="CASCADE"))
    email: Mapped[str] = mapped_column(String(320))
    # The account it reached, for their /me page; None for a delegation member without one.
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    name: Mapped[str] = mapped_column(String(NAME_MAX))
    language: Mapped[str] = mapped_column(String(16))

    announcement: Mapped[Announcement] = relationship(back_populates="recipients")
