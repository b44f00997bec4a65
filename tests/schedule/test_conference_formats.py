"""schedule.json and schedule.xml: valid against the c3voc schemas, stable guids, caching.

The schemas are read from ``../shared/schemas/c3voc/`` beside the checkout (CI has it), never
copied into the project.
"""

from __future__ import annotations

import datetime as dt
import gzip
import json
import uuid
from functools import lru_cache
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

import jsonschema
import pytest
import xmlschema
from sqlalchemy import select

from planner.calendar.services import uid_domain
from planner.demo.seed import load_isef2
from planner.demo.synthetic import load_synthetic_forum
from planner.extensions import cache, db
from planner.forums.models import Forum
from planner.schedule import conference_formats
from planner.schedule.models import ParticipantRole, Session, SessionStatus
from tests.factories import (
    add_participant,
    committed,
    current,
    make_event,
    make_forum,
    make_person,
    make_programme,
    make_room,
    make_session,
    tokyo,
)

SCHEMAS = Path(__file__).parents[2].parent / "shared/schemas/c3voc"
URLS = ("/forums/{slug}/schedule.json", "/forums/{slug}/schedule.xml")
JAPANESE_TITLE = "宇宙探査の国際協力：開会式 & <議論>"


@lru_cache(maxsize=1)
def json_validator() -> jsonschema.Draft6Validator:
    schema = json.loads((SCHEMAS / "schema2.json").read_text(encoding="utf-8"))
    jsonschema.Draft6Validator.check_schema(schema)
    return jsonschema.Draft6Validator(schema, format_checker=jsonschema.Draft6Validator.FORMAT_CHECKER)


@lru_cache(maxsize=1)
def xml_schema() -> xmlschema.XMLSchema:
    return xmlschema.XMLSchema(str(SCHEMAS / "schedule.xml.xsd"))


def valid_json(body: bytes) -> dict[str, Any]:
    document = json.loads(body.decode("utf-8"))
    problems = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in json_validator().iter_errors(document)]
    assert not problems, problems[:5]
    return document


def valid_xml(body: bytes) -> ET.Element:
    problems = [str(e)[:400] for e in xml_schema().iter_errors(body.decode("utf-8"))]
    assert not problems, problems[:3]
    return ET.fromstring(body)


def guid_of(session_id: int) -> str:
    return str(uuid.uuid5(conference_formats.NAMESPACE, f"planner/sessions/{session_id}"))


