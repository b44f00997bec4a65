"""The feeds over HTTP: content, headers, conditional requests, what changes them."""

from __future__ import annotations

import datetime as dt

import pytest

from planner.extensions import db
from planner.forums.models import Forum
from planner.schedule.models import Session, SessionStatus
from tests.calendar.helpers import events, parse, vobject_events
from tests.conftest import sign_in
from tests.factories import committed, tokyo

FEEDS = ["/forums/isef2/calendar.ics", "/forums/isef2/events/MINISTERIAL/calendar.ics"]


def uid(session_id: int) -> str:
    return f"session-{session_id}@planner"


@pytest.mark.parametrize("url", [*FEEDS, "session"])
def test_feeds_are_utf8_calendars_with_a_filename(client, programme, url):
    url = f"/sessions/{programme.public.id}/calendar.ics" if url == "session" else url
    response = client.get(url)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert response.headers["Content-Disposition"].startswith('attachment; filename="isef2')
    assert response.headers["Content-Disposition"].endswith('.ics"')
    assert response.headers["ETag"]
    assert response.headers["Last-Modified"]
    assert parse(response.data)["METHOD"] == "PUBLISH"


def test_the_forum_feed_has_public_and_cancelled_sessions_but_no_closed_ones(client, programme):
    found = events(client.get("/forums/isef2/calendar.ics").data)
    assert set(found) == {uid(programme.public.id), uid(programme.cancelled.id), uid(programme.side.id)}
    assert found[uid(programme.cancelled.id)]["STATUS"] == "CANCELLED"
    assert found[uid(programme.cancelled.id)]["SUMMARY"] == "Cancelled: Press conference"
    opening = found[uid(programme.public.id)]
    assert opening["STATUS"] == "CONFIRMED"
    assert opening["LOCATION"] == "Hall A, Main venue"
    assert opening["URL"] == f"http://localhost/sessions/{programme.public.id}"
    assert opening.categories == ["MINISTERIAL"]
    assert found[uid(programme.side.id)].categories == ["Y-ISEF"]
    # RFC 5546 PUBLISH names an organizer; a feed names no attendee at all.
    assert opening["ORGANIZER"] == "mailto:noreply@localhost"
    assert opening["ORGANIZER"].params["CN"] == "ISEF2"
    assert "ATTENDEE" not in opening
    assert "Heads of delegation" not in client.get("/forums/isef2/calendar.ics").get_data(as_text=True)


def test_the_event_feed_has_only_that_events_sessions(client, programme):
    found = events(client.get("/forums/isef2/events/MINISTERIAL/calendar.ics").data)
    assert set(found) == {uid(programme.public.id), uid(programme.cancelled.id)}
    calendar = vobject_events(client.get("/forums/isef2/events/Y-ISEF/calendar.ics").data)
    assert set(calendar) == {uid(programme.side.id)}


def test_a_closed_session_has_no_public_feed(client, programme):
    response = client.get(f"/sessions/{programme.closed.id}/calendar.ics")
    assert response.status_code == 404
    assert "no public session" in response.get_data(as_text=True)
    assert client.get("/forums/nowhere/calendar.ics").status_code == 404
    assert client.get("/forums/isef2/events/NOPE/calendar.ics").status_code == 404


def test_an_event_code_in_another_letter_case_redirects(client, programme):
    response = client.get("/forums/isef2/events/ministerial/calendar.ics")
    assert response.status_code == 301
    assert response.headers["Location"].endswith("/forums/isef2/events/MINISTERIAL/calendar.ics")


def test_an_unchanged_feed_is_byte_for_byte_identical(app, client, programme):
    first = client.get("/forums/isef2/calendar.ics")
    with app.app_context():
        from planner.extensions import cache

        cache.clear()  # built again from the database, not served from the cache
    second = client.get("/forums/isef2/calendar.ics")
    assert second.data == first.data
    assert second.headers["ETag"] == first.headers["ETag"]


