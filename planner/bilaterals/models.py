"""Bilateral meetings: the rooms and slots organisers set aside, the requests between
delegations, and the holds that let the database give each place once.

Bilaterals are not sessions of the programme: they live in tables of their own, so no
public page, feed, API answer or offline copy (which all read sessions) can show one.
The rooms are the forum's own (``forums.Room``) marked here, so the forums domain need
not know of bilaterals.
"""

from __future__ import annotations

import datetime as dt
import enum
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, Date, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from planner.db import Base, UTCDateTime, utcnow
from planner.enums import enum_column_type

if TYPE_CHECKING:
    from planner.accounts.models import User
    from planner.delegations.models import Delegation, DelegationMember, Person
    from planner.forums.models import Forum, Room

#: Bilaterals a delegation may hold on one day unless organisers set another number.
DEFAULT_DAILY_LIMIT = 4
DAILY_LIMITS = range(1, 41)
TOPIC_MAX = 300


class BilateralStatus(enum.StrEnum):
    REQUESTED = "requested"  # waiting for the delegation named by ``awaiting_id``
    ACCEPTED = "accepted"  # both agree; no place was free yet: the organisers' allocation places it
    SCHEDULED = "scheduled"  # in a room at a slot
    DECLINED = "declined"
    CANCELLED = "cancelled"


OPEN_STATUSES = frozenset({BilateralStatus.REQUESTED, BilateralStatus.ACCEPTED, BilateralStatus.SCHEDULED})


class BilateralRoom(Base):
    """A room of the forum set aside for bilaterals."""

    __tablename__ = "bilateral_rooms"

    room_id: Mapped[int] = mapped_column(ForeignKey("rooms.id", ondelete="CASCADE"), primary_key=True)
    forum_id: Mapped[int] = mapped_column(ForeignKey("forums.id", ondelete="CASCADE"), index=True)

    room: Mapped[Room] = relationship()


class BilateralSettings(Base):
    """A forum's rule for bilaterals: how many a delegation may hold on one day."""

    __tablename__ = "bilateral_settings"
    __table_args__ = (CheckConstraint("daily_limit BETWEEN 1 AND 40", name="daily_limit_plausible"),)

    forum_id: Mapped[int] = mapped_column(ForeignKey("forums.id", ondelete="CASCADE"), primary_key=True)
    daily_limit: Mapped[int] = mapped_column(default=DEFAULT_DAILY_LIMIT)


