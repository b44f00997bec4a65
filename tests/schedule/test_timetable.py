"""The timetable grid: rooms across, time down, in the forum's timezone."""

import datetime as dt

import pytest

from planner.extensions import db
from planner.schedule.services import DayNotInForum, timetable_day
from tests.factories import make_event, make_forum, make_room, make_session, tokyo


@pytest.fixture
def forum(app_context):
    return make_forum()


def grid_of(timetable):
    """{(row label, column index): (title, span)} for cells where a session starts."""
    return {
        (row.starts.strftime("%H:%M"), i): (cell.session.title, cell.span)
        for row in timetable.rows
        for i, cell in enumerate(row.cells)
        if cell.session
    }


def test_sessions_are_placed_by_room_and_local_time(forum):
    event = make_event(forum)
    hall, annex = make_room(forum, "Hall"), make_room(forum, "Annex")
    make_session(event, tokyo("2018-03-03 09:00"), 90, title="Opening", room=hall)
    make_session(event, tokyo("2018-03-03 09:30"), 30, title="Side talk", room=annex)
    make_session(event, tokyo("2018-03-02 23:00"), 30, title="Other day", room=hall)

    timetable = timetable_day(forum, dt.date(2018, 3, 3))

    assert [c.room.name for c in timetable.columns] == ["Annex", "Hall"]
    assert timetable.step_minutes == 30
    assert [r.starts.strftime("%H:%M") for r in timetable.rows] == ["09:00", "09:30", "10:00"]
    assert grid_of(timetable) == {("09:00", 1): ("Opening", 3), ("09:30", 0): ("Side talk", 1)}
    # Rows covered by a longer session render no cell of their own.
    assert [c.covered for c in timetable.rows[1].cells] == [False, True]


def test_day_boundaries_follow_the_forum_timezone_not_utc(forum):
    """00:30 on 3 March in Tokyo is 2 March in UTC; it belongs to Tokyo's 3 March."""
    event = make_event(forum)
    make_session(event, tokyo("2018-03-03 00:30"), 30, title="Early", room=make_room(forum))
    assert [s.title for s in timetable_day(forum, dt.date(2018, 3, 3)).sessions] == ["Early"]
    assert timetable_day(forum, dt.date(2018, 3, 2)).sessions == []


def test_grid_step_follows_the_finest_boundary(forum):
    event = make_event(forum)
    room = make_room(forum)
    make_session(event, tokyo("2018-03-03 09:00"), 45, room=room)
    make_session(event, tokyo("2018-03-03 10:10"), 20, room=room)
    assert timetable_day(forum, dt.date(2018, 3, 3)).step_minutes == 5


def test_overlapping_sessions_in_one_room_are_listed_not_stacked(forum):
    event = make_event(forum)
    room = make_room(forum)
    make_session(event, tokyo("2018-03-03 09:00"), 60, title="First", room=room)
    make_session(event, tokyo("2018-03-03 09:30"), 60, title="Clash", room=room)
    timetable = timetable_day(forum, dt.date(2018, 3, 3))
    assert [s.title for s in timetable.overlapping] == ["Clash"]
    assert list(grid_of(timetable).values()) == [("First", 2)]


def test_sessions_without_room_get_a_column_of_their_own(forum):
    event = make_event(forum)
    make_session(event, tokyo("2018-03-03 09:00"), 60, title="Roomless")
    make_session(event, tokyo("2018-03-03 09:00"), 60, title="Placed", room=make_room(forum, "Hall"))
    timetable = timetable_day(forum, dt.date(2018, 3, 3))
    assert [c.room.name if c.room else None for c in timetable.columns] == ["Hall", None]


def test_closed_sessions_stay_off_the_public_timetable(forum):
    event = make_event(forum)
    make_session(event, tokyo("2018-03-03 09:00"), title="Closed talks", is_public=False, room=make_room(forum))
    assert timetable_day(forum, dt.date(2018, 3, 3)).sessions == []


def test_a_day_outside_the_forum_is_refused(forum):
    with pytest.raises(DayNotInForum):
        timetable_day(forum, dt.date(2018, 3, 4))


def test_empty_day_has_no_grid(forum):
    timetable = timetable_day(forum, dt.date(2018, 3, 1))
    assert (timetable.rows, timetable.columns, timetable.sessions) == ([], [], [])
    db.session.rollback()


def test_filters_by_event_and_kind(forum):
    from planner.schedule.models import SessionKind
    from planner.schedule.services import ProgrammeFilter

    room = make_room(forum)
    y, s = make_event(forum, "Y-ISEF"), make_event(forum, "S-ISEF")
    make_session(y, tokyo("2018-03-03 09:00"), 30, title="Y panel", room=room, kind=SessionKind.PANEL)
    make_session(s, tokyo("2018-03-03 10:00"), 30, title="S break", room=room, kind=SessionKind.BREAK)
    make_session(s, tokyo("2018-03-03 11:00"), 30, title="S closed", room=room, is_public=False)
    day = dt.date(2018, 3, 3)
    assert [x.title for x in timetable_day(forum, day, ProgrammeFilter("S-ISEF")).sessions] == ["S break"]
    assert [x.title for x in timetable_day(forum, day, ProgrammeFilter(kind=SessionKind.PANEL)).sessions] == ["Y panel"]
    assert [x.title for x in timetable_day(forum, day, ProgrammeFilter("S-ISEF", include_closed=True)).sessions] == [
        "S break",
        "S closed",
    ]


def test_a_cancelled_session_gives_its_place_to_the_one_that_replaced_it(forum):
    from planner.schedule.models import SessionStatus

    event, room = make_event(forum), make_room(forum)
    make_session(event, tokyo("2018-03-03 09:00"), 60, title="Old", room=room, status=SessionStatus.CANCELLED)
    make_session(event, tokyo("2018-03-03 09:00"), 60, title="New", room=room)
    timetable = timetable_day(forum, dt.date(2018, 3, 3))
    assert [t for t, _ in grid_of(timetable).values()] == ["New"]
    assert timetable.overlapping == []
    assert [s.title for s in timetable.sessions] == ["Old", "New"]  # both in the list, the old one marked
