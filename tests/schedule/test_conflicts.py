"""The scheduling rules over a whole forum (run on SQLite and, with PLANNER_TEST_DATABASE_URL, PostgreSQL)."""

import datetime as dt
import re

import pytest

from planner.extensions import db
from planner.registration.models import Registration, RegistrationStatus
from planner.schedule.conflicts import Rule, check_changes, facts_of, forum_conflicts
from planner.schedule.editing import acknowledge
from planner.schedule.models import (
    ParticipantRole,
    RoomClosedDay,
    Session,
    SessionKind,
    SessionParticipant,
    SessionStatus,
)
from tests.factories import (
    add_participant,
    make_event,
    make_forum,
    make_organiser,
    make_person,
    make_room,
    make_session,
    make_user,
    tokyo,
)


@pytest.fixture
def forum(app_context):
    return make_forum()


def rules(found):
    return sorted(c.rule.value for c in found)


@pytest.mark.parametrize(
    ("start", "minutes", "clash"),
    [
        ("2018-03-03 09:00", 60, True),  # same start
        ("2018-03-03 09:30", 60, True),  # starts inside
        ("2018-03-03 08:30", 60, True),  # ends inside
        ("2018-03-03 08:00", 180, True),  # contains the other
        ("2018-03-03 09:15", 15, True),  # inside
        ("2018-03-03 10:00", 30, False),  # starts when the other ends
        ("2018-03-03 08:00", 60, False),  # ends when the other starts
    ],
)
def test_two_sessions_in_one_room_may_not_overlap_at_all(forum, start, minutes, clash):
    event, room = make_event(forum), make_room(forum)
    plenary = make_session(event, tokyo("2018-03-03 09:00"), 60, room=room, title="Plenary")
    other = make_session(event, tokyo(start), minutes, room=room, title="Other")
    found = forum_conflicts(forum)
    assert rules(found.blocking) == (["room_overlap"] if clash else [])
    if clash:
        assert {s.id for s in found.blocking[0].sessions} == {plenary.id, other.id}
        assert "is booked for 2 overlapping sessions" in found.blocking[0].message


def test_room_overlap_counts_across_events_but_not_cancelled_sessions(forum):
    room = make_room(forum)
    make_session(make_event(forum, "Y-ISEF"), tokyo("2018-03-03 09:00"), 60, room=room)
    cancelled = make_session(make_event(forum, "I-ISEF"), tokyo("2018-03-03 09:30"), 60, room=room)
    assert rules(forum_conflicts(forum).blocking) == ["room_overlap"]
    cancelled.status = SessionStatus.CANCELLED
    db.session.flush()
    assert forum_conflicts(forum).blocking == []


def test_other_rooms_do_not_clash(forum):
    event = make_event(forum)
    make_session(event, tokyo("2018-03-03 09:00"), 60, room=make_room(forum))
    make_session(event, tokyo("2018-03-03 09:00"), 60, room=make_room(forum))
    make_session(event, tokyo("2018-03-03 09:00"), 60)  # no room yet
    make_session(event, tokyo("2018-03-03 09:00"), 60)
    assert forum_conflicts(forum).blocking == []


def test_end_must_be_after_start(forum):
    event = make_event(forum)
    session = make_session(event, tokyo("2018-03-03 09:00"), 60)
    session.ends_at = session.starts_at
    with db.session.no_autoflush:
        found = check_changes(forum, [facts_of(session)])
    assert rules(found) == ["times"] and found[0].blocking


def test_session_outside_its_event_dates_is_blocking(forum):
    event = make_event(forum, starts_at=tokyo("2018-02-28 09:00"), ends_at=tokyo("2018-02-28 18:00"))
    make_session(event, tokyo("2018-02-28 17:30"), 60, title="Late")  # ends after the event
    make_session(event, tokyo("2018-02-28 09:00"), 60, title="In time")
    found = forum_conflicts(forum)
    assert [(c.rule, c.sessions[0].title) for c in found.blocking] == [(Rule.OUTSIDE_EVENT, "Late")]


@pytest.mark.parametrize("second_start", ["2018-03-03 09:45", "2018-03-03 08:15"])
def test_a_speaker_in_two_overlapping_sessions_of_two_events_is_a_warning(forum, second_start):
    hana = make_person(name="Hana Suzuki")
    first = make_session(make_event(forum, "Y-ISEF"), tokyo("2018-03-03 09:00"), 60, room=make_room(forum))
    second = make_session(make_event(forum, "S-ISEF"), tokyo(second_start), 60, room=make_room(forum))
    add_participant(first, hana, ParticipantRole.CHAIR)
    add_participant(second, hana, ParticipantRole.SPEAKER)
    found = forum_conflicts(forum)
    assert found.blocking == []
    assert rules(found.warnings) == ["person_overlap"]
    assert "Hana Suzuki chairs or speaks in 2 overlapping sessions from 3 Mar" in found.warnings[0].message


