"""iCalendar (RFC 5545) output: pure functions from models to text, no request, no database.

The calendar's frame and every VTIMEZONE are built with the ``icalendar`` library. The
VEVENTs are written here, line by line, with the library's escaping rules plus two of our
own (control characters are dropped, lines fold at 75 octets without splitting an escape),
because a forum feed of 1,000 sessions is built far more often than anything else and the
output must be byte-for-byte the same while nothing changes: nothing here reads the clock.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from icalendar import Calendar, Timezone

from planner.db import as_utc
from planner.schedule.models import SessionStatus
from planner.translated import localized

if TYPE_CHECKING:
    from planner.forums.models import Event
    from planner.schedule.models import Session

#: Never changes: clients use it to recognise who wrote a calendar.
PRODID = "-//planner//planner calendar 1.0//EN"
#: How often subscribed clients should fetch a feed again (RFC 7986 and Microsoft's X- name).
REFRESH = "PT1H"
CRLF = "\r\n"
UTC_NAMES = frozenset({"UTC", "Etc/UTC"})

# RFC 5545 3.3.11: TEXT may hold no control characters but HTAB; CR and LF become "\n".
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# Parameter values (CN=...) may not hold DQUOTE or control characters at all.
_PARAM_UNSAFE = re.compile(r'[\x00-\x1f\x7f"]')


@dataclass(frozen=True)
class Attendee:
    email: str
    name: str


@dataclass(frozen=True)
class Entry:
    """One VEVENT, as plain data."""

    uid: str
    sequence: int
    cancelled: bool
    summary: str
    description: str
    location: str
    url: str
    categories: tuple[str, ...]
    starts_at: dt.datetime  # aware
    ends_at: dt.datetime
    timezone: str  # IANA name the times are written in
    last_modified: dt.datetime
    organizer: Attendee | None = None  # RFC 5546: PUBLISH names one too
    # The language spoken (ISO 639-1), as SUMMARY's LANGUAGE parameter (RFC 5545 3.2.10).
    language: str = ""


def session_uid(session_id: int, domain: str) -> str:
    """A session's UID: its id only, so title, time, room and status may all change."""
    return f"session-{session_id}@{domain}"


def event_uid(event_id: int, domain: str) -> str:
    return f"event-{event_id}@{domain}"


def location_of(room_name: str | None, venue_name: str | None) -> str:
    return ", ".join(part for part in (room_name, venue_name) if part)


def session_entry(session: Session, url: str, domain: str, organizer: Attendee | None = None) -> Entry:
    """The session as a VEVENT: revision as SEQUENCE, last change as DTSTAMP/LAST-MODIFIED."""
    room = session.room
    event = session.event
    return Entry(
        uid=session_uid(session.id, domain),
        sequence=session.revision,
        cancelled=session.status is SessionStatus.CANCELLED,
        summary=localized(session, "title"),
        description=localized(session, "description") or "",
        location=location_of(localized(room, "name"), localized(room.venue, "name")) if room is not None else "",
        url=url,
        categories=(event.code,),
        starts_at=session.starts_at,
        ends_at=session.ends_at,
        timezone=event.forum.timezone,
        last_modified=session.updated_at,
        organizer=organizer,
        language=session.spoken_language or "",
    )


def event_entry(event: Event, url: str, domain: str, organizer: Attendee | None = None) -> Entry:
    """An event a delegate is confirmed for. Events have no revision: SEQUENCE is 0 in feeds;
    invitations number their messages by the clock (``invites.event_sequence``)."""
    forum = event.forum
    return Entry(
        uid=event_uid(event.id, domain),
        sequence=0,
        cancelled=False,
        summary=localized(event, "title"),
        description=localized(event, "description") or "",
        location=localized(event.venue, "name") if event.venue is not None else "",
        url=url,
        categories=(event.code,),
        starts_at=event.starts_at,
        ends_at=event.ends_at,
        timezone=forum.timezone,
        last_modified=forum.updated_at,
        organizer=organizer,
    )


# Values and lines ------------------------------------------------------------------------


def escape_text(value: str) -> str:
    """TEXT escaping (RFC 5545 3.3.11): backslash, semicolon, comma, newline; no controls."""
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    value = _CONTROL.sub("", value)
    return value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def param_text(value: str) -> str:
    """A quoted parameter value such as CN="Forum, Tokyo"."""
    return '"' + _PARAM_UNSAFE.sub("", value.replace("\r\n", " ").replace("\n", " ")) + '"'


