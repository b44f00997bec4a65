"""Forums, their events, venues and rooms."""

from __future__ import annotations

import datetime as dt
import enum
from functools import cached_property
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from sqlalchemy import JSON, CheckConstraint, Date, ForeignKey, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from planner.db import Base, UTCDateTime, utcnow
from planner.enums import enum_column_type
from planner.translated import Translations, translations_column

if TYPE_CHECKING:
    from planner.accounts.models import User
    from planner.badges.models import Zone
    from planner.delegations.models import Delegation
    from planner.schedule.models import Session


class ForumStatus(enum.StrEnum):
    PLANNING = "planning"
    OPEN = "open"
    CLOSED = "closed"
    ARCHIVED = "archived"


class EventKind(enum.StrEnum):
    MINISTERIAL = "ministerial"
    SIDE_EVENT = "side_event"
    STUDENT = "student"  # a side event for school students: they come without a delegation


#: Japan's since 2022; each forum sets its own.
AGE_OF_MAJORITY = 18


def default_languages() -> list[str]:
    return ["en"]


#: Days after a forum's last day its identity data, photos and letters are kept.
PERSONAL_DATA_RETENTION_DAYS = 90

#: What the forum's setting may be (a check constraint holds the database to it).
AGES_OF_MAJORITY = range(1, 31)
#: The retention periods a forum may set, in days (ten years at most; a check constraint too).
RETENTION_DAYS = range(0, 3661)


