"""The organisers' page: rooms set aside and the daily limit, slots added and removed, and
the day's grid."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from sqlalchemy import select

from planner.audit.models import AuditEntry
from planner.bilaterals.models import (
    BilateralPreference,
    BilateralRoom,
    BilateralSettings,
    BilateralSlot,
    BilateralStatus,
)
from planner.extensions import db
from tests.bilaterals.builders import answer, ask, built, current_bilateral, latest_bilateral
from tests.conftest import sign_in
from tests.factories import committed, make_forum, make_programme, make_room, make_session, tokyo

PAGE = "/forums/isef2/manage/bilaterals"


def test_an_organiser_sets_rooms_limit_and_slots(app, client):
    with committed(app):
        programme = make_programme()
        make_room(programme.forum, "Hall")
        annex = make_room(programme.forum, "Annex")
    sign_in(client, programme.organiser)
    hub = client.get("/forums/isef2/manage/").get_data(as_text=True)
    assert PAGE in hub
    assert "No bilateral slots yet." in client.get(PAGE).get_data(as_text=True)
    response = client.post(PAGE + "/settings", data={"rooms": [str(annex.id)], "daily_limit": "3"})
    assert response.status_code == 302
    response = client.post(
        PAGE + "/slots", data={"day": "2018-03-03", "start": "09:00", "end": "11:00", "minutes": "30", "gap": "10"}
    )
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "3 slots are added." in page
    with committed(app):
        assert db.session.scalars(select(BilateralRoom.room_id)).all() == [annex.id]
        assert db.session.get(BilateralSettings, programme.forum.id).daily_limit == 3
        starts = [
            s.starts_at.astimezone(tokyo("2018-03-03 00:00").tzinfo).strftime("%H:%M")
            for s in db.session.scalars(select(BilateralSlot).order_by(BilateralSlot.starts_at))
        ]
        first = db.session.scalars(select(BilateralSlot.id).order_by(BilateralSlot.starts_at)).first()
    assert starts == ["09:00", "09:40", "10:20"]
    assert "Annex" in page and "Hall" in page
    response = client.post(f"{PAGE}/slots/{first}/remove", data={})
    assert "The slot is removed." in client.get(response.headers["Location"]).get_data(as_text=True)


def test_the_grid_shows_bilaterals_sessions_and_free_rooms(app, client):
    forum = built(app)
    with committed(app):
        make_session(forum.programme.event, tokyo("2018-03-03 11:00"), 60, room=forum.rooms[1], title="Press briefing")
    ask(client, forum, "japan", "france", [forum.slots[0].id])
    answer(client, forum, "france", latest_bilateral(app).id)
    sign_in(client, forum.organiser)
    page = client.get(PAGE + "?day=2018-03-03").get_data(as_text=True)
    assert "Japan · France" in page
    assert "Session: Press briefing" in page
    assert page.count(">Free<") + page.count("Free\n") >= 1
    # A day that is not one of the slots' days shows the first one; no 500 for nonsense.
    assert client.get(PAGE + "?day=not-a-day").status_code == 200


def test_a_slot_that_holds_a_bilateral_stays(app, client):
    forum = built(app)
    ask(client, forum, "japan", "france", [forum.slots[0].id])
    answer(client, forum, "france", latest_bilateral(app).id)
    sign_in(client, forum.organiser)
    response = client.post(f"{PAGE}/slots/{forum.slots[0].id}/remove", data={})
    assert "A bilateral is held in this slot" in client.get(response.headers["Location"]).get_data(as_text=True)
    # Nor can its room leave the bilateral rooms.
    response = client.post(PAGE + "/settings", data={"rooms": [str(forum.rooms[1].id)], "daily_limit": "4"})
    assert response.status_code == 422
    assert "Bilateral room 1 holds bilaterals" in response.get_data(as_text=True)


def audit_entries(app, action: str) -> list[AuditEntry]:
    with committed(app):
        return list(db.session.scalars(select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)))


def test_removing_a_slot_is_audited(app, client):
    forum = built(app)
    sign_in(client, forum.organiser)
    response = client.post(f"{PAGE}/slots/{forum.slots[2].id}/remove", data={})
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "The slot is removed." in page and "preferred" not in page
    [entry] = audit_entries(app, "bilateral.slot_removed")
    assert entry.actor_id == forum.organiser.id and entry.forum_id == forum.forum.id
    assert entry.target_type == "bilateral_slot" and entry.target_id == str(forum.slots[2].id)
    assert entry.after == {"preferences_dropped": 0, "left_without_slot": 0}


def test_removing_a_slot_requests_preferred_says_how_many_preferences_go(app, client):
    forum = built(app)
    ask(client, forum, "japan", "france", [forum.slots[0].id, forum.slots[1].id])
    kept = latest_bilateral(app)
    ask(client, forum, "italy", "japan", [forum.slots[0].id])
    emptied = latest_bilateral(app)
    sign_in(client, forum.organiser)
    response = client.post(f"{PAGE}/slots/{forum.slots[0].id}/remove", data={})
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "The slot is removed. 2 requests had preferred it: those preferences are dropped." in page
    assert "1 of them has no preferred slot left" in page
    [entry] = audit_entries(app, "bilateral.slot_removed")
    assert entry.after == {"preferences_dropped": 2, "left_without_slot": 1}
    assert "2 requests had preferred it" in entry.summary
    with committed(app):
        kept_slots = db.session.scalars(
            select(BilateralPreference.slot_id).where(BilateralPreference.bilateral_id == kept.id)
        ).all()
        assert kept_slots == [forum.slots[1].id]
        assert db.session.get(BilateralSlot, forum.slots[0].id) is None
    assert current_bilateral(app, emptied.id).status is BilateralStatus.REQUESTED


def test_slots_starting_at_a_time_the_clocks_skip_are_refused_naming_the_gap(app, client):
    """Summer time starts at 02:00 on 29 March 2026 in Paris: 02:30 does not exist that day."""
    paris = ZoneInfo("Europe/Paris")
    with committed(app):
        forum = make_forum(
            slug="paris", timezone="Europe/Paris", first_day=dt.date(2026, 3, 28), last_day=dt.date(2026, 3, 30)
        )
        programme = make_programme(
            forum, starts_at=dt.datetime(2026, 3, 28, tzinfo=paris), ends_at=dt.datetime(2026, 3, 31, tzinfo=paris)
        )
    sign_in(client, programme.organiser)
    slots = "/forums/paris/manage/bilaterals/slots"
    response = client.post(
        slots, data={"day": "2026-03-29", "start": "02:30", "end": "05:00", "minutes": "30", "gap": "0"}
    )
    assert response.status_code == 422
    assert "The clocks go forward at 02:00 on 2026-03-29 in Europe/Paris" in response.get_data(as_text=True)
    with committed(app):
        assert db.session.scalars(select(BilateralSlot)).all() == []
    response = client.post(
        slots, data={"day": "2026-03-29", "start": "03:00", "end": "04:00", "minutes": "30", "gap": "0"}
    )
    assert response.status_code == 302
    with committed(app):
        starts = [s.starts_at for s in db.session.scalars(select(BilateralSlot).order_by(BilateralSlot.starts_at))]
    assert [s.astimezone(paris).strftime("%H:%M %Z") for s in starts] == ["03:00 CEST", "03:30 CEST"]
