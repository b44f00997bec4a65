"""Atomic counting of a delegation's seats and of its members' statuses (see ``planner.counters``)."""

from __future__ import annotations

from planner import counters
from planner.db import table_of
from planner.delegations.models import Delegation, DelegationMember, NominationStatus

_delegations = table_of(Delegation)
_members = table_of(DelegationMember)


def take_delegation_seat(delegation_id: int) -> bool:
    return counters.take(_delegations.c.id == delegation_id, _delegations.c.seats_used, _delegations.c.seat_quota)


def release_delegation_seat(delegation_id: int) -> None:
    counters.release(_delegations.c.id == delegation_id, _delegations.c.seats_used)


def set_quota(delegation_id: int, quota: int | None) -> bool:
    return counters.set_limit(
        _delegations.c.id == delegation_id, _delegations.c.seats_used, _delegations.c.seat_quota, quota
    )


def move_member(delegation_id: int, person_id: int, from_statuses: set[NominationStatus], to: NominationStatus) -> bool:
    """Change a nomination's status only if it is still in one of ``from_statuses``."""
    row = (_members.c.delegation_id == delegation_id) & (_members.c.person_id == person_id)
    return counters.move_status(row, _members.c.status, from_statuses, to)
