"""Attendance marked by organisers, and the certificates of attendance issued from it and from
the check-ins at the doors.

An attendee of an event is either an account (a confirmed registration for a side or student
event: ``user_id``) or a delegation member (the ministerial meeting's delegates: ``person_id``),
exactly one of the two, as the event's badges are issued (``badges.issuing``)."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from planner.db import Base, UTCDateTime, utcnow

if TYPE_CHECKING:
    from planner.forums.models import Event

#: Exactly one of the account and the person.
ONE_ATTENDEE = "(user_id IS NULL) <> (person_id IS NULL)"


def _one_per_attendee(table: str, among: str = "") -> tuple[Index, Index]:
    """One row an attendee and event (of those ``among`` names), also when two organisers write at once."""
    user, person = f"user_id IS NOT NULL{among}", f"person_id IS NOT NULL{among}"
    return (
        Index(
            f"uq_{table}_event_user",
            "event_id",
            "user_id",
            unique=True,
            postgresql_where=text(user),
            sqlite_where=text(user),
        ),
        Index(
            f"uq_{table}_event_person",
            "event_id",
            "person_id",
            unique=True,
            postgresql_where=text(person),
            sqlite_where=text(person),
        ),
    )


class AttendanceMark(Base):
    """An organiser's word that someone attended an event (they came without being scanned, or
    the event had no scanner). Unmarking deletes it; the audit log keeps both."""

    __tablename__ = "attendance_marks"
    __table_args__ = (
        CheckConstraint(ONE_ATTENDEE, name="one_attendee"),
        *_one_per_attendee("attendance_marks"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    marked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    marked_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class Certificate(Base):
    """A certificate of attendance. What it says is copied when it is issued (the name as
    registered, the event's title in the certificate's language, its dates), so that it reads
    the same later and the verification page confirms what is printed. Its code is kept only
    as its SHA-256; the PDF is made when downloaded, its code derived again from ``code_salt``
    and the site's secret key (``certificates.verification``).

    One issued by mistake is revoked, never deleted (the verification page says it was revoked,
    and when): a person holds at most one certificate not revoked an event, and may be issued a
    new one, with a new reference, after a revocation."""

    __tablename__ = "certificates"
    __table_args__ = (
        CheckConstraint(ONE_ATTENDEE, name="one_attendee"),
        CheckConstraint("name <> ''", name="name_not_empty"),
        UniqueConstraint("reference"),
        *_one_per_attendee("certificates", " AND revoked_at IS NULL"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    # "ISEF3-C-0001": printed, and typed on the verification page; numbered in its forum.
    reference: Mapped[str] = mapped_column(String(80))
    sequence: Mapped[int]
    code_salt: Mapped[str] = mapped_column(String(64))
    code_hash: Mapped[str] = mapped_column(String(64))
    language: Mapped[str] = mapped_column(String(16))
    # As issued:
    name: Mapped[str] = mapped_column(String(400))
    affiliation: Mapped[str] = mapped_column(String(300), default="")
    forum_name: Mapped[str] = mapped_column(String(300))
    event_title: Mapped[str] = mapped_column(String(300))
    first_day: Mapped[dt.date] = mapped_column(Date)
    last_day: Mapped[dt.date] = mapped_column(Date)
    issued_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    revocation_reason: Mapped[str | None] = mapped_column(String(500))  # the organisers', never shown publicly

    event: Mapped[Event] = relationship()

    @property
    def revoked_on(self) -> dt.date | None:
        """The day it was revoked, in the forum's timezone."""
        if self.revoked_at is None:
            return None
        return self.revoked_at.astimezone(self.event.forum.zone).date()

    def __repr__(self) -> str:
        return f"<Certificate {self.reference}>"
