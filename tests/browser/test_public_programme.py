"""Journeys through the public programme, as a visitor makes them in a real browser."""

import pytest
from playwright.sync_api import expect

from planner.demo.seed import load_isef2
from tests.factories import committed


@pytest.fixture
def isef2(app):
    with committed(app):
        load_isef2()


def test_visitor_finds_y_isef_session_times_in_tokyo_time(browser, live_server, isef2):
    # The visitor's own clock is in New York: the programme must still read in Tokyo time.
    context = browser.new_context(timezone_id="America/New_York", locale="en-US")
    page = context.new_page()
    page.goto(live_server + "/")
    page.get_by_role("link", name="ISEF2", exact=True).click()
    expect(page).to_have_title("ISEF2: 2nd International Space Exploration Forum · planner")

    page.get_by_role("link", name="Timetable").click()
    page.get_by_role("link", name="Wednesday, February 28, 2018").click()
    expect(page.get_by_text("Times in Asia/Tokyo (UTC+09:00).")).to_be_visible()

    grid = page.get_by_role("table", name="Sessions by room and time, Wednesday, February 28, 2018")
    cell = grid.get_by_role("cell").filter(has_text="Welcome and introduction")
    assert cell.locator(".when").inner_text() == "09:00–09:30"
    assert cell.locator(".tag").inner_text() == "Y-ISEF"
    keynote = grid.get_by_role("cell").filter(has_text="Keynote: why explore together")
    assert keynote.locator(".when").inner_text() == "09:30–10:30"
    # The Welcome session sits in the 09:00 row of the grid.
    row = grid.get_by_role("row").filter(has=page.get_by_role("rowheader", name="09:00"))
    assert "Welcome and introduction" in row.inner_text()
    context.close()


def test_phone_sees_the_day_as_a_list(browser, live_server, isef2):
    context = browser.new_context(viewport={"width": 375, "height": 800})
    page = context.new_page()
    page.goto(live_server + "/forums/isef2/timetable?day=2018-03-03")
    expect(page.get_by_role("table")).to_be_hidden()
    item = page.get_by_role("listitem").filter(has_text="Opening ceremony")
    expect(item).to_be_visible()
    assert item.inner_text().startswith("09:00–09:30")
    item.get_by_role("link", name="Opening ceremony").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Opening ceremony"
    context.close()
