"""The offline copy of ISEF2: what it holds, and every link inside it or to the live site."""

from __future__ import annotations

import datetime as dt
import io
import posixpath
import zipfile
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from flask import Flask
from flask_babel import force_locale
from sqlalchemy import select

from planner.calendar.services import forum_sessions
from planner.demo.seed import load_isef2
from planner.extensions import db
from planner.forums.models import Forum
from planner.offline import site_copy
from planner.schedule.editing import record_change
from planner.schedule.models import Session
from planner.statements.services import documents_of
from tests.factories import committed, make_plenary_and_panel

LIVE = "https://planner.example.org"
MADE_AT = dt.datetime(2018, 2, 27, 23, 30, tzinfo=dt.UTC)  # 08:30 on 28 February in Tokyo


class Links(HTMLParser):
    """Every href and src of a page, and the tags the copy must leave out."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []
        self.tags: set[str] = set()
        self.lang: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        if tag == "html":
            self.lang = dict(attrs).get("lang")
        self.urls.extend(value for name, value in attrs if name in ("href", "src", "action") and value)


def links_of(html: str) -> Links:
    parser = Links()
    parser.feed(html)
    parser.close()
    return parser


def isef2_id() -> int:
    return db.session.scalars(select(Forum.id).where(Forum.slug == "isef2")).one()


@pytest.fixture
def isef2(app: Flask) -> int:
    with app.app_context():
        load_isef2()
        # A session that moved, so that its page shows its changes.
        moved = db.session.scalars(select(Session).where(Session.is_public.is_(True)).order_by(Session.id)).first()
        assert moved is not None
        hour = dt.timedelta(hours=1)
        changes = {
            "starts_at": (moved.starts_at - hour, moved.starts_at),
            "ends_at": (moved.ends_at - hour, moved.ends_at),
        }
        record_change(None, moved, changes)
        db.session.commit()
        return isef2_id()


def first_session(app: Flask) -> int:
    """The id of ISEF2's first public session, the one that moved (ids differ on PostgreSQL)."""
    with app.app_context():
        return db.session.scalars(select(Session.id).where(Session.is_public.is_(True)).order_by(Session.id)).first()


def make_copy(app: Flask, forum_id: int, language: str = "en") -> zipfile.ZipFile:
    plan = site_copy.plan(app, forum_id, language=language, live_root=LIVE)
    return zipfile.ZipFile(io.BytesIO(site_copy.build(app, plan, made_at=MADE_AT)))


def test_the_copy_holds_the_forum_its_programme_statements_participants_and_calendars(app, isef2):
    copy = make_copy(app, isef2)
    names = set(copy.namelist())
    assert all(name.startswith("isef2-offline/") for name in names)
    files = {name.removeprefix("isef2-offline/") for name in names}
    with app.app_context():
        forum = db.session.get_one(Forum, isef2)
        expected = {"index.html", "calendar.ics", "statements/index.html", "participants.html", "participants.pdf"}
        for event in forum.events:
            expected |= {f"events/{event.code}/index.html", f"events/{event.code}/calendar.ics"}
        day = forum.first_day
        while day <= forum.last_day:
            expected |= {f"timetable/{day}.html", f"timetable/{day}-print.html"}
            day += dt.timedelta(days=1)
        documents = documents_of(forum, None)
        assert documents, "ISEF2 has adopted statements"
        for document in documents:
            expected |= {f"statements/{document.slug}.{ext}" for ext in ("html", "pdf", "txt", "md")}
        public = forum_sessions(forum)
        expected |= {f"sessions/{s.id}.{ext}" for s in public for ext in ("html", "ics")}
        closed = db.session.scalars(select(Session.id).where(Session.is_public.is_(False))).all()
    expected.add("static/css/planner.css")  # the stylesheet: nothing else of static/ is used
    conference = {"schedule.json", "schedule.xml"} & files
    assert files - conference == expected
    assert not any(f"sessions/{i}.html" in files for i in closed)
    assert copy.read("isef2-offline/participants.pdf").startswith(b"%PDF")
    assert copy.read("isef2-offline/statements/joint-statement.pdf").startswith(b"%PDF")
    assert b"BEGIN:VCALENDAR" in copy.read("isef2-offline/calendar.ics")