def test_a_speaker_in_back_to_back_sessions_is_fine(forum):
    hana = make_person()
    event = make_event(forum)
    first = make_session(event, tokyo("2018-03-03 09:00"), 60)
    second = make_session(event, tokyo("2018-03-03 10:00"), 60)
    add_participant(first, hana, ParticipantRole.SPEAKER)
    add_participant(second, hana, ParticipantRole.SPEAKER)
    assert forum_conflicts(forum).warnings == []


def test_more_confirmed_registrations_than_seats_is_a_warning(forum):
    event = make_event(forum)
    make_session(event, tokyo("2018-03-03 09:00"), 60, room=make_room(forum, capacity=2))
    for status in (RegistrationStatus.CONFIRMED, RegistrationStatus.CONFIRMED, RegistrationStatus.PENDING):
        db.session.add(Registration(event_id=event.id, user_id=make_user().id, status=status))
    db.session.flush()
    assert forum_conflicts(forum).warnings == []  # two confirmed, two seats; pending ones do not count
    db.session.add(Registration(event_id=event.id, user_id=make_user().id, status=RegistrationStatus.CONFIRMED))
    db.session.flush()
    found = forum_conflicts(forum)
    assert rules(found.warnings) == ["capacity"]
    assert "3 people are confirmed" in found.warnings[0].message


def test_a_session_on_a_day_its_room_is_closed_is_a_warning(forum):
    room = make_room(forum, "Hall")
    db.session.add(RoomClosedDay(room_id=room.id, day=dt.date(2018, 3, 3)))
    event = make_event(forum)
    make_session(event, tokyo("2018-03-02 09:00"), 60, room=room)
    make_session(event, tokyo("2018-03-03 00:30"), 60, room=room)  # 2 March in UTC, 3 March in Tokyo
    found = forum_conflicts(forum)
    assert rules(found.warnings) == ["room_closed"]
    assert found.warnings[0].sessions[0].starts_at == tokyo("2018-03-03 00:30")


def test_the_check_is_a_fixed_number_of_queries(app, count_queries):
    from planner.demo.synthetic import load_synthetic_forum

    with app.app_context():
        small, large = load_synthetic_forum("small", 20), load_synthetic_forum("large", 1000)
        db.session.flush()
        counts = {}
        for forum in (small, large):
            with count_queries() as counter:
                found = forum_conflicts(forum)
            counts[forum.slug] = counter.count
            assert found.blocking == []
    assert counts["small"] == counts["large"] <= 9


# Overlaps come in runs: one conflict per person (or room) per run, not one per pair. ----------


def parallel_sessions(event, count, start, minutes=60, chair=None, room=None):
    """``count`` sessions of the event at the same time, added in one flush."""
    sessions = [
        Session(
            event=event,
            title=f"Parallel {n}",
            kind=SessionKind.PANEL,
            starts_at=start,
            ends_at=start + dt.timedelta(minutes=minutes),
            room=room,
        )
        for n in range(count)
    ]
    db.session.add_all(sessions)
    if chair is not None:
        db.session.add_all(SessionParticipant(session=s, person=chair, role=ParticipantRole.CHAIR) for s in sessions)
    db.session.flush()
    return sessions


def test_a_thousand_parallel_sessions_with_one_chair_are_one_warning(forum):
    hana = make_person(name="Hana Suzuki")
    sessions = parallel_sessions(make_event(forum), 1000, tokyo("2018-03-03 09:00"), chair=hana)
    found = forum_conflicts(forum)
    assert len(found.warnings) == 1  # not 1000 × 999 / 2
    [warning] = found.warnings
    assert (warning.rule, warning.person_id, len(warning.sessions)) == (Rule.PERSON_OVERLAP, hana.id, 1000)
    assert {s.id for s in warning.sessions} == {s.id for s in sessions}
    assert warning.message == (
        "Hana Suzuki chairs or speaks in 1000 overlapping sessions from 3 Mar 09:00 to 3 Mar 10:00: "
        "“Parallel 0”, “Parallel 1”, “Parallel 2”, “Parallel 3”, “Parallel 4” and 995 more."
    )
    # Too many sessions to spell out in the key's 200 characters: a hash of them all.
    assert re.fullmatch(rf"person_overlap:p{hana.id}:[0-9a-f]{{64}}", warning.key)


