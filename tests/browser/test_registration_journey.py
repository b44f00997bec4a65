"""A delegate registers for Y-ISEF, an organiser approves, the delegate sees it and gets the email."""

import datetime as dt

import pytest
from playwright.sync_api import expect

from planner.extensions import db
from planner.registration.models import Question, QuestionKind
from tests.factories import committed, make_event, make_forum, make_organiser, make_policy, make_user


@pytest.fixture
def setting(mailing_app):
    app = mailing_app
    with committed(app):
        forum = make_forum(slug="isef3", name="ISEF3", first_day=dt.date(2030, 3, 1), last_day=dt.date(2030, 3, 3))
        event = make_event(forum, "Y-ISEF", title="Young Professionals ISEF")
        make_policy(event, capacity=100, approval_required=True, min_age=18, max_age=35)
        db.session.add(
            Question(
                event_id=event.id,
                label="Your field of work",
                kind=QuestionKind.SINGLE,
                choices=["Engineering", "Science"],
                required=True,
            )
        )
        make_user(email="hana@example.org", name="Hana Suzuki")
        make_organiser(forum, email="aiko@example.org", name="Aiko Tanaka")


def test_register_approve_and_be_told(live_server, signed_in_page, setting, smtp_server):
    delegate = signed_in_page("hana@example.org")
    delegate.goto(live_server + "/forums/isef3/events/Y-ISEF/")
    delegate.get_by_role("link", name="Register for Y-ISEF").click()
    delegate.get_by_label("Date of birth").fill("1995-05-05")
    delegate.get_by_label("Country").select_option("JP")
    delegate.get_by_label("Science").check()
    delegate.get_by_role("button", name="Apply").click()
    expect(delegate.get_by_text("Your application for Young Professionals ISEF is received")).to_be_visible()
    expect(delegate.get_by_role("cell", name="pending approval")).to_be_visible()

    organiser = signed_in_page("aiko@example.org")
    organiser.goto(live_server + "/forums/isef3/manage/")
    organiser.get_by_role("link", name="Registrations", exact=True).click()
    organiser.get_by_label("Select Hana Suzuki").check()
    organiser.get_by_label("Approve").check()
    organiser.get_by_role("button", name="Apply to the selected").click()
    expect(organiser.get_by_text("1 approved")).to_be_visible()

    delegate.reload()
    expect(delegate.get_by_role("cell", name="confirmed")).to_be_visible()
    subjects = [m.message["Subject"] for m in smtp_server.received if m.rcpt_tos == ["hana@example.org"]]
    assert subjects == [
        "We received your application for Young Professionals ISEF",
        "Your place at Young Professionals ISEF is confirmed",
    ]
