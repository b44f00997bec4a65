"""Registration's opening and closing times are typed on the forum's clocks, as a session's are:
a time the clocks skip is refused, naming the gap; one that happens twice asks which is meant,
and the chosen one is kept and shown again."""

from __future__ import annotations

import datetime as dt

import pytest

from planner.extensions import db
from planner.registration.models import RegistrationPolicy
from tests.conftest import sign_in
from tests.factories import Programme, committed, make_isef2, make_programme
from tests.wall_clock import CHOSEN, REPEATED, SKIPPED

RULES = "/forums/isef2/manage/events/Y-ISEF/rules"


@pytest.fixture
def paris(app, client) -> Programme:
    """ISEF2 in Paris in November 2026, Y-ISEF on its first day; its organiser signed in."""
    with committed(app):
        forum = make_isef2(timezone="Europe/Paris", first_day=dt.date(2026, 11, 2), last_day=dt.date(2026, 11, 5))
        programme = make_programme(forum)
    sign_in(client, programme.organiser)
    return programme


def rules(**fields: str) -> dict[str, str]:
    return {"rules-mode": "open", **{f"rules-{name}": value for name, value in fields.items()}}


def window(app, programme: Programme) -> tuple[dt.datetime | None, dt.datetime | None] | None:
    with app.app_context():
        policy = db.session.get(RegistrationPolicy, programme.event.id)
        return (policy.opens_at, policy.closes_at) if policy else None


@pytest.mark.parametrize("name", ["opens_at", "closes_at"])
def test_a_time_the_clocks_skip_is_refused_naming_the_gap(app, client, paris, name):
    response = client.post(RULES, data=rules(**{name: SKIPPED}))
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "The clocks go forward at 02:00 on 2026-03-29 in Europe/Paris: 02:30 does not exist that day." in page
    assert "Enter a time before 02:00 or from 03:00." in page
    assert window(app, paris) is None


def test_a_time_that_happens_twice_asks_which_and_keeps_the_one_chosen(app, client, paris):
    assert "Which opening is meant" not in client.get(RULES).get_data(as_text=True)  # only when needed
    response = client.post(RULES, data=rules(opens_at=REPEATED))
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "02:30 happens twice on 2026-10-25 in Europe/Paris (the clocks go back): choose which one is meant." in page
    assert "Which opening is meant" in page and "Which closing is meant" not in page
    assert "the first (CEST, UTC+2)" in page and "the second (CET, UTC+1)" in page
    assert window(app, paris) is None
    response = client.post(RULES, data=rules(opens_at=REPEATED, opens_fold="1"))
    assert response.status_code == 302, response.get_data(as_text=True)
    assert window(app, paris) == (dt.datetime(2026, 10, 25, 1, 30, tzinfo=dt.UTC), None)  # 02:30 CET
    # The rules page shows the choice again, with the stored one chosen...
    page = client.get(RULES).get_data(as_text=True)
    assert "Which opening is meant" in page and CHOSEN.search(page)
    # ...and choosing the first moves the opening an hour earlier.
    assert client.post(RULES, data=rules(opens_at=REPEATED, opens_fold="0")).status_code == 302
    assert window(app, paris) == (dt.datetime(2026, 10, 25, 0, 30, tzinfo=dt.UTC), None)  # 02:30 CEST
    # The closing time asks the same.
    response = client.post(RULES, data=rules(closes_at=REPEATED))
    assert response.status_code == 422 and "Which closing is meant" in response.get_data(as_text=True)
    assert client.post(RULES, data=rules(closes_at=REPEATED, closes_fold="1")).status_code == 302
    assert window(app, paris) == (None, dt.datetime(2026, 10, 25, 1, 30, tzinfo=dt.UTC))


@pytest.mark.parametrize("fold", ["2", "-1", "second", "\x00", ""])
def test_a_bad_choice_of_which_time_is_a_form_error(app, client, paris, fold):
    response = client.post(RULES, data=rules(closes_at=REPEATED, closes_fold=fold))
    assert response.status_code == 422 and "happens twice" in response.get_data(as_text=True)
    assert window(app, paris) is None


def test_a_choice_sent_for_a_time_that_happens_once_changes_nothing(app, client, paris):
    response = client.post(RULES, data=rules(opens_at="2026-10-25T09:00", opens_fold="1"))
    assert response.status_code == 302
    assert window(app, paris) == (dt.datetime(2026, 10, 25, 8, 0, tzinfo=dt.UTC), None)
