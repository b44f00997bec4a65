"""The JSON a webhook delivery carries: one envelope, and the data of each kind of change.

The field names are the JSON API's. Times are UTC with a "Z"; the forum's zone is named in
the envelope. A registration's data never holds a date of birth, guardian data or identity
documents.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from typing import Any

from planner.db import as_utc


def utc(value: dt.datetime | None) -> str | None:
    """``2018-03-03T00:00:00Z``: the moment in UTC, to the second."""
    if value is None:
        return None
    return as_utc(value).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def envelope(
    delivery_id: str, event: str, created_at: dt.datetime, forum: Mapping[str, Any], data: Mapping[str, Any]
) -> str:
    """The body as sent: compact JSON, UTF-8 text, fixed when the delivery is queued."""
    return json.dumps(
        {
            "id": delivery_id,
            "event": event,
            "created_at": utc(created_at),
            "forum": {"slug": forum["slug"], "name": forum["name"], "timezone": forum["timezone"]},
            "data": dict(data),
        },
        ensure_ascii=False,
        separators=(",", ":"),
    )


def named(id_: int | None, name: str | None) -> dict[str, Any] | None:
    """``{"id", "name"}`` of a room or a delegation, or None for none."""
    return None if id_ is None else {"id": id_, "name": name}


def registration_data(row: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "id": row["id"],
        "event": row["event_code"],
        "status": str(row["status"]),
        "applied_at": utc(row["applied_at"]),
        "decided_at": utc(row["decided_at"]),
        "name": row["name"],
        "email": row["email"],
        "delegation": named(row["delegation_id"], row["delegation_name"]),
        "country": row["country_code"],
        "organisation": row["organisation"],
        "answers": dict(row["answers"] or {}),
    }


def session_data(row: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "id": row["id"],
        "title": row["title"],
        "kind": str(row["kind"]),
        "status": str(row["status"]),
        "event": row["event_code"],
        "starts_at": utc(row["starts_at"]),
        "ends_at": utc(row["ends_at"]),
        "room": named(row["room_id"], row["room_name"]),
        "language": row["spoken_language"],
        "interpretation": list(row["interpretation"] or []),
        "is_public": row["is_public"],
    }


def previous_place(starts_at: dt.datetime, ends_at: dt.datetime, room: dict[str, Any] | None) -> dict[str, Any]:
    """Where and when a moved session was before: ``session.moved``'s ``previous``."""
    return {"starts_at": utc(starts_at), "ends_at": utc(ends_at), "room": room}


def statement_data(row: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "id": row["id"],
        "slug": row["slug"],
        "title": row["title"],
        "kind": str(row["kind"]),
        "status": str(row["status"]),
        "language": row["language"],
        "adopted_on": row["adopted_on"].isoformat() if row["adopted_on"] else None,
        "adopted_place": row["adopted_place"],
        "adopted_version": row["adopted_version"],
    }
