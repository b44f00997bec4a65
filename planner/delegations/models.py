"""Delegations of countries and international organisations, and the people in them."""

from __future__ import annotations

import datetime as dt
import enum
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from planner.db import Base, UTCDateTime, utcnow
from planner.enums import enum_column_type
from planner.validators import NAME_MAX, display_name

if TYPE_CHECKING:
    from sqlalchemy.engine.default import DefaultExecutionContext

    from planner.accounts.models import User
    from planner.forums.models import Forum


class DelegationKind(enum.StrEnum):
    COUNTRY = "country"
    ORGANISATION = "organisation"


class NominationStatus(enum.StrEnum):
    NOMINATED = "nominated"  # by the focal point; holds one of the delegation's seats
    ACCREDITED = "accredited"  # by an organiser; holds a seat
    DECLINED = "declined"  # by an organiser; frees the seat
    WITHDRAWN = "withdrawn"  # by the focal point; frees the seat


class MemberRole(enum.StrEnum):
    HEAD = "head_of_delegation"
    MINISTER = "minister"
    ADVISER = "adviser"
    MEMBER = "member"


class Delegation(Base):
    __tablename__ = "delegations"
    __table_args__ = (
        UniqueConstraint("forum_id", "name"),
        UniqueConstraint("forum_id", "country_code"),
        CheckConstraint(
            "(kind = 'country' AND country_code IS NOT NULL) OR (kind = 'organisation' AND country_code IS NULL)",
            name="country_code_for_countries",
        ),
        CheckConstraint(
            "country_code IS NULL OR (length(country_code) = 2 AND country_code = upper(country_code))",
            name="country_code_iso",
        ),
        CheckConstraint("seat_quota IS NULL OR seat_quota >= 0", name="seat_quota_not_negative"),
        CheckConstraint("seats_used >= 0", name="seats_used_not_negative"),
        # The quota holds in the database itself, whatever the code does under load.
        CheckConstraint("seat_quota IS NULL OR seats_used <= seat_quota", name="within_quota"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    forum_id: Mapped[int] = mapped_column(ForeignKey("forums.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[DelegationKind] = mapped_column(enum_column_type(DelegationKind, "delegation_kind"))
    # ISO 3166-1 alpha-2, for countries only.
    country_code: Mapped[str | None] = mapped_column(String(2))
    # The space agency the delegation brings, where it has one.
    space_agency: Mapped[str | None] = mapped_column(String(200))
    # Seats at the ministerial meeting, set by organisers; None: no limit.
    seat_quota: Mapped[int | None]
    # Nominated and accredited members; changed only by conditional UPDATEs.
    seats_used: Mapped[int] = mapped_column(default=0)

    forum: Mapped[Forum] = relationship(back_populates="delegations")
    members: Mapped[list[DelegationMember]] = relationship(back_populates="delegation", cascade="all, delete-orphan")

    def __repr__(self) -> str:
        return f"<Delegation {self.name}>"


def _name_as_given(context: DefaultExecutionContext) -> str:
    return str(context.get_current_parameters().get("name") or "")


class Person(Base):
    """Someone who takes part: a delegate, a chair or a speaker. Not an account."""

    __tablename__ = "people"
    __table_args__ = (
        CheckConstraint("name <> ''", name="name_not_empty"),
        CheckConstraint("email IS NULL OR email = lower(email)", name="email_lower"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # The name as shown (composed by ``set_name``, like an account's); a person made with a
    # name alone (a chair typed into a session) has it as the given name.
    name: Mapped[str] = mapped_column(String(NAME_MAX))
    given_name: Mapped[str] = mapped_column(String(NAME_MAX), default=_name_as_given, server_default="")
    family_name: Mapped[str] = mapped_column(String(NAME_MAX), default="", server_default="")
    family_name_first: Mapped[bool] = mapped_column(default=False, server_default=false())
    # Stored lower-case so that uniqueness does not depend on how it was typed.
    email: Mapped[str | None] = mapped_column(String(320), unique=True)
    organisation: Mapped[str] = mapped_column(String(200), default="")
    country_code: Mapped[str | None] = mapped_column(String(2))
    is_demo: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    memberships: Mapped[list[DelegationMember]] = relationship(back_populates="person", cascade="all, delete-orphan")

    def set_name(self, given_name: str, family_name: str, family_name_first: bool) -> None:
        """Store the parts of the name and the display name composed from them."""
        self.given_name = given_name
        self.family_name = family_name
        self.family_name_first = family_name_first
        self.name = display_name(given_name, family_name, family_name_first)

    def __repr__(self) -> str:
        return f"<Person {self.name}>"


class DelegationMember(Base):
    __tablename__ = "delegation_members"

    delegation_id: Mapped[int] = mapped_column(ForeignKey("delegations.id", ondelete="CASCADE"), primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), primary_key=True, index=True)
    role: Mapped[MemberRole] = mapped_column(enum_column_type(MemberRole, "member_role"), default=MemberRole.MEMBER)
    status: Mapped[NominationStatus] = mapped_column(
        enum_column_type(NominationStatus, "nomination_status"), default=NominationStatus.NOMINATED
    )
    nominated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    delegation: Mapped[Delegation] = relationship(back_populates="members")
    person: Mapped[Person] = relationship(back_populates="memberships")


class DelegationFocalPoint(Base):
    """An account appointed to speak for a delegation and nominate its members."""

    __tablename__ = "delegation_focal_points"

    delegation_id: Mapped[int] = mapped_column(ForeignKey("delegations.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True)
    appointed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    appointed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship(back_populates="focal_point_of", foreign_keys=[user_id])
