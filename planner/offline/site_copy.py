"""The offline copy of a forum: every public page of it rendered by planner itself for an
anonymous reader in one language, saved as static files in a zip whose links all stay inside
it (or go to the live site), so that it opens from ``file://`` on a laptop and from any
static web server.

It holds the forum page, its events, every timetable day and its printable layout, every
public session, the adopted statements with their downloads, the public list of participants
(HTML, PDF), the calendars (forum, events, sessions), ``schedule.json`` and ``schedule.xml``
where planner serves them, and the stylesheet with what it uses from ``static/``.

It only reads: nothing here flushes or commits. Pages are rendered in an app context of
their own, so the reader is always anonymous and the caller's session is left alone. The
session pages and feeds, a forum's bulk, are rendered from its programme loaded once, not
each through its view's own queries; a test checks that they come out as the views make them.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import posixpath
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from html import escape
from urllib.parse import urlsplit

from flask import Flask, current_app, render_template, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from werkzeug.exceptions import HTTPException, MethodNotAllowed, NotFound

from planner.accounts.models import User
from planner.accounts.permissions import require_organiser
from planner.audit.services import record
from planner.calendar import feeds, ical
from planner.calendar.services import forum_sessions
from planner.db import utcnow
from planner.extensions import db
from planner.formatting import when_in
from planner.forums.models import Forum
from planner.offline.rewriting import Notes, Site, rewrite_page
from planner.refusals import Refused
from planner.schedule.history import session_histories
from planner.schedule.models import Session
from planner.statements.services import documents_of
from planner.translated import localized

#: The statements' downloads the copy holds, as the document page links them.
STATEMENT_FORMATS = ("pdf", "txt", "md")
#: The conference apps' formats, copied where planner serves them.
CONFERENCE_FORMATS = ("schedule.json", "schedule.xml")
_CSS_URL = re.compile(r"""url\(\s*['"]?([^'")]+)['"]?\s*\)|@import\s+['"]([^'"]+)['"]""")


class UnknownLanguage(Refused):
    pass


class SiteCopyError(RuntimeError):
    """A page that planner did not answer with a 200: a fault of the copy, never the reader's."""


@dataclass(frozen=True)
class Page:
    url: str  # the path and query on the live site
    file: str  # where it goes in the copy
    session_id: int | None = None  # a session's page (or, with ``feed``, its .ics) from the loaded programme
    feed: bool = False

    @property
    def is_html(self) -> bool:
        return self.file.endswith(".html")


@dataclass
class Plan:
    """What a copy will hold; ``len(plan.pages)`` steps for a progress bar."""

    forum_id: int
    slug: str
    language: str
    live_root: str  # https://planner.example.org, no slash at the end
    pages: list[Page] = field(default_factory=list)
    aliases: dict[str, str] = field(default_factory=dict)  # other URLs of a copied page: the timetable's own

    @property
    def steps(self) -> int:
        """What ``build`` reports to ``progress``: each page rendered, then written."""
        return 2 * len(self.pages)

    @property
    def folder(self) -> str:
        """The zip's one top folder, so that unzipping it makes one folder."""
        return f"{self.slug}-offline"


def copy_language(forum: Forum, asked: str | None) -> str:
    """The language asked for, else the forum's first one (where planner offers it)."""
    offered = list(current_app.config["LANGUAGES"])
    if asked:
        if asked not in offered:
            raise UnknownLanguage(
                _(
                    "planner has no language %(code)s; choose one of %(codes)s.",
                    code=asked[:16],
                    codes=", ".join(offered),
                ),
                "language",
            )
        return asked
    return forum.first_language if forum.first_language in offered else offered[0]


