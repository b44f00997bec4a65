"""Only the two delegations' focal points and the organisers see a bilateral. To a third
delegation, a delegate or anyone signed out, its address is a 404 like an address with no
bilateral at all; and nothing public (the programme, feeds, the API, the offline copy)
shows one, since bilaterals are no sessions."""

from __future__ import annotations

import io
import zipfile

import pytest

from tests.bilaterals.builders import answer, ask, built, latest_bilateral
from tests.conftest import sign_in
from tests.factories import committed, make_event, make_user

TOPIC = "Secret lunar water accord"


@pytest.fixture
def scheduled(app, client):
    forum = built(app)
    ask(client, forum, "japan", "france", [forum.slots[0].id], topic=TOPIC)
    bilateral = latest_bilateral(app)
    answer(client, forum, "france", bilateral.id)
    client.post("/logout")
    client.get("/")  # shows (and so ends) the "signed out" message
    return forum, bilateral


def test_the_two_sides_and_the_organisers_see_it(app, client, scheduled):
    forum, bilateral = scheduled
    for user in (forum.japan.focal_point, forum.france.focal_point, forum.organiser):
        sign_in(client, user)
        page = client.get(f"/forums/isef2/bilaterals/{bilateral.id}")
        assert page.status_code == 200 and TOPIC in page.get_data(as_text=True)
    grid = client.get("/forums/isef2/manage/bilaterals").get_data(as_text=True)
    assert "Japan · France" in grid


def test_a_third_delegation_gets_the_same_404_as_for_no_bilateral(app, client, scheduled):
    forum, bilateral = scheduled
    sign_in(client, forum.italy.focal_point)
    seen = client.get(f"/forums/isef2/bilaterals/{bilateral.id}")
    missing = client.get("/forums/isef2/bilaterals/999999")
    assert seen.status_code == missing.status_code == 404
    assert TOPIC not in seen.get_data(as_text=True)
    # The same page but for the address itself, which it links in each language.
    same = missing.get_data(as_text=True).replace("/bilaterals/999999", f"/bilaterals/{bilateral.id}")
    assert seen.get_data(as_text=True) == same
    for action in ("accept", "decline", "propose", "cancel"):
        assert client.post(f"/forums/isef2/bilaterals/{bilateral.id}/{action}", data={}).status_code == 404
    # Its own list has nothing of Japan's and France's, and theirs is not its to read.
    own = client.get(f"/forums/isef2/delegations/{forum.italy.delegation.id}/bilaterals").get_data(as_text=True)
    assert TOPIC not in own
    assert client.get(f"/forums/isef2/delegations/{forum.japan.delegation.id}/bilaterals").status_code == 403


def test_a_delegate_and_another_forums_organiser_get_a_404(app, client, scheduled):
    forum, bilateral = scheduled
    with committed(app):
        delegate = make_user()
    sign_in(client, delegate)
    assert client.get(f"/forums/isef2/bilaterals/{bilateral.id}").status_code == 404
    client.post("/logout")
    # Signed out: the sign-in page, as for any address behind it, whether a bilateral exists or not.
    assert client.get(f"/forums/isef2/bilaterals/{bilateral.id}").status_code == 302


def test_nothing_public_shows_it(app, client, scheduled):
    forum, bilateral = scheduled
    with committed(app):
        make_event(forum.forum, "EXTRA")  # the forum has events whose feeds are built
    for path in (
        "/forums/isef2",
        "/forums/isef2/timetable",
        "/forums/isef2/calendar.ics",
        "/forums/isef2/schedule.json",
        "/forums/isef2/schedule.xml",
        "/api/v1/forums/isef2/sessions",
        "/api/v1/forums/isef2/rooms",
    ):
        response = client.get(path, follow_redirects=True)
        body = response.get_data(as_text=True)
        assert TOPIC not in body and "Bilateral: Japan" not in body, path
    sign_in(client, forum.organiser)
    copy = client.post("/forums/isef2/manage/offline-copy.zip", data={})
    assert copy.status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(copy.data))
    for name in archive.namelist():
        assert TOPIC.encode() not in archive.read(name), name
