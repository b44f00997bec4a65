"""The programme in the formats conference apps read: c3voc ``schedule.json`` and frab ``schedule.xml``.

Pure functions from models to bytes, like ``planner/calendar/ical.py``: no request, no commit,
nothing read from the clock, so the same programme gives the same bytes. Giggity, ConfClerk
and EventFahrplan read ``schedule.xml`` (``schedule.xml.xsd``); ``schedule.json`` follows the
c3voc ``schema2.json`` (draft "alpha-3"): the days as their bounds, the rooms and tracks once,
and the sessions as one list of events (that schema has no rooms inside its days).

What both formats hold, and why:
- a session's ``guid`` is a UUID 5 of ``{uid_domain}/sessions/{id}``: it never changes with
  the title, time or room, and needs no column (the calendar's UIDs are made the same way);
- days run midnight to midnight in the forum's timezone, and a session belongs to the day it
  starts on: one from 23:30 to 00:30 is on the first day, whose end is moved to cover it;
- public sessions only; a cancelled one stays, flagged (``state: CANCELED`` in JSON, its title
  beginning with "Cancelled:" in XML, which has no field for it), so that an app that kept it
  shows that it is off instead of losing it silently;
- people are the chairs (``MODERATOR``) and speakers by their public name only.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import unicodedata
import uuid
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING
from xml.etree import ElementTree as ET

from flask_babel import gettext as _

from planner.schedule.models import ParticipantRole, SessionKind, SessionStatus
from planner.translated import localized, reader_language

if TYPE_CHECKING:
    from planner.forums.models import Event, Forum, Room
    from planner.schedule.models import Session

#: Never change it: every guid is made from it (and ``uid_domain``).
NAMESPACE = uuid.UUID("3f1c8e52-5a0b-5b7e-9d3a-7a1f0c6e2b44")
GENERATOR = "planner"
JSON_SCHEMA = "https://c3voc.de/schema/schedule2"

#: schema2's event types; the XML names the session's own kind.
EVENT_TYPES = {
    SessionKind.PLENARY: "TALK",
    SessionKind.KEYNOTE: "TALK",
    SessionKind.PANEL: "DISCUSSION",
    SessionKind.WORKSHOP: "WORKSHOP",
    SessionKind.BILATERAL: "MEETING",
}
ROLES = {ParticipantRole.CHAIR: "MODERATOR", ParticipantRole.SPEAKER: "SPEAKER"}

_NOT_SLUG = re.compile(r"[^a-z0-9]+")
_NOT_ACRONYM = re.compile(r"[^a-z0-9_]")
_LANGUAGE = re.compile(r"[a-z]{2}")
# schema2's own pattern, matched as JSON Schema does (a search); other zones are left out.
_ZONE_NAME = re.compile(r"^([A-Z][a-z]+/[A-Z][a-z]+)|UTC$")
# Not allowed in XML 1.0 at all, so dropped from both formats alike.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
#: frab's duration is HH:MM with at most two digits of hours.
_LONGEST_MINUTES = 99 * 60 + 59


def session_guid(session_id: int, domain: str) -> str:
    return str(uuid.uuid5(NAMESPACE, f"{domain}/sessions/{session_id}"))


def person_guid(person_id: int, domain: str) -> str:
    return str(uuid.uuid5(NAMESPACE, f"{domain}/people/{person_id}"))


def room_guid(room_id: int | None, forum_id: int, domain: str) -> str:
    name = f"{domain}/rooms/{room_id}" if room_id is not None else f"{domain}/forums/{forum_id}/no-room"
    return str(uuid.uuid5(NAMESPACE, name))


def slugify(text: str) -> str:
    """ASCII letters and digits joined by ``-`` (a Japanese title gives an empty slug)."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return _NOT_SLUG.sub("-", ascii_text).strip("-")


def acronym(slug: str) -> str:
    """The forum's slug as both schemas' acronym: no ``-`` (schema2 allows none after the first
    character), at least four characters."""
    return _NOT_ACRONYM.sub("_", slug.lower()).ljust(4, "_")


def clean(text: str) -> str:
    return _NOT_XML.sub("", text)


# What both formats show, worked out once ---------------------------------------------------


