"""Sessions of an event, with their chairs and speakers."""

from __future__ import annotations

import datetime as dt
import enum
from typing import TYPE_CHECKING

from sqlalchemy import JSON, CheckConstraint, Date, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from planner.db import Base, UTCDateTime, utcnow
from planner.enums import enum_column_type
from planner.translated import Translations, translations_column

if TYPE_CHECKING:
    from planner.delegations.models import Person
    from planner.forums.models import Event, Room


class SessionKind(enum.StrEnum):
    PLENARY = "plenary"
    KEYNOTE = "keynote"
    PANEL = "panel"
    WORKSHOP = "workshop"
    CEREMONY = "ceremony"
    BILATERAL = "bilateral"
    PRESS = "press"
    BREAK = "break"
    RECEPTION = "reception"
    OTHER = "other"


class SessionStatus(enum.StrEnum):
    SCHEDULED = "scheduled"
    # A cancelled session stays in the programme and in calendars, marked as cancelled.
    CANCELLED = "cancelled"


class ParticipantRole(enum.StrEnum):
    CHAIR = "chair"
    SPEAKER = "speaker"


class Session(Base):
    __tablename__ = "sessions"
    __table_args__ = (
        CheckConstraint("starts_at < ends_at", name="times_in_order"),
        CheckConstraint("title <> ''", name="title_not_empty"),
        CheckConstraint("revision >= 1", name="revision_positive"),
        # The timetable reads one event's (or forum's) sessions by start time.
        Index("ix_sessions_event_id_starts_at", "event_id", "starts_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(300))
    kind: Mapped[SessionKind] = mapped_column(enum_column_type(SessionKind, "session_kind"), default=SessionKind.OTHER)
    starts_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    room_id: Mapped[int | None] = mapped_column(ForeignKey("rooms.id", ondelete="SET NULL"), index=True)
    description: Mapped[str] = mapped_column(Text, default="")
    is_public: Mapped[bool] = mapped_column(default=True)
    status: Mapped[SessionStatus] = mapped_column(
        enum_column_type(SessionStatus, "session_status"),
        default=SessionStatus.SCHEDULED,
        server_default=SessionStatus.SCHEDULED.value,
    )
    # ISO 639-1 codes: the language spoken (None: not set) and those interpreted into.
    spoken_language: Mapped[str | None] = mapped_column(String(8))
    interpretation: Mapped[list[str]] = mapped_column(JSON, default=list, server_default="[]")
    # Raised whenever the time, room, title, status or languages change (planner/schedule/versions.py):
    # calendar invites carry it as SEQUENCE, so clients replace what they showed before.
    revision: Mapped[int] = mapped_column(default=1, server_default="1")
    # The title and description in the forum's other languages (planner/translated.py).
    translations: Mapped[Translations] = translations_column()
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    event: Mapped[Event] = relationship(back_populates="sessions")
    # The room before a move is loaded on change, so the move can be recorded and announced.
    room: Mapped[Room | None] = relationship(active_history=True)
    participants: Mapped[list[SessionParticipant]] = relationship(
        back_populates="session",
        cascade="all, delete-orphan",
        order_by="(SessionParticipant.role, SessionParticipant.position)",
    )

    @property
    def chairs(self) -> list[Person]:
        return [p.person for p in self.participants if p.role is ParticipantRole.CHAIR]

    @property
    def speakers(self) -> list[Person]:
        return [p.person for p in self.participants if p.role is ParticipantRole.SPEAKER]

    @property
    def duration(self) -> dt.timedelta:
        return self.ends_at - self.starts_at

    def __repr__(self) -> str:
        return f"<Session {self.id} {self.title!r}>"


class SessionParticipant(Base):
    """A person chairing or speaking in a session, in the order they are listed."""

    __tablename__ = "session_participants"

    session_id: Mapped[int] = mapped_column(ForeignKey("sessions.id", ondelete="CASCADE"), primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), primary_key=True, index=True)
    role: Mapped[ParticipantRole] = mapped_column(
        enum_column_type(ParticipantRole, "participant_role"), primary_key=True
    )
    position: Mapped[int] = mapped_column(default=0)

    session: Mapped[Session] = relationship(back_populates="participants")
    person: Mapped[Person] = relationship()


class RoomClosedDay(Base):
    """A day (in the forum's timezone) on which a room cannot be used: sessions there get a warning."""

    __tablename__ = "room_closed_days"

    room_id: Mapped[int] = mapped_column(ForeignKey("rooms.id", ondelete="CASCADE"), primary_key=True)
    day: Mapped[dt.date] = mapped_column(Date, primary_key=True)


class AcknowledgedWarning(Base):
    """An organiser saw a scheduling warning and accepted it. The key names the rule, the
    sessions and their revisions, so a warning comes back once one of them changes."""

    __tablename__ = "acknowledged_warnings"
    __table_args__ = (UniqueConstraint("forum_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    forum_id: Mapped[int] = mapped_column(ForeignKey("forums.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(200))
    acknowledged_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    acknowledged_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
