"""The account's API tokens page: the list, making a token (shown once), revoking one; and the
token never reaching the logs."""

from __future__ import annotations

import datetime as dt
import logging
import re
import urllib.error
import urllib.request

import pytest
from flask import request
from sqlalchemy import select

from planner.api import tokens
from planner.api.models import ApiToken, Scope
from planner.badges.models import ForumScanner
from planner.extensions import db
from planner.forums.models import Forum
from tests.api.test_tokens import SOON, TODAY, World, build_world
from tests.conftest import sign_in

SECRET = re.compile(r"plnr_[A-Za-z0-9_-]{43}")


@pytest.fixture
def world(app) -> World:  # noqa: ANN001
    return build_world(app)


def form(world: World, **change: object) -> dict[str, object]:
    data: dict[str, object] = {
        "token-name": "Registrations into our CRM",
        "token-scopes": ["registrations:read", "registrations:write"],
        "token-forums": [str(world.forum_a.id)],
        "token-expires_on": SOON.isoformat(),
    }
    data.update(change)
    return data


def stored(app) -> list[ApiToken]:  # noqa: ANN001
    with app.app_context():
        found = list(db.session.scalars(select(ApiToken).order_by(ApiToken.id)))
        db.session.expunge_all()
        return found


def test_the_account_page_leads_to_the_tokens(client, world):
    sign_in(client, world.delegate)
    page = client.get("/me/account").get_data(as_text=True)
    assert 'href="/me/tokens"' in page


def test_the_form_offers_what_the_account_may_give(client, world):
    sign_in(client, world.focal_point)
    page = client.get("/me/tokens").get_data(as_text=True)
    assert "<legend>What it may do</legend>" in page and "<legend>In which forums</legend>" in page
    assert 'value="nominations:read"' in page and 'value="registrations:read"' not in page
    assert "Forum A (you may give: Read nominations of delegations)" in page and "Forum B" not in page
    assert f'value="{(dt.datetime.now(dt.UTC).date() + dt.timedelta(days=90)).isoformat()}"' in page  # 90 days
    assert '<label for="token-name">Name</label>' in page
    sign_in(client, world.delegate)
    page = client.get("/me/tokens").get_data(as_text=True)
    assert "you hold none of these roles in any forum" in page and 'name="token-name"' not in page


def test_a_new_token_is_shown_once_and_never_stored(app, client, world):
    sign_in(client, world.organiser)
    response = client.post("/me/tokens", data=form(world))
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    page = response.get_data(as_text=True)
    secrets = SECRET.findall(page)
    assert len(secrets) == 1
    secret = secrets[0]
    assert re.search(
        rf'<label for="new-token">[^<]+</label>\s*<input id="new-token" type="text" readonly value="{secret}"', page
    )
    assert "it will not be shown again" in page
    (token,) = stored(app)
    assert token.secret_hash == tokens.hash_of(secret) and secret not in (token.name, token.prefix)
    assert token.scopes == ["registrations:read", "registrations:write"] and token.forum_ids == [world.forum_a.id]
    # The list shows its prefix, never the token again.
    listing = client.get("/me/tokens")
    text = listing.get_data(as_text=True)
    assert secret not in text and f"<code>{token.prefix}…</code>" in text
    assert "Registrations into our CRM" in text and "Decide registrations (approve, decline)" in text
    assert "never" in text and "works" in text
    with app.app_context():
        tokens.authenticate(f"Bearer {secret}")
        db.session.commit()
    assert re.search(
        r"<td>\d{4}-\d\d-\d\d \d\d:\d\d</td>\s*<td>works</td>", client.get("/me/tokens").get_data(as_text=True)
    )


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"token-name": ""}, "Give the token a name."),
        ({"token-name": "x" * 101}, "Field cannot be longer than 100 characters."),
        ({"token-scopes": []}, "Choose at least one thing the token may do."),
        ({"token-scopes": ["everything"]}, "not a valid choice"),
        ({"token-forums": []}, "Choose at least one forum the token may act in."),
        ({"token-forums": ["999999"]}, "not a valid choice"),
        ({"token-forums": ["abc"]}, "Choose at least one forum the token may act in."),
        ({"token-expires_on": ""}, "Give the day the token expires."),
        ({"token-expires_on": "2030-02-31"}, "Enter a real date, like 2030-04-23."),
        ({"token-expires_on": TODAY.isoformat()}, "Choose an expiry date after today."),
        ({"token-expires_on": (TODAY + dt.timedelta(days=400)).isoformat()}, "A token may last a year at most"),
    ],
)
def test_bad_input_is_a_form_error(app, client, world, change, message):
    sign_in(client, world.organiser)
    response = client.post("/me/tokens", data=form(world, **change))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert message in page.replace("&#39;", "'")
    assert not SECRET.search(page)
    assert stored(app) == []


