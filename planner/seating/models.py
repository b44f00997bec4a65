"""A forum's seating plan of its plenary hall: the rows as the organisers describe them.

Who sits where is not stored: it follows from the list of participants in protocol order each
time it is read (``services.seat_delegations``), so an accreditation or a draw by lot is on the
plan at once and the plan never disagrees with the list."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from sqlalchemy import JSON, CheckConstraint, ForeignKey
from sqlalchemy.orm import Mapped, mapped_column, relationship

from planner.db import Base, UTCDateTime, utcnow

if TYPE_CHECKING:
    from planner.forums.models import Room


class SeatingPlan(Base):
    """One a forum: the hall of its ministerial meeting, where delegations sit in protocol order."""

    __tablename__ = "seating_plans"
    __table_args__ = (CheckConstraint("seats_per_delegation > 0", name="seats_per_delegation_positive"),)

    forum_id: Mapped[int] = mapped_column(ForeignKey("forums.id", ondelete="CASCADE"), primary_key=True)
    # The hall, to name it on the plan; the plan outlives a room deleted from the venue.
    room_id: Mapped[int | None] = mapped_column(ForeignKey("rooms.id", ondelete="SET NULL"), index=True)
    # Seats in each row, the front row (nearest the rostrum) first; rows may differ in length.
    rows: Mapped[list[int]] = mapped_column(JSON, default=list)
    # Seats nobody is seated in (the chair's, the host's, interpreters'): labels such as "A1".
    reserved_seats: Mapped[list[str]] = mapped_column(JSON, default=list)
    # The most seats a delegation gets: its head and accredited members up to this number.
    seats_per_delegation: Mapped[int] = mapped_column(default=2)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    room: Mapped[Room | None] = relationship()

    @property
    def seats(self) -> int:
        return sum(self.rows)

    def __repr__(self) -> str:
        return f"<SeatingPlan forum={self.forum_id} rows={self.rows}>"
