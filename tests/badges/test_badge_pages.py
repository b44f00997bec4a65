"""The organisers' badges page: every form, its refusals, and who may use it."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from planner.badges.models import Badge, ForumSigningKey
from planner.extensions import db
from tests.badges.helpers import make_scene
from tests.conftest import sign_in
from tests.factories import committed


@pytest.fixture
def scene(app):
    with committed(app):
        return make_scene()


def badge_count(app):
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Badge))


def url(scene, tail=""):
    return f"/forums/{scene.forum.slug}/manage/badges{tail}"


def test_the_page_lists_badges_with_their_state_and_what_is_missing(app, client, scene):
    sign_in(client, scene.organiser)
    page = client.get(url(scene))
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Aiko Tanaka" in text and "Kenji Sato" in text and "3 badges issued." in text
    assert "valid" in text and "Badge keys" in text


def test_issuing_by_hand_and_its_bad_input(app, client, scene):
    sign_in(client, scene.organiser)
    answer = client.post(url(scene, "/by-hand"), data={"hand-category": "press", "hand-name": "Mika Ito"})
    assert answer.status_code == 302 and badge_count(app) == 4
    for data, message in [
        ({"hand-category": "press", "hand-name": ""}, "Give the holder"),
        ({"hand-category": "delegate", "hand-name": "X"}, "Not a valid choice"),
        ({"hand-category": "staff", "hand-name": "x" * 201}, "200"),
    ]:
        refused = client.post(url(scene, "/by-hand"), data=data)
        assert refused.status_code == 422 and message in refused.get_data(as_text=True), data
    assert badge_count(app) == 4


def test_reprinting_and_revoking_from_the_page(app, client, scene):
    sign_in(client, scene.organiser)
    badge_id = scene.delegate.id
    assert client.post(url(scene, f"/{badge_id}/reprint")).status_code == 302
    refused = client.post(url(scene, f"/{badge_id}/revoke"), data={"revoke-reason": ""})
    assert refused.status_code == 422 and "Say why" in refused.get_data(as_text=True)
    assert client.post(url(scene, f"/{badge_id}/revoke"), data={"revoke-reason": "Lost"}).status_code == 302
    with app.app_context():
        badge = db.session.get(Badge, badge_id)
        assert (badge.version, badge.revoked_reason) == (2, "Lost")
    assert client.post(url(scene, "/999999/revoke"), data={"revoke-reason": "x"}).status_code == 404
    again = client.post(url(scene, f"/{badge_id}/revoke"), data={"revoke-reason": "Twice"}, follow_redirects=True)
    assert "already revoked" in again.get_data(as_text=True)


def test_keys_are_made_and_retired_only_with_the_box_ticked(app, client, scene):
    sign_in(client, scene.organiser)
    assert client.post(url(scene, "/keys")).status_code == 302
    with app.app_context():
        key_id = db.session.scalar(select(func.min(ForumSigningKey.id)))
    unticked = client.post(url(scene, f"/keys/{key_id}/retire"), data={})
    assert unticked.status_code == 422 and "Tick the box" in unticked.get_data(as_text=True)
    assert client.post(url(scene, f"/keys/{key_id}/retire"), data={"retire-confirm": "y"}).status_code == 302
    with app.app_context():
        assert db.session.get(ForumSigningKey, key_id).retired_at is not None


def test_other_people_are_refused(app, client, scene):
    sign_in(client, scene.scanner)
    assert client.get(url(scene)).status_code == 403
    assert client.post(url(scene, "/keys")).status_code == 403
