"""Hostile and broken input to every programme form and URL: a form error or a 4xx with a
reason, never a 500, and nothing stored half-way (tests/accounts/test_bad_input.py is the model)."""

import gc
import io
import warnings

import pytest
from sqlalchemy import func, select

from planner.audit.models import AuditEntry
from planner.delegations.models import Person
from planner.extensions import db
from planner.forums.models import Event, Forum, Room, Venue
from planner.mail.models import OutboxMessage
from planner.schedule.models import RoomClosedDay, Session, SessionParticipant
from tests.conftest import sign_in
from tests.factories import (
    committed,
    make_admin,
    make_event,
    make_forum,
    make_programme,
    make_room,
    make_session,
    tokyo,
)

SCRIPT = '<script>alert("x")</script>'
HUGE_ID = str(2**31)  # one past the largest id PostgreSQL's integer holds
HUGER_ID = str(2**63)
COUNTED = (Session, SessionParticipant, Person, Venue, Room, RoomClosedDay, Event, Forum, AuditEntry, OutboxMessage)


def stored() -> tuple:
    counts = tuple(db.session.scalar(select(func.count()).select_from(model)) for model in COUNTED)
    sessions = tuple(
        db.session.execute(
            select(Session.id, Session.title, Session.revision, Session.starts_at, Session.room_id).order_by(Session.id)
        )
    )
    forum = db.session.execute(select(Forum.name, Forum.title, Forum.host_city, Forum.schedule_version)).all()
    return counts, sessions, forum


@pytest.fixture
def programme(app) -> dict:
    """Y-ISEF's opening in Room G510 and another forum's event and room, by the names the
    forms and URLs below use (ids); the organiser's and an administrator's session tokens."""
    with committed(app):
        programme = make_programme()
        room = programme.room("g510", "Room G510", capacity=40)
        session = programme.session("opening", "Opening", "2018-02-28 09:00", room="g510")
        other = make_forum(slug="other")
        other_event, other_room = make_event(other, "O-EV"), make_room(other, "Elsewhere")
        admin = make_admin(email="admin@example.org")
    return {
        "event": programme.event.id,
        "room": room.id,
        "venue": room.venue_id,
        "session": session.id,
        "other_event": other_event.id,
        "other_room": other_room.id,
        "organiser": programme.organiser,
        "admin": admin,
    }


@pytest.fixture
def organiser_client(app, programme):
    client = app.test_client()
    sign_in(client, programme["organiser"])
    return client


def session_form(p: dict) -> dict:
    return {
        "title": "Bilateral",
        "event": str(p["event"]),
        "kind": "panel",
        "starts_at": "2018-02-28T11:00",
        "ends_at": "2018-02-28T12:00",
        "room": str(p["room"]),
        "chairs": "",
        "speakers": "",
        "description": "",
        "is_public": "y",
        "status": "scheduled",
    }


def room_form(p: dict) -> dict:
    return {"venue": str(p["venue"]), "name": "Room B", "capacity": "20", "accessibility_notes": "", "closed_days": ""}


def event_form(p: dict) -> dict:
    return {
        "code": "S-ISEF",
        "kind": "side_event",
        "title": "S-ISEF",
        "starts_at": "2018-03-01T09:00",
        "ends_at": "2018-03-01T18:00",
        "venue": "0",
        "description": "",
    }


def edit_event_form(p: dict) -> dict:
    """Y-ISEF's dates must keep covering its session."""
    return event_form(p) | {"code": "Y-ISEF", "starts_at": "2018-02-28T09:00", "ends_at": "2018-03-03T18:00"}


def forum_form(p: dict) -> dict:
    return {
        "name": "ISEF2",
        "title": "The forum",
        "host_city": "Tokyo",
        "description": "",
        "age_of_majority": "18",
        "personal_data_retention_days": "90",
    }


def venue_form(p: dict) -> dict:
    return {"name": "Hall", "address": ""}


def new_forum_form(p: dict) -> dict:
    return {
        "slug": "isef3",
        "name": "ISEF3",
        "title": "Third",
        "host_city": "Tokyo",
        "host_country": "JP",
        "timezone": "Asia/Tokyo",
        "first_day": "2019-03-01",
        "last_day": "2019-03-03",
        "description": "",
        "age_of_majority": "18",
    }


