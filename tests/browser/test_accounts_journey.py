"""Signing up in a real browser, confirming through the email that really arrives."""

import re

from playwright.sync_api import expect


def test_sign_up_confirm_by_email_and_sign_in(browser, mailing_app, live_server, smtp_server):
    page = browser.new_context().new_page()
    page.goto(live_server + "/")
    page.get_by_role("link", name="Sign up").click()
    expect(page).to_have_title("Sign up · planner")
    page.get_by_label("Given name", exact=True).fill("Hana")
    page.get_by_label("Family name", exact=True).fill("Suzuki")
    page.get_by_label("Email address").fill("hana@example.org")
    page.get_by_label("Password", exact=True).fill("a long enough passphrase")
    page.get_by_label("Repeat the password").fill("a long enough passphrase")
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("heading", name="Check your email")).to_be_visible()

    [received] = smtp_server.received
    assert received.rcpt_tos == ["hana@example.org"]
    text = received.message.get_body(preferencelist=("plain",)).get_content()
    link = re.search(r"http://\S+/verify/\S+", text).group(0)

    page.goto(link)
    expect(page.get_by_text("Your email address is confirmed. You can sign in now.")).to_be_visible()
    page.get_by_label("Email address").fill("hana@example.org")
    page.get_by_label("Password").fill("a long enough passphrase")
    page.get_by_role("button", name="Sign in").click()

    page.get_by_role("link", name="Your account").click()
    expect(page).to_have_title("Your account · planner")
    expect(page.get_by_text("hana@example.org").first).to_be_visible()
    expect(page.get_by_text("Pages and emails show your name as Hana Suzuki.")).to_be_visible()
    page.get_by_label("My family name comes first").check()
    page.get_by_role("button", name="Save name").click()
    expect(page.get_by_text("Your name is saved: it now reads Suzuki Hana.")).to_be_visible()
    expect(page.get_by_label("My family name comes first")).to_be_checked()
    page.get_by_role("button", name="Sign out", exact=True).click()
    expect(page.get_by_role("link", name="Sign in")).to_be_visible()
