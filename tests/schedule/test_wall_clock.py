"""Wall-clock times the clocks skip or repeat: the session form and the CSV import say so,
and a repeated time is stored as the instant the organiser chose."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from planner.extensions import db
from planner.schedule import programme_io
from planner.schedule.models import Session
from tests.conftest import sign_in
from tests.factories import Programme, committed, make_forum, make_programme, session_form_data

PARIS, NEW_YORK = ZoneInfo("Europe/Paris"), ZoneInfo("America/New_York")


@pytest.fixture
def paris(app, client) -> Programme:
    """Summer time starts at 02:00 on 29 March 2026: 02:00 to 03:00 does not exist."""
    with committed(app):
        forum = make_forum(
            slug="paris", timezone="Europe/Paris", first_day=dt.date(2026, 3, 28), last_day=dt.date(2026, 3, 30)
        )
        built = make_programme(
            forum, starts_at=dt.datetime(2026, 3, 28, tzinfo=PARIS), ends_at=dt.datetime(2026, 3, 31, tzinfo=PARIS)
        )
    sign_in(client, built.organiser)
    return built


@pytest.fixture
def new_york(app, client) -> Programme:
    """Summer time ends at 02:00 on 7 November 2027: 01:00 to 02:00 happens twice."""
    with committed(app):
        forum = make_forum(
            slug="nyc", timezone="America/New_York", first_day=dt.date(2027, 11, 6), last_day=dt.date(2027, 11, 8)
        )
        built = make_programme(
            forum,
            organiser="org-ny@example.org",
            starts_at=dt.datetime(2027, 11, 6, tzinfo=NEW_YORK),
            ends_at=dt.datetime(2027, 11, 9, tzinfo=NEW_YORK),
        )
    sign_in(client, built.organiser)
    return built


def session_form(programme: Programme, **overrides: str) -> dict:
    return session_form_data(programme.event.id, "0", title="Night session", **overrides)


def test_a_time_the_clocks_skip_is_refused_naming_the_gap(client, paris):
    response = client.post(
        "/forums/paris/manage/sessions/new",
        data=session_form(paris, starts_at="2026-03-29T02:30", ends_at="2026-03-29T03:30"),
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "The clocks go forward at 02:00 on 2026-03-29 in Europe/Paris: 02:30 does not exist that day." in page
    assert "from 03:00" in page
    assert "must end after it starts" not in page


def test_a_time_that_happens_twice_asks_which_one_is_meant(app, client, new_york):
    url = "/forums/nyc/manage/sessions/new"
    times = {"starts_at": "2027-11-07T01:30", "ends_at": "2027-11-07T02:30"}
    plain = client.get(url).get_data(as_text=True)
    assert "Which start is meant" not in plain  # the choice shows only when it is needed
    response = client.post(url, data=session_form(new_york, **times))
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "01:30 happens twice on 2027-11-07 in America/New_York (the clocks go back)" in page
    assert "the first (EDT, UTC−4)" in page and "the second (EST, UTC−5)" in page
    assert "Which end is meant" not in page  # 02:30 happens once
    response = client.post(url, data=session_form(new_york, starts_fold="1", **times))
    assert response.status_code == 302, response.get_data(as_text=True)
    with app.app_context():
        session = db.session.scalar(select(Session).where(Session.title == "Night session"))
        assert session.starts_at == dt.datetime(2027, 11, 7, 6, 30, tzinfo=dt.UTC)  # 01:30 EST
    # Editing it again shows the choice, with the stored one chosen.
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Which start is meant" in page and "Which end is meant" not in page
    assert re.search(r'<input[^>]*checked[^>]*value="1"|<input[^>]*value="1"[^>]*checked', page)


def test_the_first_of_a_repeated_time_is_stored_as_edt(app, client, new_york):
    response = client.post(
        "/forums/nyc/manage/sessions/new",
        data=session_form(
            new_york, starts_at="2027-11-07T01:30", starts_fold="0", ends_at="2027-11-07T01:45", ends_fold="0"
        ),
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    with app.app_context():
        session = db.session.scalar(select(Session).where(Session.title == "Night session"))
        assert session.starts_at == dt.datetime(2027, 11, 7, 5, 30, tzinfo=dt.UTC)
        assert session.ends_at == dt.datetime(2027, 11, 7, 5, 45, tzinfo=dt.UTC)


def test_the_second_start_before_the_first_end_is_refused_as_backwards(client, new_york):
    """01:30 EST (06:30 UTC) to 01:45 EDT (05:45 UTC) ends before it starts."""
    response = client.post(
        "/forums/nyc/manage/sessions/new",
        data=session_form(
            new_york, starts_at="2027-11-07T01:30", starts_fold="1", ends_at="2027-11-07T01:45", ends_fold="0"
        ),
    )
    assert response.status_code == 422
    assert "The session must end after it starts." in response.get_data(as_text=True)


@pytest.mark.parametrize("fold", ["2", "-1", "first", "1; DROP", "\x00", ""])
def test_bad_choices_of_which_time_are_form_errors(client, new_york, fold):
    response = client.post(
        "/forums/nyc/manage/sessions/new",
        data=session_form(new_york, starts_at="2027-11-07T01:30", starts_fold=fold, ends_at="2027-11-07T03:00"),
    )
    assert response.status_code == 422
    assert "happens twice" in response.get_data(as_text=True)


def test_a_choice_sent_for_a_time_that_happens_once_changes_nothing(app, client, new_york):
    response = client.post(
        "/forums/nyc/manage/sessions/new",
        data=session_form(
            new_york, starts_at="2027-11-07T09:00", starts_fold="1", ends_at="2027-11-07T10:00", ends_fold="x"
        ),
    )
    assert response.status_code == 302
    with app.app_context():
        session = db.session.scalar(select(Session).where(Session.title == "Night session"))
        assert session.starts_at == dt.datetime(2027, 11, 7, 14, 0, tzinfo=dt.UTC)


# The CSV import ------------------------------------------------------------------------

HEADER = "event,title,kind,date,start,end,venue,room,public,status,chairs,speakers,description\n"


def problems(app, programme: Programme, rows: str) -> dict[int, list[str]]:
    with app.app_context():
        forum = db.session.get(programme_io.Forum, programme.forum.id)
        try:
            programme_io.import_csv(None, forum, (HEADER + rows).encode(), dry_run=True)
        except programme_io.ImportRefused as refused:
            found: dict[int, list[str]] = {}
            for problem in refused.report.errors:
                found.setdefault(problem.line, []).append(problem.message)
            return found
        return {}


def test_the_import_names_the_line_of_a_skipped_time(app, paris):
    found = problems(
        app,
        paris,
        "Y-ISEF,Fine,panel,2026-03-29,09:00,10:00,,,yes,,,,\nY-ISEF,Gap,panel,2026-03-29,02:30,03:30,,,yes,,,,\n",
    )
    assert list(found) == [3]
    assert found[3] == [
        "The clocks go forward at 02:00 on 2026-03-29 in Europe/Paris: 02:30 does not exist that day. "
        "Use a time before 02:00 or from 03:00."
    ]


def test_the_import_wants_an_offset_for_a_time_that_happens_twice(app, new_york):
    found = problems(app, new_york, "Y-ISEF,Night,panel,2027-11-07,01:30,03:00,,,yes,,,,\n")
    assert found == {
        2: [
            "01:30 happens twice on 2027-11-07 in America/New_York (the clocks go back): "
            "write 01:30-04:00 for the first or 01:30-05:00 for the second."
        ]
    }
    assert problems(app, new_york, "Y-ISEF,Night,panel,2027-11-07,01:30+02:00,03:00,,,yes,,,,\n") == {
        2: ["01:30 is not UTC+02:00 in America/New_York on 2027-11-07."]
    }


def test_the_import_reads_the_offset_and_the_export_writes_it_back(app, new_york):
    rows = "Y-ISEF,Night,panel,2027-11-07,01:30-05:00,03:00,,,yes,,,,\n"
    with app.app_context():
        forum = db.session.get(programme_io.Forum, new_york.forum.id)
        programme_io.import_csv(None, forum, (HEADER + rows).encode(), dry_run=False)
        session = db.session.scalar(select(Session).where(Session.title == "Night"))
        assert session.starts_at == dt.datetime(2027, 11, 7, 6, 30, tzinfo=dt.UTC)
        exported = programme_io.export_csv(forum)
        assert ",2027-11-07,01:30-05:00,03:00," in exported
        db.session.rollback()
