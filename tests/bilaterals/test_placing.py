"""A slot is given only where the room is free and nobody taking part is elsewhere: the
programme's sessions in the room, the participants' sessions and agendas, other
bilaterals, and the delegations' daily limit."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from planner.bilaterals import placing
from planner.bilaterals.models import BilateralStatus, DelegationDay, DelegationSlotHold, PersonSlotHold
from planner.extensions import db
from planner.registration.models import AgendaItem
from planner.schedule.models import ParticipantRole, RoomClosedDay
from tests.bilaterals.builders import answer, ask, build, built, current_bilateral, latest_bilateral
from tests.conftest import sign_in
from tests.factories import add_participant, committed, make_session, make_user, tokyo


def ask_and_accept(app, client, forum, asking, asked, slots, **extra):
    ask(client, forum, asking, asked, slots, **extra)
    bilateral = latest_bilateral(app)
    response = answer(client, forum, asked, bilateral.id)
    return current_bilateral(app, bilateral.id), response


def test_a_session_in_the_room_takes_it(app, client):
    with committed(app):
        forum = build(rooms=1)
        make_session(forum.programme.event, tokyo("2018-03-03 09:30"), 45, room=forum.rooms[0])
    bilateral, response = ask_and_accept(app, client, forum, "japan", "france", [forum.slots[0].id, forum.slots[1].id])
    assert bilateral.slot_id == forum.slots[1].id
    # With no free slot left among those asked for, it waits: accepted, with no place.
    with committed(app):
        make_session(forum.programme.event, tokyo("2018-03-03 12:00"), 30, room=forum.rooms[0])
    waiting, response = ask_and_accept(app, client, forum, "italy", "japan", [forum.slots[0].id, forum.slots[2].id])
    assert waiting.status is BilateralStatus.ACCEPTED and waiting.slot_id is None
    assert "waits for the organisers" in client.get(response.headers["Location"]).get_data(as_text=True)


def test_a_closed_room_is_not_given(app, client):
    with committed(app):
        forum = build(rooms=2)
        db.session.add(RoomClosedDay(room_id=forum.rooms[0].id, day=forum.slots[0].day))
    bilateral, _ = ask_and_accept(app, client, forum, "japan", "france", [forum.slots[0].id])
    assert bilateral.room_id == forum.rooms[1].id


def test_a_participant_speaking_in_a_session_is_not_free(app, client):
    with committed(app):
        forum = build()
        session = make_session(forum.programme.event, tokyo("2018-03-03 10:15"), 30)
        add_participant(session, forum.japan.members[0], ParticipantRole.SPEAKER)
    bilateral, _ = ask_and_accept(app, client, forum, "japan", "france", [forum.slots[0].id, forum.slots[1].id])
    assert bilateral.slot_id == forum.slots[1].id


def test_a_participant_with_a_session_in_their_agenda_is_not_free(app, client):
    with committed(app):
        forum = build()
        session = make_session(forum.programme.event, tokyo("2018-03-03 10:00"), 60)
        account = make_user(email=forum.france.members[0].email)  # the person's own account
        db.session.add(AgendaItem(user_id=account.id, session_id=session.id))
    bilateral, _ = ask_and_accept(app, client, forum, "japan", "france", [forum.slots[0].id, forum.slots[1].id])
    assert bilateral.slot_id == forum.slots[1].id


def test_a_delegation_is_in_one_bilateral_per_slot_and_a_person_too(app, client):
    forum = built(app, rooms=3)
    first, _ = ask_and_accept(app, client, forum, "japan", "france", [forum.slots[0].id])
    # Japan meets Italy: not at slot 0, where Japan is with France, although a room is free.
    second, _ = ask_and_accept(app, client, forum, "japan", "italy", [forum.slots[0].id, forum.slots[1].id])
    assert (first.slot_id, second.slot_id) == (forum.slots[0].id, forum.slots[1].id)
    with committed(app):
        holds = db.session.scalar(select(func.count()).select_from(DelegationSlotHold))
        people = db.session.scalar(select(func.count()).select_from(PersonSlotHold))
    assert (holds, people) == (4, 4)


@pytest.mark.parametrize("limit", [1])
def test_the_daily_limit_holds(app, client, limit):
    forum = built(app, daily_limit=limit)
    ask_and_accept(app, client, forum, "japan", "france", [forum.slots[0].id])
    held, _ = ask_and_accept(app, client, forum, "japan", "italy", [forum.slots[1].id])
    assert held.status is BilateralStatus.ACCEPTED and held.slot_id is None
    with committed(app):
        assert db.session.get(DelegationDay, (forum.japan.delegation.id, forum.slots[0].day)).used == 1


def test_the_organisers_allocation_places_what_waits(app, client):
    forum = built(app, daily_limit=1)
    ask_and_accept(app, client, forum, "japan", "france", [forum.slots[0].id])
    waiting, _ = ask_and_accept(app, client, forum, "japan", "italy", [forum.slots[1].id])
    assert waiting.status is BilateralStatus.ACCEPTED
    # The organisers raise the limit and place what waits.
    sign_in(client, forum.organiser)
    response = client.post(
        "/forums/isef2/manage/bilaterals/settings",
        data={"rooms": [str(r.id) for r in forum.rooms], "daily_limit": "2"},
    )
    assert response.status_code == 302
    response = client.post("/forums/isef2/manage/bilaterals/place", data={})
    assert "Placed: 1. Still without a place: 0." in client.get(response.headers["Location"]).get_data(as_text=True)
    assert current_bilateral(app, waiting.id).slot_id == forum.slots[1].id


def _blind(monkeypatch):
    """The placing code reads the board as if nothing were taken (a read that missed another
    request's commit): only the database's constraints and counters can refuse then."""
    real = placing.load_board

    def stale(forum, people):  # noqa: ANN001, ANN202
        board = real(forum, people)
        board.rooms_taken.clear()
        board.people_busy.clear()
        board.delegations_busy.clear()
        board.day_used.clear()
        return board

    monkeypatch.setattr(placing, "load_board", stale)


def test_the_database_refuses_a_taken_room_that_a_stale_read_thought_free(app, client, monkeypatch):
    forum = built(app, rooms=1, slots=1)
    ask_and_accept(app, client, forum, "japan", "france", [forum.slots[0].id])
    _blind(monkeypatch)
    loser, _ = ask_and_accept(app, client, forum, "italy", "japan", [forum.slots[0].id])
    assert loser.status is BilateralStatus.ACCEPTED and loser.slot_id is None
    with committed(app):
        assert db.session.scalar(select(func.count()).select_from(DelegationSlotHold)) == 2
        # Its counter went back with the savepoint, row and all.
        assert db.session.get(DelegationDay, (forum.italy.delegation.id, forum.slots[0].day)) is None


def test_the_database_refuses_a_day_past_the_limit_that_a_stale_read_missed(app, client, monkeypatch):
    forum = built(app, rooms=2, slots=2, daily_limit=1)
    ask_and_accept(app, client, forum, "japan", "france", [forum.slots[0].id])
    _blind(monkeypatch)
    loser, _ = ask_and_accept(app, client, forum, "japan", "italy", [forum.slots[1].id])
    assert loser.slot_id is None
    with committed(app):
        assert db.session.get(DelegationDay, (forum.japan.delegation.id, forum.slots[0].day)).used == 1
        assert db.session.scalar(select(func.count()).select_from(PersonSlotHold)) == 2
