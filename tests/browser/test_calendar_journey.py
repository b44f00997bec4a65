"""A visitor takes one session, and a delegate their whole agenda, into a calendar app."""

from pathlib import Path

import pytest
from playwright.sync_api import expect

from planner.demo.seed import load_isef2
from tests.calendar.helpers import events
from tests.factories import committed, make_user


@pytest.fixture
def isef2(app):
    with committed(app):
        load_isef2()
        user = make_user(email="mika@example.org", name="Mika")
    return user.email


def test_visitor_downloads_a_session_and_finds_the_subscribe_links(browser, live_server, isef2, tmp_path):
    context = browser.new_context(accept_downloads=True)
    page = context.new_page()
    page.goto(live_server + "/forums/isef2/")
    assert (
        page.get_by_role("link", name="Subscribe to the whole programme of ISEF2 in your calendar app").get_attribute(
            "href"
        )
        == live_server.replace("http://", "webcal://") + "/forums/isef2/calendar.ics"
    )
    page.goto(live_server + "/forums/isef2/timetable?day=2018-02-28")
    page.get_by_role("link", name="Welcome and introduction").first.click()
    expect(page.get_by_role("heading", name="Add to your calendar")).to_be_visible()
    assert (
        page.get_by_role("link", name="Add to Google Calendar")
        .get_attribute("href")
        .startswith("https://calendar.google.com/calendar/render?action=TEMPLATE")
    )
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download this session (.ics)").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".ics")
    target = Path(tmp_path) / download.suggested_filename
    download.save_as(target)
    [event] = events(target.read_bytes()).values()
    assert event["SUMMARY"] == "Welcome and introduction"
    context.close()


def test_delegate_gets_and_renews_their_private_calendar_address(live_server, signed_in_page, isef2):
    page = signed_in_page(isef2)
    page.goto(live_server + "/me")
    page.get_by_role("button", name="Get my calendar address").click()
    first = page.get_by_label("Private calendar address").input_value()
    assert "/feeds/" in first and first.endswith(".ics")
    page.get_by_role("button", name="Make a new address (the old one stops working)").click()
    second = page.get_by_label("Private calendar address").input_value()
    assert second != first
    assert page.request.get(first).status == 404
    feed = page.request.get(second)
    assert feed.status == 200
    assert feed.headers["content-type"] == "text/calendar; charset=utf-8"
