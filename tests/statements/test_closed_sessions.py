"""A national statement is public only while the session it was delivered in is: a session made
closed after the statement was kept takes it out of every public reader (its pages, the forum's
list, search, the API, the offline copy), and reopening the session brings it back. The forum's
organisers and focal points still read it, told why the public does not."""

from __future__ import annotations

import datetime as dt

import pytest
from flask import Flask
from flask.testing import FlaskClient

from planner.offline import site_copy
from planner.statements.national import record_national_statement
from tests.conftest import sign_in
from tests.factories import committed, current, session_form_data
from tests.plenary.world import World, make_world

DOCUMENT = "/forums/isef2/statements/japan-in-the-plenary"
STATEMENT = "Statement by Japan"


@pytest.fixture
def world(app: Flask) -> World:
    """ISEF2's public plenary, with Japan's statement delivered in it kept in the record."""
    with committed(app):
        world = make_world()
        deliver(world, "japan-in-the-plenary", STATEMENT)
    return world


def deliver(world: World, slug: str, title: str) -> None:
    record_national_statement(
        current(world.organiser),
        session=current(world.plenary),
        delegation=current(world.japan),
        slug=slug,
        title=title,
        text="Japan welcomes lunar cooperation.",
        language="en",
        delivered_on=dt.date(2018, 3, 3),
    )


def make_plenary(app: Flask, world: World, *, public: bool) -> str:
    """The organiser saves the plenary's form, public or closed, as the programme's page does;
    the page they are sent back to."""
    organiser = app.test_client()
    sign_in(organiser, world.organiser)
    with app.app_context():
        plenary = current(world.plenary)
        event_id, room_id = plenary.event_id, plenary.room_id
    data = session_form_data(
        event_id, room_id, title="Plenary", kind="plenary", starts_at="2018-03-03T09:00", ends_at="2018-03-03T10:00"
    )
    if not public:
        del data["is_public"]  # the box unticked
    response = organiser.post(f"/forums/isef2/manage/sessions/{world.plenary.id}/edit", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)
    return organiser.get(response.headers["Location"]).get_data(as_text=True)


def what_the_public_reads(app: Flask, public: FlaskClient) -> dict[str, bool]:
    """Whether each public reader shows the statement."""
    return {
        "page": public.get(DOCUMENT).status_code == 200,
        "download": public.get(DOCUMENT + "/download/txt").status_code == 200,
        "versions": public.get(DOCUMENT + "/versions").status_code == 200,
        "list": STATEMENT in public.get("/forums/isef2/statements/").get_data(as_text=True),
        "search": STATEMENT in public.get("/statements/search?q=lunar").get_data(as_text=True),
        "api list": [s["title"] for s in public.get("/api/v1/forums/isef2/statements").get_json()["items"]]
        == [STATEMENT],
        "api": public.get("/api/v1/forums/isef2/statements/japan-in-the-plenary").status_code == 200,
        "api version": public.get("/api/v1/forums/isef2/statements/japan-in-the-plenary/versions/1").status_code == 200,
    }


def in_the_offline_copy(app: Flask, world: World) -> bool:
    copy = site_copy.plan(app, world.forum.id, language="en", live_root="https://planner.example.org")
    return "statements/japan-in-the-plenary.html" in {page.file for page in copy.pages}


def test_a_statement_of_a_session_made_closed_leaves_every_public_reader_and_comes_back_when_reopened(
    app, client, world
):
    shown = dict.fromkeys(what_the_public_reads(app, client), True)
    assert what_the_public_reads(app, client) == shown and in_the_offline_copy(app, world)
    make_plenary(app, world, public=False)
    assert what_the_public_reads(app, client) == dict.fromkeys(shown, False)
    assert client.get(DOCUMENT).status_code == 404
    assert not in_the_offline_copy(app, world)
    make_plenary(app, world, public=True)
    assert what_the_public_reads(app, client) == shown and in_the_offline_copy(app, world)


def test_the_organisers_and_focal_points_still_read_it_told_why_the_public_does_not(app, client, world):
    make_plenary(app, world, public=False)
    for user in (world.organiser, world.kenya_focal_point):
        sign_in(client, user)
        page = client.get(DOCUMENT).get_data(as_text=True)
        assert "This statement was delivered in a session that is now closed, so it is not public" in page
        assert "This is a draft" not in page
        if user is world.organiser:  # a correction is still a corrigendum
            assert "Issue a corrigendum" in page
        assert STATEMENT in client.get("/forums/isef2/statements/").get_data(as_text=True)
        assert STATEMENT in client.get("/statements/search?q=lunar").get_data(as_text=True)


def test_the_forum_s_statements_cost_the_same_queries_however_many_are_national(app, client, world, count_queries):
    def reads() -> list[int]:
        counts = []
        for url in ("/forums/isef2/statements/", "/api/v1/forums/isef2/statements", "/statements/search?q=lunar"):
            with count_queries() as counter:
                assert client.get(url).status_code == 200
            counts.append(counter.count)
        return counts

    few = reads()
    with committed(app):
        for number in range(5):
            deliver(world, f"japan-again-{number}", f"{STATEMENT}, again {number}")
    assert reads() == few


CLOSING_WARNING = "The national statement delivered in this session is no longer public while the session is closed"


def test_the_organiser_closing_the_session_is_told_its_statement_leaves_the_public_record(app, world):
    assert CLOSING_WARNING in make_plenary(app, world, public=False)
    assert CLOSING_WARNING not in make_plenary(app, world, public=False)  # already closed: nothing new
    assert CLOSING_WARNING not in make_plenary(app, world, public=True)


def test_closing_a_session_without_national_statements_warns_of_nothing(app):
    with committed(app):
        world = make_world()
    assert "national statement" not in make_plenary(app, world, public=False)
