"""Links that put a feed or one session into someone's calendar app."""

from __future__ import annotations

from urllib.parse import urlencode, urlsplit, urlunsplit

from flask import current_app, url_for
from flask_login import current_user

from planner.calendar import bp
from planner.calendar.models import FeedKind
from planner.calendar.services import token_of
from planner.db import as_utc
from planner.schedule.models import Session
from planner.translated import localized, reader_language


def in_reader_language(url: str) -> str:
    """A feed's address that keeps the page's language (a calendar app sends no cookie), unless
    that is the default anyway."""
    language = reader_language()
    if not language or language == current_app.config.get("BABEL_DEFAULT_LOCALE", "en"):
        return url
    return f"{url}{'&' if '?' in url else '?'}{urlencode({'lang': language})}"


def webcal(url: str) -> str:
    """The same address with the webcal scheme, which calendar apps open as a subscription."""
    parts = urlsplit(url)
    return urlunsplit(("webcal", *parts[1:]))


def _location(session: Session) -> str:
    room = session.room
    return (
        ", ".join(p for p in (localized(room, "name"), localized(room.venue, "name")) if p) if room is not None else ""
    )


def google_link(session: Session) -> str:
    """Google Calendar's "add event" page, filled in (times in UTC, shown in the forum's zone)."""
    start, end = (as_utc(t).strftime("%Y%m%dT%H%M%SZ") for t in (session.starts_at, session.ends_at))
    query = {
        "action": "TEMPLATE",
        "text": localized(session, "title"),
        "dates": f"{start}/{end}",
        "details": url_for("schedule.session", session_id=session.id, _external=True),
        "location": _location(session),
        "ctz": session.event.forum.timezone,
    }
    return "https://calendar.google.com/calendar/render?" + urlencode(query)


def outlook_link(session: Session, work: bool = False) -> str:
    """Outlook on the web's "new event" form, filled in (ISO 8601 times in UTC); ``work``:
    Microsoft 365 accounts, else Outlook.com."""
    query = {
        "path": "/calendar/action/compose",
        "rru": "addevent",
        "subject": localized(session, "title"),
        "startdt": as_utc(session.starts_at).isoformat().replace("+00:00", "Z"),
        "enddt": as_utc(session.ends_at).isoformat().replace("+00:00", "Z"),
        "body": url_for("schedule.session", session_id=session.id, _external=True),
        "location": _location(session),
    }
    host = "outlook.office.com" if work else "outlook.live.com"
    return f"https://{host}/calendar/0/deeplink/compose?" + urlencode(query)


def personal_feed_token():  # noqa: ANN201
    """The signed-in person's feed token, for the /me page (None until they ask for one)."""
    return token_of(current_user, FeedKind.PERSONAL) if current_user.is_authenticated else None


# Globals, not a context processor: macros imported without context see them too.
for name, helper in (
    ("webcal", webcal),
    ("in_reader_language", in_reader_language),
    ("google_calendar_link", google_link),
    ("outlook_calendar_link", outlook_link),
    ("personal_feed_token", personal_feed_token),
):
    bp.add_app_template_global(helper, name)