class BilateralSlot(Base):
    """A time of a forum's day when bilaterals are held, in any of its bilateral rooms."""

    __tablename__ = "bilateral_slots"
    __table_args__ = (
        UniqueConstraint("forum_id", "starts_at"),
        CheckConstraint("starts_at < ends_at", name="times_in_order"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    forum_id: Mapped[int] = mapped_column(ForeignKey("forums.id", ondelete="CASCADE"), index=True)
    # The day in the forum's timezone: daily limits count by it.
    day: Mapped[dt.date] = mapped_column(Date)
    starts_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class Bilateral(Base):
    """A bilateral meeting one delegation asked another for, and where it stands."""

    __tablename__ = "bilaterals"
    __table_args__ = (
        CheckConstraint("requester_id <> requested_id", name="two_delegations"),
        CheckConstraint("topic <> ''", name="topic_not_empty"),
        CheckConstraint("revision >= 1", name="revision_positive"),
        # A scheduled bilateral has a place, and nothing else has one.
        CheckConstraint("(status = 'scheduled') = (slot_id IS NOT NULL)", name="place_when_scheduled"),
        CheckConstraint("(slot_id IS NULL) = (room_id IS NULL)", name="slot_with_room"),
        # The database gives each room at each slot once, whoever asks at the same moment.
        UniqueConstraint("slot_id", "room_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    forum_id: Mapped[int] = mapped_column(ForeignKey("forums.id", ondelete="CASCADE"), index=True)
    requester_id: Mapped[int] = mapped_column(ForeignKey("delegations.id", ondelete="CASCADE"), index=True)
    requested_id: Mapped[int] = mapped_column(ForeignKey("delegations.id", ondelete="CASCADE"), index=True)
    # The delegation whose answer is awaited: the requested one, or the requester after the
    # other side proposed other slots. None once nobody needs to answer.
    awaiting_id: Mapped[int | None] = mapped_column(ForeignKey("delegations.id", ondelete="CASCADE"))
    topic: Mapped[str] = mapped_column(String(TOPIC_MAX))
    status: Mapped[BilateralStatus] = mapped_column(
        enum_column_type(BilateralStatus, "bilateral_status"), default=BilateralStatus.REQUESTED
    )
    slot_id: Mapped[int | None] = mapped_column(ForeignKey("bilateral_slots.id", ondelete="RESTRICT"))
    room_id: Mapped[int | None] = mapped_column(ForeignKey("rooms.id", ondelete="RESTRICT"))
    # Raised whenever the place changes or it is cancelled: the invitations' SEQUENCE.
    revision: Mapped[int] = mapped_column(default=1)
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    forum: Mapped[Forum] = relationship()
    requester: Mapped[Delegation] = relationship(foreign_keys=[requester_id])
    requested: Mapped[Delegation] = relationship(foreign_keys=[requested_id])
    awaiting: Mapped[Delegation | None] = relationship(foreign_keys=[awaiting_id])
    slot: Mapped[BilateralSlot | None] = relationship()
    room: Mapped[Room | None] = relationship()
    requested_by: Mapped[User | None] = relationship()
    preferences: Mapped[list[BilateralPreference]] = relationship(
        cascade="all, delete-orphan", order_by="BilateralPreference.position"
    )
    participants: Mapped[list[BilateralParticipant]] = relationship(cascade="all, delete-orphan")

    @property
    def delegation_ids(self) -> tuple[int, int]:
        return self.requester_id, self.requested_id

    def other_side(self, delegation_id: int) -> int:
        return self.requested_id if delegation_id == self.requester_id else self.requester_id

    def __repr__(self) -> str:
        return f"<Bilateral {self.id} {self.status}>"


class BilateralPreference(Base):
    """A slot the delegation that asked (or that proposed last) would meet at, in its order."""

    __tablename__ = "bilateral_preferences"

    bilateral_id: Mapped[int] = mapped_column(ForeignKey("bilaterals.id", ondelete="CASCADE"), primary_key=True)
    slot_id: Mapped[int] = mapped_column(ForeignKey("bilateral_slots.id", ondelete="CASCADE"), primary_key=True)
    position: Mapped[int] = mapped_column(default=0)

    slot: Mapped[BilateralSlot] = relationship()


class BilateralParticipant(Base):
    """A member of one of the two delegations who takes part: invited by iTIP, and held to
    be in one place at a time."""

    __tablename__ = "bilateral_participants"

    bilateral_id: Mapped[int] = mapped_column(ForeignKey("bilaterals.id", ondelete="CASCADE"), primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), primary_key=True, index=True)
    delegation_id: Mapped[int] = mapped_column(ForeignKey("delegations.id", ondelete="CASCADE"))

    person: Mapped[Person] = relationship()
    # The person's place in the delegation they take part for, as it stands now: None once the
    # member is removed, and its status says whether they are still nominated or accredited.
    membership: Mapped[DelegationMember | None] = relationship(
        primaryjoin="and_(foreign(BilateralParticipant.delegation_id) == DelegationMember.delegation_id, "
        "foreign(BilateralParticipant.person_id) == DelegationMember.person_id)",
        viewonly=True,
    )


# The holds: written when a bilateral gets its place, deleted when it loses it. Their primary
# keys are the rules "a person is in one bilateral per slot" and "a delegation is in one
# bilateral per slot", decided by the database for requests at the same moment.


class PersonSlotHold(Base):
    __tablename__ = "bilateral_person_holds"

    slot_id: Mapped[int] = mapped_column(ForeignKey("bilateral_slots.id", ondelete="CASCADE"), primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), primary_key=True)
    bilateral_id: Mapped[int] = mapped_column(ForeignKey("bilaterals.id", ondelete="CASCADE"), index=True)


class DelegationSlotHold(Base):
    __tablename__ = "bilateral_delegation_holds"

    slot_id: Mapped[int] = mapped_column(ForeignKey("bilateral_slots.id", ondelete="CASCADE"), primary_key=True)
    delegation_id: Mapped[int] = mapped_column(ForeignKey("delegations.id", ondelete="CASCADE"), primary_key=True)
    bilateral_id: Mapped[int] = mapped_column(ForeignKey("bilaterals.id", ondelete="CASCADE"), index=True)


class DelegationDay(Base):
    """Bilaterals a delegation holds on one day: raised only by a conditional UPDATE under the
    forum's daily limit, so two places given at once cannot pass it together."""

    __tablename__ = "bilateral_delegation_days"
    __table_args__ = (CheckConstraint("used >= 0", name="used_not_negative"),)

    delegation_id: Mapped[int] = mapped_column(ForeignKey("delegations.id", ondelete="CASCADE"), primary_key=True)
    day: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    used: Mapped[int] = mapped_column(default=0)
