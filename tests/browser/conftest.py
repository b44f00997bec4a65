"""A live planner server and Debian's Chromium driven by Playwright.

Without /usr/bin/chromium these tests skip, unless PLANNER_REQUIRE_BROWSER=1 (CI), where a
missing browser is a failure: CI must never pass by skipping them.
"""

from __future__ import annotations

import os
import shutil

import pytest

from planner.mail.services import init_app as init_mail

CHROMIUM = os.environ.get("PLANNER_CHROMIUM", "/usr/bin/chromium")
# Chromium's own background traffic is refused on this network; keep it quiet.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/browser" in str(item.fspath):
            item.add_marker(pytest.mark.browser)
            # The browser talks to live_server's threads: they commit for real.
            item.add_marker(pytest.mark.commits)


@pytest.fixture(scope="session")
def browser():
    if not (os.path.exists(CHROMIUM) or shutil.which(CHROMIUM)):
        if os.environ.get("PLANNER_REQUIRE_BROWSER") == "1":
            pytest.fail(f"PLANNER_REQUIRE_BROWSER=1 but there is no Chromium at {CHROMIUM}")
        pytest.skip(f"no Chromium at {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def signed_in_page(browser, live_server):
    """``signed_in_page(email)``: a page in a new browser context, signed in as ``email``
    through the sign-in form with tests.factories.PASSWORD. The contexts close after the test."""
    from tests.factories import PASSWORD

    contexts = []

    def sign_in(email: str):
        context = browser.new_context()
        contexts.append(context)
        page = context.new_page()
        page.goto(live_server + "/login")
        page.get_by_label("Email address").fill(email)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        return page

    yield sign_in
    for context in contexts:
        context.close()


@pytest.fixture
def mailing_app(app, smtp_server):
    """The app sending its mail at once to the test SMTP server, with CSRF on as in production."""
    app.config.update(
        MAIL_SERVER="127.0.0.1",
        MAIL_PORT=smtp_server.port,
        MAIL_TIMEOUT=5,
        MAIL_PROMPT_DELIVERY="inline",
        WTF_CSRF_ENABLED=True,
    )
    init_mail(app)
    return app
