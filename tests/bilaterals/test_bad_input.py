"""Bad input on every bilateral form: a clear message on the page (422), nothing written."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from planner.bilaterals.models import Bilateral, BilateralSettings, BilateralSlot, BilateralStatus
from planner.extensions import db
from tests.bilaterals.builders import answer, ask, built, current_bilateral, latest_bilateral
from tests.conftest import sign_in
from tests.factories import committed, make_forum, make_room

PAGE = "/forums/isef2/manage/bilaterals"


@pytest.fixture
def isef2(app):
    return built(app)


def count(app, model) -> int:
    with committed(app):
        return db.session.scalar(select(func.count()).select_from(model))


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"partner": "0"}, "Choose the delegation to meet."),
        ({"partner": "abc"}, "Choose the delegation to meet."),
        ({"topic": "   "}, "Say what the bilateral is about."),
        ({"topic": "x" * 301}, "Keep the topic to 300 characters."),
        ({"topic": "Moon\x00base"}, "Remove control characters"),
        ({"slots": []}, "Choose at least one slot you could meet at."),
        ({"slots": ["999999"]}, "not a valid choice"),
        ({"slots": ["first"]}, "Choose at least one slot you could meet at."),
        ({"participants": []}, "Name at least one participant of Japan."),
        ({"participants": ["999999"]}, "not a valid choice"),
    ],
)
def test_the_request_form(app, client, isef2, change, message):
    response = ask(client, isef2, "japan", "france", [isef2.slots[0].id], **change)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert count(app, Bilateral) == 0


def test_asking_oneself_or_twice(app, client, isef2):
    response = ask(client, isef2, "japan", "japan", [isef2.slots[0].id])
    assert response.status_code == 422 and "Not a valid choice" in response.get_data(as_text=True)
    assert ask(client, isef2, "japan", "france", [isef2.slots[0].id]).status_code == 302
    response = ask(client, isef2, "france", "japan", [isef2.slots[1].id])
    assert response.status_code == 422
    assert "Japan and France already have a bilateral under way." in response.get_data(as_text=True) or (
        "France and Japan already have a bilateral under way." in response.get_data(as_text=True)
    )
    assert count(app, Bilateral) == 1


def test_the_answer_forms(app, client, isef2):
    ask(client, isef2, "japan", "france", [isef2.slots[0].id])
    bilateral = latest_bilateral(app)
    response = answer(client, isef2, "france", bilateral.id, participants=[str(isef2.japan.members[0].id)])
    assert response.status_code == 422 and "is not a valid choice" in response.get_data(as_text=True)
    response = answer(client, isef2, "france", bilateral.id, participants=[])
    assert response.status_code == 422
    assert "Name at least one participant of France." in response.get_data(as_text=True)
    response = answer(client, isef2, "france", bilateral.id, "propose", slots=[])
    assert response.status_code == 422
    assert "Choose at least one slot you could meet at." in response.get_data(as_text=True)
    after = current_bilateral(app, bilateral.id)
    assert after.status is BilateralStatus.REQUESTED and after.awaiting_id == isef2.france.delegation.id


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"daily_limit": "many"}, "Not a valid integer value."),
        ({"daily_limit": "0"}, "From 1 to 40."),
        ({"daily_limit": "41"}, "From 1 to 40."),
        ({"daily_limit": "2", "rooms": ["999999"]}, "not a valid choice"),
    ],
)
def test_the_settings_form(app, client, isef2, data, message):
    sign_in(client, isef2.organiser)
    response = client.post(PAGE + "/settings", data=data)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert count(app, BilateralSettings) == 0


def test_another_forums_room_is_refused(app, client, isef2):
    with committed(app):
        elsewhere = make_room(make_forum(slug="elsewhere"), "Elsewhere room")
    sign_in(client, isef2.organiser)
    # Not among the choices: the form refuses it before the rules would.
    response = client.post(PAGE + "/settings", data={"rooms": [str(elsewhere.id)], "daily_limit": "2"})
    assert response.status_code == 422


GOOD_SLOTS = {"day": "2018-03-02", "start": "09:00", "end": "10:00", "minutes": "30", "gap": "0"}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"day": "2018-02-30"}, "Enter a real date, like 2018-03-03."),
        ({"day": ""}, "Enter a real date, like 2018-03-03."),
        ({"day": "2018-04-01"}, "Choose a day of the forum."),
        ({"start": "9h"}, "Enter a time like 09:30."),
        ({"start": "10:00", "end": "09:00"}, "The last slot must end after the first starts."),
        ({"minutes": "5"}, "From 10 to 240."),
        ({"minutes": "ten"}, "Not a valid integer value."),
        ({"gap": "-1"}, "From 0 to 120."),
        ({"minutes": "90"}, "No slot of that length fits between those times."),
        ({"start": "06:00", "end": "23:00", "minutes": "10"}, "Add at most 60 slots at a time."),
        ({"day": "2018-03-03", "start": "10:15", "end": "11:00"}, "would overlap slots the forum has already"),
    ],
)
def test_the_slots_form(app, client, isef2, change, message):
    before = count(app, BilateralSlot)
    sign_in(client, isef2.organiser)
    response = client.post(PAGE + "/slots", data={**GOOD_SLOTS, **change})
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert count(app, BilateralSlot) == before
