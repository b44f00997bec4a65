"""The shape of a demonstration forum's content, as ``planner.demo.seed`` loads it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class ForumContent:
    """Times are local to the forum's timezone, written 'YYYY-MM-DD HH:MM'."""

    forum: dict[str, Any]
    # venue -> [(room, capacity)]
    venues: dict[str, list[tuple[str, int]]]
    # code, kind, title, audience, venue, start, end
    events: list[tuple[str, str, str, str, str, str, str]]
    # event, day, start, end, title, kind, room, chairs' emails, speakers' emails, description
    sessions: list[tuple[str, str, str, str, str, str, str, list[str], list[str], str]]
    # name, kind, country code, space agency
    delegations: list[tuple[str, str, str | None, str | None]]
    # seats per delegation kind at the meeting by nomination
    seat_quota: dict[str, int]
    # event code -> its registration rules and questions
    registration: dict[str, dict[str, Any]]
    # event code -> the language spoken in its sessions and those interpreted into (ISO 639-1)
    languages: dict[str, tuple[str, list[str]]] = field(default_factory=dict)
    # session kinds that carry no language (a lunch, a reception, bilaterals by appointment)
    silent_kinds: frozenset[str] = frozenset({"break", "reception", "bilateral"})
    # badge zones: number, name, its Japanese name, the badge categories and event codes that
    # open it, the rooms that require it
    zones: list[tuple[int, str, str, list[str], list[str], list[str]]] = field(default_factory=list)
