"""The forum's deadlines for focal points (``Forum.nominations_close_at``, ``credentials_due_at``)
as each deadline reminder reads its own: in Python and in SQL."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ColumnElement, case

from planner.forums.models import Forum
from planner.reminders.models import DeadlineKind, DeadlineReminder


def deadline_of(forum: Forum, kind: DeadlineKind) -> dt.datetime | None:
    return forum.nominations_close_at if kind is DeadlineKind.NOMINATIONS else forum.credentials_due_at


def deadline_column() -> ColumnElement[dt.datetime | None]:
    """``deadline_of`` in SQL, of a query joining DeadlineReminder and Forum."""
    return case(
        (DeadlineReminder.deadline == DeadlineKind.NOMINATIONS, Forum.nominations_close_at),
        else_=Forum.credentials_due_at,
    )