def move(app, session_id: int, **changes) -> None:
    with app.app_context():
        session = db.session.get(Session, session_id)
        for name, value in changes.items():
            setattr(session, name, value)
        db.session.commit()


def test_moving_a_session_raises_sequence_keeps_the_uid_and_changes_the_feed(app, client, programme):
    before = client.get("/forums/isef2/calendar.ics")
    old = events(before.data)[uid(programme.public.id)]
    move(app, programme.public.id, starts_at=tokyo("2018-03-03 10:00"), ends_at=tokyo("2018-03-03 11:00"))
    after = client.get("/forums/isef2/calendar.ics")
    assert after.headers["ETag"] != before.headers["ETag"]
    new = events(after.data)[uid(programme.public.id)]
    assert new["SEQUENCE"] > old["SEQUENCE"]
    assert new["DTSTART"].dt == tokyo("2018-03-03 10:00")
    assert new["LAST-MODIFIED"].dt >= old["LAST-MODIFIED"].dt
    assert len(events(after.data)) == len(events(before.data))


def test_cancelling_a_session_keeps_it_in_the_feed_as_cancelled(app, client, programme):
    old = events(client.get("/forums/isef2/calendar.ics").data)[uid(programme.public.id)]
    move(app, programme.public.id, status=SessionStatus.CANCELLED)
    new = events(client.get("/forums/isef2/calendar.ics").data)[uid(programme.public.id)]
    assert new["STATUS"] == "CANCELLED"
    assert new["SEQUENCE"] == old["SEQUENCE"] + 1


def test_a_change_in_one_forum_leaves_the_other_forums_feed_alone(app, client, programme):
    ours = client.get("/forums/isef2/calendar.ics").headers["ETag"]
    theirs = client.get("/forums/other/calendar.ics").headers["ETag"]
    move(app, programme.other.id, title="Elsewhere, renamed")
    assert client.get("/forums/isef2/calendar.ics").headers["ETag"] == ours
    assert client.get("/forums/other/calendar.ics").headers["ETag"] != theirs
    assert "renamed" in client.get("/forums/other/calendar.ics").get_data(as_text=True)


def test_a_change_gives_a_new_etag_to_exactly_the_feeds_that_show_it(app, client, programme):
    """A side-event session moves: its own feed, its event's and the forum's change; the
    ministerial meeting's feed and its sessions' feeds keep their ETags, so calendar apps
    that subscribed to them get a 304 and download nothing."""
    urls = {
        "forum": "/forums/isef2/calendar.ics",
        "side event": "/forums/isef2/events/Y-ISEF/calendar.ics",
        "moved session": f"/sessions/{programme.side.id}/calendar.ics",
        "other event": "/forums/isef2/events/MINISTERIAL/calendar.ics",
        "other session": f"/sessions/{programme.public.id}/calendar.ics",
    }
    before = {name: client.get(url).headers["ETag"] for name, url in urls.items()}
    move(app, programme.side.id, title="Young professionals, renamed")
    after = {name: client.get(url).headers["ETag"] for name, url in urls.items()}
    changed = {name for name in urls if after[name] != before[name]}
    assert changed == {"forum", "side event", "moved session"}
    untouched = client.get(urls["other event"], headers={"If-None-Match": before["other event"]})
    assert untouched.status_code == 304


def test_renaming_a_room_changes_the_feeds_that_show_it(app, client, programme):
    before = client.get(f"/sessions/{programme.public.id}/calendar.ics").headers["ETag"]
    with app.app_context():
        session = db.session.get(Session, programme.public.id)
        session.room.name = "Hall B"
        db.session.commit()
    response = client.get(f"/sessions/{programme.public.id}/calendar.ics")
    assert response.headers["ETag"] != before
    assert events(response.data)[uid(programme.public.id)]["LOCATION"] == "Hall B, Main venue"


