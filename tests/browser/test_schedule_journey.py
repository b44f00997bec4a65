"""An organiser moves a session into an occupied room and is refused, then into a free one;
the public timetable shows the new time."""

import pytest
from playwright.sync_api import expect

from planner.extensions import db
from tests.factories import make_event, make_forum, make_organiser, make_room, make_session, tokyo


@pytest.fixture
def programme(app):
    app.config.update(WTF_CSRF_ENABLED=True)
    with app.app_context():
        forum = make_forum(slug="isef2", name="ISEF2")
        event = make_event(forum, "Y-ISEF")
        hall, annex = make_room(forum, "Hall"), make_room(forum, "Annex")
        make_session(event, tokyo("2018-03-03 09:00"), 60, title="Plenary", room=hall)
        panel = make_session(event, tokyo("2018-03-03 11:00"), 60, title="Space law panel", room=annex)
        make_organiser(forum, email="aiko@example.org")
        db.session.commit()
        return panel.id


def test_organiser_moves_a_session(browser, live_server, signed_in_page, programme):
    page = signed_in_page("aiko@example.org")

    page.goto(live_server + "/forums/isef2/manage/")
    page.get_by_role("link", name="Programme: sessions, rooms, events, conflicts").click()
    page.get_by_role("link", name="Space law panel").click()
    page.get_by_label("Room").select_option(label="Hall, Main venue")
    page.get_by_label("Starts").fill("2018-03-03T09:30")
    page.get_by_label("Ends").fill("2018-03-03T10:30")
    page.get_by_role("button", name="Save").click()
    assert "Hall is taken by “Plenary”" in page.get_by_role("alert").first.inner_text()

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