# The form, a valid payload for it, and per field values that must be refused.
BAD_TEXT = ["", " ", "x" * 5000, "a\x00b", "a\x1bb", "\ufffd"]
BAD_ID = ["", "abc", "1.5", "-1", HUGE_ID, HUGER_ID, "x" * 5000]
BAD_TIME = [
    "",
    "2018-02-30T09:00",
    "2018-02-28T25:00",
    "28/02/2018 09:00",
    "0001-01-01T00:00",
    "9999-12-31T23:59",
    "2018-02-28T09:00\x00",
    "x" * 5000,
    "2018-02-26T09:00",
]
LONG_BLOCK = "x" * 20_001
FORMS = {
    "session": (
        "/forums/isef2/manage/sessions/new",
        session_form,
        {
            "title": BAD_TEXT,
            "event": BAD_ID + ["other_event"],
            "kind": ["", "nonsense", "x" * 5000],
            "starts_at": BAD_TIME,
            "ends_at": BAD_TIME + ["2018-02-28T11:00", "2018-02-28T10:00"],
            "room": ["abc", "1.5", "-1", HUGE_ID, HUGER_ID, "other_room"],
            "chairs": ["a\x00b", LONG_BLOCK, "x" * 201],
            "speakers": ["a\x1bb", LONG_BLOCK, "Hana\n" + "y" * 201, "nobody@example.org", "x" * 300 + "@example.org"],
            "description": ["a\x00b", LONG_BLOCK],
            "status": ["", "deleted"],
        },
    ),
    "edit session": (
        "/forums/isef2/manage/sessions/{session}/edit",
        session_form,
        {
            "title": BAD_TEXT,
            "event": BAD_ID + ["other_event"],
            "starts_at": BAD_TIME,
            "room": [HUGE_ID, "other_room"],
            "status": ["deleted"],
        },
    ),
    "venue": ("/forums/isef2/manage/venues/new", venue_form, {"name": BAD_TEXT, "address": ["a\x00b", "x" * 2001]}),
    "edit venue": ("/forums/isef2/manage/venues/{venue}/edit", venue_form, {"name": BAD_TEXT}),
    "room": (
        "/forums/isef2/manage/rooms/new",
        room_form,
        {
            "venue": BAD_ID,
            "name": BAD_TEXT,
            "capacity": ["abc", "0", "-5", "1.5", HUGE_ID, HUGER_ID, "1e3"],
            "accessibility_notes": ["a\x00b", LONG_BLOCK],
            "closed_days": ["2018-02-30", "tomorrow", "a\x00b", "2018-02-28\n2018-13-01", "x" * 2001],
        },
    ),
    "edit room": (
        "/forums/isef2/manage/rooms/{room}/edit",
        room_form,
        {"venue": [HUGE_ID], "name": BAD_TEXT, "capacity": [HUGER_ID]},
    ),
    "event": (
        "/forums/isef2/manage/events/new",
        event_form,
        {
            "code": ["", "Y ISEF", "Y/ISEF", "é", "x" * 33, "a\x00b", "Y-ISEF"],
            "kind": ["", "party"],
            "title": BAD_TEXT,
            "starts_at": BAD_TIME[:-1],
            "ends_at": BAD_TIME[:-1] + ["2018-03-01T09:00"],
            "venue": ["abc", HUGE_ID, "-1"],
            "description": ["a\x00b", LONG_BLOCK],
        },
    ),
    "edit event": (
        "/forums/isef2/manage/events/Y-ISEF/edit",
        edit_event_form,
        {"code": ["", "a\x00b"], "starts_at": BAD_TIME[:-1], "venue": [HUGE_ID]},
    ),
    "forum": (
        "/forums/isef2/manage/forum",
        forum_form,
        {
            "name": BAD_TEXT,
            "title": BAD_TEXT,
            "host_city": BAD_TEXT,
            "description": ["a\x00b", LONG_BLOCK],
            "age_of_majority": ["", "abc", "0", "31", "-5", "1.5", "9" * 30],
            "personal_data_retention_days": ["", "abc", "-1", "3661", "1.5", "9" * 30],
        },
    ),
}