class ForumSeries(Base):
    """Forums that follow one another (ISEF1, ISEF2, ISEF3...): a new one can take over an
    earlier one's delegations, and a delegation's participation is linked across them."""

    __tablename__ = "forum_series"
    __table_args__ = (
        CheckConstraint("slug <> ''", name="slug_not_empty"),
        CheckConstraint("name <> ''", name="name_not_empty"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    translations: Mapped[Translations] = translations_column()

    forums: Mapped[list[Forum]] = relationship(back_populates="series", order_by="Forum.first_day")

    def __repr__(self) -> str:
        return f"<ForumSeries {self.slug}>"


class Forum(Base):
    __tablename__ = "forums"
    __table_args__ = (
        CheckConstraint("slug <> ''", name="slug_not_empty"),
        CheckConstraint("timezone <> ''", name="timezone_not_empty"),
        CheckConstraint("first_day <= last_day", name="days_in_order"),
        CheckConstraint("age_of_majority BETWEEN 1 AND 30", name="age_of_majority_plausible"),
        CheckConstraint("personal_data_retention_days BETWEEN 0 AND 3660", name="retention_plausible"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    title: Mapped[str] = mapped_column(String(300))
    host_city: Mapped[str] = mapped_column(String(100))
    # ISO 3166-1 alpha-2; the country's name comes from Babel in the reader's language.
    host_country: Mapped[str] = mapped_column(String(2))
    timezone: Mapped[str] = mapped_column(String(64))
    first_day: Mapped[dt.date] = mapped_column(Date)
    last_day: Mapped[dt.date] = mapped_column(Date)
    description: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[ForumStatus] = mapped_column(
        enum_column_type(ForumStatus, "forum_status"), default=ForumStatus.PLANNING
    )
    is_demo: Mapped[bool] = mapped_column(default=False)
    # Applicants younger than this on an event's first day need a guardian's consent, where
    # the event asks for it (18 in Japan since 2022).
    age_of_majority: Mapped[int] = mapped_column(default=AGE_OF_MAJORITY, server_default=str(AGE_OF_MAJORITY))
    # The languages its content is written in; the first is the one the columns hold, the
    # others are in each row's ``translations`` (planner/translated.py).
    languages: Mapped[list[str]] = mapped_column(JSON, default=default_languages, server_default='["en"]')
    translations: Mapped[Translations] = translations_column()
    # Raised in the same transaction as any change to the programme (planner/schedule/versions.py);
    # caches of timetables and calendars are keyed on it, so every process agrees on what is current.
    schedule_version: Mapped[int] = mapped_column(default=1, server_default="1")
    series_id: Mapped[int | None] = mapped_column(ForeignKey("forum_series.id", ondelete="SET NULL"), index=True)
    # The list of participants: countries before organisations, where the forum says so.
    countries_listed_first: Mapped[bool] = mapped_column(default=False, server_default=false())
    # Accreditation: the identity fields focal points must fill (names of IdentityDetails
    # columns), whether accreditation waits for verified credentials, and how long after the
    # last day identity data, photos and letters are kept before the purge removes them.
    identity_required: Mapped[list[str]] = mapped_column(JSON, default=list, server_default="[]")
    credentials_required: Mapped[bool] = mapped_column(default=False, server_default=false())
    personal_data_retention_days: Mapped[int] = mapped_column(
        default=PERSONAL_DATA_RETENTION_DAYS, server_default=str(PERSONAL_DATA_RETENTION_DAYS)
    )
    personal_data_purged_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    # The letterhead of visa invitation letters: the host (a ministry, an agency) and its address.
    letterhead_name: Mapped[str] = mapped_column(String(300), default="", server_default="")
    letterhead_address: Mapped[str] = mapped_column(Text, default="", server_default="")
    # Focal points' deadlines: nominations close, credentials letters are due (planner/reminders).
    nominations_close_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    credentials_due_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    events: Mapped[list[Event]] = relationship(
        back_populates="forum", cascade="all, delete-orphan", order_by="(Event.starts_at, Event.code)"
    )
    venues: Mapped[list[Venue]] = relationship(
        back_populates="forum", cascade="all, delete-orphan", order_by="Venue.name"
    )
    delegations: Mapped[list[Delegation]] = relationship(
        back_populates="forum", cascade="all, delete-orphan", order_by="Delegation.name"
    )
    series: Mapped[ForumSeries | None] = relationship(back_populates="forums")

    @property
    def is_archived(self) -> bool:
        return self.status is ForumStatus.ARCHIVED

    @property
    def first_language(self) -> str:
        return self.languages[0] if self.languages else "en"

    @property
    def other_languages(self) -> list[str]:
        """The languages whose texts are typed beside the columns' own."""
        return list(self.languages[1:])

    @cached_property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def days(self) -> list[dt.date]:
        count = (self.last_day - self.first_day).days + 1
        return [self.first_day + dt.timedelta(days=n) for n in range(count)]

    @property
    def personal_data_kept_until(self) -> dt.date:
        """The last day (in the forum's timezone) its identity data, photos and letters are
        kept; the purge removes them from the next day."""
        return self.last_day + dt.timedelta(days=self.personal_data_retention_days)

    def is_past(self, today: dt.date) -> bool:
        return self.status is ForumStatus.ARCHIVED or self.last_day < today

    def __repr__(self) -> str:
        return f"<Forum {self.slug}>"


class Venue(Base):
    __tablename__ = "venues"
    __table_args__ = (UniqueConstraint("forum_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    forum_id: Mapped[int] = mapped_column(ForeignKey("forums.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    address: Mapped[str] = mapped_column(Text, default="")
    translations: Mapped[Translations] = translations_column()

    forum: Mapped[Forum] = relationship(back_populates="venues")
    rooms: Mapped[list[Room]] = relationship(back_populates="venue", cascade="all, delete-orphan", order_by="Room.name")

    def __repr__(self) -> str:
        return f"<Venue {self.name}>"


class Room(Base):
    __tablename__ = "rooms"
    __table_args__ = (
        UniqueConstraint("venue_id", "name"),
        CheckConstraint("capacity IS NULL OR capacity > 0", name="capacity_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    venue_id: Mapped[int] = mapped_column(ForeignKey("venues.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    capacity: Mapped[int | None]
    # Step-free access, hearing loops, interpretation booths...: shown to organisers and delegates.
    accessibility_notes: Mapped[str] = mapped_column(Text, default="", server_default="")
    # The zone a badge must open to enter (the plenary hall, the bilateral rooms): shown with
    # the room in the programme and chosen by the scanner at its door.
    required_zone_id: Mapped[int | None] = mapped_column(ForeignKey("zones.id", ondelete="SET NULL"), index=True)
    translations: Mapped[Translations] = translations_column()

    venue: Mapped[Venue] = relationship(back_populates="rooms")
    required_zone: Mapped[Zone | None] = relationship()

    def __repr__(self) -> str:
        return f"<Room {self.name}>"


class Event(Base):
    """The ministerial meeting or a side event of a forum."""

    __tablename__ = "events"
    __table_args__ = (
        UniqueConstraint("forum_id", "code"),
        # Codes appear in URLs and calendars; one spelling keeps them stable.
        CheckConstraint("code <> '' AND code = upper(code)", name="code_upper"),
        CheckConstraint("starts_at < ends_at", name="times_in_order"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    forum_id: Mapped[int] = mapped_column(ForeignKey("forums.id", ondelete="CASCADE"), index=True)
    kind: Mapped[EventKind] = mapped_column(enum_column_type(EventKind, "event_kind"))
    code: Mapped[str] = mapped_column(String(32))
    title: Mapped[str] = mapped_column(String(300))
    audience: Mapped[str] = mapped_column(Text, default="")
    description: Mapped[str] = mapped_column(Text, default="")
    venue_id: Mapped[int | None] = mapped_column(ForeignKey("venues.id", ondelete="SET NULL"), index=True)
    starts_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    translations: Mapped[Translations] = translations_column()

    forum: Mapped[Forum] = relationship(back_populates="events")
    venue: Mapped[Venue | None] = relationship()
    sessions: Mapped[list[Session]] = relationship(
        back_populates="event", cascade="all, delete-orphan", order_by="Session.starts_at"
    )

    def __repr__(self) -> str:
        return f"<Event {self.code}>"


class ForumOrganiser(Base):
    """An account appointed to organise a forum."""

    __tablename__ = "forum_organisers"

    forum_id: Mapped[int] = mapped_column(ForeignKey("forums.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True)
    appointed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    appointed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The accreditation role: sees identity data unmasked, verifies credentials, issues visa letters.
    handles_accreditation: Mapped[bool] = mapped_column(default=False, server_default=false())

    user: Mapped[User] = relationship(back_populates="organiser_of", foreign_keys=[user_id])
