"""Organisers define the access zones (what opens each, which rooms require it) and rooms
require them; bad input writes nothing, and only organisers may."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from planner.audit.models import AuditEntry
from planner.badges import zones
from planner.badges.models import Arrival, Scan, ScanOutcome, Zone, ZoneEvent
from planner.extensions import db
from planner.forums.models import ForumStatus, Room
from planner.forums.services import ForumArchived
from planner.refusals import NotAllowed
from planner.schedule.models import Session
from tests.badges.helpers import DURING, make_scene, make_zone
from tests.conftest import sign_in
from tests.factories import (
    committed,
    current,
    make_event,
    make_forum,
    make_organiser,
    make_room,
    make_session,
    make_user,
    tokyo,
)


@pytest.fixture
def scene(app):
    """ISEF2 in English and Japanese: zones 1 Plenary hall (security, MIN), 2 Press centre
    (press, security), 3 Side-event room (Y-ISEF); badges printed with zones 1 and 3."""
    with committed(app):
        return make_scene(languages=["en", "ja"])


def zone_rows(app) -> list[tuple[int, str, list[str], list[int]]]:
    with app.app_context():
        return [
            (zone.number, zone.name, list(zone.categories), sorted(event.id for event in zone.events))
            for zone in db.session.scalars(select(Zone).order_by(Zone.number))
        ]


def audit_actions(app) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(select(AuditEntry.action).where(AuditEntry.action.like("zone.%"))))


def arrive(scene, zone: Zone) -> None:
    """The delegate checked in at ``zone``."""
    entry = Scan(
        forum_id=scene.forum.id,
        scan_uuid="3b241101-e2bb-4255-8caf-4136c566a962",
        device="door-1",
        badge_id=scene.delegate.id,
        badge_version=1,
        zone_id=zone.id,
        outcome=ScanOutcome.ADMITTED,
        scanned_at=DURING,
    )
    db.session.add(entry)
    db.session.flush()
    db.session.add(
        Arrival(
            badge_id=scene.delegate.id,
            zone_id=zone.id,
            forum_id=scene.forum.id,
            first_scan_id=entry.id,
            first_scanned_at=DURING,
        )
    )
    db.session.flush()


# -- the rules ----------------------------------------------------------------------------


def test_a_zone_is_added_with_what_opens_it_and_audited(app, context, scene):
    forum, organiser = current(scene.forum), current(scene.organiser)
    zone = zones.save_zone(
        organiser,
        forum,
        None,
        number=4,
        name="  Bilateral rooms ",
        categories=["security", "delegate", "security"],
        event_ids=[scene.side_event.id, scene.ministerial.id],
        translations={"ja": {"name": "二国間会議室"}},
    )
    assert (zone.number, zone.name, zone.categories) == (4, "Bilateral rooms", ["delegate", "security"])
    assert {event.code for event in zone.events} == {"MIN", "Y-ISEF"}
    assert zone.translations == {"ja": {"name": "二国間会議室"}}
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "zone.added"))
    assert entry.actor_id == organiser.id and entry.forum_id == forum.id
    assert entry.after == {
        "number": 4,
        "name": "Bilateral rooms",
        "categories": ["delegate", "security"],
        "events": ["MIN", "Y-ISEF"],
    }
    assert zones.openers(forum).zones_for(zones.BadgeCategory.DELEGATE, ()) == [4]


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"number": 2}, "number", "Zone 2 is Press centre already."),
        ({"number": 0}, "number", "A zone's number is from 1 to 255."),
        ({"number": 256}, "number", "A zone's number is from 1 to 255."),
        ({"name": "   "}, "name", "Give the zone a name."),
        ({"name": "press CENTRE"}, "name", "This forum already has a zone called press CENTRE."),
        ({"name": "x" * 201}, "name", "Keep the name to 200 characters."),
        ({"categories": ["vip"]}, "categories", "Choose badge categories from the list."),
        ({"event_ids": [999_999]}, "events", "ISEF2 has no such event."),
    ],
)
def test_the_rules_refuse_bad_zones(app, context, scene, changes, field, message):
    values = {"number": 4, "name": "Bilateral rooms", "categories": [], "event_ids": [], **changes}
    with pytest.raises(zones.ZoneRefused) as refused:
        zones.save_zone(current(scene.organiser), current(scene.forum), None, **values)
    assert (refused.value.field, str(refused.value)) == (field, message)


def test_another_forums_event_cannot_open_a_zone(app, context, scene):
    elsewhere = make_event(make_forum(), "ELSEWHERE")
    with pytest.raises(zones.ZoneRefused, match="ISEF2 has no such event."):
        zones.save_zone(
            current(scene.organiser),
            current(scene.forum),
            None,
            number=4,
            name="X",
            categories=[],
            event_ids=[elsewhere.id],
        )


def test_a_zone_keeps_its_own_number_and_name_when_edited(app, context, scene):
    forum, zone = current(scene.forum), current(scene.press_centre)
    zones.save_zone(
        current(scene.organiser), forum, zone, number=2, name="Press centre", categories=["press"], event_ids=[]
    )
    assert zone.categories == ["press"]
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "zone.changed"))
    assert entry.before["categories"] == ["press", "security"] and entry.after["categories"] == ["press"]


def test_only_organisers_define_zones_and_not_once_the_forum_is_archived(app, context, scene):
    forum = current(scene.forum)
    values = {"number": 4, "name": "Bilateral rooms", "categories": [], "event_ids": []}
    for outsider in (current(scene.scanner), make_user()):
        with pytest.raises(NotAllowed):
            zones.save_zone(outsider, forum, None, **values)
        with pytest.raises(NotAllowed):
            zones.delete_zone(outsider, forum, current(scene.side_room))
    forum.status = ForumStatus.ARCHIVED
    with pytest.raises(ForumArchived):
        zones.save_zone(current(scene.organiser), forum, None, **values)
    with pytest.raises(ForumArchived):
        zones.delete_zone(current(scene.organiser), forum, current(scene.side_room))
    assert db.session.scalar(select(func.count()).select_from(Zone)) == 3


def test_the_number_proposed_is_free_and_on_no_badge(app, context, scene):
    forum = current(scene.forum)
    assert zones.next_free_number(forum) == 4
    assert zones.numbers_on_badges(forum) == {1: 2, 3: 1}
    zones.delete_zone(current(scene.organiser), forum, current(scene.side_room))
    # The side-event participant's badge still carries 3: a new zone 3 would open to it.
    assert zones.next_free_number(forum) == 4
    assert zones.badges_carrying(forum, 3) == 1
    zones.delete_zone(current(scene.organiser), forum, current(scene.press_centre))
    assert zones.next_free_number(forum) == 2


def test_the_lowest_free_number_when_every_other_is_on_badges_or_none_when_all_are_taken(app, context, scene):
    forum = current(scene.forum)
    for number in range(4, 256):
        db.session.add(Zone(forum_id=forum.id, number=number, name=f"Zone {number}"))
    db.session.flush()
    assert zones.next_free_number(forum) is None
    zones.delete_zone(current(scene.organiser), forum, current(scene.side_room))
    assert zones.next_free_number(forum) == 3  # on a badge, but the only one left


def test_a_zone_with_arrivals_is_not_deleted(app, context, scene):
    forum, plenary = current(scene.forum), current(scene.plenary)
    arrive(scene, plenary)
    with pytest.raises(zones.ZoneRefused, match="1 badge has checked in at Plenary hall"):
        zones.delete_zone(current(scene.organiser), forum, plenary)
    assert zones.arrival_counts(forum) == {plenary.id: 1}


def test_a_deleted_zone_leaves_its_rooms_requiring_none(app, context, scene):
    forum, side_room = current(scene.forum), current(scene.side_room)
    room = make_room(forum, "Room 201", required_zone_id=side_room.id)
    assert zones.rooms_requiring(forum) == {side_room.id: [room]}
    zones.delete_zone(current(scene.organiser), forum, side_room)
    assert room.required_zone_id is None
    assert db.session.scalar(select(func.count()).select_from(ZoneEvent).where(ZoneEvent.zone_id == side_room.id)) == 0
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "zone.deleted"))
    assert entry.before["rooms"] == ["Room 201"] and entry.before["number"] == 3


def test_a_zone_changed_is_a_new_programme_version(app, context, scene):
    """The timetable shows the zone a room requires and is cached by the programme's version."""
    forum = current(scene.forum)
    before = forum.schedule_version
    zones.save_zone(
        current(scene.organiser),
        forum,
        current(scene.plenary),
        number=1,
        name="Main hall",
        categories=[],
        event_ids=[],
    )
    db.session.refresh(forum)
    assert forum.schedule_version > before