@dataclass(frozen=True)
class RoomEntry:
    key: int | None  # the room's id; None for sessions without a room yet
    name: str
    slug: str
    guid: str
    order: tuple[int, str, str]


@dataclass(frozen=True)
class Track:
    name: str
    slug: str


@dataclass(frozen=True)
class Person:
    id: int
    name: str
    role: str
    guid: str


@dataclass(frozen=True)
class Slot:
    """One session as both formats show it: times in the forum's zone."""

    id: int
    guid: str
    title: str
    start: dt.datetime
    end: dt.datetime
    room: RoomEntry
    slug: str
    url: str
    track: Track
    kind: SessionKind
    language: str
    abstract: str
    people: tuple[Person, ...]
    cancelled: bool


@dataclass(frozen=True)
class Day:
    index: int  # from 1
    date: dt.date
    start: dt.datetime
    end: dt.datetime  # midnight after, or later when a session that starts on the day ends later
    slots: tuple[Slot, ...]


@dataclass(frozen=True)
class Programme:
    acronym: str
    title: str
    version: str
    timezone: str
    languages: tuple[str, ...]
    forum_url: str
    base_url: str
    days: tuple[Day, ...]
    rooms: tuple[RoomEntry, ...]
    tracks: tuple[Track, ...]


def _language(code: str | None, fallback: str) -> str:
    """An ISO 639-1 code, as both formats want: the first part of a tag like ``pt-BR``."""
    for candidate in (code, fallback):
        if candidate and _LANGUAGE.fullmatch(short := candidate.split("-")[0].lower()):
            return short
    return "en"


def _session_slug(forum_acronym: str, session_id: int, title: str) -> str:
    """``isef2-12-opening-plenary``: schema2's slug and frab's ``voc-slug-new`` at once."""
    rest = f"{session_id}-{slugify(title)[:60].strip('-')}".strip("-")
    return f"{forum_acronym}-{rest if len(rest) >= 4 else f'{session_id}-session'}"


def _track(event: Event, language: str) -> Track:
    slug = slugify(event.code)
    # frab's track slug starts with a letter and has two characters at least.
    if len(slug) < 2 or not slug[0].isalpha():
        slug = f"event-{event.id}"
    return Track(localized(event, "title", language) or event.code, slug)


def _rooms(forum: Forum, sessions: Sequence[Session], domain: str) -> dict[int | None, RoomEntry]:
    used: dict[int | None, Room | None] = {s.room_id: s.room for s in sessions}
    names: dict[int | None, str] = {key: localized(room, "name") for key, room in used.items() if room is not None}
    shared = {name for name, count in Counter(names.values()).items() if count > 1}
    rooms: dict[int | None, RoomEntry] = {}
    for key, room in used.items():
        if room is None:
            label = _("Room to be announced")
            rooms[None] = RoomEntry(None, label, "no-room", room_guid(None, forum.id, domain), (1, "", ""))
            continue
        name, venue = names[key], localized(room.venue, "name")
        if name in shared:  # rooms of the same name in two venues: apps group events by name
            name = f"{name}, {venue}"
        base = slugify(room.name)
        slug = f"{base}-{room.id}" if base else f"room-{room.id}"
        rooms[key] = RoomEntry(key, name, slug, room_guid(room.id, forum.id, domain), (0, room.venue.name, room.name))
    return rooms


