"""Registration rules of an event, the questions it asks, and the applications to it.

Seats are counted in ``RegistrationPolicy.seats_taken``, changed only by conditional
UPDATEs in ``seats.py``; the database refuses a count above the capacity, so an event can
never be overbooked, whatever the application code does.
"""

from __future__ import annotations

import datetime as dt
import enum
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, CheckConstraint, Date, ForeignKey, Index, String, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from planner.db import Base, UTCDateTime, utcnow
from planner.enums import enum_column_type
from planner.translated import Translations, translations_column

if TYPE_CHECKING:
    from planner.accounts.models import User
    from planner.delegations.models import Delegation
    from planner.forums.models import Event


class RegistrationMode(enum.StrEnum):
    OPEN = "open"  # delegates apply online
    NOMINATION = "nomination"  # delegations' focal points nominate; organisers accredit


class RegistrationStatus(enum.StrEnum):
    PENDING = "pending"  # waiting for an organiser's approval; holds no seat
    CONFIRMED = "confirmed"  # holds a seat
    WAITLISTED = "waitlisted"  # in line for a seat, in order of application
    DECLINED = "declined"
    CANCELLED = "cancelled"
    # A minor's application waiting for their guardian's answer; holds a seat if one was free
    # (``Registration.seat_kept_for_consent``) when the event needs no approval.
    AWAITING_CONSENT = "awaiting_consent"


class QuestionKind(enum.StrEnum):
    TEXT = "text"
    SINGLE = "single"
    MULTIPLE = "multiple"
    YES_NO = "yes_no"


class RegistrationPolicy(Base):
    __tablename__ = "registration_policies"
    __table_args__ = (
        CheckConstraint("capacity IS NULL OR capacity > 0", name="capacity_positive"),
        CheckConstraint("seats_taken >= 0", name="seats_taken_not_negative"),
        CheckConstraint("capacity IS NULL OR seats_taken <= capacity", name="never_overbooked"),
        CheckConstraint("min_age IS NULL OR max_age IS NULL OR min_age <= max_age", name="ages_in_order"),
        CheckConstraint("opens_at IS NULL OR closes_at IS NULL OR opens_at < closes_at", name="window_in_order"),
    )

    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), primary_key=True)
    mode: Mapped[RegistrationMode] = mapped_column(
        enum_column_type(RegistrationMode, "registration_mode"), default=RegistrationMode.OPEN
    )
    opens_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    closes_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    capacity: Mapped[int | None]  # None: no limit
    seats_taken: Mapped[int] = mapped_column(default=0)
    approval_required: Mapped[bool] = mapped_column(default=False)
    # Age on the event's first day, in the forum's timezone.
    min_age: Mapped[int | None]
    max_age: Mapped[int | None]
    organisation_required: Mapped[bool] = mapped_column(default=False)
    # ISO 3166 codes; empty means every country.
    allowed_countries: Mapped[list[str]] = mapped_column(JSON, default=list)
    # Empty means no code is needed.
    invitation_codes: Mapped[list[str]] = mapped_column(JSON, default=list)
    # Applicants under the forum's age of majority need their guardian's consent, given
    # through a link emailed to the guardian (registration/consent.py).
    guardian_required: Mapped[bool] = mapped_column(default=False)

    event: Mapped[Event] = relationship()


class Question(Base):
    __tablename__ = "registration_questions"
    __table_args__ = (
        CheckConstraint("label <> ''", name="label_not_empty"),
        # Answers are kept by question id: SQLite must never hand a deleted id out again.
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    label: Mapped[str] = mapped_column(String(300))
    kind: Mapped[QuestionKind] = mapped_column(enum_column_type(QuestionKind, "question_kind"))
    choices: Mapped[list[str]] = mapped_column(JSON, default=list)
    required: Mapped[bool] = mapped_column(default=False)
    # The label, and the choices one a line, in the forum's other languages; answers keep the
    # first language's choice, whichever was shown.
    translations: Mapped[Translations] = translations_column()


class Registration(Base):
    __tablename__ = "registrations"
    __table_args__ = (
        # Submitting twice yields one registration.
        UniqueConstraint("event_id", "user_id"),
        # The waiting list and the organisers' lists read by event, status and order.
        Index("ix_registrations_event_id_status_applied_at", "event_id", "status", "applied_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    delegation_id: Mapped[int | None] = mapped_column(ForeignKey("delegations.id", ondelete="SET NULL"), index=True)
    status: Mapped[RegistrationStatus] = mapped_column(enum_column_type(RegistrationStatus, "registration_status"))
    applied_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    # What the applicant told us, checked against the policy when they applied.
    date_of_birth: Mapped[dt.date | None] = mapped_column(Date)
    organisation: Mapped[str] = mapped_column(String(200), default="")
    country_code: Mapped[str | None] = mapped_column(String(2))
    guardian_name: Mapped[str] = mapped_column(String(200), default="")
    guardian_email: Mapped[str] = mapped_column(String(320), default="")
    # Given by the guardian through the emailed link, never by the applicant.
    guardian_consent: Mapped[bool] = mapped_column(default=False)
    # Set when the guardian's link is sent (a new application sends a new one, and older
    # links stop working); reminders are spaced from ``consent_reminded_at``.
    consent_requested_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    consent_reminded_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    # Whether a seat was taken for the application while it awaits consent; set when it is
    # made and never changed while it waits, so whoever ends the wait knows to free it.
    seat_kept_for_consent: Mapped[bool] = mapped_column(default=False, server_default=false())
    answers: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    event: Mapped[Event] = relationship()
    user: Mapped[User] = relationship()
    delegation: Mapped[Delegation | None] = relationship()

    @property
    def holds_seat(self) -> bool:
        return self.status is RegistrationStatus.CONFIRMED or (
            self.status is RegistrationStatus.AWAITING_CONSENT and self.seat_kept_for_consent
        )

    def __repr__(self) -> str:
        return f"<Registration {self.id} event={self.event_id} user={self.user_id} {self.status}>"


class AgendaItem(Base):
    """A session a delegate picked for their personal agenda."""

    __tablename__ = "agenda_items"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("sessions.id", ondelete="CASCADE"), primary_key=True, index=True)
    added_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
