"""Every page of the programme, as an organiser sees it, follows the structural accessibility
rules of tests/schedule/structure.py and names itself in its <title>."""

import io

import pytest

from planner.schedule.models import ParticipantRole, SessionStatus
from tests.conftest import sign_in
from tests.factories import add_participant, committed, make_admin, make_person, make_programme
from tests.schedule.structure import problems, title_of


@pytest.fixture
def pages(app):
    """Y-ISEF's first day with an opening that was moved (so session pages show a history),
    a cancelled and a closed session and a warning; the organiser's client, the URLs' ids
    and an administrator."""
    with committed(app):
        programme = make_programme()
        programme.room("g510", "Room G510", capacity=2, accessibility_notes="Step-free")
        opening = programme.session("opening", "Opening", "2018-02-28 09:00", room="g510")
        panel = programme.session("panel", "Panel", "2018-02-28 09:30")
        programme.session("dropped", "Dropped", "2018-02-28 11:00", room="g510", status=SessionStatus.CANCELLED)
        programme.session("closed", "Closed meeting", "2018-02-28 13:00", is_public=False)
        speaker = make_person(name="Hana Suzuki")
        add_participant(opening, speaker, ParticipantRole.SPEAKER)
        add_participant(panel, speaker, ParticipantRole.CHAIR)  # a warning on the conflicts page
        admin = make_admin(email="admin@example.org")
    ids = {
        "opening": programme.opening.id,
        "closed": programme.closed.id,
        "room": programme.g510.id,
        "venue": programme.g510.venue_id,
        "event": programme.event.id,
    }
    client = app.test_client()
    sign_in(client, programme.organiser)
    # A move, so the session pages show their history.
    moved = client.post(
        f"/forums/isef2/manage/sessions/{ids['opening']}/edit",
        data={
            "title": "Opening",
            "event": str(ids["event"]),
            "kind": "panel",
            "starts_at": "2018-02-28T10:00",
            "ends_at": "2018-02-28T10:50",
            "room": str(ids["room"]),
            "chairs": "",
            "speakers": "Hana Suzuki",
            "description": "",
            "is_public": "y",
            "status": "scheduled",
        },
    )
    assert moved.status_code == 302
    return client, ids, admin


GET_PAGES = {
    "/forums/isef2/manage/programme/": "Programme · ISEF2",
    "/forums/isef2/manage/sessions/new": "New session · ISEF2",
    "/forums/isef2/manage/sessions/{opening}/edit": "Edit session “Opening” · ISEF2",
    "/forums/isef2/manage/sessions/new?copy={opening}": "New session · ISEF2",
    "/forums/isef2/manage/conflicts": "Conflicts · ISEF2",
    "/forums/isef2/manage/venues/new": "New venue · ISEF2",
    "/forums/isef2/manage/venues/{venue}/edit": "Edit venue Main venue · ISEF2",
    "/forums/isef2/manage/rooms/new": "New room · ISEF2",
    "/forums/isef2/manage/rooms/{room}/edit": "Edit room Room G510 · ISEF2",
    "/forums/isef2/manage/events/new": "New event · ISEF2",
    "/forums/isef2/manage/events/Y-ISEF/edit": "Edit event Y-ISEF · ISEF2",
    "/forums/isef2/manage/forum": "Edit ISEF2 · ISEF2",
    "/forums/isef2/manage/programme/import": "Import the programme · ISEF2",
    "/forums/isef2/timetable?day=2018-02-28": "Timetable, Wednesday, February 28, 2018 · ISEF2",
    "/forums/isef2/timetable?day=2018-02-28&layout=print": "Timetable, Wednesday, February 28, 2018 · ISEF2",
    "/forums/isef2/timetable?day=2018-02-28&tz=Europe/Paris&event=Y-ISEF&kind=panel": "Timetable, Wednesday",
    "/forums/isef2/timetable?day=2018-03-01": "Timetable, Thursday, March 1, 2018 · ISEF2",
    "/sessions/{opening}": "Opening · Y-ISEF · ISEF2",
    "/sessions/{closed}": "Closed meeting · Y-ISEF · ISEF2",
}


@pytest.mark.parametrize("path", list(GET_PAGES))
def test_organiser_pages_follow_the_structural_rules(pages, path):
    client, ids, _admin = pages
    response = client.get(path.format(**ids))
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert problems(html) == []
    assert GET_PAGES[path] in title_of(html)


def test_the_new_forum_page_follows_the_structural_rules(app, pages):
    _client, _ids, admin = pages
    client = app.test_client()
    sign_in(client, admin)
    html = client.get("/forums/new").get_data(as_text=True)
    assert problems(html) == []
    assert title_of(html).startswith("New forum")
    refused = client.post("/forums/new", data={"slug": "Bad Slug", "timezone": "Mars/Olympus"})
    assert refused.status_code == 422
    assert problems(refused.get_data(as_text=True)) == []


def test_refused_forms_and_import_reports_follow_the_structural_rules(pages):
    client, ids, _admin = pages
    refused = client.post(f"/forums/isef2/manage/sessions/{ids['opening']}/edit", data={"title": ""})
    assert refused.status_code == 422
    html = refused.get_data(as_text=True)
    assert problems(html) == []
    assert 'aria-invalid="true"' in html and 'class="error-summary"' in html
    report = client.post(
        "/forums/isef2/manage/programme/import",
        content_type="multipart/form-data",
        data={
            "file": (io.BytesIO(b"event,title,date,start,end\nNOPE,A,2018-02-28,11:00,10:00\n"), "p.csv"),
            "dry_run": "y",
        },
    )
    assert report.status_code == 422
    html = report.get_data(as_text=True)
    assert problems(html) == []
    assert "<caption>Problems by line</caption>" in html


def test_the_timetable_grid_is_reachable_by_keyboard_and_names_its_marks_in_text(pages):
    client, _ids, _admin = pages
    html = client.get("/forums/isef2/timetable?day=2018-02-28").get_data(as_text=True)
    # The grid scrolls sideways on small screens: focusable, so keyboard users can scroll it.
    assert '<div class="timetable-grid" role="region" aria-labelledby="grid-caption" tabindex="0">' in html
    # Cancelled is said in words, not only by a strike-through or a colour.
    assert '<strong class="cancelled-mark">Cancelled</strong>' in html


def test_the_checker_finds_what_it_looks_for():
    """The rules above can fail: a page with each fault is reported."""
    bad = (
        '<html><head></head><body><h1>A</h1><h1>B</h1><h4>Deep</h4><input name="q"><a href="/x"></a>'
        '<button></button><table><tr><td>1</td></tr></table><p id="d"></p><p id="d"></p>'
        '<span tabindex="2"></span></body></html>'
    )
    found = problems(bad)
    assert found == [
        "<html> has no lang",
        "no single, non-empty <title>",
        "2 h1 elements",
        "heading level skips from h1 to h4 ('Deep')",
        "positive tabindex on <span>",
        "id 'd' used 2 times",
        "<input name='q'> has no label",
        "link to '/x' has no text",
        "button without text",
        "table without caption",
        "table without header cells",
    ]
