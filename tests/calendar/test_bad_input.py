"""Broken and hostile requests to the feeds and the feed pages: a 4xx with a reason or a plain
feed, never a 500, and no token made or lost on the way."""

import pytest
from sqlalchemy import func, select

from planner.calendar import services
from planner.calendar.models import CalendarFeedToken, FeedKind
from planner.extensions import db
from tests.conftest import sign_in
from tests.factories import committed, current

HUGE_ID = str(2**31)
HUGER_ID = str(2**63)


def tokens() -> list[tuple]:
    return list(
        db.session.execute(
            select(CalendarFeedToken.user_id, CalendarFeedToken.kind, CalendarFeedToken.token).order_by(
                CalendarFeedToken.id
            )
        )
    )


@pytest.fixture
def organiser_feed(app, programme, delegate) -> None:
    """The organiser's feed of ISEF2: the one token there is."""
    with committed(app):
        services.renew_token(current(programme.organiser), FeedKind.ORGANISER, current(programme.forum))


@pytest.mark.parametrize(
    "path",
    [
        "/sessions/" + HUGE_ID + "/calendar.ics",
        "/sessions/" + HUGER_ID + "/calendar.ics",
        "/sessions/-1/calendar.ics",
        "/sessions/0/calendar.ics",
        "/sessions/abc/calendar.ics",
        "/sessions/" + "9" * 500 + "/calendar.ics",
        "/forums/nope/calendar.ics",
        "/forums/" + "s" * 5000 + "/calendar.ics",
        "/forums/%FF%FE/calendar.ics",
        "/forums/a%00b/calendar.ics",
        "/forums/isef2/events/NOPE/calendar.ics",
        "/forums/isef2/events/" + "E" * 5000 + "/calendar.ics",
        "/forums/isef2/events/%FF/calendar.ics",
        "/forums/isef2/events/a%00b/calendar.ics",
        "/forums/other/events/MINISTERIAL/calendar.ics",
        "/feeds/nope.ics",
        "/feeds/" + "a" * 5000 + ".ics",
        "/feeds/%FF%FE.ics",
        "/feeds/a%00b.ics",
        "/feeds/" + "\u00e9" * 22 + ".ics",
        "/feeds/.ics",
        "/feeds/../forums/isef2/calendar.ics",
    ],
)
def test_unknown_feeds_are_not_found_with_a_reason(client, programme, path):
    response = client.get(path)
    assert response.status_code == 404, response.status_code
    assert response.mimetype == "text/html"


def test_closed_and_other_forums_sessions_have_no_public_feed(client, programme):
    assert client.get(f"/sessions/{programme.closed.id}/calendar.ics").status_code == 404
    assert client.get(f"/sessions/{programme.public.id}/calendar.ics").status_code == 200


def test_an_event_code_in_lower_case_redirects_to_the_stable_address(client, programme):
    response = client.get("/forums/isef2/events/ministerial/calendar.ics")
    assert response.status_code == 301
    assert response.headers["Location"].endswith("/forums/isef2/events/MINISTERIAL/calendar.ics")


@pytest.mark.parametrize(
    "headers",
    [
        {"If-None-Match": "garbage"},
        {"If-None-Match": '"' + "x" * 5000 + '"'},
        {"If-None-Match": 'W/"'},
        {"If-None-Match": '"a", , ,"b"'},
        {"If-Modified-Since": "yesterday"},
        {"If-Modified-Since": "x" * 5000},
        {"If-Modified-Since": "Mon, 32 Foo 99999 25:61:61 GMT"},
        {"If-Modified-Since": "Thu, 01 Jan 1970 00:00:00 GMT"},
        {"If-None-Match": "garbage", "If-Modified-Since": "Fri, 31 Dec 9999 23:59:59 GMT"},
    ],
)
def test_malformed_conditional_headers_get_the_whole_feed(client, programme, headers):
    for url in (
        "/forums/isef2/calendar.ics",
        "/forums/isef2/events/MINISTERIAL/calendar.ics",
        f"/sessions/{programme.public.id}/calendar.ics",
    ):
        response = client.get(url, headers=headers)
        assert response.status_code == 200, (url, headers)
        assert response.data.startswith(b"BEGIN:VCALENDAR\r\n")


def test_a_star_if_none_match_is_answered_not_modified(client, programme):
    """RFC 9110 13.1.2: "*" matches any current representation."""
    response = client.get("/forums/isef2/calendar.ics", headers={"If-None-Match": "*"})
    assert response.status_code == 304


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "PATCH"])
def test_feeds_refuse_other_methods(client, programme, method):
    response = client.open("/forums/isef2/calendar.ics", method=method)
    assert response.status_code == 405


@pytest.mark.parametrize("query", ["?x=" + "y" * 5000, "?%FF=%FE", "?day=nonsense&tz=Mars/Olympus"])
def test_feeds_ignore_query_strings(client, programme, query):
    plain = client.get("/forums/isef2/calendar.ics")
    response = client.get("/forums/isef2/calendar.ics" + query)
    assert response.status_code == 200
    assert response.data == plain.data


@pytest.mark.app_config(WTF_CSRF_ENABLED=True)
@pytest.mark.parametrize("data", [{}, {"csrf_token": ""}, {"csrf_token": "x" * 5000}, {"csrf_token": "a\x00b"}])
def test_renewing_feeds_without_a_valid_form_changes_nothing(app, programme, delegate, organiser_feed, data):
    with app.app_context():
        before = tokens()
    client = app.test_client()
    sign_in(client, delegate)
    response = client.post("/me/calendar", data=data)
    assert response.status_code == 400
    assert "The form had expired or did not come from planner" in response.get_data(as_text=True)
    client = app.test_client()
    sign_in(client, programme.organiser)
    response = client.post("/forums/isef2/manage/calendar", data=data)
    assert response.status_code == 400
    with app.app_context():
        assert tokens() == before


def test_a_non_utf8_body_to_the_renewal_forms_is_refused(app, programme, delegate, organiser_feed):
    app.config["WTF_CSRF_ENABLED"] = True
    with app.app_context():
        before = tokens()
    client = app.test_client()
    sign_in(client, programme.organiser)
    for url in ("/me/calendar", "/forums/isef2/manage/calendar"):
        response = client.post(url, data=b"csrf_token=%FF%FE%C3%28", content_type="application/x-www-form-urlencoded")
        assert response.status_code == 400, url
    with app.app_context():
        assert tokens() == before


def test_head_of_an_unknown_feed_is_not_found(client, programme):
    assert client.head("/feeds/" + "a" * 22 + ".ics").status_code == 404
    assert client.head("/forums/nope/calendar.ics").status_code == 404


def test_a_token_of_the_right_shape_that_does_not_exist_is_not_found(app, client, programme, organiser_feed):
    with app.app_context():
        ((_user, _kind, secret),) = tokens()
    assert client.get(f"/feeds/{secret}.ics").status_code == 200
    changed = secret[:-1] + ("A" if secret[-1] != "A" else "B")
    assert client.get(f"/feeds/{changed}.ics").status_code == 404
    if secret.swapcase() != secret:  # the secret is compared exactly
        assert client.get(f"/feeds/{secret.swapcase()}.ics").status_code == 404
    assert client.get(f"/feeds/{secret}x.ics").status_code == 404
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(CalendarFeedToken)) == 1
