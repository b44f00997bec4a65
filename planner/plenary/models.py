"""A plenary session's speakers' list and its entries."""

from __future__ import annotations

import datetime as dt
import enum
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, ForeignKey, ForeignKeyConstraint, Index, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from planner.db import Base, UTCDateTime, utcnow
from planner.delegations.models import RepresentationLevel
from planner.enums import enum_column_type

if TYPE_CHECKING:
    from planner.delegations.models import Delegation, DelegationKind, DelegationMember, Person
    from planner.schedule.models import Session
    from planner.statements.models import OutcomeDocument

#: The speaking times an organiser may give, in minutes.
SPEAKING_MINUTES = range(1, 61)
#: Speakers a delegation may inscribe on one list, at most, whatever the organiser allows.
SPEAKERS_PER_DELEGATION = range(1, 11)


class SpeakerStatus(enum.StrEnum):
    WAITING = "waiting"
    SPOKE = "spoke"
    WITHDRAWN = "withdrawn"  # by the focal point or an organiser; keeps its row for the record


class SpeakersList(Base):
    """The list of speakers of one plenary session, opened by an organiser."""

    __tablename__ = "speakers_lists"
    __table_args__ = (
        CheckConstraint("speaking_minutes BETWEEN 1 AND 60", name="speaking_minutes_plausible"),
        CheckConstraint("speakers_per_delegation BETWEEN 1 AND 10", name="speakers_per_delegation_plausible"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("sessions.id", ondelete="CASCADE"), unique=True)
    # Focal points inscribe until then; organisers may still add a speaker after it.
    deadline: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    speaking_minutes: Mapped[int] = mapped_column(default=5)
    # One speaker per delegation unless the organiser allows more.
    speakers_per_delegation: Mapped[int] = mapped_column(default=1, server_default="1")
    # Delegations of countries before international organisations, whatever their level. Set
    # on the list (from the forum's list of participants when it opens): each list is its own
    # decision of the chair, and a printed list keeps the order it was printed with.
    states_first: Mapped[bool] = mapped_column(default=False, server_default=false())
    opened_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    opened_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    session: Mapped[Session] = relationship()
    entries: Mapped[list[SpeakerEntry]] = relationship(
        back_populates="speakers_list", cascade="all, delete-orphan", order_by="SpeakerEntry.position"
    )


class SpeakerEntry(Base):
    """One speaker on a list: an accredited member of a delegation, inscribed at a time. The
    list's order is kept in ``position`` (see ordering.py for how it is computed)."""

    __tablename__ = "speaker_entries"
    __table_args__ = (
        ForeignKeyConstraint(
            ["delegation_id", "person_id"],
            ["delegation_members.delegation_id", "delegation_members.person_id"],
            ondelete="CASCADE",
        ),
        CheckConstraint("position >= 1", name="position_positive"),
        CheckConstraint("(status = 'spoke') = (spoke_at IS NOT NULL)", name="spoke_at_when_spoke"),
        Index("ix_speaker_entries_list_id_position", "list_id", "position"),
        Index("ix_speaker_entries_delegation_id_person_id", "delegation_id", "person_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    list_id: Mapped[int] = mapped_column(ForeignKey("speakers_lists.id", ondelete="CASCADE"))
    delegation_id: Mapped[int] = mapped_column(ForeignKey("delegations.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    # The member's level when inscribed: a later change to the list of participants does not
    # move a speaker (an organiser can).
    level: Mapped[RepresentationLevel] = mapped_column(enum_column_type(RepresentationLevel, "representation_level"))
    inscribed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    inscribed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    position: Mapped[int]
    # An organiser moved it: later inscriptions go round it (ordering.py).
    moved: Mapped[bool] = mapped_column(default=False, server_default=false())
    status: Mapped[SpeakerStatus] = mapped_column(
        enum_column_type(SpeakerStatus, "speaker_status"), default=SpeakerStatus.WAITING
    )
    spoke_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    # The statement delivered, kept in the record of statements.
    statement_id: Mapped[int | None] = mapped_column(
        ForeignKey("outcome_documents.id", ondelete="SET NULL"), index=True
    )

    speakers_list: Mapped[SpeakersList] = relationship(back_populates="entries")
    delegation: Mapped[Delegation] = relationship()
    person: Mapped[Person] = relationship()
    # The speaker is a member of the delegation (the composite key holds the database to it).
    member: Mapped[DelegationMember] = relationship(viewonly=True)
    statement: Mapped[OutcomeDocument | None] = relationship()

    @property
    def kind(self) -> DelegationKind:
        """State or organisation, for the order of the list."""
        return self.delegation.kind
