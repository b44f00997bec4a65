"""The feeds: what each one is called, its validators (ETag, Last-Modified) and its bytes.

Public and organiser feeds are cached under the forum's ``schedule_version``, which every
change to the programme raises in its own transaction: every process (and, with
CACHE_TYPE=RedisCache, every server) agrees on what is current. Their ETag is the hash of
their bytes, cached with them, so a change to one session gives a new ETag to exactly the
feeds that show it, and a conditional request is answered without building or fetching
the feed. Personal feeds
are small and depend on one person's registrations and picks: they are built per request
and their ETag is a hash of their bytes.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from flask import current_app, request, url_for
from flask_babel import force_locale
from flask_babel import gettext as _

from planner.calendar import ical, services
from planner.calendar.models import CalendarFeedToken, FeedKind
from planner.db import as_utc
from planner.extensions import cache, db
from planner.formatting import session_languages
from planner.forums.models import Event, Forum
from planner.schedule.models import Session
from planner.translated import localized, reader_language


@dataclass(frozen=True)
class Feed:
    etag: str  # without quotes
    last_modified: dt.datetime
    filename: str
    private: bool  # behind a secret token: no shared caches
    # Only conditional-GET-safe when the version (not the content) is the validator.
    last_modified_is_exact: bool
    _body: Callable[[], bytes]

    def body(self) -> bytes:
        return self._body()


def session_url_prefix() -> str:
    """``https://host/sessions/``: built once per feed instead of once per session. Empty
    outside a request without SERVER_NAME (a CLI import announcing changes): no URL then."""
    try:
        return url_for("schedule.session", session_id=1, _external=True)[:-1]
    except RuntimeError:
        return ""


def session_entries(sessions: Sequence[Session], prefix: str | None = None) -> list[ical.Entry]:
    """VEVENTs of sessions; a cancelled one says so in its title too, for clients that
    ignore STATUS. The language and interpretation end the description."""
    prefix = prefix if prefix is not None else session_url_prefix()
    domain = services.uid_domain()
    entries = []
    cancelled_label = _("Cancelled")
    address = services.organizer_address()
    organizers: dict[int, ical.Attendee] = {}
    for session in sessions:
        forum = session.event.forum
        organizer = organizers.get(forum.id) or organizers.setdefault(forum.id, ical.Attendee(address, forum.name))
        entry = ical.session_entry(session, f"{prefix}{session.id}" if prefix else "", domain, organizer)
        if spoken := session_languages(session):
            # In the feed's language, after what the organisers wrote.
            line = _("Language: %(languages)s", languages=spoken)
            entry = replace(entry, description=f"{entry.description}\n\n{line}" if entry.description else line)
        if entry.cancelled:
            entry = replace(entry, summary=f"{cancelled_label}: {entry.summary}")
        entries.append(entry)
    return entries


def event_entry(event: Event) -> ical.Entry:
    url = url_for("forums.event", slug=event.forum.slug, code=event.code, _external=True)
    organizer = ical.Attendee(services.organizer_address(), event.forum.name)
    return ical.event_entry(event, url, services.uid_domain(), organizer)


def _feed_locale() -> str:
    """The reader's language, as for pages: calendar apps send no cookie, so it is the
    feed link's ``lang=`` (pages add the one they are in) or the app's Accept-Language."""
    return reader_language() or current_app.config.get("BABEL_DEFAULT_LOCALE") or "en"


def versioned(
    kind: str, key_id: int, forum: Forum | services.ForumVersion, filename: str, build: Callable[[], bytes]
) -> Feed:
    """A feed that may change only when ``forum.schedule_version`` does.

    The bytes are cached under the version, and so is their hash, the ETag: a change to one
    session rebuilds the feeds of that forum once, but only those whose bytes really changed
    get a new ETag, so calendar clients re-download exactly what a change touched (another
    event's feed answers their conditional request with a 304 as before). A conditional
    request costs one small cache read, never the feed itself. The conference-app formats
    (``planner/schedule/format_views.py``) are cached the same way."""
    locale = _feed_locale()
    host = hashlib.sha256(request.host_url.encode()).hexdigest()[:8]  # URLs inside name the host
    feed_key = f"{kind}-{key_id}-{locale}-{host}"
    tag = f"{kind}-{key_id}-v{forum.schedule_version}-{locale}-{host}"
    body_key, etag_key, changed_key = f"ics:{tag}", f"ics-etag:{tag}", f"ics-changed:{feed_key}"

    def rebuild() -> bytes:
        with force_locale(locale):
            body = build()
        cache.set(body_key, body)
        return body

    validators = cache.get(etag_key)
    if validators is None:
        built = rebuild()
        etag = hashlib.sha256(built).hexdigest()[:32]
        # Last-Modified follows the bytes: a version that gives the same bytes as the last
        # one keeps its date (another event's change leaves this feed's date alone); new
        # bytes date from the change that made them (the forum's last programme change).
        last = cache.get(changed_key)
        changed = last[1] if last is not None and last[0] == etag else as_utc(forum.updated_at)
        cache.set(changed_key, (etag, changed))
        cache.set(etag_key, (etag, changed))
        return Feed(etag, changed, filename, False, True, lambda: built)
    etag, changed = validators

    def body() -> bytes:
        cached = cache.get(body_key)
        # Evicted on its own: the same version gives the same bytes, and so the same ETag.
        return cached if cached is not None else rebuild()

    return Feed(etag, changed, filename, False, True, body)


def forum_feed(version: services.ForumVersion) -> Feed:
    def build() -> bytes:
        forum = db.session.get(Forum, version.id)
        assert forum is not None, "the forum whose version was just read exists"
        return ical.feed(
            forum.name, forum.timezone, session_entries(services.forum_sessions(forum)), forum.first_day.year
        )

    return versioned("forum", version.id, version, f"{version.slug}.ics", build)


def event_feed(forum: Forum, event: Event) -> Feed:
    return versioned(
        "event",
        event.id,
        forum,
        f"{forum.slug}-{event.code.lower()}.ics",
        lambda: ical.feed(
            f"{forum.name} {event.code}",
            forum.timezone,
            session_entries(services.event_sessions(event)),
            forum.first_day.year,
        ),
    )


def session_feed(session: Session) -> Feed:
    forum = session.event.forum
    return versioned(
        "session",
        session.id,
        forum,
        f"{forum.slug}-session-{session.id}.ics",
        lambda: ical.feed(
            localized(session, "title"), forum.timezone, session_entries([session]), forum.first_day.year
        ),
    )


def organiser_feed(forum: Forum) -> Feed:
    """Every session, closed ones too: the same for all organisers of the forum."""
    feed = versioned(
        "organiser",
        forum.id,
        forum,
        f"{forum.slug}-organisers.ics",
        lambda: ical.feed(
            _("%(forum)s (organisers)", forum=forum.name),
            forum.timezone,
            session_entries(services.forum_sessions(forum, include_closed=True)),
            forum.first_day.year,
        ),
    )
    return Feed(feed.etag, feed.last_modified, feed.filename, True, True, feed._body)


def personal_feed(token: CalendarFeedToken) -> Feed:
    user = token.user
    with force_locale(user.language or "en"):
        agenda = services.agenda_of(user)
        entries = [event_entry(e) for e in agenda.events] + session_entries(agenda.sessions)
        first = agenda.events[0].forum if agenda.events else None
        # Without events the calendar holds the UTC VTIMEZONE alone: RFC 5545 wants one component.
        body = ical.feed(
            _("My agenda (planner)"),
            first.timezone if first else "UTC",
            entries,
            first.first_day.year if first else None,
        )
    changed = max([as_utc(token.created_at), *(as_utc(e.last_modified) for e in entries)])
    etag = hashlib.sha256(body).hexdigest()[:32]
    # Removing a pick leaves no later timestamp behind: only the ETag is trusted here.
    return Feed(etag, changed, "agenda.ics", True, False, lambda: body)


def token_feed(token: CalendarFeedToken) -> Feed:
    if token.kind is FeedKind.ORGANISER:
        assert token.forum is not None
        return organiser_feed(token.forum)
    return personal_feed(token)
