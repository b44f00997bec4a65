"""The organisers' reminders page: adding and deleting reminders before events and deadlines,
setting the deadlines in the forum's timezone; bad input refused with a reason, nothing stored."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from planner.audit.models import AuditEntry
from planner.extensions import db
from planner.forums.models import Forum
from planner.reminders.models import DeadlineKind, DeadlineReminder, Reminder
from tests.conftest import sign_in
from tests.factories import committed, make_event, make_forum, make_isef2, make_programme, tokyo

PAGE = "/forums/isef2/manage/reminders"
TODAY = tokyo("2018-02-01 10:00")  # four weeks before ISEF2's Y-ISEF


@pytest.fixture
def programme(app):
    app.config["CLOCK"] = lambda: TODAY
    with committed(app):
        return make_programme(forum=make_isef2(languages=["en", "ja"]))


@pytest.fixture
def organiser_client(client, programme):
    sign_in(client, programme.organiser)
    return client


def reminders(app) -> list[Reminder]:
    with app.app_context():
        return list(db.session.scalars(select(Reminder).order_by(Reminder.id)))


def deadline_reminders(app) -> list[DeadlineReminder]:
    with app.app_context():
        return list(db.session.scalars(select(DeadlineReminder).order_by(DeadlineReminder.id)))


def forum(app) -> Forum:
    with app.app_context():
        return db.session.scalars(select(Forum).where(Forum.slug == "isef2")).one()


def audit(app) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))


def add(client, **overrides):
    data = {
        "reminder-event": "Y-ISEF",
        "reminder-days": "7",
        "reminder-hours": "0",
        "reminder-details": "Enter by the north door.",
        "reminder-details_ja": "北口からお入りください。",
    }
    data.update(overrides)
    return client.post(PAGE, data=data)


def test_the_page_is_linked_from_the_hub_and_explains_who_is_reminded(organiser_client):
    page = organiser_client.get(PAGE).get_data(as_text=True)
    assert "No reminders before events yet." in page and "never after the event has started" in page
    assert "Practical details (Japanese)" in page
    assert PAGE in organiser_client.get("/forums/isef2/manage/").get_data(as_text=True)


def test_the_page_says_what_a_move_does_to_reminders(organiser_client):
    page = organiser_client.get(PAGE).get_data(as_text=True)
    assert "those already sent it get it once more with the new time" in page


def test_a_reminder_is_added_with_its_details_in_each_language_and_listed(app, organiser_client):
    response = add(organiser_client)
    assert response.status_code == 302
    (reminder,) = reminders(app)
    assert reminder.minutes_before == 7 * 24 * 60 and reminder.details == "Enter by the north door."
    assert reminder.translations == {"ja": {"details": "北口からお入りください。"}}
    page = organiser_client.get(PAGE).get_data(as_text=True)
    assert "Y-ISEF has a reminder 7 days before it starts." in page
    assert "21 Feb 2018 09:00 JST" in page and "0 people" in page
    assert audit(app) == ["reminder.added"]


def test_a_reminder_whose_time_has_passed_is_said_to_go_at_the_next_round(app, organiser_client):
    add(organiser_client, **{"reminder-days": "30"})
    assert "due: goes out at the next round" in organiser_client.get(PAGE).get_data(as_text=True)


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"reminder-days": "0", "reminder-hours": "0"}, "at least 1 hour before"),
        ({"reminder-days": ""}, "Give a number of days"),
        ({"reminder-days": "seven"}, "Give a number of days"),
        ({"reminder-days": "-1"}, "from 0 to 366"),
        ({"reminder-days": "400"}, "from 0 to 366"),
        ({"reminder-hours": "24"}, "from 0 to 23"),
        ({"reminder-event": "NOPE"}, "Not a valid choice"),
        ({"reminder-event": ""}, "Choose the event"),
        ({"reminder-details": "x" * 5001}, "5000 characters"),
        ({"reminder-details_ja": "x" * 5001}, "5000 characters"),
        ({"reminder-details": "bad\x00text"}, "control characters"),
    ],
)
def test_bad_input_for_a_reminder_is_refused_with_the_reason(app, organiser_client, overrides, message):
    response = add(organiser_client, **overrides)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert reminders(app) == [] and audit(app) == []


def test_a_second_reminder_at_the_same_time_is_refused(app, organiser_client):
    add(organiser_client)
    response = add(organiser_client, **{"reminder-days": "6", "reminder-hours": "0"})
    assert response.status_code == 302
    response = add(organiser_client, **{"reminder-days": "7"})
    assert response.status_code == 422
    assert "Y-ISEF has a reminder 7 days before already." in response.get_data(as_text=True)
    assert len(reminders(app)) == 2


def test_an_event_that_has_started_takes_no_reminder(app, organiser_client):
    app.config["CLOCK"] = lambda: tokyo("2018-02-28 09:00")
    response = add(organiser_client)
    assert response.status_code == 422
    assert "Y-ISEF has started: reminders go only before an event starts." in response.get_data(as_text=True)
    assert reminders(app) == []


def test_a_reminder_is_deleted_and_another_forums_is_not_found(app, organiser_client):
    add(organiser_client)
    (reminder,) = reminders(app)
    with committed(app):
        other = make_event(make_forum(slug="other"), "OTHER", starts_at=TODAY + dt.timedelta(days=9))
        db.session.add(theirs := Reminder(event_id=other.id, minutes_before=60))
    assert organiser_client.post(f"{PAGE}/{theirs.id}/delete").status_code == 404
    assert organiser_client.post(f"{PAGE}/{reminder.id}/delete").status_code == 302
    assert [r.id for r in reminders(app)] == [theirs.id]
    assert audit(app) == ["reminder.added", "reminder.removed"]


# Deadlines -----------------------------------------------------------------------------------


def test_deadlines_are_typed_in_the_forums_timezone_and_can_be_cleared(app, organiser_client):
    response = organiser_client.post(
        f"{PAGE}/deadlines",
        data={"deadlines-nominations_close_at": "2018-01-31T17:00", "deadlines-credentials_due_at": ""},
    )
    assert response.status_code == 302
    stored = forum(app)
    assert stored.nominations_close_at == tokyo("2018-01-31 17:00") and stored.credentials_due_at is None
    page = organiser_client.get(PAGE).get_data(as_text=True)
    assert 'value="2018-01-31T17:00"' in page
    assert organiser_client.post(f"{PAGE}/deadlines", data={}).status_code == 302
    assert forum(app).nominations_close_at is None
    assert audit(app) == ["forum.deadlines", "forum.deadlines"]


@pytest.mark.parametrize("value, message", [("31/01/2018", "Not a valid datetime value"), ("0001-01-01T00:00", "1900")])
def test_a_bad_deadline_is_refused_and_the_old_one_kept(app, organiser_client, value, message):
    organiser_client.post(f"{PAGE}/deadlines", data={"deadlines-nominations_close_at": "2018-01-31T17:00"})
    response = organiser_client.post(f"{PAGE}/deadlines", data={"deadlines-nominations_close_at": value})
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert forum(app).nominations_close_at == tokyo("2018-01-31 17:00")


def add_deadline_reminder(client, **overrides):
    data = {
        "deadline_reminder-deadline": "nominations_close",
        "deadline_reminder-days": "7",
        "deadline_reminder-hours": "0",
    }
    data.update(overrides)
    return client.post(f"{PAGE}/deadline-reminders", data=data)


def test_a_deadline_reminder_needs_its_deadline_set_first(app, organiser_client):
    response = add_deadline_reminder(organiser_client)
    assert response.status_code == 422
    assert "Set this deadline above first." in response.get_data(as_text=True)
    assert deadline_reminders(app) == []


def test_a_deadline_reminder_is_added_listed_and_deleted(app, organiser_client):
    organiser_client.post(f"{PAGE}/deadlines", data={"deadlines-nominations_close_at": "2018-02-14T17:00"})
    assert add_deadline_reminder(organiser_client).status_code == 302
    (reminder,) = deadline_reminders(app)
    assert reminder.deadline is DeadlineKind.NOMINATIONS and reminder.minutes_before == 7 * 24 * 60
    page = organiser_client.get(PAGE).get_data(as_text=True)
    assert "7 Feb 2018 17:00 JST" in page and "0 focal points" in page
    again = add_deadline_reminder(organiser_client)
    assert again.status_code == 422 and "This deadline has a reminder 7 days before already." in again.get_data(
        as_text=True
    )
    assert organiser_client.post(f"{PAGE}/deadline-reminders/{reminder.id}/delete").status_code == 302
    assert organiser_client.post(f"{PAGE}/deadline-reminders/{reminder.id}/delete").status_code == 404
    assert deadline_reminders(app) == []


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"deadline_reminder-deadline": "lunch"}, "Not a valid choice"),
        ({"deadline_reminder-days": "0", "deadline_reminder-hours": "0"}, "at least 1 hour before"),
        ({"deadline_reminder-hours": "x"}, "Give a number of hours"),
    ],
)
def test_bad_input_for_a_deadline_reminder_is_refused_with_the_reason(app, organiser_client, overrides, message):
    response = add_deadline_reminder(organiser_client, **overrides)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert deadline_reminders(app) == []


def test_a_reminders_details_are_corrected_in_each_language(app, organiser_client):
    add(organiser_client)
    (reminder,) = reminders(app)
    edit = f"{PAGE}/{reminder.id}/edit"
    assert edit in organiser_client.get(PAGE).get_data(as_text=True)
    page = organiser_client.get(edit).get_data(as_text=True)
    assert "Enter by the north door." in page and "北口からお入りください。" in page
    response = organiser_client.post(edit, data={"details": "Enter by the south door.", "details_ja": ""})
    assert response.status_code == 302
    (corrected,) = reminders(app)
    assert corrected.details == "Enter by the south door." and corrected.translations == {}
    assert audit(app) == ["reminder.added", "reminder.edited"]


@pytest.mark.parametrize(
    "data, message", [({"details": "x" * 5001}, "5000 characters"), ({"details_ja": "a\x00b"}, "control characters")]
)
def test_bad_details_are_refused_and_the_old_ones_kept(app, organiser_client, data, message):
    add(organiser_client)
    (reminder,) = reminders(app)
    response = organiser_client.post(f"{PAGE}/{reminder.id}/edit", data=data)
    assert response.status_code == 422 and message in response.get_data(as_text=True)
    assert reminders(app)[0].details == "Enter by the north door."


def test_another_forums_reminder_cannot_be_edited(app, organiser_client):
    with committed(app):
        other = make_event(make_forum(slug="other"), "OTHER", starts_at=TODAY + dt.timedelta(days=9))
        db.session.add(theirs := Reminder(event_id=other.id, minutes_before=60, details="Theirs"))
    assert organiser_client.get(f"{PAGE}/{theirs.id}/edit").status_code == 404
    assert organiser_client.post(f"{PAGE}/{theirs.id}/edit", data={"details": "Mine"}).status_code == 404
    assert [r.details for r in reminders(app)] == ["Theirs"]


def test_a_passed_deadline_takes_no_reminder(app, organiser_client):
    organiser_client.post(f"{PAGE}/deadlines", data={"deadlines-nominations_close_at": "2018-01-31T17:00"})
    response = add_deadline_reminder(organiser_client)  # today is 1 February 2018
    assert response.status_code == 422
    assert "This deadline has passed: reminders go only before it." in response.get_data(as_text=True)
    assert deadline_reminders(app) == []
