"""The offline copy opened from the disk, as at a venue without a network: every link followed
stays in the folder, and no request leaves it."""

from __future__ import annotations

import io
import zipfile

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from planner.demo.seed import load_isef2
from planner.extensions import db
from planner.forums.models import Forum
from planner.offline import site_copy
from tests.factories import committed


@pytest.fixture
def unzipped(app, tmp_path):
    with committed(app):
        load_isef2()
    with app.app_context():
        forum_id = db.session.scalars(select(Forum.id).where(Forum.slug == "isef2")).one()
    plan = site_copy.plan(app, forum_id, language="en", live_root="https://planner.example.org")
    zipfile.ZipFile(io.BytesIO(site_copy.build(app, plan))).extractall(tmp_path)
    return tmp_path / plan.folder


def test_the_copy_opens_from_the_disk_and_its_links_stay_in_the_folder(browser, unzipped):
    folder = unzipped.as_uri() + "/"
    context = browser.new_context()
    page = context.new_page()
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))

    page.goto(folder + "index.html")
    expect(page).to_have_title("ISEF2: 2nd International Space Exploration Forum · planner")
    expect(page.get_by_role("note")).to_contain_text("Offline copy of ISEF2, made")
    assert page.evaluate("getComputedStyle(document.querySelector('.skip-link')).position") == "absolute"

    page.get_by_role("link", name="Timetable").click()
    expect(page).to_have_url(folder + "timetable/2018-02-28.html")
    page.get_by_role("link", name="Saturday, March 3, 2018").click()
    expect(page).to_have_url(folder + "timetable/2018-03-03.html")

    page.get_by_role("link", name="Opening ceremony").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Opening ceremony")
    assert page.url.startswith(folder + "sessions/")

    page.locator(".breadcrumbs").get_by_role("link", name="ISEF2").click()
    expect(page).to_have_url(folder + "index.html")
    page.get_by_role("link", name="Outcome documents").click()
    expect(page).to_have_url(folder + "statements/index.html")
    page.get_by_role("link", name="ISEF2 Joint Statement").click()
    expect(page).to_have_url(folder + "statements/joint-statement.html")

    page.go_back()
    expect(page).to_have_url(folder + "statements/index.html")
    page.locator(".breadcrumbs").get_by_role("link", name="ISEF2").click()
    expect(page).to_have_url(folder + "index.html")

    assert requested, "the browser asked for the pages"
    assert all(url.startswith(folder) for url in requested), [u for u in requested if not u.startswith(folder)]
    context.close()