def _minutes(delta: dt.timedelta) -> int:
    return int(delta.total_seconds() // 60)


def programme(forum: Forum, sessions: Sequence[Session], base_url: str, domain: str = "planner") -> Programme:
    """What both formats say about ``forum`` and its (public) ``sessions``; ``base_url`` is the
    site's root with a final ``/`` (``https://planner.example.org/``)."""
    zone = forum.zone
    sessions = [session for session in sessions if session.is_public]
    root = base_url if base_url.endswith("/") else f"{base_url}/"
    forum_acronym = acronym(forum.slug)
    rooms = _rooms(forum, sessions, domain)
    language = reader_language()  # once, not twice a session
    tracks: dict[int, Track] = {}
    # The same person chairs many sessions: one guid each.
    people_seen: dict[tuple[int, ParticipantRole], Person] = {}
    by_day: dict[dt.date, list[Slot]] = {day: [] for day in forum.days}
    fallback = forum.first_language
    for session in sessions:
        event = session.event
        track = tracks.get(event.id) or tracks.setdefault(event.id, _track(event, language))
        start, end = session.starts_at.astimezone(zone), session.ends_at.astimezone(zone)
        title = clean(localized(session, "title", language))
        people = tuple(
            people_seen.get((p.person_id, p.role))
            or people_seen.setdefault(
                (p.person_id, p.role),
                Person(p.person_id, clean(p.person.name), ROLES[p.role], person_guid(p.person_id, domain)),
            )
            for p in session.participants
        )
        slot = Slot(
            id=session.id,
            guid=session_guid(session.id, domain),
            title=title,
            start=start,
            end=end,
            room=rooms[session.room_id],
            slug=_session_slug(forum_acronym, session.id, session.title),
            url=f"{root}sessions/{session.id}",
            track=track,
            kind=session.kind,
            language=_language(session.spoken_language, fallback),
            abstract=clean(localized(session, "description", language) or ""),
            people=people,
            cancelled=session.status is SessionStatus.CANCELLED,
        )
        by_day.setdefault(start.date(), []).append(slot)

    days = []
    for index, day in enumerate(sorted(by_day), start=1):
        slots = by_day[day]
        day_start = dt.datetime.combine(day, dt.time(0), tzinfo=zone)
        day_end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0), tzinfo=zone)
        day_end = max([day_end, *(slot.end for slot in slots)])
        days.append(Day(index, day, day_start, day_end, tuple(slots)))
    return Programme(
        acronym=forum_acronym,
        title=clean(localized(forum, "title") or forum.name),
        version=str(forum.schedule_version),
        timezone=forum.timezone,
        languages=tuple(dict.fromkeys(_language(code, fallback) for code in forum.languages)),
        forum_url=f"{root}forums/{forum.slug}/",
        base_url=root,
        days=tuple(days),
        rooms=tuple(sorted(rooms.values(), key=lambda room: room.order)),
        tracks=tuple(sorted(tracks.values(), key=lambda track: track.slug)),
    )


# schedule.json ---------------------------------------------------------------------------


def _stamp(moment: dt.datetime) -> str:
    return moment.isoformat(timespec="seconds")


def _json_event(slot: Slot, link_title: str) -> dict[str, object]:
    room = slot.room
    return {
        "guid": slot.guid,
        "start": _stamp(slot.start),
        "end": _stamp(slot.end),
        "room": {"name": room.name, "slug": room.slug, "guid": room.guid},
        "slug": slot.slug,
        "url": slot.url,
        "title": slot.title,
        "subtitle": None,
        "track": {"slug": slot.track.slug},
        "type": EVENT_TYPES.get(slot.kind, "OTHER"),
        "language": slot.language,
        "abstract": slot.abstract or None,
        "participants": [{"name": p.name, "role": p.role, "guid": p.guid} for p in slot.people],
        "links": [{"type": "WEB", "url": slot.url, "title": link_title}],
        "state": "CANCELED" if slot.cancelled else "CONFIRMED",
    }


def schedule_document(programme: Programme) -> dict[str, object]:
    """``schedule.json`` as plain data (schema2.json)."""
    conference: dict[str, object] = {
        "acronym": programme.acronym,
        "title": programme.title,
        "start": _stamp(programme.days[0].start),
        "end": _stamp(programme.days[-1].end),
        "url": programme.forum_url,
        "languages": list(programme.languages),
        "tracks": [{"name": track.name, "slug": track.slug} for track in programme.tracks],
        "rooms": [{"name": room.name, "slug": room.slug, "guid": room.guid} for room in programme.rooms],
        "days": [
            {"index": day.index, "date": day.date.isoformat(), "start": _stamp(day.start), "end": _stamp(day.end)}
            for day in programme.days
        ],
    }
    if _ZONE_NAME.search(programme.timezone):
        conference["time_zone_name"] = programme.timezone
    link_title = _("Session page")
    return {
        "$schema": JSON_SCHEMA,
        "generator": {"name": GENERATOR, "url": programme.base_url},
        "schedule": {
            "version": programme.version,
            "base_url": programme.base_url,
            "conference": conference,
            "events": [_json_event(slot, link_title) for day in programme.days for slot in day.slots],
        },
    }


