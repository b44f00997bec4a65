"""Reading feeds back: with icalendar, with vobject (an independent parser), and line by line."""

from __future__ import annotations

import icalendar
import vobject


def parse(body: bytes) -> icalendar.Calendar:
    return icalendar.Calendar.from_ical(body)


def events(body: bytes) -> dict[str, icalendar.Event]:
    """The feed's VEVENTs by UID."""
    return {str(e["UID"]): e for e in parse(body).walk("VEVENT")}


def vobject_events(body: bytes) -> dict[str, object]:
    calendar = vobject.readOne(body.decode("utf-8"))
    return {e.uid.value: e for e in calendar.vevent_list}


def unfolded(body: bytes) -> list[str]:
    """Content lines after unfolding (RFC 5545 3.1)."""
    text = body.decode("utf-8")
    return text.replace("\r\n ", "").replace("\r\n\t", "").split("\r\n")
