"""The list's deadline is typed on the forum's clocks, as a session's times are: a time the
clocks skip is refused, naming the gap; one that happens twice asks which is meant, and the
chosen one is kept and shown again."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from planner.extensions import db
from planner.plenary import services
from planner.plenary.models import SpeakersList
from tests.conftest import sign_in
from tests.factories import committed, current
from tests.plenary.world import World, make_world
from tests.wall_clock import CHOSEN, REPEATED, SKIPPED

MANAGE = "/forums/isef2/manage/sessions/{id}/speakers"


@pytest.fixture
def paris(app, client) -> World:
    with committed(app):
        world = make_world()
        world.forum.timezone = "Europe/Paris"
    sign_in(client, world.organiser)
    return world


def settings_data(deadline: str, **more: str) -> dict[str, str]:
    return {
        "settings-deadline": deadline,
        "settings-speaking_minutes": "5",
        "settings-speakers_per_delegation": "1",
        **{f"settings-{name}": value for name, value in more.items()},
    }


def lists(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(SpeakersList))


def deadline_of(app, world: World) -> dt.datetime:
    with app.app_context():
        return services.list_of(current(world.plenary)).deadline


def test_a_deadline_the_clocks_skip_is_refused_naming_the_gap(app, client, paris):
    url = MANAGE.format(id=paris.plenary.id)
    response = client.post(url + "/open", data=settings_data(SKIPPED))
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "The clocks go forward at 02:00 on 2026-03-29 in Europe/Paris: 02:30 does not exist that day." in page
    assert "Enter a time before 02:00 or from 03:00." in page
    assert lists(app) == 0
    # Changing an open list's deadline to it is refused the same way.
    assert client.post(url + "/open", data=settings_data("2026-03-29T01:30")).status_code == 302
    response = client.post(url + "/settings", data=settings_data(SKIPPED))
    assert response.status_code == 422 and "02:30 does not exist that day" in response.get_data(as_text=True)
    assert deadline_of(app, paris) == dt.datetime(2026, 3, 29, 0, 30, tzinfo=dt.UTC)


def test_a_deadline_that_happens_twice_asks_which_and_keeps_the_one_chosen(app, client, paris):
    url = MANAGE.format(id=paris.plenary.id)
    assert "Which deadline is meant" not in client.get(url).get_data(as_text=True)  # only when needed
    response = client.post(url + "/open", data=settings_data(REPEATED))
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "02:30 happens twice on 2026-10-25 in Europe/Paris (the clocks go back): choose which one is meant." in page
    assert "the first (CEST, UTC+2)" in page and "the second (CET, UTC+1)" in page
    assert lists(app) == 0
    response = client.post(url + "/open", data=settings_data(REPEATED, deadline_fold="1"))
    assert response.status_code == 302, response.get_data(as_text=True)
    assert deadline_of(app, paris) == dt.datetime(2026, 10, 25, 1, 30, tzinfo=dt.UTC)  # 02:30 CET
    # The list's page shows the choice again, with the stored one chosen...
    page = client.get(url).get_data(as_text=True)
    assert "Which deadline is meant" in page and CHOSEN.search(page)
    # ...so saving another setting keeps it; choosing the first moves the deadline an hour earlier.
    assert client.post(url + "/settings", data=settings_data(REPEATED, deadline_fold="1")).status_code == 302
    assert deadline_of(app, paris) == dt.datetime(2026, 10, 25, 1, 30, tzinfo=dt.UTC)
    assert client.post(url + "/settings", data=settings_data(REPEATED, deadline_fold="0")).status_code == 302
    assert deadline_of(app, paris) == dt.datetime(2026, 10, 25, 0, 30, tzinfo=dt.UTC)  # 02:30 CEST


@pytest.mark.parametrize("fold", ["2", "-1", "second", "\x00", ""])
def test_a_bad_choice_of_which_deadline_is_a_form_error(app, client, paris, fold):
    response = client.post(
        MANAGE.format(id=paris.plenary.id) + "/open", data=settings_data(REPEATED, deadline_fold=fold)
    )
    assert response.status_code == 422 and "happens twice" in response.get_data(as_text=True)
    assert lists(app) == 0


def test_a_choice_sent_for_a_deadline_that_happens_once_changes_nothing(app, client, paris):
    response = client.post(
        MANAGE.format(id=paris.plenary.id) + "/open", data=settings_data("2026-10-25T09:00", deadline_fold="1")
    )
    assert response.status_code == 302
    assert deadline_of(app, paris) == dt.datetime(2026, 10, 25, 8, 0, tzinfo=dt.UTC)