def cases():
    for form, (_url, _valid, bad) in FORMS.items():
        for name, values in bad.items():
            for value in values:
                yield pytest.param(form, name, value, id=f"{form}-{name}-{value[:20]!r}")


def _fill(template: str, p: dict) -> str:
    return template.format(**p)


@pytest.mark.parametrize(("form", "name", "value"), list(cases()))
def test_every_field_refuses_bad_values_cleanly(app, programme, organiser_client, form, name, value):
    url, valid, _bad = FORMS[form]
    data = valid(programme)
    data[name] = str(programme[value]) if value in programme else value
    with app.app_context():
        before = stored()
    response = organiser_client.post(_fill(url, programme), data=data)
    assert response.status_code == 422, (response.status_code, response.get_data(as_text=True)[:500])
    page = response.get_data(as_text=True)
    assert SCRIPT not in page
    assert 'class="error-summary" role="alert"' in page  # the form again, saying why
    with app.app_context():
        assert stored() == before


@pytest.mark.parametrize("form", list(FORMS))
def test_the_valid_payloads_are_accepted(app, programme, organiser_client, form):
    """The refusals above are about the one bad value: the same form without it saves."""
    url, valid, _bad = FORMS[form]
    response = organiser_client.post(_fill(url, programme), data=valid(programme))
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]


NEW_FORUM_BAD = {
    "slug": ["", "x" * 5000, "a\x00b", "../../etc/passwd", "ISEF 3", "isef/3", "\u00e9"],
    "name": BAD_TEXT,
    "title": BAD_TEXT,
    "host_city": BAD_TEXT,
    "host_country": ["", "J", "JPN", "1P", "\u00e9\u00e9", "a\x00"],
    "timezone": ["", "x" * 5000, "a\x00b", "../../etc/passwd", "/etc/localtime", "Mars/Olympus", "UTC+9", "Europe"],
    "first_day": ["", "2019-02-30", "03/01/2019", HUGE_ID, "x" * 5000],
    "last_day": ["", "2019-02-30", "2019-13-01", HUGER_ID, "a\x00b"],
    "description": ["a\x00b", LONG_BLOCK],
}


@pytest.mark.parametrize(
    ("name", "value"), [pytest.param(n, v, id=f"{n}-{v[:20]!r}") for n, values in NEW_FORUM_BAD.items() for v in values]
)
def test_new_forum_refuses_bad_values(app, programme, name, value):
    client = app.test_client()
    sign_in(client, programme["admin"])
    data = new_forum_form(programme)
    data[name] = value
    with app.app_context():
        before = stored()
    response = client.post("/forums/new", data=data)
    assert response.status_code == 422
    with app.app_context():
        assert stored() == before


def test_new_forum_refuses_a_taken_slug_and_impossible_days(app, programme):
    client = app.test_client()
    sign_in(client, programme["admin"])
    for change in (
        {"slug": "isef2"},
        {"timezone": "Mars/Olympus"},
        {"last_day": "2019-02-01"},
        {"first_day": "0001-01-01", "last_day": "0001-01-02"},
        {"last_day": "2019-06-01"},
    ):
        response = client.post("/forums/new", data=new_forum_form(programme) | change)
        assert response.status_code == 422, change
    assert client.post("/forums/new", data=new_forum_form(programme)).status_code == 302


# Werkzeug keeps an undecodable %XX as the three characters; the forms must cope either way.
NON_UTF8 = b"title=%FF%FE&event=%C3%28&kind=%80&starts_at=2018-02-28T11%3A00&ends_at=%81&name=%FF&code=%FE"
POST_URLS = [
    "/forums/isef2/manage/sessions/new",
    "/forums/isef2/manage/sessions/{session}/edit",
    "/forums/isef2/manage/rooms/new",
    "/forums/isef2/manage/events/new",
    "/forums/isef2/manage/events/Y-ISEF/edit",
    "/forums/isef2/manage/forum",
    "/forums/isef2/manage/conflicts/acknowledge",
    "/forums/isef2/manage/conflicts/acknowledge-page",
    "/forums/isef2/manage/programme/import",
]


