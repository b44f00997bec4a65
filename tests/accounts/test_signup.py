"""Signing up behind one network address (a school class, a conference room), and coming
back to the page the person was on when they signed up."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from flask import Flask
from flask.testing import FlaskClient

from planner.extensions import limiter
from tests.accounts.helpers import link_in, mails_to
from tests.factories import PASSWORD

THROTTLED = pytest.mark.app_config(RATELIMIT_ENABLED=True)
FORM = "/forums/isef3/events/S-ISEF/register"


def at(app: Flask, address: str) -> FlaskClient:
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def sign_up(client, email, name="Hana Suzuki", confirm=PASSWORD, next_url=None):
    data = {"given_name": name, "email": email, "password": PASSWORD, "confirm": confirm}
    if next_url is not None:
        data["next"] = next_url
    return client.post("/signup", data=data)


@pytest.fixture
def counts_reset(app):
    with app.app_context():
        limiter.reset()  # counts of other tests (the memory store lives as long as the process)


@THROTTLED
def test_a_room_behind_one_address_can_sign_up(app, counts_reset):
    """Today's limit (5 a minute) refused the sixth person of a school class."""
    room = at(app, "198.51.100.20")
    statuses = [sign_up(room, f"student{n}@example.org").status_code for n in range(12)]
    assert statuses == [200] * 12
    assert all(len(mails_to(app, f"student{n}@example.org")) == 1 for n in range(12))


@THROTTLED
def test_past_the_networks_limit_the_form_keeps_what_was_typed_and_says_when(app, counts_reset):
    room = at(app, "198.51.100.21")
    # Mistyped forms count too (and cost no password hashing): 60 in 10 minutes.
    assert {sign_up(room, f"s{n}@example.org", confirm="different").status_code for n in range(60)} == {200}
    response = sign_up(room, "late@example.org", name="Late Comer")
    assert response.status_code == 429
    assert 0 < int(response.headers["Retry-After"]) <= 600
    page = response.get_data(as_text=True)
    assert "Many people have signed up from your network in the last few minutes." in page
    assert "Please try again in 10 minutes" in page
    assert 'value="Late Comer"' in page and 'value="late@example.org"' in page
    assert PASSWORD not in page
    assert mails_to(app, "late@example.org") == []
    # Another network is not held up.
    assert sign_up(at(app, "198.51.100.99"), "late@example.org").status_code == 200


@THROTTLED
def test_one_email_address_is_signed_up_at_most_three_times_an_hour(app, counts_reset):
    statuses = [sign_up(at(app, f"203.0.113.{n}"), "target@example.org").status_code for n in range(4)]
    assert statuses == [200, 200, 200, 429]
    page = sign_up(at(app, "203.0.113.50"), "target@example.org").get_data(as_text=True)
    assert "This email address was given for several sign-ups in the last hour" in page
    assert len(mails_to(app, "target@example.org")) == 3
    assert sign_up(at(app, "203.0.113.51"), "other@example.org").status_code == 200


def test_signing_up_from_a_form_comes_back_to_it(app, client):
    login = client.get(f"/login?next={quote(FORM)}").get_data(as_text=True)
    assert f'href="/signup?next={FORM}"' in login
    signup = client.get(f"/signup?next={quote(FORM)}").get_data(as_text=True)
    assert f'name="next" type="hidden" value="{FORM}"' in signup
    assert f'href="/login?next={FORM}"' in signup

    assert sign_up(client, "hana@example.org", next_url=FORM).status_code == 200
    [message] = mails_to(app, "hana@example.org")
    link = link_in(message)
    assert f"next={FORM}" in link
    confirmed = client.get(link)
    assert confirmed.headers["Location"] == f"/login?next={FORM}"
    page = client.get(confirmed.headers["Location"]).get_data(as_text=True)
    assert "Your email address is confirmed." in page and f'value="{FORM}"' in page
    signed_in = client.post("/login", data={"email": "hana@example.org", "password": PASSWORD, "next": FORM})
    assert signed_in.headers["Location"] == FORM


def test_a_new_link_for_an_unconfirmed_account_also_leads_back(app, client):
    sign_up(client, "hana@example.org")  # without a next page
    response = client.post("/login", data={"email": "hana@example.org", "password": PASSWORD, "next": FORM})
    assert response.status_code == 422
    assert f"next={FORM}" in link_in(mails_to(app, "hana@example.org")[-1])


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x", "/\\evil", "javascript:alert(1)"])
def test_only_pages_of_this_site_are_carried(app, client, target):
    sign_up(client, "hana@example.org", next_url=target)
    link = link_in(mails_to(app, "hana@example.org")[0])
    assert "next=" not in link
    assert client.get(link).headers["Location"] == "/login"
    # A link edited by hand is checked again.
    token = link.split("/verify/")[1]
    response = client.get(f"/verify/{token}?next={quote(target, safe='')}")
    assert response.headers["Location"] == "/login"