@pytest.mark.parametrize("url", FEEDS)
def test_a_conditional_get_with_the_etag_gets_304_without_a_body(client, programme, url):
    first = client.get(url)
    again = client.get(url, headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304
    assert again.data == b""
    assert again.headers["ETag"] == first.headers["ETag"]
    stale = client.get(url, headers={"If-None-Match": '"something-else"'})
    assert stale.status_code == 200 and stale.data == first.data


def test_a_conditional_get_by_date_gets_304_until_the_programme_changes(app, client, programme):
    with app.app_context():  # the last change an hour ago: the edit below is surely later
        forum = db.session.get(Forum, programme.forum.id)
        forum.updated_at = forum.updated_at - dt.timedelta(hours=1)
        db.session.commit()
    since = client.get("/forums/isef2/calendar.ics").headers["Last-Modified"]
    assert client.get("/forums/isef2/calendar.ics", headers={"If-Modified-Since": since}).status_code == 304
    move(app, programme.public.id, title="Opening plenary, renamed")
    assert client.get("/forums/isef2/calendar.ics", headers={"If-Modified-Since": since}).status_code == 200


def test_an_old_etag_after_a_change_gets_the_new_feed(app, client, programme):
    first = client.get("/forums/isef2/calendar.ics")
    move(app, programme.public.id, title="Renamed opening")
    response = client.get("/forums/isef2/calendar.ics", headers={"If-None-Match": first.headers["ETag"]})
    assert response.status_code == 200
    assert "Renamed opening" in response.get_data(as_text=True)


def test_head_gives_the_headers_without_the_body(client, programme):
    get = client.get("/forums/isef2/calendar.ics")
    head = client.head("/forums/isef2/calendar.ics")
    assert head.status_code == 200
    assert head.data == b""
    assert head.headers["ETag"] == get.headers["ETag"]
    assert head.headers["Content-Length"] == str(len(get.data))
    assert head.headers["Content-Type"] == "text/calendar; charset=utf-8"


def test_a_programme_change_raises_the_forums_last_modified(app, client, programme):
    first = client.get("/forums/isef2/calendar.ics").last_modified
    with app.app_context():
        forum = db.session.get(Forum, programme.forum.id)
        forum.updated_at = forum.updated_at - dt.timedelta(hours=1)
        db.session.commit()
    move(app, programme.public.id, title="Opening, again")
    assert client.get("/forums/isef2/calendar.ics").last_modified >= first


def test_last_modified_stays_while_a_feeds_bytes_do_not_change(app, client, programme):
    """A change to another event raises the forum's version and date; the event feed it
    does not touch keeps its bytes, its ETag and its Last-Modified."""
    before = client.get("/forums/isef2/events/MINISTERIAL/calendar.ics")
    side = client.get("/forums/isef2/events/Y-ISEF/calendar.ics")
    with app.app_context():
        forum = db.session.get(Forum, programme.forum.id)
        forum.updated_at = forum.updated_at - dt.timedelta(hours=1)  # the feeds were read long ago
        db.session.commit()
    client.get("/forums/isef2/events/MINISTERIAL/calendar.ics")
    before = client.get("/forums/isef2/events/MINISTERIAL/calendar.ics")
    move(app, programme.side.id, title="Youth welcome, again")  # Y-ISEF, not MINISTERIAL
    after = client.get("/forums/isef2/events/MINISTERIAL/calendar.ics")
    assert after.data == before.data and after.headers["ETag"] == before.headers["ETag"]
    assert after.last_modified == before.last_modified
    assert client.get("/forums/isef2/events/Y-ISEF/calendar.ics").headers["ETag"] != side.headers["ETag"]


def test_public_feeds_do_not_vary_on_the_cookie(app, client, programme, delegate):
    sign_in(client, delegate)
    for url in (
        "/forums/isef2/calendar.ics",
        "/forums/isef2/events/MINISTERIAL/calendar.ics",
        f"/sessions/{programme.public.id}/calendar.ics",
    ):
        response = client.get(url)
        assert response.status_code == 200
        assert "Cookie" not in response.headers.get("Vary", ""), url
        assert "Set-Cookie" not in response.headers, url
    # Pages still vary: they show who is signed in.
    assert "Cookie" in client.get("/me").headers.get("Vary", "")


def test_a_feed_is_built_once_and_then_served_from_the_cache(app, client, programme, count_queries):
    client.get("/forums/isef2/calendar.ics")
    with count_queries() as counter:
        response = client.get("/forums/isef2/calendar.ics")
    assert response.status_code == 200
    selects = [s for s in counter.statements if s.startswith("SELECT")]
    assert len(selects) == 1 and "FROM forums" in selects[0], selects  # the version; no sessions


@pytest.mark.commits
def test_another_process_agrees_on_the_current_feed(app, client, programme, database_url):
    from planner import create_app

    other_process = create_app({"ENV": "testing", "SQLALCHEMY_DATABASE_URI": database_url})
    other = other_process.test_client()  # its own SimpleCache, as another gunicorn worker has
    assert (
        other.get("/forums/isef2/calendar.ics").headers["ETag"]
        == client.get("/forums/isef2/calendar.ics").headers["ETag"]
    )
    move(app, programme.public.id, title="Changed in the first process")
    response = other.get("/forums/isef2/calendar.ics")
    assert response.headers["ETag"] == client.get("/forums/isef2/calendar.ics").headers["ETag"]
    assert "Changed in the first process" in response.get_data(as_text=True)
    with other_process.app_context():
        db.session.remove()
        db.engine.dispose()


def test_a_title_with_line_breaks_stays_one_property_in_the_feed(app, client, programme):
    move(app, programme.public.id, title="Opening\r\nSTATUS:CANCELLED\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nUID:x 開会")
    found = events(client.get("/forums/isef2/calendar.ics").data)
    assert "x 開会" not in found
    opening = found[uid(programme.public.id)]
    assert opening["STATUS"] == "CONFIRMED"
    assert opening["SUMMARY"] == "Opening\nSTATUS:CANCELLED\nEND:VEVENT\nBEGIN:VEVENT\nUID:x 開会"
    assert len(vobject_events(client.get("/forums/isef2/calendar.ics").data)) == len(found)


def test_a_forum_without_sessions_still_gets_a_calendar_with_its_zone(app, client):
    from tests.factories import make_forum

    with committed(app):
        make_forum(slug="empty", timezone="Europe/Berlin")
    response = client.get("/forums/empty/calendar.ics")
    assert response.status_code == 200
    calendar = parse(response.data)
    assert calendar.walk("VEVENT") == []
    assert [str(t["TZID"]) for t in calendar.walk("VTIMEZONE")] == ["Europe/Berlin"]  # one component at least
    assert calendar["X-WR-TIMEZONE"] == "Europe/Berlin"


def test_a_feed_says_the_language_spoken_and_the_interpretation(app, client, programme):
    with app.app_context():
        public = db.session.get(Session, programme.public.id)
        public.description = "Statements by heads of delegation."
        public.spoken_language, public.interpretation = "en", ["ja", "fr"]
        side = db.session.get(Session, programme.side.id)
        side.spoken_language = "ja"
        db.session.commit()
    body = client.get("/forums/isef2/calendar.ics").data
    found = events(body)
    opening, youth = found[uid(programme.public.id)], found[uid(programme.side.id)]
    assert opening["SUMMARY"].params["LANGUAGE"] == "en" and youth["SUMMARY"].params["LANGUAGE"] == "ja"
    assert str(opening["DESCRIPTION"]) == (
        "Statements by heads of delegation.\n\nLanguage: English, with Japanese and French interpretation"
    )
    assert str(youth["DESCRIPTION"]) == "Language: Japanese"
    assert "LANGUAGE" not in str(found[uid(programme.cancelled.id)]["SUMMARY"].params)
    read = vobject_events(body)[uid(programme.public.id)]
    assert read.summary.params["LANGUAGE"] == ["en"]
    assert read.description.value.endswith("Language: English, with Japanese and French interpretation")
    assert parse(body).get_missing_tzids() == set()
    # A change of language is a new revision: clients replace what they showed.
    assert opening["SEQUENCE"] == 2