def fold(line: str) -> str:
    """The content line with CRLF, folded so that no physical line exceeds 75 octets
    (RFC 5545 3.1); never inside a UTF-8 character and never right after a backslash."""
    if len(line) <= 75 and line.isascii() or len(line.encode()) <= 75:
        return line + CRLF
    parts: list[str] = []
    current: list[str] = []
    size, limit = 0, 75
    for char in line:
        width = 1 if char < "\x80" else len(char.encode())
        if size + width > limit:
            if len(current) > 1 and current[-1] == "\\":  # keep "\n", "\;" in one piece
                carried = current.pop()
                parts.append("".join(current))
                current, size = [carried], 1
            else:
                parts.append("".join(current))
                current, size = [], 0
            limit = 74  # continuation lines start with a space
        current.append(char)
        size += width
    parts.append("".join(current))
    return (CRLF + " ").join(parts) + CRLF


def utc_stamp(moment: dt.datetime) -> str:
    return as_utc(moment).strftime("%Y%m%dT%H%M%SZ")


def _when(name: str, moment: dt.datetime, timezone: str) -> str:
    if timezone in UTC_NAMES:
        return f"{name}:{utc_stamp(moment)}"
    local = moment.astimezone(_zone(timezone))
    if local.replace(fold=1 - local.fold).utcoffset() != local.utcoffset():
        # A wall-clock time that happens twice (the night the clocks go back): consumers
        # disagree on which one TZID form means, so the instant is written in UTC.
        return f"{name}:{utc_stamp(moment)}"
    return f"{name};TZID={timezone}:{local.strftime('%Y%m%dT%H%M%S')}"


def _language(code: str) -> str:
    """``;LANGUAGE=en``, or nothing: a tag of letters only (RFC 5646), never a broken line."""
    return f";LANGUAGE={code}" if code.isascii() and code.isalpha() and len(code) <= 8 else ""


@lru_cache(maxsize=64)
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def vevent(
    entry: Entry,
    *,
    stamp: dt.datetime | None = None,
    organizer: Attendee | None = None,
    attendee: Attendee | None = None,
) -> str:
    """The VEVENT's lines. ``stamp``: DTSTAMP when it is not the entry's last change (an iTIP
    message written at a given moment)."""
    lines = [
        "BEGIN:VEVENT",
        f"UID:{entry.uid}",
        f"DTSTAMP:{utc_stamp(stamp or entry.last_modified)}",
        f"LAST-MODIFIED:{utc_stamp(entry.last_modified)}",
        f"SEQUENCE:{entry.sequence}",
        _when("DTSTART", entry.starts_at, entry.timezone),
        _when("DTEND", entry.ends_at, entry.timezone),
        "STATUS:CANCELLED" if entry.cancelled else "STATUS:CONFIRMED",
        f"SUMMARY{_language(entry.language)}:{escape_text(entry.summary)}",
    ]
    if entry.description:
        lines.append(f"DESCRIPTION:{escape_text(entry.description)}")
    if entry.location:
        lines.append(f"LOCATION:{escape_text(entry.location)}")
    if entry.url:
        lines.append(f"URL:{_CONTROL.sub('', entry.url).replace(chr(10), '').replace(chr(13), '')}")
    if entry.categories:
        lines.append("CATEGORIES:" + ",".join(escape_text(c) for c in entry.categories))
    # A cancelled event is free time: clients must not show the slot as busy.
    lines.append("TRANSP:TRANSPARENT" if entry.cancelled else "TRANSP:OPAQUE")
    organizer = organizer or entry.organizer
    if organizer is not None:
        lines.append(f"ORGANIZER;CN={param_text(organizer.name)}:mailto:{organizer.email}")
    if attendee is not None:
        # Already confirmed, and no reply expected: clients show the invitation without
        # asking the delegate to answer an address that nobody reads.
        lines.append(
            f"ATTENDEE;CN={param_text(attendee.name)};CUTYPE=INDIVIDUAL;PARTSTAT=ACCEPTED;"
            f"ROLE=REQ-PARTICIPANT;RSVP=FALSE:mailto:{attendee.email}"
        )
    lines.append("END:VEVENT")
    return "".join(fold(line) for line in lines)


# VTIMEZONE -------------------------------------------------------------------------------


@lru_cache(maxsize=256)
def vtimezone(timezone: str, first_year: int, last_year: int) -> str:
    """The zone's VTIMEZONE over whole years (so both DST changes of each year are in it);
    the same text for the same arguments, built once per process."""
    component = Timezone.from_tzid(
        timezone, first_date=dt.date(first_year, 1, 1), last_date=dt.date(last_year + 1, 1, 1)
    )
    return component.to_ical().decode()


