"""Recording and reading the audit log."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from planner.accounts.models import User
from planner.audit.models import AuditEntry
from planner.extensions import db

PAGE_SIZE = 100


def record(
    actor: User | None,
    action: str,
    *,
    forum_id: int | None = None,
    target: tuple[str, Any] | None = None,
    summary: str = "",
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditEntry:
    """Add an entry in the caller's transaction: it exists exactly when the change does."""
    target_type, target_id = target if target else ("", "")
    entry = AuditEntry(
        actor_id=actor.id if actor is not None else None,
        action=action,
        forum_id=forum_id,
        target_type=target_type,
        target_id=str(target_id),
        summary=summary,
        before=before,
        after=after,
    )
    db.session.add(entry)
    return entry


@dataclass(frozen=True)
class AuditFilter:
    action: str = ""
    actor_email: str = ""
    since: dt.date | None = None
    until: dt.date | None = None


def entries_for(forum_id: int | None, filters: AuditFilter, zone: dt.tzinfo = dt.UTC) -> list[AuditEntry]:
    """The newest entries of a forum (or, with None, the whole site) that match ``filters``."""
    query = (
        select(AuditEntry)
        .options(joinedload(AuditEntry.actor))
        .order_by(AuditEntry.created_at.desc(), AuditEntry.id.desc())
    )
    if forum_id is not None:
        query = query.where(AuditEntry.forum_id == forum_id)
    if filters.action:
        query = query.where(AuditEntry.action.startswith(filters.action, autoescape=True))
    if filters.actor_email:
        query = query.join(AuditEntry.actor).where(User.email == filters.actor_email.strip().lower())
    if filters.since:
        query = query.where(AuditEntry.created_at >= dt.datetime.combine(filters.since, dt.time(0), tzinfo=zone))
    if filters.until:
        end = dt.datetime.combine(filters.until + dt.timedelta(days=1), dt.time(0), tzinfo=zone)
        query = query.where(AuditEntry.created_at < end)
    return list(db.session.scalars(query.limit(PAGE_SIZE)))
