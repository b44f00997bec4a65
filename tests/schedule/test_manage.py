"""Organisers' programme pages, through the test client with real form data."""

import re

import icalendar
import pytest
from sqlalchemy import select

from planner.audit.models import AuditEntry
from planner.extensions import db
from planner.mail.models import OutboxMessage
from planner.registration.models import AgendaItem, Registration, RegistrationStatus
from planner.schedule.models import AcknowledgedWarning, RoomClosedDay, Session, SessionStatus
from tests.conftest import sign_in
from tests.factories import (
    Programme,
    committed,
    make_admin,
    make_event,
    make_plenary_and_panel,
    make_session,
    make_user,
    session_form_data,
    tokyo,
)


@pytest.fixture
def programme(app, client) -> Programme:
    """The plenary and the panel of Y-ISEF; Aiko is confirmed for it and picked the panel.
    The client is the organiser's."""
    with committed(app):
        programme = make_plenary_and_panel()
        delegate = make_user(email="aiko@example.org")
        db.session.add(
            Registration(event_id=programme.event.id, user_id=delegate.id, status=RegistrationStatus.CONFIRMED)
        )
        db.session.add(AgendaItem(user_id=delegate.id, session_id=programme.panel.id))
    sign_in(client, programme.organiser)
    return programme


def calendar_part(mail: OutboxMessage):
    """The METHOD of an email's iTIP attachment and its one VEVENT."""
    assert mail.attachment_content_type.startswith("text/calendar")
    calendar = icalendar.Calendar.from_ical(mail.attachment_body)
    assert f"method={calendar['METHOD']}" in mail.attachment_content_type
    [event] = calendar.walk("VEVENT")
    return str(calendar["METHOD"]), event


def form(programme, **overrides):
    return session_form_data(programme.event.id, programme.annex.id, **overrides)


def test_moving_a_session_into_an_occupied_room_is_refused(app, client, programme):
    url = f"/forums/isef2/manage/sessions/{programme.panel.id}/edit"
    response = client.post(
        url, data=form(programme, room=programme.hall.id, starts_at="2018-03-03T09:30", ends_at="2018-03-03T10:30")
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    clash = "Hall is booked for 2 overlapping sessions from 3 Mar 09:00 to 3 Mar 10:30: “Plenary”, “Panel”."
    assert page.count(clash) == 1
    with app.app_context():
        panel = db.session.get(Session, programme.panel.id)
        assert (panel.room_id, panel.starts_at, panel.revision) == (programme.annex.id, tokyo("2018-03-03 11:00"), 1)
        assert db.session.scalars(select(OutboxMessage)).all() == []


def test_moving_a_session_raises_its_revision_records_it_and_tells_the_delegates(app, client, programme):
    url = f"/forums/isef2/manage/sessions/{programme.panel.id}/edit"
    response = client.post(
        url, data=form(programme, room=programme.hall.id, starts_at="2018-03-03T14:00", ends_at="2018-03-03T15:00")
    )
    assert response.status_code == 302
    with app.app_context():
        panel = db.session.get(Session, programme.panel.id)
        assert (panel.room_id, panel.starts_at, panel.revision) == (programme.hall.id, tokyo("2018-03-03 14:00"), 2)
        entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "session.changed")).one()
        assert entry.before["room"] == "Annex, Main venue" and entry.after["room"] == "Hall, Main venue"
        assert entry.after["starts_at"] == "2018-03-03T05:00:00+00:00"
        [mail] = db.session.scalars(select(OutboxMessage)).all()
        assert mail.to_address == "aiko@example.org"
        assert "Moved from 3 Mar 11:00–12:00 to 3 Mar 14:00–15:00." in mail.text_body
        assert "Moved from Annex, Main venue to Hall, Main venue." in mail.text_body
        # The update for calendar clients: the same UID as every feed, the new SEQUENCE.
        method, invite = calendar_part(mail)
        assert method == "REQUEST"
        assert str(invite["UID"]).startswith(f"session-{programme.panel.id}@")
        assert int(invite["SEQUENCE"]) == 2
        assert invite.DTSTART.astimezone(tokyo("2018-03-03 00:00").tzinfo) == tokyo("2018-03-03 14:00")
    page = client.get(f"/sessions/{programme.panel.id}").get_data(as_text=True)
    assert "Moved from 3 Mar 11:00–12:00 to 3 Mar 14:00–15:00." in page
    # Saving again without a change neither raises the revision nor sends mail.
    client.post(
        url, data=form(programme, room=programme.hall.id, starts_at="2018-03-03T14:00", ends_at="2018-03-03T15:00")
    )
    with app.app_context():
        assert db.session.get(Session, programme.panel.id).revision == 2
        assert len(db.session.scalars(select(OutboxMessage)).all()) == 1


def test_a_description_change_is_not_a_new_revision(app, client, programme):
    client.post(f"/forums/isef2/manage/sessions/{programme.panel.id}/edit", data=form(programme, description="More."))
    with app.app_context():
        assert db.session.get(Session, programme.panel.id).revision == 1
        assert db.session.scalars(select(OutboxMessage)).all() == []


