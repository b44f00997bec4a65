"""A Japanese student in a ja-JP browser: signs up, confirms by the email, applies to S-ISEF,
reads the email that follows, the timetable and the session, all in Japanese.

Labels are looked up in the catalogue (gettext in Japanese), so the test follows the
translation rather than copying it."""

import datetime as dt
import re

import pytest
from flask import Flask
from flask_babel import force_locale
from flask_babel import gettext as _
from playwright.sync_api import expect

from planner.forums.models import EventKind
from tests.factories import committed, make_event, make_forum, make_policy, make_session

PASSWORD = "a long enough passphrase"


def ja(app: Flask, message: str, **values: object) -> str:
    with app.test_request_context(), force_locale("ja"):
        return _(message, **values)


@pytest.fixture
def student_event(mailing_app):
    app = mailing_app
    with committed(app):
        forum = make_forum(slug="isef3", name="ISEF3", first_day=dt.date(2030, 3, 1), last_day=dt.date(2030, 3, 3))
        event = make_event(forum, "S-ISEF", title="Student ISEF", kind=EventKind.STUDENT)
        make_policy(event, capacity=100, guardian_required=True, allowed_countries=["JP"])
        make_session(event, dt.datetime(2030, 3, 2, 10, 0, tzinfo=forum.zone), title="Mission to the Moon")
    return app


def test_a_student_does_everything_in_japanese(browser, live_server, student_event, smtp_server):
    app = student_event
    context = browser.new_context(locale="ja-JP")
    page = context.new_page()
    page.goto(live_server + "/")
    expect(page.locator("html")).to_have_attribute("lang", "ja")
    page.get_by_role("link", name=ja(app, "Sign up")).first.click()
    page.get_by_label(ja(app, "Given name"), exact=True).fill("結衣")
    page.get_by_label(ja(app, "Family name"), exact=True).fill("佐藤")
    page.get_by_label(ja(app, "My family name comes first (Sato Yui rather than Yui Sato)")).check()
    page.get_by_label(ja(app, "Email address")).fill("yui@example.org")
    page.get_by_label(ja(app, "Password"), exact=True).fill(PASSWORD)
    page.get_by_label(ja(app, "Repeat the password")).fill(PASSWORD)
    page.get_by_role("button", name=ja(app, "Create account")).click()
    expect(page.get_by_role("heading", name=ja(app, "Check your email"))).to_be_visible()

    [confirmation] = smtp_server.received
    assert confirmation.message["Subject"] == ja(app, "Confirm your email address for planner")
    text = confirmation.message.get_body(preferencelist=("plain",)).get_content()
    assert "佐藤 結衣 様" in text
    page.goto(re.search(r"http://\S+/verify/\S+", text).group(0))
    page.get_by_label(ja(app, "Email address")).fill("yui@example.org")
    page.get_by_label(ja(app, "Password")).fill(PASSWORD)
    page.get_by_role("button", name=ja(app, "Sign in")).click()

    page.goto(live_server + "/forums/isef3/events/S-ISEF/register")
    expect(page.locator("html")).to_have_attribute("lang", "ja")
    page.get_by_label(ja(app, "Date of birth")).fill("2013-06-01")  # 16 on the first day
    page.get_by_label(ja(app, "Country")).select_option("JP")
    page.get_by_label(ja(app, "Parent or guardian's name")).fill("佐藤 恵美")
    page.get_by_label(ja(app, "Parent or guardian's email address")).fill("emi@example.org")
    page.get_by_role("button", name=ja(app, "Apply")).click()

    to_student = [m for m in smtp_server.received if m.rcpt_tos == ["yui@example.org"]][-1]
    assert to_student.message["Subject"] == ja(
        app, "Your application for %(event)s waits for your guardian's consent", event="Student ISEF"
    )
    to_guardian = [m for m in smtp_server.received if m.rcpt_tos == ["emi@example.org"]][-1]
    assert to_guardian.message["Subject"] == ja(
        app, "%(name)s asks for your consent to take part in %(event)s", name="佐藤 結衣", event="Student ISEF"
    )

    page.goto(live_server + "/forums/isef3/timetable?day=2030-03-02")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"{ja(app, 'Timetable')} ISEF3")
    expect(page.get_by_text("2030年3月2日土曜日").first).to_be_visible()
    page.get_by_role("link", name="Mission to the Moon").first.click()
    expect(page.locator("html")).to_have_attribute("lang", "ja")
    expect(page.get_by_text("10:00").first).to_be_visible()
    context.close()
