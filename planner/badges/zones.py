"""Access zones: which badges open which doors.

A zone is opened by badge categories (security everywhere, press to the press centre) and by
events (the ministerial meeting's delegates to the plenary hall). A badge prints, and its token
carries, the zones it opened when it was printed: changing a zone's rules takes effect for
badges printed or reprinted after.

Organisers define the zones (``save_zone``, ``delete_zone``); a room may require one
(``Room.required_zone``, chosen with the room).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import func, select
from sqlalchemy.orm import contains_eager, selectinload

from planner.accounts.models import User
from planner.accounts.permissions import require_organiser
from planner.audit.services import record
from planner.badges.models import ZONE_NUMBERS, Arrival, Badge, BadgeCategory, Zone
from planner.extensions import db
from planner.forums.models import Event, Forum, Room, Venue
from planner.forums.services import lock_forum, require_not_archived, translate
from planner.refusals import Refused
from planner.translated import GivenTranslations, localized


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


# -- the organisers' rules ----------------------------------------------------------------


class ZoneRefused(Refused):
    """A zone the rules refuse: a number or name taken, out of range, or in use."""


#: Longest name a zone keeps (the column's length).
NAME_MAX = 200


def zone_of(forum: Forum, zone_id: int) -> Zone | None:
    """The forum's zone with this id; None for another forum's or none."""
    zone = db.session.get(Zone, zone_id)
    return zone if zone is not None and zone.forum_id == forum.id else None


def rooms_requiring(forum: Forum) -> dict[int, list[Room]]:
    """The forum's rooms that require a zone, by zone id: one query."""
    rooms: dict[int, list[Room]] = {}
    for room in db.session.scalars(
        select(Room)
        .join(Room.venue)
        .where(Venue.forum_id == forum.id, Room.required_zone_id.is_not(None))
        .options(contains_eager(Room.venue))
        .order_by(Venue.name, Room.name)
    ):
        rooms.setdefault(room.required_zone_id, []).append(room)  # type: ignore[arg-type]
    return rooms


def arrival_counts(forum: Forum) -> dict[int, int]:
    """How many badges have checked in at each zone so far, by zone id."""
    return dict(
        db.session.execute(
            select(Arrival.zone_id, func.count()).where(Arrival.forum_id == forum.id).group_by(Arrival.zone_id)
        ).all()
    )


def numbers_on_badges(forum: Forum) -> Counter[int]:
    """The zone numbers printed on the forum's badges not revoked, with how many carry each."""
    counts: Counter[int] = Counter()
    for numbers in db.session.scalars(
        select(Badge.zone_numbers).where(Badge.forum_id == forum.id, Badge.revoked_at.is_(None))
    ):
        counts.update(numbers or ())
    return counts


def badges_carrying(forum: Forum, number: int) -> int:
    """How many badges not revoked were printed with zone ``number``: a zone newly given the
    number opens to them (the scanner knows zones by number)."""
    return numbers_on_badges(forum)[number]


def next_free_number(forum: Forum) -> int | None:
    """The number to propose for a new zone: the lowest one no zone has and no badge carries
    (a badge printed for a deleted zone would open a new zone given its number), else the
    lowest no zone has; None when all 255 are taken."""
    taken = set(db.session.scalars(select(Zone.number).where(Zone.forum_id == forum.id)))
    free = [number for number in ZONE_NUMBERS if number not in taken]
    if not free:
        return None
    printed = numbers_on_badges(forum)
    return next((number for number in free if number not in printed), free[0])


def _events_of(forum: Forum, event_ids: Iterable[int]) -> list[Event]:
    wanted = set(event_ids)
    events = [event for event in forum.events if event.id in wanted]
    if len(events) != len(wanted):
        raise ZoneRefused(_("%(forum)s has no such event.", forum=forum.name), field="events")
    return events


def _checked_categories(categories: Iterable[str]) -> list[str]:
    known = {category.value for category in BadgeCategory}
    given = list(dict.fromkeys(categories))
    if any(category not in known for category in given):
        raise ZoneRefused(_("Choose badge categories from the list."), field="categories")
    # In the order of the enumeration, whatever order the form sent.
    return [category.value for category in BadgeCategory if category.value in given]


