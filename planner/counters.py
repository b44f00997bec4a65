"""Atomic counters: the only code that changes seat counters and decision statuses.

Each step is one conditional UPDATE that succeeds (one row) or not (none). The database
serialises concurrent UPDATEs of a row (PostgreSQL row lock; SQLite's single writer), and
re-checks the condition for the one that waited, so two requests can never both take the
last seat. The CHECK constraints on the tables back this up.
"""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import Column, ColumnElement, CursorResult, Update, update

from planner.db import utcnow
from planner.extensions import db


def changed(statement: Update) -> bool:
    # An UPDATE's result is a CursorResult; Session.execute is typed to return any Result.
    result = cast(CursorResult[Any], db.session.execute(statement, execution_options={"synchronize_session": False}))
    return result.rowcount == 1


# A counter is a row's "used" column under its "limit" column (NULL: no limit). Events count
# seats_taken under capacity; delegations seats_used under seat_quota.


def take(row: ColumnElement[bool], used: Column[int], limit: Column[int]) -> bool:
    """One more, if the limit allows."""
    return changed(update(used.table).where(row, limit.is_(None) | (used < limit)).values({used: used + 1}))


def release(row: ColumnElement[bool], used: Column[int]) -> None:
    changed(update(used.table).where(row, used > 0).values({used: used - 1}))


def set_limit(row: ColumnElement[bool], used: Column[int], limit: Column[int], value: int | None) -> bool:
    """A new limit, unless more are used than it allows."""
    statement = update(used.table).where(row).values({limit: value})
    return changed(statement if value is None else statement.where(used <= value))


def move_status(row: ColumnElement[bool], status: Column[str], from_statuses: set[Any], to: Any) -> bool:
    """Change a status only if it is still one of ``from_statuses``: of two people acting on
    the same row at once (organisers, the delegate, a focal point), only one wins."""
    return changed(
        update(status.table)
        .where(row, status.in_([s.value for s in from_statuses]))
        .values({status: to.value, status.table.c.decided_at: utcnow()})
    )