@pytest.mark.parametrize("url", POST_URLS)
def test_non_utf8_bodies_get_a_form_error(app, programme, organiser_client, url):
    with app.app_context():
        before = stored()
    response = organiser_client.post(
        _fill(url, programme), data=NON_UTF8, content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 422
    with app.app_context():
        assert stored() == before


def test_a_venue_named_in_undecodable_bytes_keeps_them_as_typed(app, programme, organiser_client):
    response = organiser_client.post(
        "/forums/isef2/manage/venues/new",
        data=b"name=%FF%FE&address=%C3%28",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 302
    with app.app_context():
        assert db.session.scalar(select(Venue.address).where(Venue.name == "%FF%FE")) == "%C3("


@pytest.mark.parametrize(
    ("key", "status"),
    [
        ("", 422),
        ("x" * 5000, 422),  # no key, or one longer than any: the form refuses it
        ("a\x00b", 404),
        ("unknown:1:2", 404),
        (SCRIPT, 404),  # a key of no open warning
    ],
)
def test_acknowledging_an_unknown_warning_is_refused(app, programme, organiser_client, key, status):
    with app.app_context():
        before = stored()
    response = organiser_client.post("/forums/isef2/manage/conflicts/acknowledge", data={"key": key})
    assert response.status_code == status
    assert SCRIPT not in response.get_data(as_text=True)
    with app.app_context():
        assert stored() == before


# URLs ------------------------------------------------------------------------------------------

BAD_QUERIES = [
    ("day=28-02-2018", 400, "The day must be a date written like 2018-03-03."),
    ("day=2018-02-30", 400, "The day must be a date"),
    ("day=" + "9" * 5000, 400, "The day must be a date"),
    ("day=2018-02-28%00", 400, "The day must be a date"),
    ("day=%FF%FE", 400, "The day must be a date"),
    ("day=0001-01-01", 404, "ISEF2 does not take place on that day."),
    ("event=NOPE", 400, "This forum has no event with the code NOPE."),
    ("event=" + "E" * 5000, 400, "This forum has no event"),
    ("event=%FF", 400, "This forum has no event"),
    ("kind=party", 400, "There is no session kind party."),
    ("kind=" + "k" * 5000, 400, "There is no session kind"),
    ("kind=a%00b", 400, "There is no session kind"),
    ("tz=Mars/Olympus", 400, "is not a timezone"),
    ("tz=Europe", 400, "is not a timezone"),  # a directory of zones, not a zone
    ("tz=../../../etc/passwd", 400, "is not a timezone"),
    ("tz=/etc/localtime", 400, "is not a timezone"),
    ("tz=Europe%00Paris", 400, "is not a timezone"),
    ("tz=%FF%FE", 400, "is not a timezone"),
    ("tz=" + "Z" * 5000, 400, "is not a timezone"),
]


@pytest.mark.parametrize(("query", "status", "message"), BAD_QUERIES)
def test_timetable_refuses_bad_queries_with_a_reason(client, programme, query, status, message):
    response = client.get(f"/forums/isef2/timetable?{query}")
    assert response.status_code == status
    assert message in response.get_data(as_text=True)


@pytest.mark.parametrize(
    "query", ["layout=nonsense", "layout=print&tz=Europe/Paris", "day=2018-02-28&day=x", "tz=", "event=", "kind="]
)
def test_timetable_ignores_harmless_oddities(client, programme, query):
    assert client.get(f"/forums/isef2/timetable?{query}").status_code == 200


@pytest.mark.parametrize(
    "path",
    [
        "/sessions/" + HUGE_ID,
        "/sessions/" + HUGER_ID,
        "/sessions/-1",
        "/sessions/0",
        "/sessions/abc",
        "/sessions/1.5",
        "/sessions/" + "9" * 500,
        "/forums/isef2/manage/sessions/" + HUGE_ID + "/edit",
        "/forums/isef2/manage/sessions/-1/edit",
        "/forums/isef2/manage/venues/" + HUGER_ID + "/edit",
        "/forums/isef2/manage/rooms/" + HUGE_ID + "/edit",
        "/forums/isef2/manage/events/NOPE/edit",
        "/forums/isef2/manage/events/" + "E" * 5000 + "/edit",
        "/forums/isef2/manage/events/%FF%FE/edit",
        "/forums/isef2/manage/events/a%00b/edit",
        "/forums/isef2/manage/sessions/new?copy=" + HUGE_ID,
        "/forums/isef2/manage/sessions/new?copy=" + HUGER_ID,
        "/forums/isef2/manage/sessions/new?copy=-1",
        "/forums/" + "s" * 5000 + "/timetable",
        "/forums/%FF/timetable",
        "/forums/a%00b/manage/programme/",
        "/forums/isef2/events/a%1Fb/",
        "/forums/isef2/manage/events/a%7Fb/edit",
    ],
)
def test_unknown_ids_and_names_are_not_found(organiser_client, programme, path):
    response = organiser_client.get(path)
    assert response.status_code == 404, response.status_code


def test_an_other_forums_session_room_and_venue_are_not_found(app, programme, organiser_client):
    with app.app_context():
        other_room = db.session.get(Room, programme["other_room"])
        other_session = make_session(db.session.get(Event, programme["other_event"]), tokyo("2018-02-28 09:00"))
        db.session.commit()
        urls = [
            f"/forums/isef2/manage/sessions/{other_session.id}/edit",
            f"/forums/isef2/manage/sessions/new?copy={other_session.id}",
            f"/forums/isef2/manage/rooms/{other_room.id}/edit",
            f"/forums/isef2/manage/venues/{other_room.venue_id}/edit",
        ]
    for url in urls:
        assert organiser_client.get(url).status_code == 404, url


@pytest.mark.parametrize("copy", ["abc", "0", "1.5", ""])
def test_a_copy_parameter_that_is_no_number_gives_an_empty_form(organiser_client, programme, copy):
    assert organiser_client.get(f"/forums/isef2/manage/sessions/new?copy={copy}").status_code == 200


# CSV import ------------------------------------------------------------------------------------

GOOD_CSV = "event,title,kind,date,start,end,room\nY-ISEF,Bilateral,panel,2018-02-28,11:00,12:00,Room G510\n"
BAD_FILES = {
    "not CSV": (b"Dear organisers,\nplease find the programme attached.\n", "first line must name the columns"),
    "binary": (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10" + bytes(range(256)), "not UTF-8"),
    "zeros": (b"\x00" * 1000, "first line must name the columns"),
    "latin-1": (
        "event,title,date,start,end\nY-ISEF,Caf\u00e9 d\u00e9bat,2018-02-28,11:00,12:00\n".encode("latin-1"),
        "not UTF-8",
    ),
    "UTF-16": (GOOD_CSV.encode("utf-16"), "not UTF-8"),
    "empty": (b"", "first line must name the columns"),
    "header only, wrong": (b"when,what\n", "unknown: when, what"),
    "NUL in a cell": (
        b"event,title,date,start,end\nY-ISEF,Bi\x00lateral,2018-02-28,11:00,12:00\n",
        "Remove control characters",
    ),
    "NUL in a name": (
        b"event,title,date,start,end,chairs,speakers\nY-ISEF,A,2018-02-28,11:00,12:00,Ha\x00na,x\x00@example.org\n",
        "Remove control characters",
    ),
    "a name too long": (
        b"event,title,date,start,end,chairs\nY-ISEF,A,2018-02-28,11:00,12:00," + b"x" * 201 + b"\n",
        "is too long for a name",
    ),
    "bad dates": (
        b"event,title,date,start,end\nY-ISEF,A,2018-02-30,11:00,12:00\nY-ISEF,B,2018-02-28,25:00,26:00\n"
        b"Y-ISEF,C,28/02/2018,11:00,12:00\n",
        "Write the date like 2018-03-03",
    ),
    "huge ids": (
        f"id,event,title,date,start,end\n{HUGE_ID},Y-ISEF,A,2018-02-28,11:00,12:00\n"
        f"{HUGER_ID},Y-ISEF,B,2018-02-28,13:00,14:00\n-1,Y-ISEF,C,2018-02-28,15:00,16:00\n".encode(),
        "This forum has no session with the number",
    ),
    "digits that are not ASCII as ids": (
        "id,event,title,date,start,end\n²,Y-ISEF,A,2018-02-28,11:00,12:00\n"
        "٣,Y-ISEF,B,2018-02-28,13:00,14:00\n".encode(),
        "This forum has no session with the number",
    ),
    "a cell too long for csv": (
        b'event,title,date,start,end\nY-ISEF,"' + b"x" * 200_000 + b'",2018-02-28,11:00,12:00\n',
        "not valid CSV",
    ),
    "unclosed quote": (b'event,title,date,start,end\nY-ISEF,"Bilateral,2018-02-28,11:00,12:00\n', "Fill in"),
    "too many cells": (
        b"event,title,date,start,end\nY-ISEF,A,2018-02-28,11:00,12:00,extra\n",
        "more cells than the first line",
    ),
}


def _upload(client, raw: bytes, dry_run: bool = False, filename: str = "programme.csv"):  # noqa: ANN001, ANN202
    data = {"file": (io.BytesIO(raw), filename)}
    if dry_run:
        data["dry_run"] = "y"
    return client.post("/forums/isef2/manage/programme/import", data=data, content_type="multipart/form-data")


@pytest.mark.parametrize("kind", list(BAD_FILES))
@pytest.mark.parametrize("dry_run", [True, False], ids=["dry run", "import"])
def test_files_that_are_not_a_programme_are_refused_with_a_reason(app, programme, organiser_client, kind, dry_run):
    raw, message = BAD_FILES[kind]
    with app.app_context():
        before = stored()
    response = _upload(organiser_client, raw, dry_run)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert message in page
    with app.app_context():
        assert stored() == before


def test_a_file_over_the_request_limit_is_refused(app, programme, organiser_client):
    raw = GOOD_CSV.encode() + b"Y-ISEF,Filler,panel,2018-02-28,13:00,14:00,\n" * 60_000  # about 2.6 MB
    with app.app_context():
        before = stored()
    with warnings.catch_warnings():
        # The test client spools a body this large to a temporary file that it does not close.
        warnings.simplefilter("ignore", ResourceWarning)
        response = _upload(organiser_client, raw)
        status = response.status_code
        del response
        gc.collect()
    assert status == 413
    with app.app_context():
        assert stored() == before


@pytest.mark.parametrize("data", [{}, {"file": "just a string"}, {"file": (io.BytesIO(GOOD_CSV.encode()), "")}])
def test_a_missing_file_is_a_form_error(app, programme, organiser_client, data):
    response = organiser_client.post(
        "/forums/isef2/manage/programme/import", data=data, content_type="multipart/form-data"
    )
    assert response.status_code == 422
    assert "Choose a CSV file to import." in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("name", "raw"),
    [
        ("byte order mark", "\ufeff" + GOOD_CSV),
        ("semicolons", GOOD_CSV.replace(",", ";")),
        ("semicolons and a byte order mark", "\ufeff" + GOOD_CSV.replace(",", ";")),
        ("Windows line ends", GOOD_CSV.replace("\n", "\r\n")),
    ],
)
def test_spreadsheet_flavours_of_csv_import(app, programme, organiser_client, name, raw):
    """Excel writes a byte order mark, and in much of Europe semicolons between cells."""
    response = _upload(organiser_client, raw.encode())
    assert response.status_code == 302, response.get_data(as_text=True)[-3000:]
    with app.app_context():
        titles = set(db.session.scalars(select(Session.title)))
    assert titles == {"Opening", "Bilateral"}


def test_one_bad_row_among_good_ones_writes_nothing(app, programme, organiser_client):
    raw = (
        GOOD_CSV + "Y-ISEF,Second,panel,2018-02-28,13:00,14:00,Room G510\n"
        "Y-ISEF,Third,panel,2018-02-28,15:00,14:00,Room G510\n"
    ).encode()
    with app.app_context():
        before = stored()
    response = _upload(organiser_client, raw)
    assert response.status_code == 422
    assert '<th scope="row">4</th>' in response.get_data(as_text=True)
    with app.app_context():
        assert stored() == before


def test_the_command_line_refuses_a_binary_file(app, programme, tmp_path):
    path = tmp_path / "programme.csv"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00" + bytes(range(256)))
    with app.app_context():
        before = stored()
    result = app.test_cli_runner().invoke(args=["import-programme", str(path), "--forum", "isef2"])
    assert result.exit_code == 1
    assert "not UTF-8" in result.output
    with app.app_context():
        assert stored() == before
