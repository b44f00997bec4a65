"""Badges, their signing keys, access zones, the scanner role, and the scans at the door."""

from __future__ import annotations

import datetime as dt
import enum
from typing import TYPE_CHECKING

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from planner.crypto import EncryptedText
from planner.db import Base, UTCDateTime, utcnow
from planner.enums import enum_column_type
from planner.translated import Translations, translations_column

if TYPE_CHECKING:
    from planner.accounts.models import User
    from planner.forums.models import Event


class BadgeCategory(enum.StrEnum):
    """What a badge says its holder is: printed as a coloured band, and what opens zones."""

    DELEGATE = "delegate"  # an accredited member of a delegation
    PARTICIPANT = "participant"  # a confirmed participant of a side event
    PRESS = "press"
    STAFF = "staff"
    SECURITY = "security"


#: Categories a badge is issued by hand for (the others come from accreditation and registration).
HAND_ISSUED = (BadgeCategory.PRESS, BadgeCategory.STAFF, BadgeCategory.SECURITY)

#: Zone numbers fit one byte each in the QR code's token.
ZONE_NUMBERS = range(1, 256)


class Zone(Base):
    """An area behind a door with a scanner: the plenary hall, bilateral rooms, the press centre.
    Opened to a badge by its category or by an event its holder takes part in."""

    __tablename__ = "zones"
    __table_args__ = (
        UniqueConstraint("forum_id", "number"),
        UniqueConstraint("forum_id", "name"),
        CheckConstraint("number BETWEEN 1 AND 255", name="number_in_a_byte"),
        CheckConstraint("name <> ''", name="name_not_empty"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    forum_id: Mapped[int] = mapped_column(ForeignKey("forums.id", ondelete="CASCADE"), index=True)
    number: Mapped[int]
    name: Mapped[str] = mapped_column(String(200))
    translations: Mapped[Translations] = translations_column()
    # BadgeCategory values whose badges open it.
    categories: Mapped[list[str]] = mapped_column(JSON, default=list, server_default="[]")

    events: Mapped[list[Event]] = relationship(secondary="zone_events", order_by="Event.starts_at")

    def __repr__(self) -> str:
        return f"<Zone {self.number} {self.name}>"


class ZoneEvent(Base):
    """The holders of an event's badges (its delegates or confirmed participants) may enter."""

    __tablename__ = "zone_events"

    zone_id: Mapped[int] = mapped_column(ForeignKey("zones.id", ondelete="CASCADE"), primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), primary_key=True, index=True)


class ForumSigningKey(Base):
    """An Ed25519 key pair that signs a forum's badges. The newest key not retired signs; every
    key not retired verifies, so a rotation does not void the badges already printed, and
    retiring a key voids them (they must be reprinted). The private key is encrypted at rest
    with the identity keys (``planner.crypto``)."""

    __tablename__ = "forum_signing_keys"

    id: Mapped[int] = mapped_column(primary_key=True)  # the key id written in every token
    forum_id: Mapped[int] = mapped_column(ForeignKey("forums.id", ondelete="CASCADE"), index=True)
    private_key: Mapped[str] = mapped_column(EncryptedText)  # the raw 32 bytes, base64
    public_key: Mapped[str] = mapped_column(String(64))  # the raw 32 bytes, base64url without padding
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    retired_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)


