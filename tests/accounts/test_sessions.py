"""Signed-in sessions live on the server: signing out ends them for every copy of the cookie."""

from __future__ import annotations

import datetime as dt

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select, update

from planner.accounts import sessions
from planner.accounts.models import AccountSession
from planner.crypto import secret_digest
from planner.extensions import db
from tests.accounts.helpers import link_in, mails_to
from tests.conftest import sign_in
from tests.factories import PASSWORD, committed, make_user


def log_in(client: FlaskClient, email: str = "ada@example.org", password: str = PASSWORD, **headers: str):
    return client.post("/login", data={"email": email, "password": password}, headers=headers)


def cookie_of(client: FlaskClient) -> str:
    cookie = client.get_cookie("session")
    assert cookie is not None
    return cookie.value


def browser_with(app: Flask, cookie: str) -> FlaskClient:
    """Another browser holding a copy of a session cookie."""
    client = app.test_client()
    client.set_cookie("session", cookie)
    return client


def is_signed_in(client: FlaskClient) -> bool:
    return client.get("/me/account").status_code == 200


def open_sessions(app: Flask) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(AccountSession)) or 0


@pytest.fixture
def ada(app: Flask):
    with committed(app):
        return make_user(email="ada@example.org", name="Ada")


def test_a_cookie_copied_before_signing_out_no_longer_signs_in(app, client, ada):
    assert log_in(client).status_code == 302
    copied = cookie_of(client)
    assert is_signed_in(browser_with(app, copied))
    assert client.post("/logout").status_code == 302
    assert not is_signed_in(client)
    assert not is_signed_in(browser_with(app, copied))
    assert open_sessions(app) == 0


def test_the_database_holds_a_hash_of_the_key_and_never_the_key(app, client, ada):
    key = sign_in(client, ada)
    with app.app_context():
        stored = db.session.scalars(select(AccountSession.key_hash)).all()
    assert stored == [secret_digest(key)]
    assert key not in stored


def test_sign_out_everywhere_ends_every_session_of_the_account(app, ada):
    laptop, phone = app.test_client(), app.test_client()
    log_in(laptop, **{"User-Agent": "Laptop browser"})
    log_in(phone, **{"User-Agent": "Phone browser"})
    with committed(app):
        someone_else = make_user(email="grace@example.org")
    other = app.test_client()
    sign_in(other, someone_else)
    page = laptop.get("/me/account").get_data(as_text=True)
    assert "Laptop browser <strong>(this browser)</strong>" in page
    assert "Phone browser" in page
    response = laptop.post("/me/account/sessions/end")
    assert response.status_code == 302
    assert response.headers["Location"] == "/login"
    assert not is_signed_in(laptop)
    assert not is_signed_in(phone)
    assert is_signed_in(other)  # another account's session is not touched


def test_one_other_browser_can_be_signed_out_from_the_account_page(app, ada):
    laptop, phone = app.test_client(), app.test_client()
    log_in(laptop)
    log_in(phone)
    with app.app_context():
        phone_session = db.session.scalars(select(AccountSession.id).order_by(AccountSession.id.desc())).first()
    assert laptop.post(f"/me/account/sessions/{phone_session}/end").status_code == 302
    assert not is_signed_in(phone)
    assert is_signed_in(laptop)
    # Ended already, or someone else's: nothing to end.
    assert laptop.post(f"/me/account/sessions/{phone_session}/end").status_code == 404


def test_nobody_can_end_a_session_of_another_account(app, ada):
    with committed(app):
        grace = make_user(email="grace@example.org")
    victim, attacker = app.test_client(), app.test_client()
    sign_in(victim, ada)
    sign_in(attacker, grace)
    with app.app_context():
        victims_session = db.session.scalar(select(AccountSession.id).where(AccountSession.user_id == ada.id))
    assert attacker.post(f"/me/account/sessions/{victims_session}/end").status_code == 404
    assert is_signed_in(victim)


def test_a_session_ends_after_its_idle_lifetime(app, client, ada):
    sign_in(client, ada)
    idle = dt.timedelta(minutes=app.config["SESSION_IDLE_MINUTES"])
    with client.session_transaction() as cookie:
        cookie[sessions.LAST_SEEN] = int((dt.datetime.now(dt.UTC) - idle + dt.timedelta(minutes=1)).timestamp())
    assert is_signed_in(client)  # nearly idle, and used: renewed
    with client.session_transaction() as cookie:
        assert dt.datetime.now(dt.UTC).timestamp() - cookie[sessions.LAST_SEEN] < 5
        cookie[sessions.LAST_SEEN] = int((dt.datetime.now(dt.UTC) - idle - dt.timedelta(minutes=1)).timestamp())
    assert not is_signed_in(client)


def test_a_cookie_without_its_time_of_last_use_signs_nobody_in(app, client, ada):
    key = sign_in(client, ada)
    with client.session_transaction() as cookie:
        cookie.clear()
        cookie["_user_id"] = key  # what a cookie from before server-side sessions held
    assert not is_signed_in(client)


def test_a_session_ends_after_its_absolute_lifetime_however_busy(app, client, ada):
    sign_in(client, ada)
    assert is_signed_in(client)
    lifetime = dt.timedelta(hours=app.config["SESSION_LIFETIME_HOURS"])
    with committed(app):
        db.session.execute(
            update(AccountSession).values(created_at=dt.datetime.now(dt.UTC) - lifetime - dt.timedelta(minutes=1))
        )
    assert not is_signed_in(client)
    # Signing in again clears the lapsed session away.
    log_in(client)
    assert open_sessions(app) == 1


@pytest.mark.app_config(SESSION_LIFETIME_HOURS=1, SESSION_IDLE_MINUTES=5)
def test_the_lifetimes_are_settings(app, client, ada):
    sign_in(client, ada)
    assert "1 hours at most, and is signed out after 5 minutes" in client.get("/me/account").get_data(as_text=True)
    assert app.permanent_session_lifetime == dt.timedelta(hours=1)


def test_changing_the_password_keeps_this_session_and_ends_the_others(app, ada):
    laptop, phone = app.test_client(), app.test_client()
    log_in(laptop)
    log_in(phone)
    new = "a brand new passphrase"
    laptop.post(
        "/me/account/password", data={"password-current": PASSWORD, "password-password": new, "password-confirm": new}
    )
    assert is_signed_in(laptop)
    assert not is_signed_in(phone)
    assert open_sessions(app) == 1


def test_a_password_reset_ends_every_session_and_signs_in_the_one_who_followed_the_link(app, ada):
    thief, owner = app.test_client(), app.test_client()
    log_in(thief)
    owner.post("/reset", data={"email": "ada@example.org"})
    [message] = mails_to(app, "ada@example.org")
    new = "a brand new passphrase"
    response = owner.post(link_in(message), data={"password": new, "confirm": new})
    assert response.status_code == 302
    assert not is_signed_in(thief)
    assert is_signed_in(owner)


def test_deleting_the_account_ends_its_sessions(app, ada):
    laptop, phone = app.test_client(), app.test_client()
    log_in(laptop)
    log_in(phone)
    response = laptop.post("/me/account/delete", data={"delete-password": PASSWORD, "delete-confirm": "y"})
    assert response.status_code == 302
    assert not is_signed_in(phone)
    assert open_sessions(app) == 0
