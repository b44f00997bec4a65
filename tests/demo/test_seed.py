"""The ISEF2 demo forum: what it contains, and that loading it twice changes nothing."""

import datetime as dt

from sqlalchemy import func, select

from planner.badges.models import Zone
from planner.delegations.models import Delegation, DelegationKind, Person
from planner.demo.seed import load_isef2
from planner.extensions import db
from planner.forums.models import Event, EventKind, Forum, Room, Venue
from planner.schedule.models import Session, SessionParticipant

MODELS = (Forum, Event, Venue, Room, Session, SessionParticipant, Delegation, Person, Zone)


def counts() -> dict[str, int]:
    return {m.__name__: db.session.scalar(select(func.count()).select_from(m)) for m in MODELS}


def test_seed_demo_twice_changes_nothing(app):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["seed-demo"])
    assert first.exit_code == 0, first.output
    assert "Loaded the ISEF2 demo forum" in first.output
    with app.app_context():
        before = counts()
    second = runner.invoke(args=["seed-demo"])
    assert second.exit_code == 0
    assert "already loaded" in second.output
    with app.app_context():
        assert counts() == before
        assert before["Forum"] == 2  # ISEF2 and the open demo forum


def test_demo_forum_is_isef2_in_tokyo(app):
    with app.app_context():
        load_isef2()
        forum = db.session.scalar(select(Forum).where(Forum.slug == "isef2"))
        assert (forum.name, forum.host_city, forum.host_country, forum.timezone) == (
            "ISEF2",
            "Tokyo",
            "JP",
            "Asia/Tokyo",
        )
        assert (forum.first_day, forum.last_day) == (dt.date(2018, 2, 28), dt.date(2018, 3, 3))
        assert forum.is_demo


def test_demo_events_ministerial_on_3_march_and_three_side_events(app):
    with app.app_context():
        forum = load_isef2()
        events = {e.code: e for e in forum.events}
        assert set(events) == {"MINISTERIAL", "Y-ISEF", "I-ISEF", "S-ISEF"}
        ministerial = events["MINISTERIAL"]
        assert ministerial.kind is EventKind.MINISTERIAL
        assert ministerial.starts_at.astimezone(forum.zone).date() == dt.date(2018, 3, 3)
        for code in ("Y-ISEF", "I-ISEF", "S-ISEF"):
            event = events[code]
            # S-ISEF is for high-school students, who come without a delegation.
            assert event.kind is (EventKind.STUDENT if code == "S-ISEF" else EventKind.SIDE_EVENT)
            assert dt.date(2018, 2, 28) <= event.starts_at.astimezone(forum.zone).date()
            assert event.ends_at.astimezone(forum.zone).date() <= dt.date(2018, 3, 3)


def test_demo_programme_sessions_lie_in_their_events_and_rooms_never_double_booked(app):
    with app.app_context():
        forum = load_isef2()
        sessions = [s for e in forum.events for s in e.sessions]
        assert len(sessions) >= 20
        for s in sessions:
            assert s.event.starts_at <= s.starts_at < s.ends_at <= s.event.ends_at, s.title
            assert s.room is not None
        by_room: dict[int, list[Session]] = {}
        for s in sessions:
            by_room.setdefault(s.room_id, []).append(s)
        for room_sessions in by_room.values():
            room_sessions.sort(key=lambda s: s.starts_at)
            for earlier, later in zip(room_sessions, room_sessions[1:]):
                assert earlier.ends_at <= later.starts_at, (earlier.title, later.title)


def test_ministerial_sessions_in_english_with_japanese_interpretation_and_s_isef_in_japanese(app):
    with app.app_context():
        forum = load_isef2()
        languages = {(e.code, s.title): (s.spoken_language, s.interpretation) for e in forum.events for s in e.sessions}
        assert languages[("MINISTERIAL", "Opening ceremony")] == ("en", ["ja"])
        assert languages[("MINISTERIAL", "Press conference")] == ("en", ["ja"])
        assert languages[("MINISTERIAL", "Lunch")] == (None, [])  # a break speaks no language
        assert languages[("S-ISEF", "Opening for students")] == ("ja", [])
        assert languages[("Y-ISEF", "Adoption of the Y-ISEF recommendations")] == (None, [])


def test_seeding_twice_leaves_the_languages_as_they_are(app):
    runner = app.test_cli_runner()
    runner.invoke(args=["seed-demo"])
    query = select(Session.id, Session.spoken_language, Session.interpretation, Session.revision).order_by(Session.id)
    with app.app_context():
        before = db.session.execute(query).all()
    runner.invoke(args=["seed-demo"])
    with app.app_context():
        assert db.session.execute(query).all() == before
        assert sum(1 for row in before if row.spoken_language) >= 10


def test_demo_delegations_45_with_21_space_agencies(app):
    with app.app_context():
        forum = load_isef2()
        delegations = forum.delegations
        assert len(delegations) == 45
        assert sum(1 for d in delegations if d.space_agency) == 21
        assert {d.kind for d in delegations} == {DelegationKind.COUNTRY, DelegationKind.ORGANISATION}
        assert all(d.country_code for d in delegations if d.kind is DelegationKind.COUNTRY)
        people = db.session.scalars(select(Person)).all()
        assert people and all(p.is_demo for p in people)


def test_isef2_has_badge_zones_opened_by_its_events_and_required_by_its_rooms(app):
    from planner.demo.seed import add_isef2_zones

    with app.app_context():
        forum = load_isef2()
        zones = {zone.number: zone for zone in db.session.scalars(select(Zone).where(Zone.forum_id == forum.id))}
        assert [zones[n].name for n in sorted(zones)] == ["Plenary hall", "Meeting rooms", "Press centre", "Miraikan"]
        assert zones[1].translations["ja"]["name"] == "本会議場"
        assert sorted(event.code for event in zones[1].events) == ["I-ISEF", "MINISTERIAL"]
        assert zones[3].categories == ["press", "staff", "security"]
        hall = db.session.scalar(select(Room).where(Room.name == "Hall B7"))
        assert hall.required_zone_id == zones[1].id
        assert add_isef2_zones() is False  # it has them: nothing added twice