class Badge(Base):
    """A person's badge at a forum. Its holder is an accredited delegation member, a confirmed
    participant of a side event, or someone it was issued to by hand (press, staff, security).
    What is printed is kept as printed, so a scan shows what the badge shows. Reprinting makes a
    new version (the token carries it) and revokes every earlier one."""

    __tablename__ = "badges"
    __table_args__ = (
        UniqueConstraint("forum_id", "number"),
        CheckConstraint("version >= 1", name="version_positive"),
        CheckConstraint("valid_from < valid_until", name="validity_in_order"),
        CheckConstraint("name <> ''", name="name_not_empty"),
        # One badge a holder: a reprint is a new version of it, not a second badge.
        Index(
            "uq_badges_member",
            "forum_id",
            "delegation_id",
            "person_id",
            unique=True,
            postgresql_where=text("person_id IS NOT NULL"),
            sqlite_where=text("person_id IS NOT NULL"),
        ),
        Index(
            "uq_badges_registration",
            "registration_id",
            unique=True,
            postgresql_where=text("registration_id IS NOT NULL"),
            sqlite_where=text("registration_id IS NOT NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    forum_id: Mapped[int] = mapped_column(ForeignKey("forums.id", ondelete="CASCADE"), index=True)
    number: Mapped[int]  # printed, and what staff search for: 1, 2, 3... in each forum
    category: Mapped[BadgeCategory] = mapped_column(enum_column_type(BadgeCategory, "badge_category"))
    version: Mapped[int] = mapped_column(default=1)
    # The holder (at most one of these; none once the holder is gone, the badge revoked).
    delegation_id: Mapped[int | None] = mapped_column(ForeignKey("delegations.id", ondelete="SET NULL"), index=True)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"), index=True)
    registration_id: Mapped[int | None] = mapped_column(ForeignKey("registrations.id", ondelete="SET NULL"))
    # As printed: the name in the holder's order, its Latin transcription, the delegation or
    # organisation, the function.
    name: Mapped[str] = mapped_column(String(400))
    latin_name: Mapped[str] = mapped_column(String(400), default="")
    affiliation: Mapped[str] = mapped_column(String(300), default="")
    function: Mapped[str] = mapped_column(String(200), default="")
    zone_numbers: Mapped[list[int]] = mapped_column(JSON, default=list)
    # The key that signs this version's QR code (the forum's signing key when it was issued or
    # last reprinted): retiring it voids the badge until it is reprinted.
    signing_key_id: Mapped[int | None] = mapped_column(
        ForeignKey("forum_signing_keys.id", ondelete="SET NULL"), index=True
    )
    valid_from: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    valid_until: Mapped[dt.datetime] = mapped_column(UTCDateTime)  # exclusive
    issued_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    revoked_reason: Mapped[str] = mapped_column(String(300), default="", server_default="")

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    @property
    def printed_number(self) -> str:
        return f"{self.number:04d}"

    def __repr__(self) -> str:
        return f"<Badge {self.number} v{self.version}>"


class ForumScanner(Base):
    """An account that may scan badges at a forum's doors: it sees the roster the scanner needs
    (names, photos, delegations of badge holders) and nothing else of the forum's management."""

    __tablename__ = "forum_scanners"

    forum_id: Mapped[int] = mapped_column(ForeignKey("forums.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True)
    appointed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    appointed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship(foreign_keys=[user_id])


class ScanOutcome(enum.StrEnum):
    ADMITTED = "admitted"  # the holder's first scan at this zone: their arrival
    DUPLICATE = "duplicate"  # already checked in at this zone
    WRONG_ZONE = "wrong_zone"
    REVOKED = "revoked"
    EXPIRED = "expired"  # outside the badge's dates
    FORGED = "forged"  # bad signature, unknown or retired key, another forum's, unreadable
    UNKNOWN_BADGE = "unknown_badge"  # a search check-in naming no badge of the forum


class Scan(Base):
    """One scan as a scanner device made it, with the server's own verdict. The device's id for
    it makes a retried sync answer the stored verdict instead of counting it twice."""

    __tablename__ = "scans"
    __table_args__ = (
        UniqueConstraint("forum_id", "scan_uuid"),
        Index("ix_scans_forum_scanned", "forum_id", "scanned_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    forum_id: Mapped[int] = mapped_column(ForeignKey("forums.id", ondelete="CASCADE"))
    scan_uuid: Mapped[str] = mapped_column(String(64))
    device: Mapped[str] = mapped_column(String(64))
    scanned_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    badge_id: Mapped[int | None] = mapped_column(ForeignKey("badges.id", ondelete="SET NULL"), index=True)
    badge_version: Mapped[int | None]
    zone_id: Mapped[int | None] = mapped_column(ForeignKey("zones.id", ondelete="SET NULL"))
    event_id: Mapped[int | None] = mapped_column(ForeignKey("events.id", ondelete="SET NULL"))
    outcome: Mapped[ScanOutcome] = mapped_column(enum_column_type(ScanOutcome, "scan_outcome"))
    manual: Mapped[bool] = mapped_column(default=False)  # found by name or number, not read from a QR
    scanned_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)  # on the device
    received_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class Arrival(Base):
    """A badge's check-in at a zone: its earliest admitted scan, whatever order devices sync in."""

    __tablename__ = "arrivals"

    badge_id: Mapped[int] = mapped_column(ForeignKey("badges.id", ondelete="CASCADE"), primary_key=True)
    zone_id: Mapped[int] = mapped_column(ForeignKey("zones.id", ondelete="CASCADE"), primary_key=True, index=True)
    forum_id: Mapped[int] = mapped_column(ForeignKey("forums.id", ondelete="CASCADE"), index=True)
    first_scan_id: Mapped[int] = mapped_column(ForeignKey("scans.id", ondelete="CASCADE"))
    first_scanned_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    event_id: Mapped[int | None] = mapped_column(ForeignKey("events.id", ondelete="SET NULL"))
    device: Mapped[str] = mapped_column(String(64), default="")
