"""The conflicts page and the warnings a save flashes, bounded however many sessions overlap."""

import datetime as dt
import time

import pytest
from sqlalchemy import select

from planner.extensions import db
from planner.schedule.models import AcknowledgedWarning, ParticipantRole, Session, SessionKind, SessionParticipant
from tests.conftest import sign_in
from tests.factories import Programme, committed, make_person, make_programme, tokyo

PAGE = "/forums/isef2/manage/conflicts"


def parallel_sessions(programme: Programme, count: int, start: str, chair=None, title="Parallel"):  # noqa: ANN001
    """``count`` hour-long sessions of the programme's event at ``start`` (Tokyo), in one flush."""
    starts_at = tokyo(start)
    sessions = [
        Session(
            event=programme.event,
            title=f"{title} {n}",
            kind=SessionKind.PANEL,
            starts_at=starts_at,
            ends_at=starts_at + dt.timedelta(hours=1),
        )
        for n in range(count)
    ]
    db.session.add_all(sessions)
    if chair is not None:
        db.session.add_all(SessionParticipant(session=s, person=chair, role=ParticipantRole.CHAIR) for s in sessions)
    db.session.flush()
    return sessions


@pytest.fixture
def programme(app, client) -> Programme:
    """ISEF2's Y-ISEF, no sessions yet; the client is the organiser's."""
    with committed(app):
        programme = make_programme()
    sign_in(client, programme.organiser)
    return programme


def test_a_thousand_parallel_sessions_with_one_chair_make_one_small_fast_page(app, client, programme):
    with committed(app):
        parallel_sessions(programme, 1000, "2018-03-03 09:00", chair=make_person(name="Hana Suzuki"))
    started = time.perf_counter()
    response = client.get(PAGE)
    elapsed = time.perf_counter() - started
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert len(response.data) < 200_000 and elapsed < 2.0
    assert page.count("Hana Suzuki chairs or speaks in 1000 overlapping sessions") == 2  # the item and its button
    assert page.count('name="key"') == 1
    assert page.count(">Fix “Parallel") == 20 and "and 980 more sessions" in page


def test_many_warnings_are_paginated(app, client, programme):
    with committed(app):
        for n in range(120):
            parallel_sessions(programme, 2, "2018-03-03 09:00", chair=make_person(name=f"Chair {n}"), title=f"T{n}")
    first = client.get(PAGE).get_data(as_text=True)
    assert "To fix: 0. Open warnings: 120." in first
    assert first.count('name="key"') == 50
    assert "Page 1 of 3" in first and 'aria-label="Pages of conflicts"' in first
    assert f'<a href="{PAGE}?page=1" aria-current="page">1</a>' in first
    assert f'href="{PAGE}?page=2" rel="next"' in first
    last = client.get(f"{PAGE}?page=3").get_data(as_text=True)
    assert last.count('name="key"') == 20 and "Page 3 of 3" in last
    # Past either end is the nearest page; a number that is none is the first.
    for query, shown in (("?page=99", 3), ("?page=0", 1), ("?page=-4", 1), ("?page=x", 1), ("?page=" + "9" * 5000, 1)):
        response = client.get(PAGE + query)
        assert response.status_code == 200, query
        assert f"Page {shown} of 3" in response.get_data(as_text=True), query


def test_acknowledging_every_warning_on_a_page(app, client, programme):
    with committed(app):
        for n in range(60):
            parallel_sessions(programme, 2, "2018-03-03 09:00", chair=make_person(name=f"Chair {n}"), title=f"T{n}")
    page = client.get(PAGE).get_data(as_text=True)
    assert "Acknowledge the 50 warnings on this page" in page
    keys = page.split('name="keys" value="', 1)[1].split('"', 1)[0].split()
    assert len(keys) == 50
    response = client.post(f"{PAGE}/acknowledge-page?page=1", data={"keys": " ".join(keys)})
    assert response.status_code == 302 and response.headers["Location"] == f"{PAGE}?page=1"
    after = client.get(PAGE).get_data(as_text=True)
    assert "50 warnings are acknowledged." in after and "To fix: 0. Open warnings: 10." in after
    with app.app_context():
        assert set(db.session.scalars(select(AcknowledgedWarning.key))) == set(keys)
    assert client.post(f"{PAGE}/acknowledge-page", data={"keys": " ".join(keys)}).status_code == 404  # done already


def test_a_save_flashes_a_few_warnings_and_counts_the_rest(app, client, programme):
    with committed(app):
        chairs = [make_person(name=f"Chair {n}") for n in range(5)]
        for chair in chairs:
            parallel_sessions(programme, 1, "2018-03-03 09:00", chair=chair, title=chair.name)
    response = client.post(
        "/forums/isef2/manage/sessions/new",
        data={
            "title": "Everyone at once",
            "event": programme.event.id,
            "kind": "panel",
            "starts_at": "2018-03-03T09:30",
            "ends_at": "2018-03-03T10:30",
            "room": 0,
            "chairs": "\n".join(c.name for c in chairs),
            "speakers": "",
            "description": "",
            "is_public": "y",
            "status": "scheduled",
        },
    )
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert page.count("Warning: Chair ") == 3
    assert "And 2 more warnings — see the conflicts page." in page
