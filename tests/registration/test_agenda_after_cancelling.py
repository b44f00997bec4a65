"""When a place ends (cancelled by the delegate or an organiser, or declined), that event's
sessions leave the delegate's agenda, as they leave their calendar."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from planner.extensions import db
from planner.registration.models import AgendaItem, Registration, RegistrationStatus
from tests.conftest import sign_in
from tests.factories import Programme, committed, make_event, make_forum, make_policy, make_programme, make_session


@pytest.fixture
def setting(app) -> Programme:
    """ISEF3 in 2030: Hana confirmed for Y-ISEF and SIDE, with a session of each on her agenda."""
    with committed(app):
        setting = make_programme(
            make_forum(slug="isef3", name="ISEF3", first_day=dt.date(2030, 3, 1), last_day=dt.date(2030, 3, 3))
        )
        side = make_event(setting.forum, "SIDE", title="Side event")
        make_policy(setting.event, capacity=10)
        make_policy(side)
        setting.session("opening", "Opening of Y-ISEF", "2030-03-01 09:00")
        setting.sessions["side_talk"] = make_session(
            side, setting.opening.starts_at + dt.timedelta(hours=3), title="Side talk"
        )
        hana = setting.person("delegate", name="Hana")
        for event in (setting.event, side):
            setting.add(
                event.code, Registration(event_id=event.id, user_id=hana.id, status=RegistrationStatus.CONFIRMED)
            )
    return setting


def agenda_of(client) -> str:
    return client.get("/me").get_data(as_text=True).split('id="agenda"', 1)[1]


def test_cancelling_takes_the_events_sessions_off_the_agenda(client, app, setting):
    sign_in(client, setting.delegate)
    for session in (setting.opening, setting.side_talk):
        assert client.post(f"/me/agenda/{session.id}").status_code == 302
    assert "Remove Opening of Y-ISEF from my agenda" in agenda_of(client)

    assert client.post(f"/me/registrations/{setting.others['Y-ISEF'].id}/cancel").status_code == 302
    agenda = agenda_of(client)
    assert "Opening of Y-ISEF" not in agenda  # neither on the agenda nor offered
    assert "Remove Side talk from my agenda" in agenda  # the other event's pick stays
    with app.app_context():
        assert db.session.scalars(select(AgendaItem.session_id)).all() == [setting.side_talk.id]


def test_applying_again_starts_an_empty_agenda_for_the_event(client, app, setting):
    sign_in(client, setting.delegate)
    client.post(f"/me/agenda/{setting.opening.id}")
    client.post(f"/me/registrations/{setting.others['Y-ISEF'].id}/cancel")
    with app.app_context():
        db.session.get(Registration, setting.others["Y-ISEF"].id).status = RegistrationStatus.CONFIRMED
        db.session.commit()
    agenda = agenda_of(client)
    assert "Remove Opening of Y-ISEF" not in agenda and "Add Opening of Y-ISEF to my agenda" in agenda


def test_an_organisers_cancellation_or_decline_does_the_same(client, app, setting):
    sign_in(client, setting.delegate)
    client.post(f"/me/agenda/{setting.opening.id}")
    client.post(f"/me/agenda/{setting.side_talk.id}")
    sign_in(client, setting.organiser)
    assert client.post(f"/forums/isef3/manage/registrations/{setting.others['Y-ISEF'].id}/cancel").status_code == 302
    assert (
        client.post(
            "/forums/isef3/manage/registrations/bulk", data={"action": "decline", "ids": str(setting.others["SIDE"].id)}
        ).status_code
        == 302
    )
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(AgendaItem)) == 0


def test_picks_left_from_before_under_an_ended_registration_are_not_shown(client, app, setting):
    with app.app_context():  # as rows written before this rule, or by hand
        db.session.add(AgendaItem(user_id=setting.delegate.id, session_id=setting.opening.id))
        db.session.get(Registration, setting.others["Y-ISEF"].id).status = RegistrationStatus.CANCELLED
        db.session.commit()
    sign_in(client, setting.delegate)
    assert "Opening of Y-ISEF" not in agenda_of(client)