# -- the pages ----------------------------------------------------------------------------


def test_the_zones_page_lists_what_opens_each_and_the_rooms_that_require_it(app, client, scene):
    with committed(app):
        make_room(current(scene.forum), "Room 201", required_zone_id=scene.side_room.id)
    sign_in(client, scene.organiser)
    page = client.get("/forums/isef2/manage/zones")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Plenary hall" in text and "Press centre" in text and "Side-event room" in text
    assert "Press, Security" in text and ">MIN</abbr>" in text and ">Y-ISEF</abbr>" in text
    assert "Room 201, Main venue" in text
    assert "Badges already printed keep the zones they were printed with until they are reprinted" in text
    assert 'href="/forums/isef2/manage/zones/new"' in text and 'href="/forums/isef2/manage/scanners"' in text


def test_the_new_zone_form_proposes_the_next_free_number_and_the_forums_events(app, client, scene):
    sign_in(client, scene.organiser)
    page = client.get("/forums/isef2/manage/zones/new").get_data(as_text=True)
    assert 'name="number" required type="number" value="4"' in page
    assert '<span class="hint" id="events-hint">' in page
    assert f'name="events" value="{scene.ministerial.id}"' in page and "MIN: Test event" in page
    assert 'name="categories" value="press"' in page
    assert 'name="name_ja"' in page


