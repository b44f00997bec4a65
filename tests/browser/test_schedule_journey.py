"""An organiser moves a session into an occupied room and is refused, then into a free one;
the public timetable shows the new time."""

import pytest
from playwright.sync_api import expect

from tests.factories import committed, make_plenary_and_panel


@pytest.fixture
def programme(app):
    app.config.update(WTF_CSRF_ENABLED=True)
    with committed(app):
        return make_plenary_and_panel(panel="Space law panel", organiser="aiko@example.org")


def test_organiser_moves_a_session(browser, live_server, signed_in_page, programme):
    page = signed_in_page("aiko@example.org")

    page.goto(live_server + "/forums/isef2/manage/")
    page.get_by_role("link", name="Programme: sessions, rooms, events, conflicts").click()
    page.get_by_role("link", name="Space law panel").click()
    page.get_by_label("Room").select_option(label="Hall, Main venue")
    page.get_by_label("Starts").fill("2018-03-03T09:30")
    page.get_by_label("Ends").fill("2018-03-03T10:30")
    page.get_by_role("button", name="Save").click()
    assert "Hall is booked for 2 overlapping sessions from 3 Mar 09:00" in page.get_by_role("alert").first.inner_text()

    page.get_by_label("Room").select_option(label="Hall, Main venue")
    page.get_by_label("Starts").fill("2018-03-03T14:00")
    page.get_by_label("Ends").fill("2018-03-03T15:30")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("“Space law panel” is saved.")).to_be_visible()

    visitor = browser.new_context().new_page()
    visitor.goto(live_server + "/forums/isef2/timetable?day=2018-03-03")
    cell = visitor.get_by_role("cell").filter(has_text="Space law panel")
    assert cell.locator(".when").inner_text() == "14:00–15:30"
    visitor.get_by_role("link", name="Space law panel").first.click()
    expect(visitor.get_by_text("Moved from 3 Mar 11:00–12:00 to 3 Mar 14:00–15:30.")).to_be_visible()