def test_cancelled_session_stays_visible_as_cancelled(app, client, programme):
    client.post(f"/forums/isef2/manage/sessions/{programme.panel.id}/edit", data=form(programme, status="cancelled"))
    with app.app_context():
        assert db.session.get(Session, programme.panel.id).status is SessionStatus.CANCELLED
        mail = db.session.scalars(select(OutboxMessage)).one()
        assert "Cancelled." in mail.text_body
        method, invite = calendar_part(mail)
        assert (method, str(invite["STATUS"]), int(invite["SEQUENCE"])) == ("CANCEL", "CANCELLED", 2)
    page = client.get("/forums/isef2/timetable?day=2018-03-03").get_data(as_text=True)
    assert 'Panel</a> <strong class="cancelled-mark">Cancelled</strong>' in page
    assert "This session is cancelled." in client.get(f"/sessions/{programme.panel.id}").get_data(as_text=True)
    event_page = client.get("/forums/isef2/events/Y-ISEF/").get_data(as_text=True)
    assert 'Panel</a> <strong class="cancelled-mark">Cancelled</strong>' in event_page


def test_new_session_with_people_and_the_end_before_the_start(app, client, programme):
    bad = client.post(
        "/forums/isef2/manage/sessions/new", data=form(programme, title="Bilateral", ends_at="2018-03-03T10:00")
    )
    assert bad.status_code == 422
    assert "The session must end after it starts." in bad.get_data(as_text=True)
    response = client.post(
        "/forums/isef2/manage/sessions/new",
        data=form(
            programme,
            title="Bilateral",
            starts_at="2018-03-03T16:00",
            ends_at="2018-03-03T16:30",
            chairs="Hana Suzuki",
            speakers="Kenji Sato\nHana Suzuki",
        ),
    )
    assert response.status_code == 302
    with app.app_context():
        session = db.session.scalars(select(Session).where(Session.title == "Bilateral")).one()
        assert [p.name for p in session.chairs] == ["Hana Suzuki"]
        assert [p.name for p in session.speakers] == ["Kenji Sato", "Hana Suzuki"]


def test_duplicate_prefills_the_new_session_form(client, programme):
    page = client.get(f"/forums/isef2/manage/sessions/new?copy={programme.plenary.id}").get_data(as_text=True)
    assert 'value="Plenary (copy)"' in page and 'value="2018-03-03T09:00"' in page
    assert client.get("/forums/isef2/manage/sessions/new?copy=999999").status_code == 404


def test_warning_is_listed_and_can_be_acknowledged(app, client, programme):
    with app.app_context():
        db.session.add(RoomClosedDay(room_id=programme.annex.id, day=tokyo("2018-03-03 00:00").date()))
        db.session.commit()
    page = client.get("/forums/isef2/manage/conflicts").get_data(as_text=True)
    assert "Annex is not available on the day of “Panel”." in page
    assert f'href="/forums/isef2/manage/sessions/{programme.panel.id}/edit">Fix “Panel”' in page
    key = f"room_closed:{programme.panel.id}r1"
    assert client.post("/forums/isef2/manage/conflicts/acknowledge", data={"key": key}).status_code == 302
    assert "No open warnings." in client.get("/forums/isef2/manage/conflicts").get_data(as_text=True)
    assert client.post("/forums/isef2/manage/conflicts/acknowledge", data={"key": "nonsense"}).status_code == 404
    with app.app_context():
        assert db.session.scalars(select(AcknowledgedWarning.key)).all() == [key]


def test_room_form_stores_capacity_notes_and_closed_days(app, client, programme):
    venue_id = programme.hall.venue_id
    bad = client.post(
        "/forums/isef2/manage/rooms/new", data={"venue": venue_id, "name": "G510", "closed_days": "3 March"}
    )
    assert bad.status_code == 422 and "3 March is not a date written like 2018-03-03." in bad.get_data(as_text=True)
    response = client.post(
        "/forums/isef2/manage/rooms/new",
        data={
            "venue": venue_id,
            "name": "G510",
            "capacity": "40",
            "accessibility_notes": "Step-free; hearing loop.",
            "closed_days": "2018-03-01\n2018-03-02",
        },
    )
    assert response.status_code == 302
    page = client.get("/forums/isef2/manage/programme/").get_data(as_text=True)
    assert 'G510</a> <span class="meta">40 seats</span> <span class="meta">· Step-free; hearing loop.</span>' in page
    with app.app_context():
        assert len(db.session.scalars(select(RoomClosedDay)).all()) == 2


def event_form(**changes: str) -> dict[str, str]:
    """The event form's fields for a side event on the forum's last day, with ``changes``."""
    return {
        "code": "x-isef",
        "kind": "side_event",
        "title": "Extra",
        "starts_at": "2018-03-03T09:00",
        "ends_at": "2018-03-03T18:00",
        "venue": "0",
        **changes,
    }