def test_an_organiser_adds_a_zone_through_the_page(app, client, scene):
    sign_in(client, scene.organiser)
    response = client.post(
        "/forums/isef2/manage/zones/new",
        data={
            "number": "4",
            "name": "Bilateral rooms",
            "name_ja": "二国間会議室",
            "categories": ["delegate", "staff"],
            "events": [str(scene.ministerial.id)],
        },
    )
    assert response.status_code == 302 and response.location.endswith("/forums/isef2/manage/zones")
    assert zone_rows(app)[-1] == (4, "Bilateral rooms", ["delegate", "staff"], [scene.ministerial.id])
    with app.app_context():
        assert db.session.scalar(select(Zone.translations).where(Zone.number == 4)) == {"ja": {"name": "二国間会議室"}}
    assert audit_actions(app) == ["zone.added"]
    assert "Zone 4 Bilateral rooms is saved." in client.get("/forums/isef2/manage/zones").get_data(as_text=True)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"number": "2"}, "Zone 2 is Press centre already."),
        ({"number": "0"}, "A zone&#39;s number is from 1 to 255."),
        ({"number": "256"}, "A zone&#39;s number is from 1 to 255."),
        ({"number": ""}, "Give the zone a number from 1 to 255."),
        ({"number": "four"}, "Not a valid integer value."),
        ({"name": ""}, "Give the zone a name."),
        ({"name": "Plenary Hall"}, "This forum already has a zone called Plenary Hall."),
        ({"name": "Bad\x07name"}, ""),
        ({"name": "x" * 201}, ""),
        ({"name_ja": "x" * 201}, ""),
        ({"categories": ["vip"]}, "not a valid choice"),
        ({"events": ["999999"]}, "not a valid choice"),
        ({"events": ["MIN"]}, ""),
    ],
)
def test_bad_input_to_the_zone_form_is_a_form_error_and_writes_nothing(app, client, scene, data, message):
    sign_in(client, scene.organiser)
    before = zone_rows(app)
    response = client.post("/forums/isef2/manage/zones/new", data={"number": "4", "name": "Bilateral rooms", **data})
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert zone_rows(app) == before and audit_actions(app) == []


def test_another_forums_event_is_not_a_choice(app, client, scene):
    with committed(app):
        elsewhere = make_event(make_forum(), "ELSEWHERE")
    sign_in(client, scene.organiser)
    response = client.post(
        "/forums/isef2/manage/zones/new", data={"number": "4", "name": "X", "events": [str(elsewhere.id)]}
    )
    assert response.status_code == 422 and len(zone_rows(app)) == 3


