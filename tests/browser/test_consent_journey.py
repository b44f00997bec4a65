"""A 16-year-old student applies to S-ISEF; their guardian gets the email, follows the link
without an account and consents; the student's page shows the place confirmed."""

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from planner.extensions import db
from planner.forums.models import EventKind
from planner.registration.models import Question, QuestionKind
from tests.factories import committed, make_delegation, make_event, make_forum, make_policy, make_user


@pytest.fixture
def setting(mailing_app):
    app = mailing_app
    with committed(app):
        forum = make_forum(slug="isef3", name="ISEF3", first_day=dt.date(2030, 3, 1), last_day=dt.date(2030, 3, 3))
        event = make_event(forum, "S-ISEF", title="Student ISEF", kind=EventKind.STUDENT)
        make_policy(event, capacity=100, guardian_required=True, allowed_countries=["JP"])
        db.session.add(Question(event_id=event.id, label="Your school", kind=QuestionKind.TEXT, required=True))
        make_delegation(forum, name="Japan")
        make_user(email="yui@example.org", name="Yui Sato")


def test_a_minor_applies_and_the_guardian_consents_by_email(browser, live_server, signed_in_page, setting, smtp_server):
    student = signed_in_page("yui@example.org")
    student.goto(live_server + "/forums/isef3/events/S-ISEF/register")
    expect(student.get_by_label("Your delegation, if you come with one")).to_have_count(0)
    expect(student.get_by_text("we need your parent or guardian's consent")).to_be_visible()
    student.get_by_label("Date of birth").fill("2013-06-01")  # 16 on 1 March 2030
    student.get_by_label("Country").select_option("JP")
    student.get_by_label("Parent or guardian's name").fill("Emi Sato")
    student.get_by_label("Parent or guardian's email address").fill("emi@example.org")
    student.get_by_label("Your school").fill("Tokyo Metropolitan High School")
    student.get_by_role("button", name="Apply").click()
    expect(student.get_by_text("we have emailed Emi Sato a link to give consent")).to_be_visible()
    expect(student.get_by_text("awaiting a guardian's consent")).to_be_visible()

    [to_guardian] = [m for m in smtp_server.received if m.rcpt_tos == ["emi@example.org"]]
    assert to_guardian.message["Subject"] == "Yui Sato asks for your consent to take part in Student ISEF"
    text = to_guardian.message.get_body(preferencelist=("plain",)).get_content()
    link = re.search(r"http://\S+/consent/\S+", text).group(0)

    guardian = browser.new_context()  # another browser, never signed in
    try:
        page = guardian.new_page()
        page.goto(link)
        expect(page.get_by_role("heading", name="Consent for Yui Sato to take part in Student ISEF")).to_be_visible()
        expect(page.get_by_text("Tokyo Metropolitan High School")).to_be_visible()
        page.get_by_label("I give my consent").check()
        page.get_by_role("button", name="Send my answer").click()
        expect(page.get_by_text("you gave your consent for Yui Sato")).to_be_visible()
    finally:
        guardian.close()

    student.reload()
    expect(student.get_by_role("cell", name="confirmed", exact=True)).to_be_visible()
    subjects = [m.message["Subject"] for m in smtp_server.received if m.rcpt_tos == ["yui@example.org"]]
    assert subjects == [
        "Your application for Student ISEF waits for your guardian's consent",
        "Your place at Student ISEF is confirmed",
    ]
