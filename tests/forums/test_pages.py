"""Public home, forum and event pages."""

import datetime as dt

import pytest

from planner.delegations.models import DelegationKind
from planner.forums.models import ForumStatus
from tests.factories import committed, make_delegation, make_event, make_forum, make_isef2, make_session, tokyo


@pytest.fixture
def isef2(app):
    with committed(app):
        forum = make_isef2(
            title="2nd International Space Exploration Forum",
            status=ForumStatus.ARCHIVED,
            description="Ministerial meeting on space exploration.",
        )
        # 00:30 on 28 February in Tokyo is still 27 February in UTC.
        make_event(
            forum,
            "Y-ISEF",
            title="Young Professionals ISEF",
            audience="Aged 18 to 35.",
            starts_at=tokyo("2018-02-28 00:30"),
            ends_at=tokyo("2018-03-01 18:00"),
        )
        ministerial = make_event(
            forum,
            "MINISTERIAL",
            title="Ministerial meeting",
            starts_at=tokyo("2018-03-03 09:00"),
            ends_at=tokyo("2018-03-03 18:00"),
        )
        make_session(ministerial, tokyo("2018-03-03 09:00"), 30, title="Opening ceremony")
        make_session(ministerial, tokyo("2018-03-03 12:45"), 60, title="Closed bilaterals", is_public=False)
        make_delegation(forum, name="Japan", kind=DelegationKind.COUNTRY, country_code="JP", space_agency="JAXA")
        make_delegation(forum, name="European Space Agency", space_agency="ESA")
        make_delegation(forum, name="European Union")


def test_home_lists_current_and_past_forums(client, app, isef2):
    with committed(app):
        today = dt.datetime.now(dt.UTC).date()
        make_forum(
            slug="isef3",
            name="ISEF3",
            first_day=today + dt.timedelta(days=30),
            last_day=today + dt.timedelta(days=31),
            host_city="Luxembourg",
            host_country="LU",
        )
    page = client.get("/").get_data(as_text=True)
    current, past = page.split("Past forums")
    assert 'href="/forums/isef3/"' in current and "Luxembourg" in current
    assert 'href="/forums/isef2/"' in past and "ISEF2" not in current


def test_home_without_forums_says_so(client):
    page = client.get("/").get_data(as_text=True)
    assert "No forum is planned at the moment." in page


def test_forum_page_shows_events_with_dates_in_the_forums_timezone(client, isef2):
    response = client.get("/forums/isef2/")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<title>ISEF2: 2nd International Space Exploration Forum · planner</title>" in page
    assert 'href="/forums/isef2/events/Y-ISEF/"' in page
    assert "Feb 28" in page and "Feb 27" not in page  # Tokyo's date, not UTC's
    assert "Asia/Tokyo (UTC+09:00)" in page
    assert "Tokyo, Japan" in page


def test_forum_page_summarises_delegations(client, isef2):
    page = client.get("/forums/isef2/").get_data(as_text=True)
    assert "3 delegations: 1 countries and 2 international organisations; 2 bring a space agency." in page
    assert "JAXA" in page


def test_event_page_lists_public_sessions_by_day(client, isef2):
    response = client.get("/forums/isef2/events/MINISTERIAL/")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Saturday, March 3, 2018" in page
    assert '<time datetime="2018-03-03T00:00:00+00:00">09:00</time>' in page
    assert "Opening ceremony" in page
    assert "Closed bilaterals" not in page


def test_event_code_in_other_letter_case_redirects_to_the_canonical_address(client, isef2):
    response = client.get("/forums/isef2/events/y-isef/")
    assert response.status_code == 301
    assert response.headers["Location"] == "/forums/isef2/events/Y-ISEF/"


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("/forums/nowhere/", "There is no forum at this address."),
        ("/forums/isef2/events/NOPE/", "This forum has no event with the code NOPE."),
        ("/forums/nowhere/events/Y-ISEF/", "There is no forum at this address."),
    ],
)
def test_unknown_forums_and_events_get_a_friendly_404(client, isef2, url, message):
    response = client.get(url)
    assert response.status_code == 404
    page = response.get_data(as_text=True)
    assert message in page
    assert "Page not found" in page and 'href="/"' in page
