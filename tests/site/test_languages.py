"""Choosing the language: a switch on every page, remembered in the browser and on the account."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from planner.accounts.models import User
from planner.extensions import db
from planner.site.languages import LANGUAGE_COOKIE
from tests.conftest import sign_in
from tests.factories import committed, make_user

BOTH = pytest.mark.app_config(LANGUAGES=["en", "ja"])


def html_lang(page: str) -> str:
    return page.split('<html lang="', 1)[1].split('"', 1)[0]


@BOTH
def test_the_browser_decides_a_first_visit(client):
    assert html_lang(client.get("/", headers={"Accept-Language": "ja-JP,ja;q=0.9"}).get_data(as_text=True)) == "ja"
    assert html_lang(client.get("/", headers={"Accept-Language": "fr-FR"}).get_data(as_text=True)) == "en"


@BOTH
def test_every_page_offers_the_switch_and_names_its_alternates(client):
    page = client.get("/forums/isef2/?day=1").get_data(as_text=True)
    assert '<button type="submit" name="language" value="ja" lang="ja" class="link-button">日本語</button>' in page
    assert '<span class="current-language" lang="en" aria-current="true">English</span>' in page
    assert '<link rel="alternate" hreflang="ja" href="/forums/isef2/?day=1&amp;lang=ja">' in page
    assert 'hreflang="en"' in page


@BOTH
def test_the_switch_is_remembered_in_the_browser(client):
    response = client.post("/language", data={"language": "ja", "next": "/forums/isef2/"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/forums/isef2/"
    cookie = client.get_cookie(LANGUAGE_COOKIE)
    assert cookie is not None and cookie.value == "ja" and cookie.http_only
    # The switch wins over what the browser asks for.
    assert html_lang(client.get("/", headers={"Accept-Language": "en"}).get_data(as_text=True)) == "ja"


@BOTH
def test_the_switch_is_kept_on_the_account_for_its_email(app, client):
    with committed(app):
        user = make_user(email="hana@example.org")
    sign_in(client, user)
    client.post("/language", data={"language": "ja"})
    with app.app_context():
        assert db.session.scalar(select(User.language).where(User.email == "hana@example.org")) == "ja"
    # Another browser of the same person, which never used the switch.
    elsewhere = app.test_client()
    sign_in(elsewhere, user)
    assert html_lang(elsewhere.get("/", headers={"Accept-Language": "en"}).get_data(as_text=True)) == "ja"


@BOTH
@pytest.mark.parametrize("language", ["xx", "", "ja" * 20, "<script>"])
def test_a_language_planner_does_not_offer_is_refused_with_a_reason(client, language):
    response = client.post("/language", data={"language": language})
    assert response.status_code == 400
    assert "not available in that language" in response.get_data(as_text=True)
    assert client.get_cookie(LANGUAGE_COOKIE) is None


@BOTH
def test_the_switch_returns_only_to_pages_of_this_site(client):
    response = client.post("/language", data={"language": "ja", "next": "https://evil.example/"})
    assert response.headers["Location"] == "/"


@BOTH
def test_an_unknown_lang_parameter_or_cookie_is_ignored(client):
    assert html_lang(client.get("/?lang=xx").get_data(as_text=True)) == "en"
    client.set_cookie(LANGUAGE_COOKIE, "klingon")
    assert html_lang(client.get("/").get_data(as_text=True)) == "en"
    assert html_lang(client.get("/?lang=ja").get_data(as_text=True)) == "ja"


def test_with_one_language_there_is_no_switch(client, app):
    app.config["LANGUAGES"] = ["en"]
    page = client.get("/").get_data(as_text=True)
    assert "language-switch" not in page
    assert "hreflang" not in page