def test_an_organiser_edits_a_zone_and_is_told_of_the_badges_a_new_number_opens_to(app, client, scene):
    sign_in(client, scene.organiser)
    url = f"/forums/isef2/manage/zones/{scene.press_centre.id}/edit"
    form = client.get(url).get_data(as_text=True)
    assert 'value="Press centre"' in form and 'name="categories" value="press" checked' in form
    # Zone 3 is deleted; the participant's badge still carries 3.
    with committed(app):
        db.session.delete(current(scene.side_room))
    response = client.post(url, data={"number": "3", "name": "Press centre", "categories": ["press"]})
    assert response.status_code == 302
    page = client.get("/forums/isef2/manage/zones").get_data(as_text=True)
    assert "1 badge printed before carries zone 3: it opens Press centre now." in page
    assert zone_rows(app)[1] == (3, "Press centre", ["press"], [])


def test_an_unknown_zone_is_a_404(app, client, scene):
    with committed(app):
        elsewhere = make_zone(make_forum(), 9, "Elsewhere")
    sign_in(client, scene.organiser)
    for zone_id in (999_999, elsewhere.id):
        assert client.get(f"/forums/isef2/manage/zones/{zone_id}/edit").status_code == 404
        assert client.post(f"/forums/isef2/manage/zones/{zone_id}/delete").status_code == 404
    assert len(zone_rows(app)) == 4


def test_an_organiser_deletes_a_zone_after_being_told_what_it_does(app, client, scene):
    with committed(app):
        make_room(current(scene.forum), "Room 201", required_zone_id=scene.side_room.id)
    sign_in(client, scene.organiser)
    url = f"/forums/isef2/manage/zones/{scene.side_room.id}/delete"
    page = client.get(url).get_data(as_text=True)
    assert "These rooms will no longer require a zone: Room 201." in page
    assert "Badges already printed keep zone 3 until they are reprinted" in page
    assert client.post(url).status_code == 302
    assert [row[0] for row in zone_rows(app)] == [1, 2]
    assert audit_actions(app) == ["zone.deleted"]
    with app.app_context():
        assert db.session.scalar(select(Room.required_zone_id).where(Room.name == "Room 201")) is None


def test_a_zone_with_arrivals_is_refused_with_the_reason(app, client, scene):
    with committed(app):
        arrive(scene, current(scene.plenary))
    sign_in(client, scene.organiser)
    url = f"/forums/isef2/manage/zones/{scene.plenary.id}/delete"
    page = client.get(url).get_data(as_text=True)
    assert "1 badge has checked in at Plenary hall: its arrivals are kept, so the zone stays." in page
    assert "<button" not in page.split("</h1>")[1]
    response = client.post(url)
    assert response.status_code == 422 and "its arrivals are kept" in response.get_data(as_text=True)
    assert len(zone_rows(app)) == 3 and audit_actions(app) == []


def test_an_archived_forums_zones_are_refused(app, client, scene):
    with committed(app):
        current(scene.forum).status = ForumStatus.ARCHIVED
    sign_in(client, scene.organiser)
    response = client.post("/forums/isef2/manage/zones/new", data={"number": "4", "name": "Bilateral rooms"})
    assert response.status_code == 422 and "is archived" in response.get_data(as_text=True)
    response = client.post(f"/forums/isef2/manage/zones/{scene.side_room.id}/delete")
    assert response.status_code == 422
    assert len(zone_rows(app)) == 3 and audit_actions(app) == []


def test_only_organisers_reach_the_zones_pages(app, client, scene):
    with committed(app):
        other_organiser = make_organiser(make_forum(), email="elsewhere@example.org")
        someone = make_user()
    urls = [
        ("GET", "/forums/isef2/manage/zones"),
        ("GET", "/forums/isef2/manage/zones/new"),
        ("POST", "/forums/isef2/manage/zones/new"),
        ("GET", f"/forums/isef2/manage/zones/{scene.plenary.id}/edit"),
        ("POST", f"/forums/isef2/manage/zones/{scene.plenary.id}/edit"),
        ("GET", f"/forums/isef2/manage/zones/{scene.side_room.id}/delete"),
        ("POST", f"/forums/isef2/manage/zones/{scene.side_room.id}/delete"),
    ]
    for person in (scene.scanner, other_organiser, someone):
        sign_in(client, person)
        for method, url in urls:
            assert client.open(url, method=method, data={"number": "4", "name": "X"}).status_code == 403, url
    assert len(zone_rows(app)) == 3