def _zone_state(zone: Zone) -> dict[str, Any]:
    return {
        "number": zone.number,
        "name": zone.name,
        "categories": list(zone.categories),
        "events": sorted(event.code for event in zone.events),
    }


def save_zone(
    actor: User,
    forum: Forum,
    zone: Zone | None,
    *,
    number: int,
    name: str,
    categories: Iterable[str],
    event_ids: Iterable[int],
    translations: GivenTranslations | None = None,
) -> Zone:
    """A new zone (``zone`` None) or a change to one: its number (1 to 255, one byte in the
    badges' QR code) and its name each unique in the forum; what opens it: badge categories and
    the forum's own events. Badges already printed keep the zones they were printed with."""
    require_organiser(actor, forum)
    require_not_archived(forum)
    if zone is not None and zone.forum_id != forum.id:
        raise ZoneRefused(_("%(forum)s has no such zone.", forum=forum.name))
    if number not in ZONE_NUMBERS:
        raise ZoneRefused(_("A zone's number is from 1 to 255."), field="number")
    name = name.strip()
    if not name:
        raise ZoneRefused(_("Give the zone a name."), field="name")
    if len(name) > NAME_MAX:
        raise ZoneRefused(_("Keep the name to %(max)d characters.", max=NAME_MAX), field="name")
    categories = _checked_categories(categories)
    events = _events_of(forum, event_ids)
    # Two organisers adding zone 4 at once: the second waits, then sees the first's.
    lock_forum(forum)
    others = [other for other in zones_of(forum) if other is not zone]
    clash = next((other for other in others if other.number == number), None)
    if clash is not None:
        raise ZoneRefused(
            _("Zone %(number)d is %(name)s already.", number=number, name=localized(clash, "name")), field="number"
        )
    if any(other.name.casefold() == name.casefold() for other in others):
        raise ZoneRefused(_("This forum already has a zone called %(name)s.", name=name), field="name")
    before = _zone_state(zone) if zone is not None else None
    if zone is None:
        zone = Zone(forum_id=forum.id, number=number, name=name, categories=categories, events=events)
        db.session.add(zone)
    else:
        zone.number, zone.name, zone.categories, zone.events = number, name, categories, events
    translate(forum, zone, translations)
    db.session.flush()
    record(
        actor,
        "zone.changed" if before is not None else "zone.added",
        forum_id=forum.id,
        target=("zone", zone.id),
        summary=_("Zone %(number)d %(name)s", number=zone.number, name=zone.name),
        before=before,
        after=_zone_state(zone),
    )
    return zone


def delete_refusal(zone: Zone) -> str | None:
    """Why the zone cannot be deleted, or None: its arrivals are the record of who came in."""
    arrivals = db.session.scalar(select(func.count()).select_from(Arrival).where(Arrival.zone_id == zone.id)) or 0
    if arrivals:
        return ngettext(
            "%(num)d badge has checked in at %(zone)s: its arrivals are kept, so the zone stays.",
            "%(num)d badges have checked in at %(zone)s: their arrivals are kept, so the zone stays.",
            arrivals,
            zone=zone.name,
        )
    return None


def delete_zone(actor: User, forum: Forum, zone: Zone) -> None:
    """Delete a zone nobody has checked in at; the rooms that required it no longer do.
    Badges already printed keep its number until they are reprinted."""
    require_organiser(actor, forum)
    require_not_archived(forum)
    if zone.forum_id != forum.id:
        raise ZoneRefused(_("%(forum)s has no such zone.", forum=forum.name))
    lock_forum(forum)
    # A scanner's sync adding an arrival at the zone now either is counted below or waits,
    # then finds the zone gone: none is deleted unseen with it.
    db.session.execute(select(Zone.id).where(Zone.id == zone.id).with_for_update())
    refusal = delete_refusal(zone)
    if refusal is not None:
        raise ZoneRefused(refusal)
    rooms = rooms_requiring(forum).get(zone.id, [])
    for room in rooms:
        room.required_zone_id = None
    record(
        actor,
        "zone.deleted",
        forum_id=forum.id,
        target=("zone", zone.id),
        summary=_("Zone %(number)d %(name)s", number=zone.number, name=zone.name),
        before={**_zone_state(zone), "rooms": [room.name for room in rooms]},
    )
    db.session.delete(zone)
    db.session.flush()
