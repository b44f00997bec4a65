"""Reminders before events and deadlines, and the record of who was sent which, for which time.

A ``...Sent`` row is written in the same transaction as the outbox message it stands for, under
a unique constraint on (reminder, person, the start or deadline it gave): two senders at once,
or one killed mid-batch, never queue a reminder twice for the same person and time, nor lose
one. An event or deadline that moves is a new time: its reminder is due again.
"""

from __future__ import annotations

import datetime as dt
import enum
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, ForeignKey, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from planner.db import Base, UTCDateTime, utcnow
from planner.enums import enum_column_type
from planner.translated import Translations, translations_column

if TYPE_CHECKING:
    from planner.forums.models import Event, Forum

#: The longest a reminder may come before its event or deadline: a year.
LONGEST_OFFSET_MINUTES = 366 * 24 * 60


class Reminder(Base):
    """Mail to everyone confirmed for ``event``, ``minutes_before`` it starts, with the practical
    details the organisers wrote (in each of the forum's languages: ``translations``)."""

    __tablename__ = "reminders"
    __table_args__ = (
        UniqueConstraint("event_id", "minutes_before"),
        CheckConstraint(f"minutes_before BETWEEN 1 AND {LONGEST_OFFSET_MINUTES}", name="offset_plausible"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    minutes_before: Mapped[int]
    details: Mapped[str] = mapped_column(Text, default="")
    translations: Mapped[Translations] = translations_column()
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    event: Mapped[Event] = relationship()

    def __repr__(self) -> str:
        return f"<Reminder {self.id} {self.minutes_before} min before event {self.event_id}>"


class ReminderSent(Base):
    """Reminder ``reminder_id`` is queued for one person: an account (``user_id``, confirmed for
    the event) or an accredited delegation member (``person_id``, for the meeting by
    nomination), giving the event's start ``event_starts_at``. At most once each per start,
    whoever queues it."""

    __tablename__ = "reminders_sent"
    __table_args__ = (
        UniqueConstraint("reminder_id", "user_id", "event_starts_at"),
        UniqueConstraint("reminder_id", "person_id", "event_starts_at"),
        CheckConstraint("(user_id IS NULL) <> (person_id IS NULL)", name="one_recipient"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    reminder_id: Mapped[int] = mapped_column(ForeignKey("reminders.id", ondelete="CASCADE"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    # The start the message gives: once the event moves, the reminder is due again.
    event_starts_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    # Its message, while the outbox keeps it: withdrawn if still unsent when the event starts
    # or moves (and this row with it: the reminder did not go).
    outbox_message_id: Mapped[int | None] = mapped_column(
        ForeignKey("outbox_messages.id", ondelete="SET NULL"), index=True
    )
    queued_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class DeadlineKind(enum.StrEnum):
    """The forum's deadlines a focal point can be reminded of (``Forum.<kind>_at``)."""

    NOMINATIONS = "nominations_close"
    CREDENTIALS = "credentials_due"


class DeadlineReminder(Base):
    """Mail to the focal points of every delegation that has not done what ``deadline`` asks,
    ``minutes_before`` it (see ``sending.behind_on``)."""

    __tablename__ = "deadline_reminders"
    __table_args__ = (
        UniqueConstraint("forum_id", "deadline", "minutes_before"),
        CheckConstraint(f"minutes_before BETWEEN 1 AND {LONGEST_OFFSET_MINUTES}", name="offset_plausible"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    forum_id: Mapped[int] = mapped_column(ForeignKey("forums.id", ondelete="CASCADE"), index=True)
    deadline: Mapped[DeadlineKind] = mapped_column(enum_column_type(DeadlineKind, "deadline_kind"))
    minutes_before: Mapped[int]
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    forum: Mapped[Forum] = relationship()

    def __repr__(self) -> str:
        return f"<DeadlineReminder {self.id} {self.deadline} -{self.minutes_before} min>"


class DeadlineReminderSent(Base):
    """Deadline reminder ``reminder_id`` is queued for focal point ``user_id`` of
    ``delegation_id`` (one person may speak for two delegations), giving the deadline
    ``deadline_at``: at most once per deadline."""

    __tablename__ = "deadline_reminders_sent"
    __table_args__ = (
        # The convention's name would pass PostgreSQL's 63 characters.
        UniqueConstraint(
            "reminder_id",
            "delegation_id",
            "user_id",
            "deadline_at",
            name="uq_deadline_reminders_sent_once_per_deadline",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    reminder_id: Mapped[int] = mapped_column(ForeignKey("deadline_reminders.id", ondelete="CASCADE"))
    delegation_id: Mapped[int] = mapped_column(ForeignKey("delegations.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    # The deadline the message gives: once it moves, the reminder is due again.
    deadline_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    # Its message, while the outbox keeps it: withdrawn if still unsent when the deadline
    # passes, moves or is cleared (and this row with it: the reminder did not go).
    outbox_message_id: Mapped[int | None] = mapped_column(
        ForeignKey("outbox_messages.id", ondelete="SET NULL"), index=True
    )
    queued_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
