"""What changed in a session, as plain values for the audit log and as sentences for people.

A change is recorded as an audit entry (action ``session.changed``) whose ``before`` and
``after`` hold the revised attributes as text; the session page reads its history back
from there, so there is one record of every move.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import Select, select

from planner.audit.models import AuditEntry
from planner.extensions import db
from planner.formatting import clock, short_date, spoken_and_interpreted
from planner.forums.models import Forum, Room
from planner.schedule.models import Session, SessionStatus

CHANGED = "session.changed"


def _room_text(value: Room | int | None) -> str | None:
    if isinstance(value, int):
        value = db.session.get(Room, value)
    return f"{value.name}, {value.venue.name}" if value is not None else None


def plain_changes(session: Session, changes: dict[str, tuple[Any, Any]]) -> tuple[dict[str, Any], dict[str, Any]]:
    """``changed_attributes`` as JSON values (before, after). A change of either end of the
    time records both ends, so a move can be told as from one slot to another."""
    before: dict[str, Any] = {}
    after: dict[str, Any] = {}
    if "starts_at" in changes or "ends_at" in changes:
        for name in ("starts_at", "ends_at"):
            old, new = changes.get(name, (getattr(session, name), getattr(session, name)))
            before[name], after[name] = old.isoformat() if old else None, new.isoformat() if new else None
    for name in ("room", "room_id"):
        if name in changes:
            before["room"], after["room"] = (_room_text(v) for v in changes[name])
    if "spoken_language" in changes or "interpretation" in changes:
        # Both, like the two ends of a time: the sentence tells the whole before and after.
        for name in ("spoken_language", "interpretation"):
            old, new = changes.get(name, (getattr(session, name), getattr(session, name)))
            before[name], after[name] = (list(v or []) if name == "interpretation" else v for v in (old, new))
    for name in ("title", "status"):
        if name in changes:
            old, new = changes[name]
            before[name], after[name] = (v.value if isinstance(v, SessionStatus) else v for v in (old, new))
    return before, after


def _slot(forum: Forum, start: str, end: str) -> str:
    starts, ends = dt.datetime.fromisoformat(start), dt.datetime.fromisoformat(end)
    return f"{short_date(starts, forum)} {clock(starts, forum)}–{clock(ends, forum)}"


def sentences(forum: Forum, before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    """For example ["Moved from 28 Feb 09:00–10:00 to 28 Feb 11:00–12:00."]."""
    lines = []
    if before.get("starts_at") and after.get("starts_at"):
        lines.append(
            _(
                "Moved from %(before)s to %(after)s.",
                before=_slot(forum, before["starts_at"], before["ends_at"]),
                after=_slot(forum, after["starts_at"], after["ends_at"]),
            )
        )
    if "room" in before or "room" in after:
        nowhere = _("no room")
        lines.append(
            _(
                "Moved from %(before)s to %(after)s.",
                before=before.get("room") or nowhere,
                after=after.get("room") or nowhere,
            )
        )
    if "title" in after:
        lines.append(_("Renamed from “%(before)s” to “%(after)s”.", before=before.get("title"), after=after["title"]))
    if "spoken_language" in after or "interpretation" in after:
        unset = _("not set")
        lines.append(
            _(
                "Language changed from %(before)s to %(after)s.",
                before=spoken_and_interpreted(before.get("spoken_language"), before.get("interpretation") or [])
                or unset,
                after=spoken_and_interpreted(after.get("spoken_language"), after.get("interpretation") or []) or unset,
            )
        )
    if "status" in after:
        lines.append(_("Cancelled.") if after["status"] == SessionStatus.CANCELLED.value else _("Scheduled again."))
    return lines


def describe_changes(session: Session, changes: dict[str, tuple[Any, Any]]) -> list[str]:
    return sentences(session.event.forum, *plain_changes(session, changes))


def _session_changes(forum: Forum) -> Select[AuditEntry]:
    # The forum's entries first: the index on (forum_id, created_at) finds them, where the
    # target alone would mean reading every session change of every forum.
    return select(AuditEntry).where(
        AuditEntry.forum_id == forum.id,
        AuditEntry.action == CHANGED,
        AuditEntry.target_type == "session",
    )


def session_history(session: Session) -> list[tuple[dt.datetime, list[str]]]:
    """The session's recorded changes, oldest first: (when, sentences)."""
    forum = session.event.forum
    entries = db.session.scalars(
        _session_changes(forum)
        .where(AuditEntry.target_id == str(session.id))
        .order_by(AuditEntry.created_at, AuditEntry.id)
    )
    return [(e.created_at, sentences(forum, e.before or {}, e.after or {})) for e in entries]


def session_histories(forum: Forum) -> dict[int, list[tuple[dt.datetime, list[str]]]]:
    """Every session's ``session_history`` at once, in one query (the offline copy's pages)."""
    histories: dict[int, list[tuple[dt.datetime, list[str]]]] = {}
    for e in db.session.scalars(_session_changes(forum).order_by(AuditEntry.created_at, AuditEntry.id)):
        if e.target_id.isdigit():
            histories.setdefault(int(e.target_id), []).append(
                (e.created_at, sentences(forum, e.before or {}, e.after or {}))
            )
    return histories
