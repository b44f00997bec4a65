"""The public timetable and session pages."""

import pytest

from planner.demo.synthetic import load_synthetic_forum
from planner.extensions import db
from planner.schedule.models import ParticipantRole
from tests.factories import Programme, add_participant, committed, current, make_person, make_programme


@pytest.fixture
def programme(app) -> Programme:
    """Y-ISEF's first morning in Room G510: the opening, with its chair and a speaker, then a
    closed meeting."""
    with committed(app):
        programme = make_programme()
        programme.room("g510", "Room G510")
        opening = programme.session(
            "opening", "Welcome & introduction", "2018-02-28 09:00", 30, room="g510", description="Opening of Y-ISEF."
        )
        add_participant(opening, make_person(name="Hana Suzuki", organisation="Y-ISEF"), ParticipantRole.CHAIR)
        add_participant(opening, make_person(name="Kenji Sato"), ParticipantRole.SPEAKER)
        programme.session("closed", "Closed meeting", "2018-02-28 10:00", 30, room="g510", is_public=False)
    return programme


def test_timetable_shows_sessions_in_tokyo_time(client, programme):
    response = client.get("/forums/isef2/timetable?day=2018-02-28")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Times in Asia/Tokyo (UTC+09:00)." in page
    assert '<th scope="col">Room G510' in page
    assert (
        '<time datetime="2018-02-28T00:00:00+00:00">09:00</time>–'
        '<time datetime="2018-02-28T00:30:00+00:00">09:30</time>' in page
    )
    assert "Welcome &amp; introduction" in page
    assert "Closed meeting" not in page
    assert 'aria-current="page">Wednesday, February 28, 2018' in page


def test_timetable_without_day_opens_the_first_day_of_a_past_forum(client, programme):
    page = client.get("/forums/isef2/timetable").get_data(as_text=True)
    assert "<h2>Wednesday, February 28, 2018</h2>" in page


@pytest.mark.parametrize(
    ("query", "status", "message"),
    [
        ("day=28-02-2018", 400, "The day must be a date written like 2018-03-03."),
        ("day=2018-03-04", 404, "ISEF2 does not take place on that day."),
    ],
)
def test_timetable_rejects_bad_days_with_a_reason(client, programme, query, status, message):
    response = client.get(f"/forums/isef2/timetable?{query}")
    assert response.status_code == status
    assert message in response.get_data(as_text=True)


def test_session_page(client, programme):
    response = client.get(f"/sessions/{programme.opening.id}")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<h1>Welcome &amp; introduction</h1>" in page
    assert "Wednesday, February 28, 2018, <time" in page
    assert "Hana Suzuki (Y-ISEF)" in page and "Kenji Sato" in page
    assert "Room G510, Main venue" in page
    assert 'href="/forums/isef2/timetable?day=2018-02-28"' in page


@pytest.mark.parametrize("which", ["closed", "missing"])
def test_closed_or_unknown_session_is_a_404(client, programme, which):
    session_id = programme.closed.id if which == "closed" else 999999
    response = client.get(f"/sessions/{session_id}")
    assert response.status_code == 404
    assert "There is no public session with this number." in response.get_data(as_text=True)


def test_timetable_query_count_does_not_grow_with_the_programme(app, client, count_queries):
    with app.app_context():
        load_synthetic_forum("small", sessions=10, days=1, rooms=50)
        load_synthetic_forum("large", sessions=1000, days=1, rooms=50)
        db.session.commit()
    counts = {}
    for slug in ("small", "large"):
        with count_queries() as counter:
            response = client.get(f"/forums/{slug}/timetable?day=2030-03-01")
        assert response.status_code == 200
        assert response.get_data(as_text=True).count('class="session kind-') == (10 if slug == "small" else 1000)
        counts[slug] = counter.count
    # forum, sessions, participants, the events for the filter form, and the session check.
    assert counts["small"] == counts["large"] <= 5


def test_timetable_is_served_from_cache_until_the_programme_changes(app, client, count_queries, programme):
    url = "/forums/isef2/timetable?day=2018-02-28"
    with count_queries() as cold:
        client.get(url)
    with count_queries() as warm:
        page = client.get(url).get_data(as_text=True)
    assert warm.count < cold.count
    assert "Welcome &amp; introduction" in page
    with app.app_context():
        session = current(programme.opening)
        session.title = "Opening, renamed"
        db.session.commit()
    page = client.get(url).get_data(as_text=True)
    assert "Opening, renamed" in page and "Welcome &amp; introduction" not in page


def test_timetable_in_a_second_timezone_and_printable(client, programme):
    page = client.get("/forums/isef2/timetable?day=2018-02-28&tz=Europe/Paris").get_data(as_text=True)
    assert "In brackets: Europe/Paris." in page
    assert '<span class="other-zone">(01:00–01:30 Europe/Paris)</span>' in page
    printable = client.get("/forums/isef2/timetable?day=2018-02-28&layout=print").get_data(as_text=True)
    assert 'class="timetable-grid"' not in printable and 'class="timetable-list printable"' in printable
    assert "Back to the grid" in printable


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("tz=Mars/Olympus", "Mars/Olympus is not a timezone; write one like Europe/Paris."),
        ("tz=../../etc/passwd", "is not a timezone"),
        ("event=NOPE", "This forum has no event with the code NOPE."),
        ("kind=party", "There is no session kind party."),
    ],
)
def test_timetable_refuses_bad_filters_with_a_reason(client, programme, query, message):
    response = client.get(f"/forums/isef2/timetable?day=2018-02-28&{query}")
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)


def test_timetable_filter_by_event(client, programme):
    page = client.get("/forums/isef2/timetable?day=2018-02-28&event=y-isef&kind=panel").get_data(as_text=True)
    assert "Welcome &amp; introduction" in page
    assert '<option value="Y-ISEF" selected>' in page