def vtimezones(entries: Sequence[Entry], calendar_zone: tuple[str, int] | None = None) -> str:
    """One VTIMEZONE for every TZID that the entries use (UTC needs none), and for the
    calendar's own zone ``(name, year)`` even when no entry uses it."""
    years: dict[str, tuple[int, int]] = {}
    for entry in entries:
        low, high = years.get(entry.timezone, (entry.starts_at.year, entry.ends_at.year))
        years[entry.timezone] = (min(low, entry.starts_at.year), max(high, entry.ends_at.year))
    if calendar_zone is not None and calendar_zone[0] not in years:
        years[calendar_zone[0]] = (calendar_zone[1], calendar_zone[1])
    return "".join(vtimezone(name, *span) for name, span in sorted(years.items()) if name not in UTC_NAMES)


#: A calendar with nothing else in it still needs one component (RFC 5545 3.6:
#: calcomponent = 1*component); a VTIMEZONE alone is valid, and harmless to every client.
UTC_VTIMEZONE = (
    "BEGIN:VTIMEZONE\r\nTZID:UTC\r\nBEGIN:STANDARD\r\nDTSTART:19700101T000000\r\n"
    "TZNAME:UTC\r\nTZOFFSETFROM:+0000\r\nTZOFFSETTO:+0000\r\nEND:STANDARD\r\nEND:VTIMEZONE\r\n"
)


# Whole calendars -------------------------------------------------------------------------


def _frame(method: str, extra: Sequence[tuple[str, str]] = ()) -> tuple[str, str]:
    """BEGIN...properties and END of a VCALENDAR."""
    return _head(method) + "".join(fold(f"{name}:{value}") for name, value in extra), "END:VCALENDAR\r\n"


@lru_cache(maxsize=4)
def _head(method: str) -> str:
    """BEGIN and the fixed properties of a VCALENDAR, written by the icalendar library; the
    same for every message of a method, so written once (every confirmed applicant gets one)."""
    calendar = Calendar()
    calendar.add("PRODID", PRODID)
    calendar.add("VERSION", "2.0")
    calendar.add("CALSCALE", "GREGORIAN")
    calendar.add("METHOD", method)
    return calendar.to_ical(sorted=False).decode().removesuffix("END:VCALENDAR\r\n")


def feed(name: str, timezone: str, entries: Sequence[Entry], year: int | None = None) -> bytes:
    """A subscribable calendar (METHOD:PUBLISH), in the order given. ``year``: when the
    calendar's zone applies, so that even a calendar without events has a component
    (RFC 5545 wants one) and clients that go by X-WR-TIMEZONE find its definition."""
    head, end = _frame(
        "PUBLISH",
        [
            ("X-WR-CALNAME", escape_text(name)),
            ("NAME", escape_text(name)),
            ("X-WR-TIMEZONE", timezone),
            ("REFRESH-INTERVAL;VALUE=DURATION", REFRESH),
            ("X-PUBLISHED-TTL", REFRESH),
        ],
    )
    body = "".join(vevent(entry) for entry in entries)
    zone = (timezone, year) if year is not None else None
    zones = vtimezones(entries, zone)
    if not zones and not body:
        zones = UTC_VTIMEZONE if timezone in UTC_NAMES or year is None else vtimezone(timezone, year, year)
    return (head + zones + body + end).encode()


def itip(
    method: str,
    entry: Entry,
    organizer: Attendee,
    attendee: Attendee,
    stamp: dt.datetime,
    sequence: int | None = None,
) -> str:
    """An iTIP message (RFC 5546) for one attendee: REQUEST (new or updated) or CANCEL, about
    one UID (RFC 5546 3.2.2, 3.2.5: all components of a REQUEST or CANCEL have the same UID).
    ``sequence``: the message's SEQUENCE when it is not the entry's (what the attendee was sent)."""
    if method not in ("REQUEST", "CANCEL"):
        raise ValueError(f"unsupported iTIP method {method!r}")
    if sequence is not None:
        entry = replace(entry, sequence=sequence)
    if method == "CANCEL" and not entry.cancelled:
        entry = replace(entry, cancelled=True)
    head, end = _frame(method)
    return head + vtimezones([entry]) + vevent(entry, stamp=stamp, organizer=organizer, attendee=attendee) + end