def test_event_form_refuses_dates_that_leave_sessions_outside(client, programme):
    response = client.post(
        "/forums/isef2/manage/events/Y-ISEF/edit",
        data=event_form(code="Y-ISEF", title="Youth", starts_at="2018-02-28T09:00", ends_at="2018-03-02T18:00"),
    )
    assert response.status_code == 422
    assert "would fall outside the event" in response.get_data(as_text=True)


def test_closed_sessions_show_only_to_organisers(app, client, programme):
    with committed(app):
        make_session(programme.event, tokyo("2018-03-03 13:00"), 30, title="Closed talks", is_public=False)
    assert "Closed talks" in client.get("/forums/isef2/timetable?day=2018-03-03").get_data(as_text=True)
    anonymous = app.test_client()
    assert "Closed talks" not in anonymous.get("/forums/isef2/timetable?day=2018-03-03").get_data(as_text=True)


def test_moving_a_session_to_another_event_checks_the_new_event_dates(app, client, programme):
    with committed(app):
        other = make_event(
            programme.forum, "I-ISEF", starts_at=tokyo("2018-02-28 09:00"), ends_at=tokyo("2018-02-28 18:00")
        )
    response = client.post(
        f"/forums/isef2/manage/sessions/{programme.panel.id}/edit", data=form(programme, event=other.id)
    )
    assert response.status_code == 422
    assert "“Panel” is outside the dates of I-ISEF" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"starts_at": "0001-01-01T00:00"}, "Enter a year between 1900 and 2200."),
        ({"starts_at": "tomorrow"}, "Not a valid datetime value."),
        ({"room": "999999"}, "Not a valid choice."),
        ({"kind": "party"}, "Not a valid choice."),
        ({"title": "   "}, "This field is required."),
    ],
)
def test_bad_session_input_is_a_form_error(client, programme, overrides, message):
    response = client.post("/forums/isef2/manage/sessions/new", data=form(programme, **overrides))
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)


def test_a_closed_day_outside_the_forum_is_refused_on_its_field(app, client, programme):
    venue_id = programme.hall.venue_id
    response = client.post(
        "/forums/isef2/manage/rooms/new", data={"venue": venue_id, "name": "G510", "closed_days": "2019-01-01"}
    )
    assert response.status_code == 422
    assert 'id="closed_days-error">2019-01-01 is not a day of the forum.' in response.get_data(as_text=True)


def test_an_administrator_adds_a_forum(app, client):
    with committed(app):
        admin = make_admin()
    sign_in(client, admin)
    far = client.post(
        "/forums/new",
        data={
            "slug": "x",
            "name": "X",
            "title": "X",
            "host_city": "X",
            "host_country": "JP",
            "timezone": "Asia/Tokyo",
            "first_day": "0001-01-01",
            "last_day": "0001-01-02",
        },
    )
    assert "Enter a year between 1900 and 2200." in far.get_data(as_text=True)
    data = {
        "slug": "ISEF3",
        "name": "ISEF3",
        "title": "3rd ISEF",
        "host_city": "Washington",
        "host_country": "us",
        "timezone": "Mars/Olympus",
        "first_day": "2030-03-01",
        "last_day": "2030-02-27",
    }
    bad = client.post("/forums/new", data=data)
    page = bad.get_data(as_text=True)
    assert bad.status_code == 422
    assert "This is not a timezone; write one like Asia/Tokyo." in page
    assert "The last day cannot be before the first." in page
    response = client.post("/forums/new", data={**data, "timezone": "America/New_York", "last_day": "2030-03-03"})
    assert response.status_code == 302 and response.headers["Location"] == "/forums/isef3/manage/programme/"
    with app.app_context():
        from planner.forums.models import Forum

        forum = db.session.scalars(select(Forum).where(Forum.slug == "isef3")).one()
        assert (forum.host_country, forum.timezone) == ("US", "America/New_York")
    again = client.post("/forums/new", data={**data, "timezone": "America/New_York", "last_day": "2030-03-03"})
    assert "Another forum has the address name isef3." in again.get_data(as_text=True)


def test_an_event_stays_within_the_forum_days(client, programme):
    response = client.post("/forums/isef2/manage/events/new", data=event_form(ends_at="2018-03-04T18:00"))
    assert response.status_code == 422
    assert "An event takes place within the forum&#39;s days (2018-02-28 to 2018-03-03)." in response.get_data(
        as_text=True
    )
    ok = client.post("/forums/isef2/manage/events/new", data=event_form())
    assert ok.status_code == 302
    assert client.get("/forums/isef2/events/X-ISEF/").status_code == 200


def test_history_times_name_their_timezone(client, programme):
    url = f"/forums/isef2/manage/sessions/{programme.panel.id}/edit"
    client.post(url, data=form(programme, starts_at="2018-03-03T14:00", ends_at="2018-03-03T15:00"))
    for page in (client.get(url), client.get(f"/sessions/{programme.panel.id}")):
        text = page.get_data(as_text=True)
        assert "Moved from 3 Mar 11:00–12:00 to 3 Mar 14:00–15:00." in text
        assert re.search(r'<time datetime="[^"]+">\d+ \w+ \d\d:\d\d JST</time>', text), text
