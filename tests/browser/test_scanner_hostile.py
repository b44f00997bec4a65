"""The scanner page under a hostile review: a holder's name that is HTML stays text, and a phone
handed to someone who is not (or no longer) scanning staff forgets the roster it kept."""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import expect

from planner.badges import issuing
from planner.badges.models import ForumScanner
from planner.extensions import db
from planner.forums.models import EventKind
from tests.badges.helpers import accredited_member, make_zone
from tests.factories import committed, make_event, make_forum, make_organiser, make_user


def controlled(page) -> None:
    """Wait until the service worker has kept the page and controls it (wait_for_function's
    polling evaluates strings, which the page's CSP forbids)."""
    expect(page.locator("[data-scanner-offline=ready]")).to_have_count(1)
    page.evaluate(
        """async () => {
            await navigator.serviceWorker.ready;
            while (!navigator.serviceWorker.controller) await new Promise((r) => setTimeout(r, 50));
        }"""
    )


EVIL = "<img src=x onerror=\"document.title='pwned'\">"


@pytest.fixture
def door(app):
    today = dt.datetime.now(dt.UTC).date()
    with committed(app):
        forum = make_forum(
            slug="isef3", name="ISEF3", first_day=today - dt.timedelta(days=1), last_day=today + dt.timedelta(days=1)
        )
        ministerial = make_event(forum, "MIN", kind=EventKind.MINISTERIAL)
        make_zone(forum, 1, "<b>Plenary</b>", ["security"], [ministerial])
        organiser = make_organiser(forum)
        staff = make_user(email="door@example.org", name="Door Staff")
        db.session.add(ForumScanner(forum_id=forum.id, user_id=staff.id))
        accredited_member(forum, EVIL, "<script>alert(1)</script>")
        issuing.issue_missing(organiser, forum)
        return forum.id, staff.id


def test_a_name_made_of_html_is_shown_as_text(live_server, door, signed_in_page):
    page = signed_in_page("door@example.org")
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.goto(live_server + "/forums/isef3/scanner/")
    expect(page.locator("[data-scanner-ready]")).to_have_count(1)
    page.get_by_label("Name or badge number", exact=True).fill("img")
    found = page.locator("#scanner-found")
    expect(found).to_contain_text(EVIL)
    page.locator("#scanner-found button").first.click()
    result = page.locator("#scanner-result")
    expect(result).to_contain_text("Welcome")
    expect(result).to_contain_text(EVIL)
    expect(result).to_contain_text("<script>alert(1)</script>")
    assert page.locator("#scanner-app img[src='x'], #scanner-app b, #scanner-app script").count() == 0
    assert page.title() != "pwned" and dialogs == []


def test_a_removed_scanner_s_phone_forgets_the_roster(app, live_server, door, signed_in_page):
    page = signed_in_page("door@example.org")
    page.goto(live_server + "/forums/isef3/scanner/")
    expect(page.locator("#scanner-list-status")).to_contain_text("List of badges from")
    controlled(page)
    forum_id, staff_id = door
    with app.app_context():
        db.session.delete(db.session.get(ForumScanner, (forum_id, staff_id)))
        db.session.commit()
        db.session.remove()
    assert page.reload().status == 403
    kept = page.evaluate(
        """async () => {
            const m = await import("/static/js/scanner/store.js");
            const store = await m.openStore("/forums/isef3/scanner/data.json");
            const photos = (await caches.keys()).includes("planner-scanner-photos");
            return { bundle: await store.bundle(), photos };
        }"""
    )
    assert kept == {"bundle": None, "photos": False}
    # Offline now, the phone shows no kept scanner page either.
    page.context.set_offline(True)
    with pytest.raises(Exception):  # noqa: B017, PT011  (the browser's own offline error)
        page.reload()


def test_the_page_forgets_the_roster_when_the_bundle_is_refused(app, live_server, door, signed_in_page):
    page = signed_in_page("door@example.org")
    page.goto(live_server + "/forums/isef3/scanner/")
    expect(page.locator("#scanner-list-status")).to_contain_text("List of badges from")
    forum_id, staff_id = door
    with app.app_context():
        db.session.delete(db.session.get(ForumScanner, (forum_id, staff_id)))
        db.session.commit()
        db.session.remove()
    page.context.set_offline(True)
    page.evaluate("window.dispatchEvent(new Event('offline'))")
    page.context.set_offline(False)  # the page hears "online": a new bundle, refused
    expect(page.locator("#scanner-list-status")).not_to_contain_text("List of badges from", timeout=10_000)
    page.get_by_label("Name or badge number", exact=True).fill("img")
    expect(page.locator("#scanner-found li")).to_have_count(0)


def test_after_signing_out_the_scanner_address_forgets_the_roster(live_server, door, signed_in_page):
    page = signed_in_page("door@example.org")
    page.goto(live_server + "/forums/isef3/scanner/")
    expect(page.locator("#scanner-list-status")).to_contain_text("List of badges from")
    controlled(page)
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url("**/")
    page.goto(live_server + "/forums/isef3/scanner/")
    page.wait_for_url("**/login**")
    kept = page.evaluate(
        """async () => {
            const m = await import("/static/js/scanner/store.js");
            const store = await m.openStore("/forums/isef3/scanner/data.json");
            return { bundle: await store.bundle(), photos: (await caches.keys()).includes("planner-scanner-photos") };
        }"""
    )
    assert kept == {"bundle": None, "photos": False}
