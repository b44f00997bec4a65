"""Hostile and broken input to every account form: a clear form error, never a 500,
nothing stored half-way, and stored text always escaped when shown."""

import pytest
from sqlalchemy import func, select

from planner.accounts.models import User
from planner.extensions import db
from planner.mail.models import OutboxMessage
from tests.conftest import sign_in
from tests.factories import PASSWORD, committed, make_programme

SCRIPT = '<script>alert("x")</script>'

FORMS = {
    "/signup": ["given_name", "family_name", "email", "password", "confirm"],
    "/login": ["email", "password", "next"],
    "/reset": ["email"],
    "/reset/some-token": ["password", "confirm"],
}
SIGNED_IN_FORMS = {
    "/me/account/password": ["password-current", "password-password", "password-confirm"],
    "/me/account/email": ["email-email", "email-password"],
    "/me/account/delete": ["delete-password", "delete-confirm"],
    "/forums/isef2/manage/organisers": ["organiser-email"],
    "/forums/isef2/manage/focal-points/invitations": ["invite-delegation", "invite-email", "invite-role"],
}
# Sign-up and the password reset pages answer their form errors with 200, where the other
# forms answer 422 (planner/accounts/views.py).
FORM_ERROR = {"/signup": 200, "/login": 422, "/reset": 200, "/reset/some-token": 200}
ERROR_SUMMARY = 'class="error-summary" role="alert"'
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
def organiser(app) -> User:
    """ISEF2's organiser, who may use its organisers' forms."""
    with committed(app):
        return make_programme().organiser


@pytest.mark.parametrize("kind", VALUES)
def test_every_form_field_refuses_bad_values_cleanly(app, organiser, kind):
    client = app.test_client()
    with app.app_context():
        before = stored_counts()
    for url, fields in FORMS.items():
        response = client.post(url, data=dict.fromkeys(fields, VALUES[kind]))
        page = response.get_data(as_text=True)
        if (url, kind) == ("/reset/some-token", "script"):
            # The same long password twice is a valid form: the made-up link is what is refused.
            assert response.status_code == 400 and "This reset link is not valid" in page, url
        else:
            assert (response.status_code, ERROR_SUMMARY in page) == (FORM_ERROR[url], True), url
        assert SCRIPT not in page
    sign_in(client, organiser)
    for url, fields in SIGNED_IN_FORMS.items():
        response = client.post(url, data=dict.fromkeys(fields, VALUES[kind]))
        page = response.get_data(as_text=True)
        assert (response.status_code, ERROR_SUMMARY in page) == (422, True), url
        assert SCRIPT not in page
    with app.app_context():
        assert stored_counts() == before


NON_UTF8 = b"name=%FF%FE&email=%C3%28%40example.org&password=%80%81&confirm=%80%81"


@pytest.mark.parametrize("url", ["/signup", "/login", "/reset/some-token"])
def test_non_utf8_bodies_get_a_form_error(client, url):
    response = client.post(url, data=NON_UTF8, content_type="application/x-www-form-urlencoded")
    assert response.status_code == FORM_ERROR[url]
    assert ERROR_SUMMARY in response.get_data(as_text=True)


def test_a_non_utf8_reset_request_is_for_an_address_as_typed(client):
    # Werkzeug keeps an undecodable escape as typed: "%C3(@example.org" is a well-formed
    # address of nobody, and the page does not say so.
    response = client.post("/reset", data=NON_UTF8, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 200
    assert "If %c3(@example.org belongs to an account" in response.get_data(as_text=True)


def test_names_with_markup_are_stored_as_typed_and_shown_escaped(client, app):
    client.post(
        "/signup", data={"given_name": SCRIPT, "email": "x@example.org", "password": PASSWORD, "confirm": PASSWORD}
    )
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == "x@example.org"))
        assert user.name == SCRIPT
        user.email_verified_at = user.created_at
        db.session.commit()
        sign_in(client, user)
    page = client.get("/me/account").get_data(as_text=True)
    assert SCRIPT not in page and "&lt;script&gt;" in page