def live_root_of(url: str) -> str:
    """``scheme://host[:port]`` of the live site, or a Refused that says what is wrong."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.path not in ("", "/"):
        raise Refused(_("The live site's address must look like https://planner.example.org."), "live_url")
    return f"{parts.scheme}://{parts.netloc}"


def plan(app: Flask, forum_id: int, *, language: str, live_root: str) -> Plan:
    """Every page and file of the forum's copy, in the order they are built."""
    with app.app_context(), app.test_request_context("/", base_url=live_root):
        forum = db.session.get(Forum, forum_id)
        if forum is None:
            raise SiteCopyError(f"no forum {forum_id}")
        copy = Plan(forum.id, forum.slug, language, live_root)
        add = copy.pages.append
        slug = forum.slug
        add(Page(url_for("forums.forum", slug=slug), "index.html"))
        add(Page(url_for("calendar.forum_feed", slug=slug), "calendar.ics"))
        for event in sorted(forum.events, key=lambda e: (e.starts_at, e.code)):
            add(Page(url_for("forums.event", slug=slug, code=event.code), f"events/{event.code}/index.html"))
            add(Page(url_for("calendar.event_feed", slug=slug, code=event.code), f"events/{event.code}/calendar.ics"))
        day = forum.first_day
        while day <= forum.last_day:
            iso = day.isoformat()
            add(Page(url_for("schedule.timetable", slug=slug, day=iso), f"timetable/{iso}.html"))
            add(Page(url_for("schedule.timetable", slug=slug, day=iso, layout="print"), f"timetable/{iso}-print.html"))
            day += dt.timedelta(days=1)
        copy.aliases[url_for("schedule.timetable", slug=slug)] = f"timetable/{forum.first_day.isoformat()}.html"
        add(Page(url_for("statements.forum_documents", slug=slug), "statements/index.html"))
        for document in documents_of(forum, None):
            add(
                Page(
                    url_for("statements.document", slug=slug, doc_slug=document.slug),
                    f"statements/{document.slug}.html",
                )
            )
            for fmt in STATEMENT_FORMATS:
                url = url_for("statements.download", slug=slug, doc_slug=document.slug, fmt=fmt)
                add(Page(url, f"statements/{document.slug}.{fmt}"))
        add(Page(url_for("delegations.participants_list", slug=slug), "participants.html"))
        add(Page(url_for("delegations.participants_pdf", slug=slug), "participants.pdf"))
        for name in CONFERENCE_FORMATS:
            path = f"{url_for('forums.forum', slug=slug)}{name}"
            if _routed(app, path):
                add(Page(path, name))
        for session in forum_sessions(forum):
            add(Page(url_for("schedule.session", session_id=session.id), f"sessions/{session.id}.html", session.id))
            feed = url_for("calendar.session_feed", session_id=session.id)
            add(Page(feed, f"sessions/{session.id}.ics", session.id, feed=True))
    return copy


def build(
    app: Flask, copy: Plan, *, made_at: dt.datetime | None = None, progress: Callable[[int], None] | None = None
) -> bytes:
    """The zip of ``copy``; ``progress(1)`` after each page rendered and after each written
    (``copy.steps`` in all). A page that is not public (a 404 or 403 to an anonymous reader)
    is left out, and links to it go to the live site. Reads only."""
    made_at = made_at or utcnow()
    buffer = io.BytesIO()
    with (
        app.app_context(),
        force_locale(copy.language),
        zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive,
    ):
        forum = db.session.get(Forum, copy.forum_id)
        if forum is None:
            raise SiteCopyError(f"no forum {copy.forum_id}")
        notes = _notes(forum, made_at)
        programme = _programme(app, copy, forum)
        step = progress or (lambda _n: None)
        rendered: list[tuple[Page, bytes]] = []
        for page in copy.pages:
            body = _render(app, copy, page, forum, programme)
            if body is not None:
                rendered.append((page, body))
            step(1)
        site = _site(app, copy, [page for page, _body in rendered])
        for page, body in rendered:
            if page.is_html:
                body = rewrite_page(body.decode(), site, page.url, page.file, notes).encode()
            archive.writestr(f"{copy.folder}/{page.file}", body)
            step(1)
        step(len(copy.pages) - len(rendered))
        for name in _static_needed(app, site.used_static):
            archive.write(os.path.join(app.static_folder or "", name), f"{copy.folder}/static/{name}")
    return buffer.getvalue()


def organiser_copy(organiser: User, forum: Forum, *, language: str | None, live_root: str) -> bytes:
    """The copy an organiser downloads: only the forum's organisers may, and it is audited
    (in the caller's transaction, like every record)."""
    require_organiser(organiser, forum)
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    chosen = copy_language(forum, language)
    data = build(app, plan(app, forum.id, language=chosen, live_root=live_root_of(live_root)))
    record(
        organiser,
        "forum.offline_copy",
        forum_id=forum.id,
        target=("forum", forum.id),
        summary=_("Offline copy of the forum downloaded (%(language)s)", language=chosen),
    )
    return data


def file_name(copy: Plan) -> str:
    return f"{copy.slug}-offline-{copy.language}.zip"


# Rendering ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Programme:
    """The forum's public sessions with what their pages and feeds show, read in a fixed
    number of queries however many there are."""

    sessions: dict[int, Session]
    histories: dict[int, list[tuple[dt.datetime, list[str]]]]
    entries: dict[int, ical.Entry]


