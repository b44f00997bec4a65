"""The forum's deadlines for focal points are typed on its clocks, as a session's times are: a
time the clocks skip is refused, naming the gap; one that happens twice asks which is meant, and
the chosen one is kept and shown again (the reminders before it count from that one)."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from planner.extensions import db
from planner.forums.models import Forum
from tests.conftest import sign_in
from tests.factories import committed, make_isef2, make_programme
from tests.wall_clock import CHOSEN, REPEATED, SKIPPED

PAGE = "/forums/isef2/manage/reminders"
TODAY = dt.datetime(2026, 3, 1, 9, 0, tzinfo=dt.UTC)
UTC = dt.UTC


@pytest.fixture
def paris(app, client):
    app.config["CLOCK"] = lambda: TODAY
    with committed(app):
        forum = make_isef2(timezone="Europe/Paris", first_day=dt.date(2026, 11, 2), last_day=dt.date(2026, 11, 5))
        programme = make_programme(forum)
    sign_in(client, programme.organiser)
    return programme


def deadlines(app) -> tuple[dt.datetime | None, dt.datetime | None]:
    with app.app_context():
        forum = db.session.scalars(select(Forum).where(Forum.slug == "isef2")).one()
        return forum.nominations_close_at, forum.credentials_due_at


def posted(**fields: str) -> dict[str, str]:
    return {f"deadlines-{name}": value for name, value in fields.items()}


@pytest.mark.parametrize("field", ["nominations_close_at", "credentials_due_at"])
def test_a_deadline_the_clocks_skip_is_refused_on_its_field_naming_the_gap(app, client, paris, field):
    response = client.post(f"{PAGE}/deadlines", data=posted(**{field: SKIPPED}))
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "The clocks go forward at 02:00 on 2026-03-29 in Europe/Paris: 02:30 does not exist that day." in page
    assert "Enter a time before 02:00 or from 03:00." in page
    assert deadlines(app) == (None, None)


def test_a_deadline_that_happens_twice_asks_which_and_keeps_the_one_chosen(app, client, paris):
    assert "Which deadline for nominations is meant" not in client.get(PAGE).get_data(as_text=True)
    response = client.post(f"{PAGE}/deadlines", data=posted(nominations_close_at=REPEATED))
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "02:30 happens twice on 2026-10-25 in Europe/Paris (the clocks go back): choose which one is meant." in page
    assert "Which deadline for nominations is meant" in page and "Which deadline for credentials" not in page
    assert "the first (CEST, UTC+2)" in page and "the second (CET, UTC+1)" in page
    assert deadlines(app) == (None, None)
    data = posted(nominations_close_at=REPEATED, nominations_fold="1")
    response = client.post(f"{PAGE}/deadlines", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)
    assert deadlines(app) == (dt.datetime(2026, 10, 25, 1, 30, tzinfo=UTC), None)  # 02:30 CET
    # The page shows the choice again, with the stored one chosen...
    page = client.get(PAGE).get_data(as_text=True)
    assert "Which deadline for nominations is meant" in page and CHOSEN.search(page)
    # ...and choosing the first moves the deadline an hour earlier; the credentials' asks the same.
    data = posted(nominations_close_at=REPEATED, nominations_fold="0", credentials_due_at=REPEATED)
    response = client.post(f"{PAGE}/deadlines", data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and "Which deadline for credentials letters is meant" in page
    assert client.post(f"{PAGE}/deadlines", data={**data, "deadlines-credentials_fold": "1"}).status_code == 302
    cest, cet = dt.datetime(2026, 10, 25, 0, 30, tzinfo=UTC), dt.datetime(2026, 10, 25, 1, 30, tzinfo=UTC)
    assert deadlines(app) == (cest, cet)


@pytest.mark.parametrize("fold", ["2", "-1", "second", "\x00", ""])
def test_a_bad_choice_of_which_deadline_is_a_form_error(app, client, paris, fold):
    response = client.post(f"{PAGE}/deadlines", data=posted(credentials_due_at=REPEATED, credentials_fold=fold))
    assert response.status_code == 422 and "happens twice" in response.get_data(as_text=True)
    assert deadlines(app) == (None, None)


def test_a_choice_sent_for_a_deadline_that_happens_once_changes_nothing(app, client, paris):
    data = posted(nominations_close_at="2026-10-25T09:00", nominations_fold="1")
    assert client.post(f"{PAGE}/deadlines", data=data).status_code == 302
    assert deadlines(app) == (dt.datetime(2026, 10, 25, 8, 0, tzinfo=UTC), None)