def json_events(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {event["guid"]: event for event in document["schedule"]["events"]}


def xml_events(root: ET.Element) -> dict[str, tuple[ET.Element, ET.Element, ET.Element]]:
    """Each event by guid, with its day and room."""
    return {
        event.get("guid", ""): (day, room, event)
        for day in root.iter("day")
        for room in day.iter("room")
        for event in room.iter("event")
    }


def change(app, session_id: int, **changes: Any) -> None:
    with app.app_context():
        session = db.session.get_one(Session, session_id)
        for name, value in changes.items():
            setattr(session, name, value)
        db.session.commit()


def across_midnight_and_in_japanese(app, slug: str) -> tuple[int, int]:
    """Give one session of ``slug`` a Japanese title and move another to 23:30-00:30 on the
    forum's first day; their ids."""
    with app.app_context():
        forum = db.session.scalars(select(Forum).where(Forum.slug == slug)).one()
        first, second = db.session.scalars(
            select(Session.id).join(Session.event).where(Session.is_public.is_(True)).order_by(Session.id).limit(2)
        ).all()
        late = dt.datetime.combine(forum.first_day, dt.time(23, 30), tzinfo=forum.zone)
    change(app, first, title=JAPANESE_TITLE)
    change(app, second, starts_at=late, ends_at=late + dt.timedelta(hours=1))
    return first, second


@pytest.fixture
def isef2(app) -> Forum:
    with committed(app):
        forum = load_isef2()
    assert forum is not None
    return forum


@pytest.fixture
def programme(app):
    """A small forum: a public session with a chair, a closed one, a cancelled one, one without a room."""
    with committed(app):
        programme = make_programme(code="MINISTERIAL", title="Ministerial meeting")
        programme.room("hall", "Hall A")
        programme.session("public", "Opening plenary", "2018-03-03 09:00", room="hall")
        programme.session("closed", "Heads of delegation only", "2018-03-03 11:00", is_public=False)
        programme.session("cancelled", "Press conference", "2018-03-03 14:00", status=SessionStatus.CANCELLED)
        programme.session("unplaced", "Side meeting", "2018-03-02 16:00")
    return programme


# Valid against the schemas ------------------------------------------------------------------


def test_isef2_validates_in_both_formats_with_japanese_and_a_session_across_midnight(app, client, isef2):
    japanese, late = across_midnight_and_in_japanese(app, "isef2")
    document = valid_json(client.get("/forums/isef2/schedule.json").data)
    root = valid_xml(client.get("/forums/isef2/schedule.xml").data)
    assert json_events(document)[guid_of(japanese)]["title"] == JAPANESE_TITLE
    assert xml_events(root)[guid_of(late)][2].findtext("start") == "23:30"
    # Every public session is there, in both.
    with app.app_context():
        public = db.session.scalar(select(db.func.count()).select_from(Session).where(Session.is_public.is_(True)))
    assert len(document["schedule"]["events"]) == len(xml_events(root)) == public


def test_isef2_in_japanese_validates_and_keeps_its_japanese_intact(client, isef2):
    headers = {"Accept-Language": "ja"}
    body = client.get("/forums/isef2/schedule.json", headers=headers).data
    document = valid_json(body)
    titles = [event["title"] for event in document["schedule"]["events"]]
    assert "開会と趣旨説明" in titles
    assert "開会と趣旨説明".encode() in body  # UTF-8, not \u escapes
    xml_body = client.get("/forums/isef2/schedule.xml", headers=headers).data
    root = valid_xml(xml_body)
    assert "開会と趣旨説明" in [event.findtext("title") for _, _, event in xml_events(root).values()]
    assert xml_body.startswith(b"<?xml version='1.0' encoding='utf-8'?>")


def test_the_1000_session_forum_validates_in_both_formats(app, client):
    with committed(app):
        load_synthetic_forum("synthetic", 1000, days=4, rooms=12)
    japanese, late = across_midnight_and_in_japanese(app, "synthetic")
    document = valid_json(client.get("/forums/synthetic/schedule.json").data)
    root = valid_xml(client.get("/forums/synthetic/schedule.xml").data)
    assert len(document["schedule"]["events"]) == len(xml_events(root)) == 1000
    assert [day["date"] for day in document["schedule"]["conference"]["days"]] == [
        "2030-03-01",
        "2030-03-02",
        "2030-03-03",
        "2030-03-04",
    ]
    assert len(document["schedule"]["conference"]["rooms"]) == 12
    assert json_events(document)[guid_of(japanese)]["title"] == JAPANESE_TITLE
    assert xml_events(root)[guid_of(late)][0].get("date") == "2030-03-01"


# What the formats say ---------------------------------------------------------------------------


def test_a_session_across_midnight_belongs_to_the_day_it_starts_on(app, client, programme):
    start = tokyo("2018-03-01 23:30")
    change(app, programme.public.id, starts_at=start, ends_at=start + dt.timedelta(hours=1))
    guid = guid_of(programme.public.id)

    document = valid_json(client.get("/forums/isef2/schedule.json").data)
    event = json_events(document)[guid]
    assert (event["start"], event["end"]) == ("2018-03-01T23:30:00+09:00", "2018-03-02T00:30:00+09:00")
    days = {day["date"]: day for day in document["schedule"]["conference"]["days"]}
    # The day it starts on ends when it does; the next day still starts at midnight.
    assert days["2018-03-01"]["end"] == "2018-03-02T00:30:00+09:00"
    assert days["2018-03-02"]["start"] == "2018-03-02T00:00:00+09:00"

    day, room, element = xml_events(valid_xml(client.get("/forums/isef2/schedule.xml").data))[guid]
    assert day.get("date") == "2018-03-01"
    assert day.get("end") == "2018-03-02T00:30:00+09:00"
    assert room.get("name") == "Hall A" == element.findtext("room")
    assert element.findtext("date") == "2018-03-01T23:30:00+09:00"
    assert (element.findtext("start"), element.findtext("duration")) == ("23:30", "01:00")


def test_closed_sessions_are_absent_and_cancelled_ones_are_flagged(client, programme):
    json_body = client.get("/forums/isef2/schedule.json").data
    xml_body = client.get("/forums/isef2/schedule.xml").data
    for body in (json_body, xml_body):
        assert b"Heads of delegation" not in body
    found = json_events(valid_json(json_body))
    assert guid_of(programme.closed.id) not in found
    assert found[guid_of(programme.cancelled.id)]["state"] == "CANCELED"
    assert found[guid_of(programme.cancelled.id)]["title"] == "Press conference"
    assert found[guid_of(programme.public.id)]["state"] == "CONFIRMED"
    events = xml_events(valid_xml(xml_body))
    assert guid_of(programme.closed.id) not in events
    assert events[guid_of(programme.cancelled.id)][2].findtext("title") == "Cancelled: Press conference"


def test_a_session_shows_its_time_room_type_language_people_and_link(app, client, programme):
    with committed(app):
        session = current(programme.public)
        person = make_person(name="Aiko Tanaka", email="aiko@example.org")
        add_participant(session, person, ParticipantRole.CHAIR)
        session.spoken_language = "ja"
        person_id = person.id
    event = json_events(valid_json(client.get("/forums/isef2/schedule.json").data))[guid_of(programme.public.id)]
    url = f"http://localhost/sessions/{programme.public.id}"
    assert event["start"] == "2018-03-03T09:00:00+09:00" and event["end"] == "2018-03-03T10:00:00+09:00"
    assert event["room"]["name"] == "Hall A"
    assert event["type"] == "DISCUSSION"  # a panel
    assert event["language"] == "ja"
    assert event["url"] == url and event["links"] == [{"type": "WEB", "url": url, "title": "Session page"}]
    assert event["participants"] == [
        {"name": "Aiko Tanaka", "role": "MODERATOR", "guid": conference_formats.person_guid(person_id, "planner")}
    ]
    assert event["track"] == {"slug": "ministerial"}
    assert event["slug"] == f"isef2-{programme.public.id}-opening-plenary"

    _, _, element = xml_events(valid_xml(client.get("/forums/isef2/schedule.xml").data))[guid_of(programme.public.id)]
    assert element.get("id") == str(programme.public.id)
    assert [(p.text, p.get("id")) for p in element.iter("person")] == [("Aiko Tanaka", str(person_id))]
    assert b"aiko@example.org" not in client.get("/forums/isef2/schedule.xml").data  # public names only
    assert element.findtext("url") == url
    assert element.find("links/link").get("href") == url  # type: ignore[union-attr]
    assert (element.findtext("type"), element.findtext("language")) == ("panel", "ja")


def test_a_session_without_a_room_is_in_a_room_to_be_announced(client, programme):
    found = json_events(valid_json(client.get("/forums/isef2/schedule.json").data))
    assert found[guid_of(programme.unplaced.id)]["room"]["name"] == "Room to be announced"
    _, room, _ = xml_events(valid_xml(client.get("/forums/isef2/schedule.xml").data))[guid_of(programme.unplaced.id)]
    assert room.get("name") == "Room to be announced"


def test_markup_and_control_characters_in_titles_stay_valid(app, client, programme):
    change(app, programme.public.id, title='R&D <panel> "quoted" \x07bell\x0b', description="a]]>b\x01")
    json_body = client.get("/forums/isef2/schedule.json").data
    assert json_events(valid_json(json_body))[guid_of(programme.public.id)]["title"] == 'R&D <panel> "quoted" bell'
    events = xml_events(valid_xml(client.get("/forums/isef2/schedule.xml").data))
    element = events[guid_of(programme.public.id)][2]
    assert element.findtext("title") == 'R&D <panel> "quoted" bell'
    assert element.findtext("abstract") == "a]]>b"


def test_a_forum_whose_slug_has_hyphens_gets_a_valid_acronym(app, client):
    with committed(app):
        forum = make_forum(slug="ab-c", name="ABC")
        make_session(make_event(forum, "X"), tokyo("2018-03-01 10:00"), room=make_room(forum, "会議室"))
    document = valid_json(client.get("/forums/ab-c/schedule.json").data)
    assert document["schedule"]["conference"]["acronym"] == "ab_c"
    assert document["schedule"]["conference"]["tracks"][0]["slug"].startswith("event-")
    valid_xml(client.get("/forums/ab-c/schedule.xml").data)


# Stable guids -----------------------------------------------------------------------------------


def test_guids_are_stable_across_builds_and_after_an_edit(app, client, programme):
    first = json_events(valid_json(client.get("/forums/isef2/schedule.json").data))
    with app.app_context():
        cache.clear()  # built again from scratch
    second = json_events(valid_json(client.get("/forums/isef2/schedule.json").data))
    assert set(first) == set(second)
    guid = guid_of(programme.public.id)
    assert guid in first
    change(
        app,
        programme.public.id,
        title="Opening plenary (moved)",
        starts_at=tokyo("2018-03-02 09:00"),
        ends_at=tokyo("2018-03-02 10:00"),
    )
    after = json_events(valid_json(client.get("/forums/isef2/schedule.json").data))
    assert set(after) == set(first)
    assert after[guid]["title"] == "Opening plenary (moved)"
    assert xml_events(valid_xml(client.get("/forums/isef2/schedule.xml").data))[guid][0].get("date") == "2018-03-02"


def test_a_guid_is_a_uuid5_of_the_calendar_uid_domain_and_the_session_id(app):
    with app.app_context():
        assert conference_formats.session_guid(12, uid_domain()) == guid_of(12)
    assert uuid.UUID(guid_of(12)).version == 5
    assert conference_formats.session_guid(12, "planner.example.org") != guid_of(12)


# HTTP: types, caching, conditional requests -----------------------------------------------------


@pytest.mark.parametrize(
    ("url", "content_type"),
    [(URLS[0], "application/json"), (URLS[1], "application/xml; charset=utf-8")],
)
def test_the_formats_are_public_typed_and_readable_from_any_site(client, programme, url, content_type):
    response = client.get(url.format(slug="isef2"))
    assert response.status_code == 200
    assert response.headers["Content-Type"] == content_type
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert response.headers["ETag"].startswith('W/"')
    assert response.headers["Last-Modified"]
    assert "no-cache" in response.headers["Cache-Control"] and "public" in response.headers["Cache-Control"]
    assert "Set-Cookie" not in response.headers and "Cookie" not in response.headers.get("Vary", "")


@pytest.mark.parametrize("url", URLS)
def test_an_unknown_forum_is_a_404_that_says_so(client, url):
    response = client.get(url.format(slug="nowhere"))
    assert response.status_code == 404


@pytest.mark.parametrize("url", URLS)
def test_a_conditional_get_is_304_until_the_programme_changes(app, client, programme, url):
    url = url.format(slug="isef2")
    first = client.get(url)
    etag = first.headers["ETag"]
    again = client.get(url, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    assert again.headers["ETag"] == etag
    # A strong comparison by a client that drops the W/ is still the same representation.
    assert client.get(url, headers={"If-None-Match": etag.removeprefix("W/")}).status_code == 304
    by_date = client.get(url, headers={"If-Modified-Since": first.headers["Last-Modified"]})
    assert by_date.status_code == 304

    change(app, programme.public.id, title="Opening plenary, renamed")
    changed = client.get(url, headers={"If-None-Match": etag})
    assert changed.status_code == 200
    assert changed.headers["ETag"] != etag
    assert b"Opening plenary, renamed" in changed.data
    assert client.get(url, headers={"If-None-Match": changed.headers["ETag"]}).status_code == 304


@pytest.mark.parametrize("url", URLS)
def test_apps_that_ask_for_gzip_get_the_same_content_compressed_under_the_same_etag(client, programme, url):
    url = url.format(slug="isef2")
    plain = client.get(url)
    compressed = client.get(url, headers={"Accept-Encoding": "gzip, deflate"})
    assert compressed.headers["Content-Encoding"] == "gzip"
    assert "Content-Encoding" not in plain.headers
    assert gzip.decompress(compressed.data) == plain.data
    assert len(compressed.data) < len(plain.data)
    assert compressed.headers["ETag"] == plain.headers["ETag"]
    for response in (plain, compressed):
        assert "Accept-Encoding" in response.headers["Vary"]
    revalidated = client.get(url, headers={"Accept-Encoding": "gzip", "If-None-Match": plain.headers["ETag"]})
    assert revalidated.status_code == 304 and "Content-Encoding" not in revalidated.headers
    assert "Content-Encoding" not in client.get(url, headers={"Accept-Encoding": "gzip;q=0"}).headers


@pytest.mark.parametrize("url", URLS)
def test_head_gives_the_headers_without_the_body(client, programme, url):
    response = client.head(url.format(slug="isef2"))
    assert response.status_code == 200 and response.data == b""
    assert response.headers["ETag"]


@pytest.mark.parametrize("url", URLS)
def test_a_cached_answer_costs_one_narrow_query_however_many_sessions(app, client, count_queries, url):
    """The cold build reads a fixed number of queries, and the cached answer one, for a forum of
    10 sessions and one of 200 alike."""
    with committed(app):
        load_synthetic_forum("small", 10, days=1, rooms=2)
        load_synthetic_forum("large", 200, days=2, rooms=12)
    cold, cached = {}, {}
    for slug in ("small", "large"):
        with count_queries() as counter:
            assert client.get(url.format(slug=slug)).status_code == 200
        cold[slug] = [s for s in counter.statements if s.startswith("SELECT")]
        with count_queries() as counter:
            assert client.get(url.format(slug=slug)).status_code == 200
        cached[slug] = [s for s in counter.statements if s.startswith("SELECT")]
    assert len(cold["small"]) == len(cold["large"]), cold
    for selects in cached.values():
        assert len(selects) == 1 and "FROM forums" in selects[0], selects  # the version; no sessions


# The forum page links to both -------------------------------------------------------------------


def test_the_forum_page_links_to_both_formats(client, programme):
    page = client.get("/forums/isef2/").get_data(as_text=True)
    assert "For conference apps:" in page
    assert 'href="http://localhost/forums/isef2/schedule.json"' in page
    assert 'href="http://localhost/forums/isef2/schedule.xml"' in page
    japanese = client.get("/forums/isef2/?lang=ja").get_data(as_text=True)
    assert 'href="http://localhost/forums/isef2/schedule.json?lang=ja"' in japanese
