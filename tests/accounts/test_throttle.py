"""Password guessing is slowed down without locking the owner out."""

from __future__ import annotations

import logging

import pytest
from flask import Flask
from flask.testing import FlaskClient

from planner import create_app
from planner.accounts import throttle
from planner.crypto import new_key
from planner.extensions import limiter
from tests.accounts.helpers import link_in, mails_to
from tests.factories import PASSWORD, committed, make_user

THROTTLED = pytest.mark.app_config(RATELIMIT_ENABLED=True)


def browser(app: Flask, address: str = "203.0.113.7") -> FlaskClient:
    """A browser at its own network address (each address may post 10 sign-ins a minute)."""
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def log_in(client: FlaskClient, password: str = PASSWORD, email: str = "ada@example.org"):
    return client.post("/login", data={"email": email, "password": password})


def fail(client: FlaskClient, times: int, email: str = "ada@example.org") -> list[int]:
    return [log_in(client, "a wrong guess", email).status_code for _ in range(times)]


@pytest.fixture
def ada(app: Flask):
    with app.app_context():
        limiter.reset()  # counts of other tests (the memory store lives as long as the process)
    with committed(app):
        return make_user(email="ada@example.org")


@THROTTLED
def test_guessing_from_unknown_browsers_meets_a_wait(app, ada):
    attacker = app.test_client()
    assert fail(attacker, 5) == [422] * 5
    response = log_in(attacker)  # even the right password: the guesser must not learn it
    assert response.status_code == 429
    assert 0 < int(response.headers["Retry-After"]) <= 15 * 60
    page = response.get_data(as_text=True)
    assert "too many failed attempts to sign in with this address" in page
    assert "reset your password" in page


@THROTTLED
def test_the_owner_in_a_browser_they_used_before_still_signs_in(app, ada):
    owner = app.test_client()
    assert log_in(owner).status_code == 302
    owner.post("/logout")
    attacker = browser(app)
    fail(attacker, 8)
    assert log_in(attacker).status_code == 429
    assert log_in(owner).status_code == 302


@THROTTLED
def test_a_known_browser_has_a_count_of_its_own(app, ada):
    owner = app.test_client()
    log_in(owner)
    owner.post("/logout")
    assert fail(owner, 5) == [422] * 5
    assert log_in(owner).status_code == 429
    # Its failures did not use up the other browsers' allowance.
    assert log_in(app.test_client()).status_code == 302


@THROTTLED
def test_a_known_browser_cookie_counts_for_its_own_address_only(app, ada):
    with committed(app):
        make_user(email="mallory@example.org")
    attacker = app.test_client()
    assert log_in(attacker, email="mallory@example.org").status_code == 302  # their own account
    attacker.post("/logout")
    fail(attacker, 5)
    assert log_in(attacker).status_code == 429


@THROTTLED
def test_the_waits_grow_with_the_failures(app, ada):
    attacker = browser(app)
    fail(attacker, 5)
    first_wait = int(log_in(attacker).headers["Retry-After"])
    with app.app_context():
        # As if the 15 minutes had passed: the hour's count is still there.
        limiter.limiter.clear(throttle.UNKNOWN_BROWSERS[0], "sign-in", "ada@example.org")
    attacker = browser(app, "198.51.100.4")
    assert fail(attacker, 5) == [422] * 5
    second_wait = int(log_in(attacker).headers["Retry-After"])
    assert first_wait <= 15 * 60 < second_wait <= 60 * 60


@THROTTLED
def test_the_reset_link_always_works_and_signs_the_owner_in(app, ada):
    attacker, owner = browser(app), app.test_client()
    fail(attacker, 6)
    assert log_in(owner).status_code == 429  # a new browser of the owner's
    assert owner.post("/reset", data={"email": "ada@example.org"}).status_code == 200
    [message] = mails_to(app, "ada@example.org")
    new = "a brand new passphrase"
    assert owner.post(link_in(message), data={"password": new, "confirm": new}).status_code == 302
    assert owner.get("/me/account").status_code == 200
    owner.post("/logout")
    assert log_in(owner, new).status_code == 302  # the browser is known now


def test_production_warns_when_limits_are_counted_per_process(caplog):
    config = {
        "ENV": "production",
        "SECRET_KEY": "s" * 32,
        "IDENTITY_KEYS": new_key(),
        "SQLALCHEMY_DATABASE_URI": "sqlite://",
    }
    with caplog.at_level(logging.WARNING, logger="planner.config"):
        create_app(config)
    assert "RATELIMIT_STORAGE_URI=memory://" in caplog.text
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="planner.config"):
        create_app({**config, "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/0"})
    assert caplog.text == ""
