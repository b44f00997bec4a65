"""Access zones: which badges open which doors.

A zone is opened by badge categories (security everywhere, press to the press centre) and by
events (the ministerial meeting's delegates to the plenary hall). A badge prints, and its token
carries, the zones it opened when it was printed: changing a zone's rules takes effect for
badges printed or reprinted after.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from planner.badges.models import BadgeCategory, Zone
from planner.extensions import db
from planner.forums.models import Forum


@dataclass
class ZoneOpeners:
    """The forum's zones, by what opens them; built once for a whole print run."""

    by_category: dict[str, set[int]] = field(default_factory=dict)
    by_event: dict[int, set[int]] = field(default_factory=dict)

    def zones_for(self, category: BadgeCategory, event_ids: Iterable[int]) -> list[int]:
        numbers = set(self.by_category.get(category.value, ()))
        for event_id in event_ids:
            numbers |= self.by_event.get(event_id, set())
        return sorted(numbers)


def zones_of(forum: Forum) -> list[Zone]:
    return list(
        db.session.scalars(
            select(Zone).where(Zone.forum_id == forum.id).order_by(Zone.number).options(selectinload(Zone.events))
        )
    )


def openers(forum: Forum) -> ZoneOpeners:
    result = ZoneOpeners()
    for zone in zones_of(forum):
        for category in zone.categories:
            result.by_category.setdefault(category, set()).add(zone.number)
        for event in zone.events:
            result.by_event.setdefault(event.id, set()).add(zone.number)
    return result