def test_the_manage_hub_links_the_zones_the_staff_and_the_scanner(app, client, scene):
    sign_in(client, scene.organiser)
    hub = client.get("/forums/isef2/manage/").get_data(as_text=True)
    for path in ("/forums/isef2/manage/zones", "/forums/isef2/manage/scanners", "/forums/isef2/scanner/"):
        assert f'href="{path}"' in hub


# -- rooms that require a zone ------------------------------------------------------------


def room_data(room, **changes):
    return {"venue": str(room.venue_id), "name": "Plenary room", "capacity": "", **changes}


@pytest.fixture
def room(app, scene):
    with committed(app):
        room = make_room(current(scene.forum), "Plenary room")
        event = current(scene.ministerial)
        make_session(event, tokyo("2018-03-03 10:00"), title="Opening plenary", room=room)
    return room


def test_an_organiser_chooses_the_zone_a_room_requires_from_the_forums(app, client, scene, room):
    sign_in(client, scene.organiser)
    url = f"/forums/isef2/manage/rooms/{room.id}/edit"
    form = client.get(url).get_data(as_text=True)
    assert f'<option value="{scene.plenary.id}">1 Plenary hall</option>' in form
    response = client.post(url, data=room_data(room, required_zone=str(scene.plenary.id)))
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(Room, room.id).required_zone_id == scene.plenary.id
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "room.saved"))
        assert entry.after["required_zone"] == 1
    assert f'<option selected value="{scene.plenary.id}">' in client.get(url).get_data(as_text=True)
    programme = client.get("/forums/isef2/manage/programme/").get_data(as_text=True)
    assert "Badge zone: 1 Plenary hall" in programme
    assert client.post(url, data=room_data(room, required_zone="0")).status_code == 302
    with app.app_context():
        assert db.session.get(Room, room.id).required_zone_id is None


def test_another_forums_zone_is_not_a_choice_for_a_room(app, client, scene, room):
    with committed(app):
        elsewhere = make_zone(make_forum(), 9, "Elsewhere")
    sign_in(client, scene.organiser)
    url = f"/forums/isef2/manage/rooms/{room.id}/edit"
    for bad in (str(elsewhere.id), "999999", "hall"):
        response = client.post(url, data=room_data(room, required_zone=bad))
        assert response.status_code == 422, bad
    with app.app_context():
        assert db.session.get(Room, room.id).required_zone_id is None


def test_the_public_programme_says_the_zone_a_room_requires(app, client, scene, room):
    with committed(app):
        current(room).required_zone_id = scene.plenary.id
        session_id = db.session.scalar(select(Session.id).where(Session.title == "Opening plenary"))
    page = client.get(f"/sessions/{session_id}").get_data(as_text=True)
    assert "Badge zone: 1 Plenary hall" in page
    timetable = client.get("/forums/isef2/timetable?day=2018-03-03").get_data(as_text=True)
    assert '<span class="zone">Badge zone: 1 Plenary hall</span>' in timetable
    assert "(Badge zone: 1 Plenary hall)" in timetable
    with committed(app):
        current(scene.plenary).name = "Main hall"
    assert "Badge zone: 1 Main hall" in client.get("/forums/isef2/timetable?day=2018-03-03").get_data(as_text=True)


def test_the_zones_cost_the_timetable_no_query(app, client, scene, room, count_queries):
    url = "/forums/isef2/timetable?day=2018-03-03"
    counts = []
    for required in (None, scene.plenary.id):
        with committed(app):
            current(room).required_zone_id = required
            for n in range(5):
                extra = make_room(current(scene.forum), f"Room {required}-{n}", required_zone_id=required)
                make_session(current(scene.ministerial), tokyo("2018-03-03 14:00"), title=f"S{n}", room=extra)
        with count_queries() as counter:
            assert client.get(url).status_code == 200
        counts.append(counter.count)
    assert counts[0] == counts[1]
