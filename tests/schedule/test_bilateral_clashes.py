"""The schedule's rules see placed bilaterals: a session is refused in a bilateral's room at
its time, and a person who chairs or speaks while in a bilateral is a warning. Only
organisers read these messages, and only they may see every bilateral."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from planner.bilaterals.models import Bilateral, BilateralStatus
from planner.extensions import db
from planner.schedule.models import Session
from tests.bilaterals.builders import BilateralForum, answer, ask, built, latest_bilateral
from tests.conftest import sign_in
from tests.factories import session_form_data

NEW = "/forums/isef2/manage/sessions/new"
CONFLICTS = "/forums/isef2/manage/conflicts"


def placed(app, client) -> tuple[BilateralForum, Bilateral]:
    """Japan and France meet in the first bilateral room at 10:00 to 10:30 on 3 March."""
    forum = built(app, rooms=2, slots=1)
    assert ask(client, forum, "japan", "france", [forum.slots[0].id]).status_code == 302
    bilateral = latest_bilateral(app)
    assert answer(client, forum, "france", bilateral.id).status_code == 302
    bilateral = latest_bilateral(app)
    assert bilateral.status is BilateralStatus.SCHEDULED and bilateral.room_id == forum.rooms[0].id
    return forum, bilateral


def session_form(forum: BilateralForum, room_id: int, **overrides: str) -> dict:
    fields = {"title": "Lunar panel", "starts_at": "2018-03-03T10:15", "ends_at": "2018-03-03T11:00"} | overrides
    return session_form_data(forum.programme.event.id, room_id, **fields)


def sessions(app) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(select(Session.title).order_by(Session.id)))


def test_a_session_is_refused_in_a_bilaterals_room_at_its_time(app, client):
    forum, _bilateral = placed(app, client)
    sign_in(client, forum.organiser)
    response = client.post(NEW, data=session_form(forum, forum.rooms[0].id))
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Bilateral room 1 holds a bilateral meeting" in page and "Japan and France" in page
    assert sessions(app) == []
    # The other room, or the same room once the bilateral is over, is fine.
    assert client.post(NEW, data=session_form(forum, forum.rooms[1].id)).status_code == 302
    later = session_form(forum, forum.rooms[0].id, title="Later", starts_at="2018-03-03T10:30")
    assert client.post(NEW, data=later).status_code == 302
    assert sessions(app) == ["Lunar panel", "Later"]


def test_moving_a_session_into_a_bilaterals_room_is_refused(app, client):
    forum, _bilateral = placed(app, client)
    sign_in(client, forum.organiser)
    data = session_form(forum, forum.rooms[1].id)
    assert client.post(NEW, data=data).status_code == 302
    with app.app_context():
        session_id = db.session.scalar(select(Session.id))
    moved = client.post(f"/forums/isef2/manage/sessions/{session_id}/edit", data={**data, "room": forum.rooms[0].id})
    assert moved.status_code == 422
    with app.app_context():
        assert db.session.get(Session, session_id).room_id == forum.rooms[1].id


def test_a_speaker_in_a_bilateral_then_is_warned_about_on_save_and_on_the_conflicts_page(app, client):
    forum, _bilateral = placed(app, client)
    minister = forum.japan.members[0].name
    sign_in(client, forum.organiser)
    response = client.post(NEW, data=session_form(forum, forum.rooms[1].id, speakers=minister), follow_redirects=True)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert f"{minister} chairs or speaks in “Lunar panel” while in a bilateral meeting" in page
    conflicts_page = client.get(CONFLICTS).get_data(as_text=True)
    assert "while in a bilateral meeting" in conflicts_page and "Japan and France" in conflicts_page
    # A member of the delegation who is not in the bilateral is no warning.
    other = forum.japan.members[1].name
    quiet = client.post(
        NEW,
        data=session_form(
            forum,
            forum.rooms[1].id,
            title="Other",
            speakers=other,
            starts_at="2018-03-03T11:00",
            ends_at="2018-03-03T12:00",
        ),
        follow_redirects=True,
    )
    assert "while in a bilateral meeting" not in quiet.get_data(as_text=True)


def test_a_cancelled_bilateral_frees_its_room_for_sessions(app, client):
    forum, bilateral = placed(app, client)
    sign_in(client, forum.japan.focal_point)
    assert client.post(f"/forums/isef2/bilaterals/{bilateral.id}/cancel").status_code == 302
    sign_in(client, forum.organiser)
    assert client.post(NEW, data=session_form(forum, forum.rooms[0].id)).status_code == 302


@pytest.mark.parametrize("who", ["japan", "italy"])
def test_focal_points_cannot_read_the_conflicts(app, client, who):
    forum, _bilateral = placed(app, client)
    sign_in(client, forum.sides[who].focal_point)
    response = client.get(CONFLICTS)
    assert response.status_code in (403, 404)
    assert "Japan and France" not in response.get_data(as_text=True)