def test_every_link_stays_in_the_copy_or_goes_to_the_live_site(app, isef2):
    copy = make_copy(app, isef2)
    files = {name.removeprefix("isef2-offline/") for name in copy.namelist()}
    pages = sorted(name for name in files if name.endswith(".html"))
    checked = 0
    for page in pages:
        html = copy.read(f"isef2-offline/{page}").decode()
        links = links_of(html)
        assert links.lang == "en"
        assert not links.tags & {"form", "script"}, f"{page} keeps a form or a script"
        assert "Offline copy of ISEF2, made 28 Feb 2018 08:30 JST." in html, page
        for url in links.urls:
            parts = urlsplit(url)
            if parts.scheme in ("mailto", "webcal"):
                continue
            if parts.scheme or parts.netloc:
                assert url.startswith(LIVE + "/") or parts.netloc != urlsplit(LIVE).netloc, url
                assert parts.scheme in ("https", "http"), url
                continue
            if not parts.path:
                continue  # "#main"
            target = posixpath.normpath(posixpath.join(posixpath.dirname(page), parts.path))
            assert target in files, f"{page}: {url} points to {target}, which the copy does not hold"
            checked += 1
    assert checked > 300
    forum_page = copy.read("isef2-offline/index.html").decode()
    assert 'href="timetable/2018-02-28.html"' in forum_page
    assert f'href="{LIVE}/login"' in forum_page  # pages the copy has not: the live site
    assert f'<a href="{LIVE}/forums/isef2/">This page on the live site</a>' in forum_page
    moved = first_session(app)
    session_page = copy.read(f"isef2-offline/sessions/{moved}.html").decode()
    assert 'href="../static/css/planner.css"' in session_page
    assert f'href="{moved}.ics"' in session_page
    assert "Changes" in session_page


def test_session_pages_and_feeds_are_the_views_own(app, isef2):
    """The copy renders sessions from the programme loaded once; they must come out as the
    views make them for an anonymous reader."""
    with app.app_context(), force_locale("en"):
        forum = db.session.get_one(Forum, isef2)
        copy = site_copy.Plan(forum.id, forum.slug, "en", LIVE)
        programme = site_copy._programme(app, copy, forum)
        assert programme.histories, "ISEF2 has sessions that moved"
        for session_id in [*list(programme.sessions)[:3], *programme.histories]:
            for url, feed in ((f"/sessions/{session_id}", False), (f"/sessions/{session_id}/calendar.ics", True)):
                ours = site_copy._render(app, copy, site_copy.Page(url, "x", session_id, feed), forum, programme)
                views = site_copy._render(app, copy, site_copy.Page(url, "x"), forum, programme)
                assert ours == views, url


def test_a_copy_in_japanese(app, isef2):
    copy = make_copy(app, isef2, "ja")
    html = copy.read("isef2-offline/index.html").decode()
    assert links_of(html).lang == "ja"
    assert "本文へ移動" in html  # "Skip to main content"
    assert "本文へ移動" in copy.read(f"isef2-offline/sessions/{first_session(app)}.html").decode()


def test_a_language_planner_does_not_offer_is_refused(app, isef2):
    with app.app_context():
        forum = db.session.get_one(Forum, isef2)
        with pytest.raises(site_copy.UnknownLanguage, match="no language fr"):
            site_copy.copy_language(forum, "fr")
        assert site_copy.copy_language(forum, None) == forum.first_language


def test_the_conference_formats_are_in_the_copy_where_planner_serves_them(app, isef2):
    routed = {name for name in site_copy.CONFERENCE_FORMATS if site_copy._routed(app, f"/forums/isef2/{name}")}
    if not routed:
        pytest.skip("planner serves no schedule.json or schedule.xml yet")
    files = {name.removeprefix("isef2-offline/") for name in make_copy(app, isef2).namelist()}
    assert routed <= files


def test_the_live_site_must_be_an_address():
    for bad in ("planner.example.org", "ftp://planner.example.org", "https://planner.example.org/forums/"):
        with pytest.raises(site_copy.Refused):
            site_copy.live_root_of(bad)
    assert site_copy.live_root_of("https://planner.example.org/") == LIVE


def test_a_page_an_anonymous_reader_may_not_see_is_left_out(app):
    with committed(app):
        forum_id = make_plenary_and_panel().forum.id
    plan = site_copy.plan(app, forum_id, language="en", live_root=LIVE)
    plan.pages.append(site_copy.Page("/sessions/999999", "sessions/999999.html"))  # a 404
    steps: list[int] = []
    copy = zipfile.ZipFile(io.BytesIO(site_copy.build(app, plan, progress=steps.append)))
    assert "isef2-offline/sessions/999999.html" not in copy.namelist()
    assert "isef2-offline/index.html" in copy.namelist()
    assert sum(steps) == plan.steps
