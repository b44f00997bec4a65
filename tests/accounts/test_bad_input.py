"""Hostile and broken input to every account form: a clear form error, never a 500,
nothing stored half-way, and stored text always escaped when shown."""

import pytest
from sqlalchemy import func, select

from planner.accounts.models import User
from planner.extensions import db
from planner.mail.models import OutboxMessage
from tests.conftest import sign_in
from tests.factories import PASSWORD, make_forum, make_organiser

SCRIPT = '<script>alert("x")</script>'

FORMS = {
    "/signup": ["name", "email", "password", "confirm"],
    "/login": ["email", "password", "next"],
    "/reset": ["email"],
    "/reset/some-token": ["password", "confirm"],
}
SIGNED_IN_FORMS = {
    "/me/account/password": ["password-current", "password-password", "password-confirm"],
    "/me/account/email": ["email-email", "email-password"],
    "/me/account/delete": ["delete-password", "delete-confirm"],
    "/forums/isef2/manage/organisers": ["organiser-email"],
    "/forums/isef2/manage/focal-points": ["focal-delegation", "focal-email"],
}
VALUES = {
    "empty": "",
    "script": SCRIPT,
    "long": "x" * 5000,
    "control characters": "a\x00b\x1bc",
}


def stored_counts():
    return (
        db.session.scalar(select(func.count()).select_from(User)),
        db.session.scalar(select(func.count()).select_from(OutboxMessage)),
    )


@pytest.fixture
def organiser(app):
    with app.app_context():
        user = make_organiser(make_forum(slug="isef2"), email="org@example.org")
        db.session.commit()
        return user.session_token


@pytest.mark.parametrize("kind", VALUES)
def test_every_form_field_refuses_bad_values_cleanly(app, organiser, kind):
    client = app.test_client()
    with app.app_context():
        before = stored_counts()
    for url, fields in FORMS.items():
        response = client.post(url, data=dict.fromkeys(fields, VALUES[kind]))
        assert response.status_code in (200, 400, 422), (url, response.status_code)
        assert SCRIPT not in response.get_data(as_text=True)
    sign_in(client, organiser)
    for url, fields in SIGNED_IN_FORMS.items():
        response = client.post(url, data=dict.fromkeys(fields, VALUES[kind]))
        assert response.status_code in (400, 422), (url, response.status_code)
        assert SCRIPT not in response.get_data(as_text=True)
    with app.app_context():
        assert stored_counts() == before


@pytest.mark.parametrize("url", list(FORMS))
def test_non_utf8_bodies_get_a_form_error(client, url):
    body = b"name=%FF%FE&email=%C3%28%40example.org&password=%80%81&confirm=%80%81"
    response = client.post(url, data=body, content_type="application/x-www-form-urlencoded")
    assert response.status_code in (200, 400, 422)


def test_names_with_markup_are_stored_as_typed_and_shown_escaped(client, app):
    client.post("/signup", data={"name": SCRIPT, "email": "x@example.org", "password": PASSWORD, "confirm": PASSWORD})
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == "x@example.org"))
        assert user.name == SCRIPT
        user.email_verified_at = user.created_at
        db.session.commit()
        sign_in(client, user)
    page = client.get("/me/account").get_data(as_text=True)
    assert SCRIPT not in page and "&lt;script&gt;" in page
