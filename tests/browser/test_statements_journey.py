"""An organiser drafts, revises and adopts a joint statement and records endorsements; an
anonymous visitor then finds it by search and reads it."""

import datetime as dt

import pytest
from playwright.sync_api import expect

from planner.delegations.models import DelegationKind
from planner.forums.models import EventKind
from tests.factories import committed, make_delegation, make_event, make_forum, make_organiser, tokyo


@pytest.fixture
def setting(app):
    app.config.update(WTF_CSRF_ENABLED=True)
    with committed(app):
        forum = make_forum(slug="isef2", name="ISEF2", first_day=dt.date(2018, 2, 28), last_day=dt.date(2018, 3, 3))
        make_event(
            forum,
            "MINISTERIAL",
            kind=EventKind.MINISTERIAL,
            title="Ministerial meeting",
            starts_at=tokyo("2018-03-03 09:00"),
            ends_at=tokyo("2018-03-03 18:00"),
        )
        make_delegation(forum, name="Japan", kind=DelegationKind.COUNTRY, country_code="JP")
        make_delegation(forum, name="Italy", kind=DelegationKind.COUNTRY, country_code="IT")
        make_organiser(forum, email="aiko@example.org", name="Aiko Tanaka")


def test_draft_revise_adopt_endorse_and_be_found(browser, live_server, signed_in_page, setting):
    organiser = signed_in_page("aiko@example.org")

    organiser.goto(live_server + "/forums/isef2/")
    organiser.get_by_role("link", name="Outcome documents").click()
    organiser.get_by_role("link", name="Draft a new document").click()
    organiser.get_by_label("Kind of document").select_option(label="Joint statement")
    organiser.get_by_label("Title").fill("ISEF2 Joint Statement")
    organiser.get_by_label("Address name").fill("joint-statement")
    organiser.get_by_label("Text", exact=True).fill("Participants recognised the Global Exploration Roadmap.")
    organiser.get_by_role("button", name="Save the draft").click()
    expect(organiser.get_by_text("The draft is saved as version 1.")).to_be_visible()
    expect(organiser.get_by_text("This is a draft")).to_be_visible()

    organiser.get_by_role("link", name="Revise the text").click()
    organiser.get_by_label("Text", exact=True).fill(
        "Participants recognised the Global Exploration Roadmap.\n\n第2回国際宇宙探査フォーラムで採択された。"
    )
    organiser.get_by_label("What changed").fill("Adds the Japanese sentence")
    organiser.get_by_role("button", name="Save as a new version").click()
    expect(organiser.get_by_text("Version 2 is saved.")).to_be_visible()
    organiser.get_by_role("link", name="All versions and changes").click()
    organiser.get_by_role("button", name="Compare").click()
    assert organiser.locator(".diff ins").first.inner_text().startswith("第2回")

    organiser.get_by_role("link", name="ISEF2 Joint Statement").click()
    organiser.get_by_label("Date of adoption").fill("2018-03-03")
    organiser.get_by_label("Adopted at").select_option(label="MINISTERIAL: Ministerial meeting")
    organiser.get_by_role("button", name="Adopt the document").click()
    expect(organiser.get_by_text("The document is adopted; its text can no longer change.")).to_be_visible()
    assert organiser.get_by_role("link", name="Revise the text").count() == 0

    for delegation, kind in (("Japan", "endorsed"), ("Italy", "joined")):
        organiser.get_by_label("Delegation", exact=True).select_option(label=delegation)
        organiser.get_by_label("What the delegation did").select_option(label=kind)
        organiser.get_by_label("Date", exact=True).fill("2018-03-03")
        organiser.get_by_role("button", name="Record the endorsement").click()
        expect(organiser.get_by_text(f"The endorsement of {delegation} is recorded.")).to_be_visible()
    expect(organiser.get_by_role("row", name="Japan endorsed")).to_be_visible()

    visitor = browser.new_context().new_page()
    visitor.goto(live_server + "/statements/")
    visitor.get_by_label("Search the outcome documents").fill("宇宙探査")
    visitor.get_by_role("button", name="Search").click()
    assert visitor.locator(".snippet mark").first.inner_text() == "宇宙探査"
    visitor.get_by_role("link", name="ISEF2 Joint Statement").click()
    expect(visitor.get_by_role("heading", name="ISEF2 Joint Statement", level=1)).to_be_visible()
    expect(visitor.get_by_role("row", name="Italy joined")).to_be_visible()
    assert visitor.get_by_role("button", name="Record the endorsement").count() == 0
