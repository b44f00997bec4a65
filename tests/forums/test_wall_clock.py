"""An event's start and end are typed on the forum's clocks, as a session's are: a time the
clocks skip is refused, naming the gap; one that happens twice asks which is meant, and the
chosen one is kept and shown again."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from planner.extensions import db
from planner.forums.models import Event
from tests.conftest import sign_in
from tests.factories import Programme, committed, make_isef2, make_programme
from tests.wall_clock import CHOSEN, REPEATED, SKIPPED

NEW, EDIT = "/forums/isef2/manage/events/new", "/forums/isef2/manage/events/Y-ISEF/edit"
UTC = dt.UTC


@pytest.fixture
def paris(app, client) -> Programme:
    """ISEF2 in Paris over both nights the clocks change in 2026; its organiser signed in."""
    with committed(app):
        forum = make_isef2(timezone="Europe/Paris", first_day=dt.date(2026, 3, 28), last_day=dt.date(2026, 10, 26))
        programme = make_programme(forum)
    sign_in(client, programme.organiser)
    return programme


def event_data(starts_at: str, ends_at: str, **more: str) -> dict[str, str]:
    return {
        "code": "NIGHT",
        "kind": "side_event",
        "title": "Night watch",
        "starts_at": starts_at,
        "ends_at": ends_at,
        "venue": "0",
        **more,
    }


def times(app, code: str = "NIGHT") -> tuple[dt.datetime, dt.datetime] | None:
    with app.app_context():
        event = db.session.scalar(select(Event).where(Event.code == code))
        return (event.starts_at, event.ends_at) if event else None


@pytest.mark.parametrize(
    "starts_at, ends_at", [(SKIPPED, "2026-03-29T09:00"), ("2026-03-29T01:00", SKIPPED)], ids=["start", "end"]
)
def test_a_time_the_clocks_skip_is_refused_naming_the_gap(app, client, paris, starts_at, ends_at):
    response = client.post(NEW, data=event_data(starts_at, ends_at))
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "The clocks go forward at 02:00 on 2026-03-29 in Europe/Paris: 02:30 does not exist that day." in page
    assert "Enter a time before 02:00 or from 03:00." in page
    assert times(app) is None


def test_a_time_that_happens_twice_asks_which_and_keeps_the_one_chosen(app, client, paris):
    assert "Which start is meant" not in client.get(NEW).get_data(as_text=True)  # only when needed
    response = client.post(NEW, data=event_data(REPEATED, "2026-10-25T09:00"))
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "02:30 happens twice on 2026-10-25 in Europe/Paris (the clocks go back): choose which one is meant." in page
    assert "Which start is meant" in page and "Which end is meant" not in page
    assert "the first (CEST, UTC+2)" in page and "the second (CET, UTC+1)" in page
    assert times(app) is None
    response = client.post(NEW, data=event_data(REPEATED, "2026-10-25T09:00", starts_fold="1"))
    assert response.status_code == 302, response.get_data(as_text=True)
    assert times(app) == (dt.datetime(2026, 10, 25, 1, 30, tzinfo=UTC), dt.datetime(2026, 10, 25, 8, 0, tzinfo=UTC))
    # The event's form shows the choice again, with the stored one chosen...
    edit = "/forums/isef2/manage/events/NIGHT/edit"
    page = client.get(edit).get_data(as_text=True)
    assert "Which start is meant" in page and CHOSEN.search(page)
    # ...and choosing the first moves the start an hour earlier.
    response = client.post(edit, data=event_data(REPEATED, "2026-10-25T09:00", starts_fold="0"))
    assert response.status_code == 302
    assert times(app)[0] == dt.datetime(2026, 10, 25, 0, 30, tzinfo=UTC)  # 02:30 CEST


def test_the_end_is_compared_with_the_start_as_moments_not_as_typed(app, client, paris):
    # 02:45 the first time (00:45 UTC) is before 02:30 the second time (01:30 UTC).
    response = client.post(NEW, data=event_data(REPEATED, "2026-10-25T02:45", starts_fold="1", ends_fold="0"))
    assert response.status_code == 422 and "The event must end after it starts." in response.get_data(as_text=True)
    # 02:45 the second time is after 02:30 the first, though each is typed the same.
    response = client.post(NEW, data=event_data(REPEATED, REPEATED, starts_fold="0", ends_fold="1"))
    assert response.status_code == 302, response.get_data(as_text=True)
    assert times(app) == (dt.datetime(2026, 10, 25, 0, 30, tzinfo=UTC), dt.datetime(2026, 10, 25, 1, 30, tzinfo=UTC))


@pytest.mark.parametrize("fold", ["2", "-1", "second", "\x00", ""])
def test_a_bad_choice_of_which_time_is_a_form_error(app, client, paris, fold):
    response = client.post(EDIT, data=event_data(REPEATED, "2026-10-25T09:00", code="Y-ISEF", starts_fold=fold))
    assert response.status_code == 422 and "happens twice" in response.get_data(as_text=True)
    unchanged = (dt.datetime(2026, 3, 28, 8, 0, tzinfo=UTC), dt.datetime(2026, 10, 26, 17, 0, tzinfo=UTC))
    assert times(app, "Y-ISEF") == unchanged


def test_a_choice_sent_for_a_time_that_happens_once_changes_nothing(app, client, paris):
    response = client.post(NEW, data=event_data("2026-10-25T09:00", "2026-10-25T10:00", starts_fold="1"))
    assert response.status_code == 302
    assert times(app) == (dt.datetime(2026, 10, 25, 8, 0, tzinfo=UTC), dt.datetime(2026, 10, 25, 9, 0, tzinfo=UTC))
