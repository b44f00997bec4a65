"""The badges' pages, as an organiser sees them with badges, zones, staff and arrivals, follow
the structural accessibility rules of tests/schedule/structure.py and name themselves."""

from __future__ import annotations

import json

import pytest

from planner.extensions import db
from tests.badges.helpers import make_scene, scan
from tests.conftest import sign_in
from tests.factories import committed


@pytest.fixture
def client_and_scene(app):
    with committed(app):
        scene = make_scene()
    client = app.test_client()
    sign_in(client, scene.organiser)
    with app.test_request_context():
        token = scene.token(db.session.get(type(scene.delegate), scene.delegate.id))
        db.session.commit()
    synced = client.post(
        f"/forums/{scene.forum.slug}/scanner/sync",
        data=json.dumps({"device": "door-1", "scans": [scan(token, 1), scan("FORGED", 1)]}),
        content_type="application/json",
    )
    assert synced.status_code == 200
    return client, scene


@pytest.mark.parametrize(
    ("path", "title"),
    [
        ("/manage/badges", "Badges · ISEF2"),
        ("/manage/zones", "Access zones · ISEF2"),
        ("/manage/zones/new", "New zone · ISEF2"),
        ("/manage/scanners", "Scanning staff · ISEF2"),
        ("/manage/arrivals", "Arrivals at ISEF2 · planner"),
        ("/scanner/", "Badge scanner · ISEF2"),
    ],
)
def test_every_badges_page_has_a_structure_a_screen_reader_can_follow(client_and_scene, path, title):
    from tests.schedule.structure import problems, title_of

    client, scene = client_and_scene
    page = client.get(f"/forums/{scene.forum.slug}{path}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert problems(html) == []
    assert title_of(html).startswith(title)