def schedule_json(forum: Forum, sessions: Sequence[Session], base_url: str, domain: str = "planner") -> bytes:
    """The c3voc ``schedule.json``, UTF-8 (Japanese stays Japanese, not ``\\u`` escapes)."""
    document = schedule_document(programme(forum, sessions, base_url, domain))
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()


# schedule.xml ----------------------------------------------------------------------------


def _hours_minutes(minutes: int) -> str:
    minutes = min(max(minutes, 0), _LONGEST_MINUTES)
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _text(parent: ET.Element, tag: str, text: str, **attributes: str) -> ET.Element:
    element = ET.SubElement(parent, tag, attributes)
    element.text = text
    return element


def _xml_event(parent: ET.Element, slot: Slot, cancelled_label: str, link_title: str) -> None:
    event = ET.SubElement(parent, "event", {"guid": slot.guid, "id": str(slot.id)})
    _text(event, "room", slot.room.name)
    _text(event, "title", f"{cancelled_label}: {slot.title}" if slot.cancelled else slot.title)
    _text(event, "subtitle", "")
    _text(event, "type", slot.kind.value)
    _text(event, "date", _stamp(slot.start))
    _text(event, "start", slot.start.strftime("%H:%M"))
    _text(event, "duration", _hours_minutes(_minutes(slot.end - slot.start)))
    _text(event, "abstract", slot.abstract)
    _text(event, "slug", slot.slug)
    _text(event, "track", slot.track.name)
    persons = ET.SubElement(event, "persons")
    for person in slot.people:
        _text(persons, "person", person.name, id=str(person.id), guid=person.guid)
    _text(event, "language", slot.language)
    links = ET.SubElement(event, "links")
    _text(links, "link", link_title, href=slot.url)
    _text(event, "url", slot.url)


def _rooms_of(slots: Iterable[Slot]) -> list[tuple[RoomEntry, list[Slot]]]:
    grouped: dict[int | None, tuple[RoomEntry, list[Slot]]] = {}
    for slot in slots:
        grouped.setdefault(slot.room.key, (slot.room, []))[1].append(slot)
    return sorted(grouped.values(), key=lambda pair: pair[0].order)


def schedule_tree(programme: Programme) -> ET.Element:
    """``schedule.xml`` as an element tree (schedule.xml.xsd): days, their rooms, their events."""
    root = ET.Element("schedule")
    ET.SubElement(root, "generator", {"name": GENERATOR})
    _text(root, "url", f"{programme.forum_url}schedule.xml")
    _text(root, "version", programme.version)
    conference = ET.SubElement(root, "conference")
    _text(conference, "acronym", programme.acronym)
    _text(conference, "title", programme.title)
    _text(conference, "start", programme.days[0].date.isoformat())
    _text(conference, "end", programme.days[-1].date.isoformat())
    _text(conference, "days", str(len(programme.days)))
    _text(conference, "base_url", programme.base_url)
    _text(conference, "url", programme.forum_url)
    _text(conference, "time_zone_name", programme.timezone)
    for track in programme.tracks:
        _text(conference, "track", track.name, name=track.name, slug=track.slug)
    cancelled_label, link_title = _("Cancelled"), _("Session page")
    for day in programme.days:
        element = ET.SubElement(
            root,
            "day",
            {"index": str(day.index), "date": day.date.isoformat(), "start": _stamp(day.start), "end": _stamp(day.end)},
        )
        for room, slots in _rooms_of(day.slots):
            room_element = ET.SubElement(element, "room", {"name": room.name, "guid": room.guid})
            for slot in slots:
                _xml_event(room_element, slot, cancelled_label, link_title)
    return root


def schedule_xml(forum: Forum, sessions: Sequence[Session], base_url: str, domain: str = "planner") -> bytes:
    """The frab ``schedule.xml``, UTF-8 with its declaration; ElementTree does the escaping."""
    tree = schedule_tree(programme(forum, sessions, base_url, domain))
    ET.indent(tree)
    return ET.tostring(tree, encoding="utf-8", xml_declaration=True)