def test_two_separate_runs_for_one_person_are_two_warnings(forum):
    hana = make_person(name="Hana Suzuki")
    event = make_event(forum)
    parallel_sessions(event, 3, tokyo("2018-03-03 09:00"), chair=hana)
    parallel_sessions(event, 2, tokyo("2018-03-03 14:00"), chair=hana)
    found = forum_conflicts(forum)
    assert [len(c.sessions) for c in found.warnings] == [3, 2]
    assert "3 overlapping sessions from 3 Mar 09:00 to 3 Mar 10:00" in found.warnings[0].message
    assert "2 overlapping sessions from 3 Mar 14:00 to 3 Mar 15:00" in found.warnings[1].message


def test_a_run_chains_through_overlaps_and_stops_where_ends_only_touch(forum):
    hana = make_person()
    event = make_event(forum)
    chained = [
        make_session(event, tokyo("2018-03-03 09:00"), 60, title="A"),
        make_session(event, tokyo("2018-03-03 09:30"), 60, title="B"),  # overlaps A
        make_session(event, tokyo("2018-03-03 10:15"), 45, title="C"),  # overlaps B, not A
    ]
    after = make_session(event, tokyo("2018-03-03 11:00"), 60, title="D")  # starts as C ends
    for session in [*chained, after]:
        add_participant(session, hana, ParticipantRole.SPEAKER)
    [warning] = forum_conflicts(forum).warnings
    assert [s.title for s in warning.sessions] == ["A", "B", "C"]
    assert "3 overlapping sessions from 3 Mar 09:00 to 3 Mar 11:00: “A”, “B”, “C”." in warning.message


def test_sessions_in_one_room_at_once_are_one_blocking_conflict_that_lists_them(forum):
    room = make_room(forum, "Hall")
    event = make_event(forum)
    parallel_sessions(event, 7, tokyo("2018-03-03 09:00"), room=room)
    make_session(event, tokyo("2018-03-03 10:00"), 60, room=room)  # after them: no clash
    [blocking] = forum_conflicts(forum).blocking
    assert (blocking.rule, len(blocking.sessions), blocking.blocking) == (Rule.ROOM_OVERLAP, 7, True)
    assert blocking.message == (
        "Hall is booked for 7 overlapping sessions from 3 Mar 09:00 to 3 Mar 10:00: "
        "“Parallel 0”, “Parallel 1”, “Parallel 2”, “Parallel 3”, “Parallel 4” and 2 more."
    )


def test_a_pair_keeps_the_key_it_had_before_runs(forum):
    hana = make_person()
    first, second = parallel_sessions(make_event(forum), 2, tokyo("2018-03-03 09:00"), chair=hana)
    [warning] = forum_conflicts(forum).warnings
    assert warning.key == f"person_overlap:p{hana.id}:{first.id}r1:{second.id}r1"


def test_an_acknowledged_run_stays_acknowledged_until_the_run_changes(forum):
    organiser = make_organiser(forum)
    hana = make_person()
    event = make_event(forum)
    sessions = parallel_sessions(event, 30, tokyo("2018-03-03 09:00"), chair=hana)
    [warning] = forum_conflicts(forum).warnings
    assert acknowledge(organiser, forum, [warning.key]) == 1
    assert (forum_conflicts(forum).warnings, forum_conflicts(forum).acknowledged) == ([], 1)
    assert acknowledge(organiser, forum, [warning.key]) == 0  # no longer open

    sessions[0].title = "Renamed"
    sessions[0].revision += 1  # as a save does when the title changes
    db.session.flush()
    [renewed] = forum_conflicts(forum).warnings
    assert renewed.key != warning.key
    assert acknowledge(organiser, forum, [renewed.key]) == 1

    parallel_sessions(event, 1, tokyo("2018-03-03 09:30"), chair=hana)  # one more in the run
    [grown] = forum_conflicts(forum).warnings
    assert len(grown.sessions) == 31 and grown.key not in {warning.key, renewed.key}


def test_a_change_is_checked_against_the_run_it_joins_only(forum):
    hana = make_person(name="Hana Suzuki")
    event = make_event(forum)
    morning = parallel_sessions(event, 3, tokyo("2018-03-03 09:00"), chair=hana)
    parallel_sessions(event, 3, tokyo("2018-03-03 14:00"), chair=hana)
    with db.session.no_autoflush:
        found = check_changes(forum, [facts_of(morning[0])])
    assert [(c.rule, {s.id for s in c.sessions}) for c in found] == [
        (Rule.PERSON_OVERLAP, {s.id for s in morning}),
    ]
