"""Personal and organiser feeds behind secret tokens: what they show, to whom, for how long."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import delete, select

from planner.accounts.models import User
from planner.calendar.models import CalendarFeedToken, FeedKind
from planner.db import utcnow
from planner.extensions import db
from planner.forums.models import ForumOrganiser
from planner.registration.models import AgendaItem, Registration, RegistrationStatus
from planner.schedule.models import Session
from tests.calendar.helpers import events, parse
from tests.conftest import sign_in
from tests.factories import committed, make_user


def register(user_id: int, event_id: int, status=RegistrationStatus.CONFIRMED) -> None:
    db.session.add(Registration(user_id=user_id, event_id=event_id, status=status))


def pick(user_id: int, *session_ids: int) -> None:
    for session_id in session_ids:
        db.session.add(AgendaItem(user_id=user_id, session_id=session_id))


def feed_url(page: str) -> str:
    match = re.search(r'value="(http://localhost/feeds/[^"]+\.ics)"', page)
    assert match, "no feed address on the page"
    return match.group(1).removeprefix("http://localhost")


def get_feed_address(client, token: str) -> str:
    sign_in(client, token)
    response = client.post("/me/calendar")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/me#calendar")
    page = client.get("/me").get_data(as_text=True)
    return feed_url(page)


@pytest.fixture
def agendas(app, programme, delegate):
    """The delegate is confirmed for the ministerial meeting only; picks include a closed
    session and one of the side event. Someone else has picks of their own."""
    user_id = delegate.id
    with committed(app):
        other = make_user(name="Ken Sato")
        register(user_id, programme.event.id)
        register(user_id, programme.side_event.id, RegistrationStatus.WAITLISTED)
        register(other.id, programme.side_event.id)
        db.session.flush()
        pick(user_id, programme.public.id, programme.closed.id, programme.cancelled.id, programme.side.id)
        pick(other.id, programme.side.id)
    return {"other": other}


def test_the_me_page_offers_a_feed_address_then_shows_it(client, programme, delegate):
    sign_in(client, delegate)
    page = client.get("/me").get_data(as_text=True)
    assert "Get my calendar address" in page
    assert "/feeds/" not in page
    url = get_feed_address(client, delegate)
    secret = url.removeprefix("/feeds/").removesuffix(".ics")
    assert len(secret) >= 22 and re.fullmatch(r"[A-Za-z0-9_-]+", secret)  # >= 128 bits in base64url
    page = client.get("/me").get_data(as_text=True)
    assert f"webcal://localhost{url}" in page
    assert "Make a new address" in page


def test_the_personal_feed_has_own_picks_and_confirmed_events_only(app, client, programme, delegate, agendas):
    url = get_feed_address(client, delegate)
    client.post("/logout")
    anonymous = app.test_client()  # a calendar app: no cookies
    response = anonymous.get(url)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert "private" in response.headers["Cache-Control"]
    found = events(response.data)
    assert set(found) == {
        f"event-{programme.event.id}@planner",  # confirmed for
        f"session-{programme.public.id}@planner",
        f"session-{programme.cancelled.id}@planner",  # cancelled, still shown as cancelled
    }
    assert found[f"session-{programme.cancelled.id}@planner"]["STATUS"] == "CANCELLED"
    body = response.get_data(as_text=True)
    assert "Heads of delegation" not in body  # closed, though picked
    assert "Youth welcome" not in body  # waitlisted for that event
    assert "Ken" not in body and "Aiko" not in body and "@example.org" not in body
    assert parse(response.data).get_missing_tzids() == set()


def test_the_other_persons_feed_shows_only_theirs(app, client, programme, delegate, agendas):
    url = get_feed_address(app.test_client(), agendas["other"])
    found = events(app.test_client().get(url).data)
    assert set(found) == {f"event-{programme.side_event.id}@planner", f"session-{programme.side.id}@planner"}


def test_making_a_new_address_kills_the_old_one_at_once(app, client, programme, delegate, agendas):
    old = get_feed_address(client, delegate)
    assert app.test_client().get(old).status_code == 200
    new = get_feed_address(client, delegate)
    assert new != old
    response = app.test_client().get(old)
    assert response.status_code == 404
    assert "does not work" in response.get_data(as_text=True)
    assert app.test_client().get(new).status_code == 200
    with app.app_context():
        assert db.session.scalar(select(db.func.count()).select_from(CalendarFeedToken)) == 1


def test_a_personal_feed_answers_304_until_the_agenda_changes(app, client, programme, delegate, agendas):
    url = get_feed_address(client, delegate)
    first = app.test_client().get(url)
    assert app.test_client().get(url, headers={"If-None-Match": first.headers["ETag"]}).status_code == 304
    # Removing a pick leaves no newer date anywhere: the ETag still sees it.
    with app.app_context():
        db.session.execute(delete(AgendaItem).where(AgendaItem.session_id == programme.cancelled.id))
        db.session.commit()
    again = app.test_client().get(
        url, headers={"If-None-Match": first.headers["ETag"], "If-Modified-Since": first.headers["Last-Modified"]}
    )
    assert again.status_code == 200
    assert f"session-{programme.cancelled.id}@planner" not in events(again.data)
    # A date alone never gets a 304 from a personal feed.
    assert app.test_client().get(url, headers={"If-Modified-Since": again.headers["Last-Modified"]}).status_code == 200


def test_a_deleted_account_has_no_feed(app, client, programme, delegate, agendas):
    url = get_feed_address(client, delegate)
    with app.app_context():
        db.session.get(User, delegate.id).deleted_at = utcnow()
        db.session.commit()
    assert app.test_client().get(url).status_code == 404


@pytest.mark.parametrize("secret", ["short", "x" * 43 + "y", "'; DROP TABLE users; --", "%00" * 15])
def test_malformed_or_unknown_secrets_are_404(client, programme, secret):
    assert client.get(f"/feeds/{secret}.ics").status_code == 404


def organiser_feed_address(client, slug: str = "isef2") -> str:
    response = client.post(f"/forums/{slug}/manage/calendar")
    assert response.status_code == 302
    return feed_url(client.get(f"/forums/{slug}/manage/calendar").get_data(as_text=True))


def test_the_organiser_feed_has_closed_sessions_and_stops_with_the_role(app, client, programme):
    organiser_id = programme.organiser.id
    sign_in(client, programme.organiser)
    assert "Organisers' calendar" in client.get("/forums/isef2/").get_data(as_text=True)
    page = client.get("/forums/isef2/manage/calendar").get_data(as_text=True)
    assert "Get my calendar address" in page
    url = organiser_feed_address(client)
    response = app.test_client().get(url)
    found = events(response.data)
    assert set(found) == {
        f"session-{i}@planner"
        for i in (programme.public.id, programme.closed.id, programme.cancelled.id, programme.side.id)
    }
    assert "private" in response.headers["Cache-Control"]
    # The personal feed is another token: making it does not touch this one.
    client.post("/me/calendar")
    assert app.test_client().get(url).status_code == 200
    with app.app_context():
        db.session.execute(delete(ForumOrganiser).where(ForumOrganiser.user_id == organiser_id))
        db.session.commit()
    assert app.test_client().get(url).status_code == 404


def test_only_organisers_get_an_organiser_feed(app, client, programme, delegate):
    sign_in(client, delegate)
    assert client.get("/forums/isef2/manage/calendar").status_code == 403
    assert client.post("/forums/isef2/manage/calendar").status_code == 403
    with app.app_context():
        assert db.session.scalar(select(CalendarFeedToken).where(CalendarFeedToken.kind == FeedKind.ORGANISER)) is None


def test_an_empty_personal_feed_is_a_valid_calendar(app, client, programme, delegate):
    """Nothing picked and no event confirmed: the feed still holds one component (the UTC
    VTIMEZONE), so calendar apps subscribe instead of refusing an empty VCALENDAR."""
    url = get_feed_address(client, sign_in(client, delegate))
    body = client.get(url).data
    calendar = parse(body)
    assert [c.name for c in calendar.subcomponents] == ["VTIMEZONE"]
    assert calendar.walk("VEVENT") == []
    import vobject

    assert vobject.readOne(body.decode()).vtimezone.tzid.value == "UTC"


def test_a_japanese_delegates_feed_says_the_languages_in_japanese(app, client, programme, delegate, agendas):
    with app.app_context():
        public = db.session.get(Session, programme.public.id)
        public.spoken_language, public.interpretation = "en", ["ja"]
        db.session.get(User, delegate.id).language = "ja"
        db.session.commit()
    url = get_feed_address(client, delegate)
    found = events(app.test_client().get(url).data)
    opening = found[f"session-{programme.public.id}@planner"]
    assert opening["SUMMARY"].params["LANGUAGE"] == "en"
    assert str(opening["DESCRIPTION"]) == "言語：英語（日本語通訳あり）"
