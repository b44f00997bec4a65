"""Atomic seat counting: the only code that changes seat counters.

Each step is one conditional UPDATE that succeeds (one row) or not (none). The database
serialises concurrent UPDATEs of a row (PostgreSQL row lock; SQLite's single writer), and
re-checks the condition for the one that waited, so two requests can never both take the
last seat. The CHECK constraints on the tables back this up.
"""
from __future__ import annotations

from sqlalchemy import update

from planner.db import utcnow
from planner.delegations.models import Delegation, DelegationMember, NominationStatus
from planner.extensions import db
from planner.registration.models import Registration, RegistrationPolicy, RegistrationStatus

_policies = RegistrationPolicy.__table__
_delegations = Delegation.__table__


def _changed(statement) -> bool:  # noqa: ANN001
    return db.session.execute(statement, execution_options={"synchronize_session": False}).rowcount == 1


def take_event_seat(event_id: int) -> bool:
    """Take one seat of the event if one is free."""
    return _changed(
        update(_policies)
        .where(_policies.c.event_id == event_id)
        .where((_policies.c.capacity.is_(None)) | (_policies.c.seats_taken < _policies.c.capacity))
        .values(seats_taken=_policies.c.seats_taken + 1)
    )


def release_event_seat(event_id: int) -> None:
    _changed(
        update(_policies).where(_policies.c.event_id == event_id, _policies.c.seats_taken > 0)
        .values(seats_taken=_policies.c.seats_taken - 1)
    )


def set_capacity(event_id: int, capacity: int | None) -> bool:
    """Change the capacity, unless more seats are already taken than it allows."""
    statement = update(_policies).where(_policies.c.event_id == event_id).values(capacity=capacity)
    if capacity is not None:
        statement = statement.where(_policies.c.seats_taken <= capacity)
    return _changed(statement)


def take_delegation_seat(delegation_id: int) -> bool:
    return _changed(
        update(_delegations)
        .where(_delegations.c.id == delegation_id)
        .where((_delegations.c.seat_quota.is_(None)) | (_delegations.c.seats_used < _delegations.c.seat_quota))
        .values(seats_used=_delegations.c.seats_used + 1)
    )


def release_delegation_seat(delegation_id: int) -> None:
    _changed(
        update(_delegations).where(_delegations.c.id == delegation_id, _delegations.c.seats_used > 0)
        .values(seats_used=_delegations.c.seats_used - 1)
    )


def set_quota(delegation_id: int, quota: int | None) -> bool:
    statement = update(_delegations).where(_delegations.c.id == delegation_id).values(seat_quota=quota)
    if quota is not None:
        statement = statement.where(_delegations.c.seats_used <= quota)
    return _changed(statement)


def move_registration(registration_id: int, from_statuses: set[RegistrationStatus],
                      to: RegistrationStatus) -> bool:
    """Change a registration's status only if it is still in one of ``from_statuses``:
    two organisers (or an organiser and the delegate) acting at once cannot both win."""
    table = Registration.__table__
    return _changed(
        update(table)
        .where(table.c.id == registration_id, table.c.status.in_([s.value for s in from_statuses]))
        .values(status=to.value, decided_at=utcnow())
    )


def move_member(delegation_id: int, person_id: int, from_statuses: set[NominationStatus],
                to: NominationStatus) -> bool:
    """Change a nomination's status only if it is still in one of ``from_statuses``."""
    table = DelegationMember.__table__
    return _changed(
        update(table)
        .where(table.c.delegation_id == delegation_id, table.c.person_id == person_id,
               table.c.status.in_([s.value for s in from_statuses]))
        .values(status=to.value, decided_at=utcnow())
    )