def _programme(app: Flask, copy: Plan, forum: Forum) -> _Programme:
    sessions = forum_sessions(forum)
    with app.test_request_context("/", base_url=copy.live_root):  # the feeds' URLs name the live site
        entries = feeds.session_entries(sessions)
    return _Programme(
        {s.id: s for s in sessions}, session_histories(forum), {s.id: e for s, e in zip(sessions, entries)}
    )


def _render(app: Flask, copy: Plan, page: Page, forum: Forum, programme: _Programme) -> bytes | None:
    """The page's bytes, or None where an anonymous reader may not see it (404, 403)."""
    with app.test_request_context(page.url, base_url=copy.live_root):
        if page.session_id is not None:
            session = programme.sessions.get(page.session_id)
            if session is None:
                raise SiteCopyError(f"{page.url}: the session is no longer public")
            if page.feed:
                # As calendar.feeds.session_feed builds it, without filling the site's cache
                # with a thousand feeds that only the copy reads.
                entry = programme.entries[session.id]
                return ical.feed(localized(session, "title"), forum.timezone, [entry], forum.first_day.year)
            # As schedule.views.session renders it for an anonymous reader.
            return render_template(
                "schedule/session.html",
                session=session,
                forum=forum,
                history=programme.histories.get(session.id, []),
                can_organise=False,
            ).encode()
        try:
            response = app.make_response(app.dispatch_request())
        except HTTPException as error:
            if error.code in (403, 404):
                return None
            raise SiteCopyError(f"{page.url} answered {error.code}: {error.description}") from None
        if response.status_code in (403, 404):
            return None
        if response.status_code != 200:
            raise SiteCopyError(f"{page.url} answered {response.status_code}")
        return response.get_data()


def _routed(app: Flask, path: str) -> bool:
    adapter = app.url_map.bind("planner.invalid")
    try:
        adapter.match(path, method="GET")
    except (NotFound, MethodNotAllowed):
        return False
    except HTTPException:  # a redirect: routed elsewhere
        return False
    return True


def _site(app: Flask, copy: Plan, pages: list[Page]) -> Site:
    files: dict[tuple[str, str], str] = {}
    site = Site(copy.live_root, copy.language, files, static_url=f"{app.static_url_path}/")
    for page in pages:
        files[site.key(*_path_and_query(page.url))] = page.file
    held = set(files.values())
    for url, file in copy.aliases.items():
        if file in held:
            files[site.key(*_path_and_query(url))] = file
    static = app.static_folder or ""
    for folder, _dirs, names in os.walk(static):
        for name in names:
            site.static_files.add(os.path.relpath(os.path.join(folder, name), static).replace(os.sep, "/"))
    return site


def _path_and_query(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    return parts.path, parts.query


def _static_needed(app: Flask, used: set[str]) -> list[str]:
    """The static files the pages use, and those their stylesheets use (fonts, images)."""
    static = app.static_folder or ""
    needed, queue = set(), sorted(used)
    while queue:
        name = queue.pop()
        if name in needed or not os.path.isfile(os.path.join(static, name)):
            continue
        needed.add(name)
        if name.endswith(".css"):
            with open(os.path.join(static, name), encoding="utf-8") as css:
                for match in _CSS_URL.finditer(css.read()):
                    ref = (match.group(1) or match.group(2)).strip()
                    if not urlsplit(ref).scheme and not ref.startswith(("/", "#")):
                        queue.append(posixpath.normpath(posixpath.join(posixpath.dirname(name), urlsplit(ref).path)))
    return sorted(needed)


def _notes(forum: Forum, made_at: dt.datetime) -> Notes:
    """The note on top of every page and what stands where a form was, translated once."""
    made = escape(_("Offline copy of %(forum)s, made %(when)s.", forum=forum.name, when=when_in(made_at, forum)))
    this_page = escape(_("This page on the live site"))
    elsewhere = escape(_("available on the live site"))
    a_form = escape(_("This form is available on the live site"))

    def banner(live_url: str) -> str:
        return f'<p class="notice offline-copy" role="note">{made} <a href="{escape(live_url)}">{this_page}</a></p>'

    def instead_of_form(label: str, live_url: str) -> str:
        # Forms cannot work from a file: a link to the page that has it, named by the form's label.
        text = f"{escape(label)}: {elsewhere}" if label else a_form
        return f'<span class="offline-elsewhere"><a href="{escape(live_url)}">{text}</a></span>'

    return Notes(banner, instead_of_form)
