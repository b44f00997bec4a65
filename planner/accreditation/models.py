"""Identity data, photos, credentials letters and visa invitation letters."""

from __future__ import annotations

import datetime as dt
import enum
from typing import TYPE_CHECKING

from sqlalchemy import (
    CheckConstraint,
    Date,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from planner.crypto import EncryptedText
from planner.db import Base, UTCDateTime, utcnow
from planner.enums import enum_column_type

if TYPE_CHECKING:
    from planner.delegations.models import Delegation, DelegationMember


class IdentityDocumentKind(enum.StrEnum):
    PASSPORT = "passport"
    NATIONAL_ID = "national_id"


class IdentityDetails(Base):
    """A nominated member's identity as in their passport, for one forum: the secretariat
    checks it before a badge is made. The document number and the date of birth are encrypted
    at rest (``planner.crypto``); everything here is purged with the forum's personal data."""

    __tablename__ = "identity_details"
    __table_args__ = (
        ForeignKeyConstraint(
            ["delegation_id", "person_id"],
            ["delegation_members.delegation_id", "delegation_members.person_id"],
            ondelete="CASCADE",
        ),
        CheckConstraint("nationality IS NULL OR length(nationality) = 2", name="nationality_iso"),
    )

    delegation_id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(primary_key=True, index=True)
    # As printed in the passport (the name shown elsewhere is the person's own).
    passport_family_name: Mapped[str] = mapped_column(String(200), default="")
    passport_given_names: Mapped[str] = mapped_column(String(200), default="")
    # Where the passport name is in another script: its Latin letters (as the passport's MRZ).
    latin_transcription: Mapped[str] = mapped_column(String(200), default="")
    honorific: Mapped[str] = mapped_column(String(60), default="")  # H.E., Dr, Prof....
    nationality: Mapped[str | None] = mapped_column(String(2))  # ISO 3166-1 alpha-2
    # ISO date, encrypted.
    date_of_birth: Mapped[str | None] = mapped_column(EncryptedText)
    document_kind: Mapped[IdentityDocumentKind] = mapped_column(
        enum_column_type(IdentityDocumentKind, "identity_document_kind"), default=IdentityDocumentKind.PASSPORT
    )
    document_number: Mapped[str | None] = mapped_column(EncryptedText)  # encrypted
    document_expires_on: Mapped[dt.date | None] = mapped_column(Date)
    phone: Mapped[str] = mapped_column(String(40), default="")
    dietary_needs: Mapped[str] = mapped_column(Text, default="")
    accessibility_needs: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    member: Mapped[DelegationMember] = relationship()


class MemberPhoto(Base):
    """The member's photo for the badge: re-encoded as JPEG, cropped to a passport frame,
    stored in the file store (``planner.storage``) under ``storage_key``."""

    __tablename__ = "member_photos"
    __table_args__ = (
        ForeignKeyConstraint(
            ["delegation_id", "person_id"],
            ["delegation_members.delegation_id", "delegation_members.person_id"],
            ondelete="CASCADE",
        ),
    )

    delegation_id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(primary_key=True, index=True)
    storage_key: Mapped[str] = mapped_column(String(200), unique=True)
    width: Mapped[int]
    height: Mapped[int]
    size: Mapped[int]  # bytes
    uploaded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class CredentialsStatus(enum.StrEnum):
    SUBMITTED = "submitted"  # waits for the secretariat
    VERIFIED = "verified"
    RETURNED = "returned"  # asked again, with a reason


class CredentialsLetter(Base):
    """A delegation's signed credentials letter (a note verbale), as a PDF. A delegation may
    send several over time; the newest is the one that counts."""

    __tablename__ = "credentials_letters"

    id: Mapped[int] = mapped_column(primary_key=True)
    delegation_id: Mapped[int] = mapped_column(ForeignKey("delegations.id", ondelete="CASCADE"), index=True)
    storage_key: Mapped[str | None] = mapped_column(String(200), unique=True)  # None once purged
    filename: Mapped[str] = mapped_column(String(200), default="")
    size: Mapped[int] = mapped_column(default=0)
    status: Mapped[CredentialsStatus] = mapped_column(
        enum_column_type(CredentialsStatus, "credentials_status"), default=CredentialsStatus.SUBMITTED
    )
    reason: Mapped[str] = mapped_column(Text, default="")  # why it was returned
    uploaded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decided_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    delegation: Mapped[Delegation] = relationship()


class VisaLetterStatus(enum.StrEnum):
    REQUESTED = "requested"  # by the focal point
    ISSUED = "issued"  # approved by an organiser: the PDF exists and verifies
    REFUSED = "refused"
    REVOKED = "revoked"  # issued, then withdrawn: verification says so


LIVE_CONDITION = "status IN ('requested', 'issued')"


class VisaLetter(Base):
    """A visa invitation letter for an accredited member. What the letter says of the person
    is copied when it is issued, so that it reads the same later; the passport number is kept
    encrypted (and purged with the rest), its last digits plain for the verification page."""

    __tablename__ = "visa_letters"
    __table_args__ = (
        ForeignKeyConstraint(
            ["delegation_id", "person_id"],
            ["delegation_members.delegation_id", "delegation_members.person_id"],
            ondelete="CASCADE",
        ),
        UniqueConstraint("reference"),
        # One live letter a member: a second request while one waits or is issued is refused,
        # here too when two arrive at once.
        Index(
            "uq_visa_letters_one_live",
            "delegation_id",
            "person_id",
            unique=True,
            sqlite_where=text(LIVE_CONDITION),
            postgresql_where=text(LIVE_CONDITION),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    delegation_id: Mapped[int] = mapped_column(index=True)
    person_id: Mapped[int] = mapped_column(index=True)
    # "ISEF3-V-0001": printed on the letter, typed by the embassy; set when issued (a slug
    # is up to 64 characters).
    reference: Mapped[str | None] = mapped_column(String(80))
    # The letter's number in its forum's sequence (the reference's last part).
    sequence: Mapped[int | None]
    # SHA-256 of the verification code printed on the letter (the code itself is not kept).
    code_hash: Mapped[str | None] = mapped_column(String(64))
    status: Mapped[VisaLetterStatus] = mapped_column(
        enum_column_type(VisaLetterStatus, "visa_letter_status"), default=VisaLetterStatus.REQUESTED
    )
    requested_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decided_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    reason: Mapped[str] = mapped_column(Text, default="")  # of a refusal or a revocation
    # As issued:
    name_as_in_passport: Mapped[str] = mapped_column(String(400), default="")
    nationality: Mapped[str | None] = mapped_column(String(2))
    passport_number: Mapped[str | None] = mapped_column(EncryptedText)
    passport_last_digits: Mapped[str] = mapped_column(String(4), default="")
    function: Mapped[str] = mapped_column(String(200), default="")
    issued_on: Mapped[dt.date | None] = mapped_column(Date)
    # The PDF made once when it was issued (the code it prints is kept only as its hash), in
    # the file store's "letters" folder; None before it is issued and once purged.
    storage_key: Mapped[str | None] = mapped_column(String(200), unique=True)

    member: Mapped[DelegationMember] = relationship()
