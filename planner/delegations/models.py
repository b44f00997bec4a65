"""Delegations of countries and international organisations, and the people in them."""

from __future__ import annotations

import datetime as dt
import enum
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, UniqueConstraint, false, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from planner.db import Base, UTCDateTime, utcnow
from planner.enums import enum_column_type
from planner.translated import Translations, translations_column
from planner.validators import NAME_MAX, display_name

if TYPE_CHECKING:
    from sqlalchemy.engine.default import DefaultExecutionContext

    from planner.accounts.models import User
    from planner.forums.models import Forum


class DelegationKind(enum.StrEnum):
    COUNTRY = "country"
    ORGANISATION = "organisation"


class DelegationStatus(enum.StrEnum):
    """Where the host's invitation to the delegation stands."""

    INVITED = "invited"
    CONFIRMED = "confirmed"
    DECLINED = "declined"
    WITHDRAWN = "withdrawn"  # the only end for a delegation with nominations or endorsements


class NominationStatus(enum.StrEnum):
    NOMINATED = "nominated"  # by the focal point; holds one of the delegation's seats
    ACCREDITED = "accredited"  # by an organiser; holds a seat
    DECLINED = "declined"  # by an organiser; frees the seat
    WITHDRAWN = "withdrawn"  # by the focal point; frees the seat


class MemberRole(enum.StrEnum):
    """The person's function in the delegation (their level of representation is apart)."""

    HEAD = "head_of_delegation"
    MINISTER = "minister"
    VICE_MINISTER = "vice_minister"
    HEAD_OF_AGENCY = "head_of_agency"
    AMBASSADOR = "ambassador"
    ADVISER = "adviser"
    INTERPRETER = "interpreter"
    SECURITY = "security"
    PRESS = "press"
    STAFF = "staff"
    MEMBER = "member"


class RepresentationLevel(enum.StrEnum):
    """Protocol order inside a delegation, after its head: the first level outranks the rest."""

    HEAD_OF_STATE = "head_of_state_or_government"
    MINISTER = "minister"
    VICE_MINISTER = "vice_minister"
    HEAD_OF_AGENCY = "head_of_agency"
    AMBASSADOR = "ambassador"
    OTHER = "other"


class FocalPointRole(enum.StrEnum):
    FOCAL_POINT = "focal_point"
    DEPUTY = "deputy"


class InternationalOrganisation(Base):
    """The site's kept list of international organisations a forum can invite (ESA, the EU,
    UNOOSA...), with their names in other languages; administrators edit it."""

    __tablename__ = "international_organisations"
    __table_args__ = (
        CheckConstraint("acronym <> ''", name="acronym_not_empty"),
        CheckConstraint("name <> ''", name="name_not_empty"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    acronym: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    is_space_agency: Mapped[bool] = mapped_column(default=False, server_default=false())
    translations: Mapped[Translations] = translations_column()

    def __repr__(self) -> str:
        return f"<InternationalOrganisation {self.acronym}>"


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
    status: Mapped[DelegationStatus] = mapped_column(
        enum_column_type(DelegationStatus, "delegation_status"),
        default=DelegationStatus.INVITED,
        server_default=DelegationStatus.CONFIRMED.value,  # the delegations that existed before invitations
    )
    # From the site's list, for an organisation chosen there; its names in other languages come from it.
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("international_organisations.id", ondelete="SET NULL"), index=True
    )
    # The same delegation at the earlier forum of the series it was carried over from.
    carried_from_id: Mapped[int | None] = mapped_column(ForeignKey("delegations.id", ondelete="SET NULL"), index=True)
    # Names typed by organisers in the forum's other languages (a country's comes from CLDR).
    translations: Mapped[Translations] = translations_column()

    forum: Mapped[Forum] = relationship(back_populates="delegations")
    organisation: Mapped[InternationalOrganisation | None] = relationship()
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
    level: Mapped[RepresentationLevel] = mapped_column(
        enum_column_type(RepresentationLevel, "representation_level"),
        default=RepresentationLevel.OTHER,
        server_default=RepresentationLevel.OTHER.value,
    )
    # The function as printed in the list: "Minister of Education, Culture, Sports, Science and Technology".
    function: Mapped[str] = mapped_column(String(200), default="", server_default="")
    # The person agreed to appear in the public list of participants (name, function, delegation).
    listed_publicly: Mapped[bool] = mapped_column(default=False, server_default=false())

    delegation: Mapped[Delegation] = relationship(back_populates="members")
    person: Mapped[Person] = relationship(back_populates="memberships")


class DelegationFocalPoint(Base):
    """An account appointed to speak for a delegation and nominate its members."""

    __tablename__ = "delegation_focal_points"
    __table_args__ = (
        # One deputy at most; any number of focal points (ISEF2's had two).
        Index(
            "uq_delegation_focal_points_one_deputy",
            "delegation_id",
            unique=True,
            sqlite_where=text("role = 'deputy'"),
            postgresql_where=text("role = 'deputy'"),
        ),
    )

    delegation_id: Mapped[int] = mapped_column(ForeignKey("delegations.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True)
    appointed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    appointed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    role: Mapped[FocalPointRole] = mapped_column(
        enum_column_type(FocalPointRole, "focal_point_role"),
        default=FocalPointRole.FOCAL_POINT,
        server_default=FocalPointRole.FOCAL_POINT.value,
    )

    user: Mapped[User] = relationship(back_populates="focal_point_of", foreign_keys=[user_id])


class InvitationStatus(enum.StrEnum):
    """As stored; an invitation still SENT after its ``expires_at`` shows as expired."""

    SENT = "sent"
    ACCEPTED = "accepted"
    EXPIRED = "expired"
    REVOKED = "revoked"


class FocalPointInvitation(Base):
    """An email asking someone to become a delegation's focal point (or deputy), with a
    single-use link; only a hash of the link's secret is kept."""

    __tablename__ = "focal_point_invitations"
    __table_args__ = (CheckConstraint("email = lower(email)", name="email_lower"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    delegation_id: Mapped[int] = mapped_column(ForeignKey("delegations.id", ondelete="CASCADE"), index=True)
    email: Mapped[str] = mapped_column(String(320))
    role: Mapped[FocalPointRole] = mapped_column(
        enum_column_type(FocalPointRole, "focal_point_role"), default=FocalPointRole.FOCAL_POINT
    )
    status: Mapped[InvitationStatus] = mapped_column(
        enum_column_type(InvitationStatus, "invitation_status"), default=InvitationStatus.SENT
    )
    # SHA-256 of the secret in the link, hex.
    secret_hash: Mapped[str] = mapped_column(String(64), unique=True)
    invited_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    sent_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    times_sent: Mapped[int] = mapped_column(default=1)
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    accepted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decided_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    delegation: Mapped[Delegation] = relationship()

    def status_at(self, now: dt.datetime) -> InvitationStatus:
        if self.status is InvitationStatus.SENT and self.expires_at <= now:
            return InvitationStatus.EXPIRED
        return self.status


class ParticipantListDraw(Base):
    """The delegation drawn by lot to head a forum's list of participants, as the UN General
    Assembly does; the list then runs alphabetically from it and wraps round."""

    __tablename__ = "participant_list_draws"

    forum_id: Mapped[int] = mapped_column(ForeignKey("forums.id", ondelete="CASCADE"), primary_key=True)
    delegation_id: Mapped[int] = mapped_column(ForeignKey("delegations.id", ondelete="CASCADE"), index=True)
    drawn_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    drawn_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    delegation: Mapped[Delegation] = relationship()
