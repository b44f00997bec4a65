"""The scanner at the door, as door staff use it: badges held up to the phone's camera (Chromium's
fake camera playing a film of four badges' QR codes), one scanned online, three with the network
gone, then the network back: exactly four check-ins on the server, none lost, none twice. And the
page reloads with no network, from its service worker, with the list of badges it kept."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from planner.badges import issuing, signing
from planner.badges.models import Arrival, ForumScanner, ForumSigningKey, Scan, ScanOutcome
from planner.extensions import db
from planner.forums.models import EventKind
from tests.badges.helpers import accredited_member, make_zone
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS
from tests.browser.fake_camera import film
from tests.factories import PASSWORD, committed, make_event, make_forum, make_organiser, make_user

HOLDERS = ["Aiko Tanaka", "Jean Dupont", "Maria Rossi", "Kwame Mensah"]
CAMERA_ARGS = ["--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream"]


@pytest.fixture
def door(app):
    """ISEF3, on from yesterday to tomorrow, its plenary hall opened by the ministerial meeting;
    four accredited delegates with their badges; Door Staff appointed to scan. The QR texts, in
    the holders' order."""
    today = dt.datetime.now(dt.UTC).date()
    with committed(app):
        forum = make_forum(
            slug="isef3", name="ISEF3", first_day=today - dt.timedelta(days=1), last_day=today + dt.timedelta(days=1)
        )
        ministerial = make_event(forum, "MIN", kind=EventKind.MINISTERIAL)
        make_zone(forum, 1, "Plenary hall", ["security"], [ministerial])
        organiser = make_organiser(forum)
        staff = make_user(email="door@example.org", name="Door Staff")
        db.session.add(ForumScanner(forum_id=forum.id, user_id=staff.id))
        for name, delegation in zip(HOLDERS, ["Japan", "France", "Italy", "Ghana"]):
            accredited_member(forum, name, delegation)
        badges = {badge.name: badge for badge in issuing.issue_missing(organiser, forum)}
        tokens = [
            signing.badge_token(badges[name], db.session.get(ForumSigningKey, badges[name].signing_key_id))
            for name in HOLDERS
        ]
    return tokens


def counted(app) -> tuple[int, int, int]:
    """Arrivals, scans, and scans the server admitted, as stored."""
    with app.app_context():
        arrivals = db.session.scalar(select(func.count()).select_from(Arrival))
        scans = db.session.scalar(select(func.count()).select_from(Scan))
        admitted = db.session.scalar(select(func.count()).select_from(Scan).where(Scan.outcome == ScanOutcome.ADMITTED))
        db.session.remove()
    return arrivals, scans, admitted


def counted_soon(app, expected: tuple[int, int, int], within: float = 10.0) -> tuple[int, int, int]:
    """What is stored once it reaches `expected`, or after `within` seconds: the page shows its own
    verdict before the scan is queued and sent, so the server's count follows a moment later."""
    deadline = time.monotonic() + within
    while (found := counted(app)) != expected and time.monotonic() < deadline:
        time.sleep(0.1)
    return found


def test_four_badges_one_online_three_offline_four_check_ins(app, browser, live_server, door, tmp_path):
    first, *others = door
    # Each badge held up for 2.5 seconds; a long pause after the first, for the network to go.
    video = film(
        tmp_path / "door.y4m",
        [
            (None, 1.5),
            (first, 2.5),
            (None, 6),
            (others[0], 2.5),
            (None, 1.5),
            (others[1], 2.5),
            (None, 1.5),
            (others[2], 2.5),
            (None, 30),
        ],
    )
    # A browser of its own, with the film for a camera, from the shared one's Playwright.
    camera_browser = browser.browser_type.launch(
        executable_path=CHROMIUM, args=CHROMIUM_ARGS + CAMERA_ARGS + [f"--use-file-for-fake-video-capture={video}"]
    )
    try:
        context = camera_browser.new_context(permissions=["camera"], viewport={"width": 390, "height": 844})
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(live_server + "/login?next=/forums/isef3/scanner/")
        page.get_by_label("Email address").fill("door@example.org")
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url("**/forums/isef3/scanner/")
        expect(page.locator("[data-scanner-ready]")).to_have_count(1)
        result = page.locator("#scanner-result")
        expect(result).to_have_attribute("role", "status")
        waiting = page.locator("#scanner-waiting")

        # The only zone is chosen already; the camera starts.
        expect(page.get_by_label("Zone", exact=True)).to_have_value("1")
        page.get_by_role("button", name="Start the camera").click()
        expect(result).to_contain_text("Welcome", timeout=10_000)
        expect(result).to_contain_text(HOLDERS[0])
        assert counted_soon(app, (1, 1, 1)) == (1, 1, 1)
        expect(waiting).to_have_text("Waiting to be sent: 0")

        context.set_offline(True)
        for name in HOLDERS[1:]:
            expect(result).to_contain_text(name, timeout=10_000)
            expect(result).to_contain_text("Welcome")
        expect(waiting).to_have_text("Waiting to be sent: 3")
        expect(page.locator("#scanner-sync-status")).to_contain_text("Offline")
        page.get_by_role("button", name="Stop the camera").click()
        assert counted(app) == (1, 1, 1)

        context.set_offline(False)
        expect(waiting).to_have_text("Waiting to be sent: 0", timeout=15_000)
        assert counted_soon(app, (4, 4, 4)) == (4, 4, 4)
        # The server agreed with the page on every scan.
        expect(page.locator("#scanner-differences-section")).to_be_hidden()
        assert errors == []
    finally:
        camera_browser.close()


def test_the_page_reloads_offline_and_still_judges(app, live_server, door, signed_in_page):
    page = signed_in_page("door@example.org")
    page.goto(live_server + "/forums/isef3/scanner/")
    expect(page.locator("[data-scanner-ready]")).to_have_count(1)
    expect(page.locator("#scanner-list-status")).to_contain_text("List of badges from")
    # The service worker has kept what the page is made of, and controls it.
    expect(page.locator("[data-scanner-offline=ready]")).to_have_count(1)
    page.wait_for_function("navigator.serviceWorker.controller !== null")
    page.context.set_offline(True)
    page.reload()
    expect(page.locator("[data-scanner-ready]")).to_have_count(1)
    expect(page.locator("#scanner-list-status")).to_contain_text("List of badges from")
    page.get_by_label("Name or badge number", exact=True).fill("rossi")
    page.get_by_role("button", name="Check in Maria Rossi").click()
    expect(page.locator("#scanner-result")).to_contain_text("Welcome")
    expect(page.locator("#scanner-result")).to_contain_text("Checked in by search")
    expect(page.locator("#scanner-waiting")).to_have_text("Waiting to be sent: 1")
    assert counted(app) == (0, 0, 0)
    page.context.set_offline(False)
    expect(page.locator("#scanner-waiting")).to_have_text("Waiting to be sent: 0", timeout=15_000)
    assert counted(app) == (1, 1, 1)
