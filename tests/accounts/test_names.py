"""A person's name as given and family name, shown in the order they chose: at sign-up, on
the account page, in their email."""

import pytest
from sqlalchemy import func, select

from planner.accounts.models import User
from planner.extensions import db
from planner.mail.models import OutboxMessage
from planner.validators import display_name
from tests.accounts.helpers import link_in, mails_to
from tests.conftest import sign_in
from tests.factories import PASSWORD, committed, make_user


def sign_up(client, given="Yui", family="Sato", family_first=False, email="yui@example.org"):
    data = {"given_name": given, "family_name": family, "email": email, "password": PASSWORD, "confirm": PASSWORD}
    if family_first:
        data["family_name_first"] = "y"
    return client.post("/signup", data=data)


def confirm_and_sign_in(client, app, email="yui@example.org"):
    [verification] = mails_to(app, email)
    client.get(link_in(verification))
    client.post("/login", data={"email": email, "password": PASSWORD})
    return verification


def stored(app) -> tuple[int, int]:
    with app.app_context():
        return (
            db.session.scalar(select(func.count()).select_from(User)),
            db.session.scalar(select(func.count()).select_from(OutboxMessage)),
        )


def test_the_name_is_composed_in_the_order_chosen():
    assert display_name("Yui", "Sato", family_name_first=True) == "Sato Yui"
    assert display_name("Yui", "Sato", family_name_first=False) == "Yui Sato"
    assert display_name("結衣", "佐藤", family_name_first=True) == "佐藤 結衣"
    assert display_name("Yui", "", family_name_first=True) == "Yui"


def test_family_name_first_at_sign_up_is_shown_on_the_account_page_and_in_the_greeting(client, app):
    assert sign_up(client, family_first=True).status_code == 200
    verification = confirm_and_sign_in(client, app)
    assert "Hello Sato Yui," in verification.text_body
    page = client.get("/me/account").get_data(as_text=True)
    assert "Pages and emails show your name as Sato Yui." in page
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == "yui@example.org"))
        assert (user.given_name, user.family_name, user.family_name_first, user.name) == (
            "Yui",
            "Sato",
            True,
            "Sato Yui",
        )


def test_given_name_first_at_sign_up(client, app):
    sign_up(client)
    verification = confirm_and_sign_in(client, app)
    assert "Hello Yui Sato," in verification.text_body
    assert "Pages and emails show your name as Yui Sato." in client.get("/me/account").get_data(as_text=True)


def test_a_given_name_alone_is_enough(client, app):
    sign_up(client, given="  Suharto ", family="", family_first=True)
    with app.app_context():
        assert db.session.scalar(select(User.name)) == "Suharto"


def test_the_name_and_its_order_change_on_the_account_page(client, app):
    with committed(app):
        user = make_user(name="Yui Sato", email="yui@example.org")
    sign_in(client, user)
    page = client.get("/me/account").get_data(as_text=True)
    assert 'value="Yui Sato"' in page  # an account from before has its whole name as given name

    response = client.post(
        "/me/account/name",
        data={"name-given_name": "Yui", "name-family_name": "Sato", "name-family_name_first": "y"},
    )
    assert response.status_code == 302
    page = client.get("/me/account").get_data(as_text=True)
    assert "Your name is saved: it now reads Sato Yui." in page
    assert "Pages and emails show your name as Sato Yui." in page

    client.post("/me/account/name", data={"name-given_name": "Yui", "name-family_name": "Sato"})
    with app.app_context():
        assert db.session.scalar(select(User.name).where(User.email == "yui@example.org")) == "Yui Sato"
    # Mail after the change greets the person by the new name.
    client.post(
        "/me/account/password",
        data={
            "password-current": PASSWORD,
            "password-password": "a new password 1",
            "password-confirm": "a new password 1",
        },
    )
    [changed] = mails_to(app, "yui@example.org")
    assert "Hello Yui Sato," in changed.text_body


BAD_NAMES = {
    "an empty given name": ({"given": "", "family": "Sato"}, "Enter your given name."),
    "both empty": ({"given": "  ", "family": ""}, "Enter your given name."),
    "control characters": (
        {"given": "Yui\x00", "family": "Sa\x1bto"},
        "Remove control characters or characters that could not be read.",
    ),
    "a part past 200 characters": ({"given": "Y" * 201, "family": "Sato"}, "200"),
    "both parts past 200 together": (
        {"given": "Y" * 120, "family": "S" * 100},
        "The given and family name are too long together: use at most 200 characters.",
    ),
}


@pytest.mark.parametrize("case", BAD_NAMES)
def test_bad_names_are_refused_at_sign_up_with_nothing_stored(client, app, case):
    values, message = BAD_NAMES[case]
    before = stored(app)
    response = sign_up(client, **values)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert 'class="error-summary" role="alert"' in page and message in page
    assert stored(app) == before


@pytest.mark.parametrize("case", BAD_NAMES)
def test_bad_names_are_refused_on_the_account_page_with_nothing_changed(client, app, case):
    values, message = BAD_NAMES[case]
    with committed(app):
        user = make_user(name="Yui Sato", email="yui@example.org")
    sign_in(client, user)
    response = client.post(
        "/me/account/name",
        data={"name-given_name": values["given"], "name-family_name": values["family"], "name-family_name_first": "y"},
    )
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == "yui@example.org"))
        assert (user.name, user.given_name, user.family_name, user.family_name_first) == (
            "Yui Sato",
            "Yui Sato",
            "",
            False,
        )


def test_the_name_form_needs_its_csrf_token(app):
    app.config["WTF_CSRF_ENABLED"] = True
    client = app.test_client()
    with committed(app):
        user = make_user(name="Yui Sato")
    sign_in(client, user)
    response = client.post("/me/account/name", data={"name-given_name": "Mallory"})
    assert response.status_code == 400
    with app.app_context():
        assert db.session.scalar(select(User.name).where(User.id == user.id)) == "Yui Sato"


def test_the_downloaded_data_has_both_parts_and_the_order(client, app):
    sign_up(client, family_first=True)
    confirm_and_sign_in(client, app)
    account = client.get("/me/account/data.json").json["account"]
    assert (account["name"], account["given_name"], account["family_name"], account["family_name_first"]) == (
        "Sato Yui",
        "Yui",
        "Sato",
        True,
    )