def test_a_scope_the_account_does_not_hold_is_not_offered(app, client, world):
    sign_in(client, world.focal_point)
    response = client.post("/me/tokens", data=form(world, **{"token-scopes": ["registrations:read"]}))
    assert response.status_code == 422
    assert "not a valid choice" in response.get_data(as_text=True).replace("&#39;", "'")
    assert stored(app) == []
    # An organiser of both forums makes a token for both.
    sign_in(client, world.both)
    forums = [str(world.forum_a.id), str(world.forum_b.id)]
    assert client.post("/me/tokens", data=form(world, **{"token-forums": forums})).status_code == 200
    assert [sorted(token.forum_ids) for token in stored(app)] == [sorted([world.forum_a.id, world.forum_b.id])]


def test_a_scope_needs_the_role_in_every_forum_the_form_names(app, client, world):
    with app.app_context():
        db.session.add(ForumScanner(forum_id=world.forum_b.id, user_id=world.focal_point.id))
        db.session.commit()
    sign_in(client, world.focal_point)
    # Offered: nominations (as focal point at A) and check-in (as scanner at B); not both at once.
    page = client.get("/me/tokens").get_data(as_text=True)
    assert 'value="nominations:read"' in page and 'value="checkin:write"' in page
    response = client.post(
        "/me/tokens",
        data=form(
            world,
            **{"token-scopes": ["nominations:read"], "token-forums": [str(world.forum_a.id), str(world.forum_b.id)]},
        ),
    )
    assert response.status_code == 422
    assert "You cannot give “Read nominations of delegations” at Forum B" in response.get_data(as_text=True)
    assert stored(app) == []


def test_revoking_a_token(app, client, world):
    sign_in(client, world.organiser)
    client.post("/me/tokens", data=form(world))
    (token,) = stored(app)
    sign_in(client, world.both)
    assert client.post(f"/me/tokens/{token.id}/revoke").status_code == 404  # not theirs
    sign_in(client, world.organiser)
    response = client.post(f"/me/tokens/{token.id}/revoke", follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "is revoked: it no longer works" in page and "revoked 20" in page
    assert f"/me/tokens/{token.id}/revoke" not in page  # nothing left to revoke
    (token,) = stored(app)
    assert token.revoked_at is not None
    again = client.post(f"/me/tokens/{token.id}/revoke", follow_redirects=True)
    assert "This token is revoked already." in again.get_data(as_text=True)


@pytest.mark.app_config(WTF_CSRF_ENABLED=True)
def test_the_forms_need_their_csrf_token(app, client, world):
    sign_in(client, world.organiser)
    assert client.post("/me/tokens", data=form(world)).status_code == 400
    assert stored(app) == []
    page = client.get("/me/tokens").get_data(as_text=True)
    csrf = re.search(r'csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    created = client.post("/me/tokens", data={**form(world), "csrf_token": csrf})
    assert created.status_code == 200
    (token,) = stored(app)
    assert client.post(f"/me/tokens/{token.id}/revoke").status_code == 400
    page = client.get("/me/tokens").get_data(as_text=True)
    csrf = re.search(r'csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    assert client.post(f"/me/tokens/{token.id}/revoke", data={"csrf_token": csrf}).status_code == 302
    assert stored(app)[0].revoked_at is not None


# -- the logs ---------------------------------------------------------------------------------


def _add_token_route(app) -> None:  # noqa: ANN001
    """A stand-in for the API's own endpoints: authenticate, then ask the token."""

    @app.get("/test-api/<slug>/registrations")
    def registrations_stand_in(slug: str):  # noqa: ANN202
        try:
            token = tokens.authenticate(request.headers.get("Authorization"))
        except tokens.TokenRejected as rejected:
            return {"reason": rejected.reason, "detail": str(rejected)}, 401
        forum = db.session.scalars(select(Forum).where(Forum.slug == slug)).one()
        if not tokens.permits(token, Scope.REGISTRATIONS_READ, forum):
            return {"detail": "not permitted"}, 403
        return {"by": token.user.name}


@pytest.mark.commits
@pytest.mark.app_config()
def test_tokens_never_reach_the_logs(app, client, world, live_server, caplog):
    caplog.set_level(logging.DEBUG)  # every logger: the app's, werkzeug's...
    caplog.set_level(logging.DEBUG, logger="sqlalchemy.engine")  # ...and every statement with its parameters
    _add_token_route(app)
    sign_in(client, world.organiser)
    page = client.post("/me/tokens", data=form(world)).get_data(as_text=True)
    secret = SECRET.search(page).group(0)
    answers = []
    for slug, header in (
        ("forum-a", f"Bearer {secret}"),
        ("forum-b", f"Bearer {secret}"),
        ("forum-a", f"Basic {secret}"),
        ("forum-a", f"Bearer {secret[:-1]}x"),
    ):
        call = urllib.request.Request(f"{live_server}/test-api/{slug}/registrations", headers={"Authorization": header})
        try:
            with urllib.request.urlopen(call, timeout=10) as answer:  # noqa: S310 (our own test server)
                answers.append(answer.status)
        except urllib.error.HTTPError as refused:
            answers.append(refused.code)
    assert answers == [200, 403, 401, 401]
    client.get("/me/tokens")
    assert "api_tokens" in caplog.text  # the statements were logged, with their parameters
    assert secret not in caplog.text
    assert secret[len(tokens.TOKEN_PREFIX) :] not in caplog.text
