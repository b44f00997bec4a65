"""The public read API: what anyone may read, page by page, with validators, CORS and JSON errors.
Every answer here is also checked against the OpenAPI document (tests.api.described)."""

from __future__ import annotations

import datetime as dt

import pytest
from flask import Flask

from planner.delegations.models import DelegationKind, DelegationMember, DelegationStatus, MemberRole, NominationStatus
from planner.extensions import db
from planner.schedule.models import ParticipantRole, SessionKind
from planner.statements.models import DocumentKind
from planner.statements.services import adopt, create_document, revise
from tests.api.described import DescribedClient
from tests.factories import add_participant, committed, current, make_person, make_plenary_and_panel


@pytest.fixture
def programme(app: Flask):
    with committed(app):
        built = make_plenary_and_panel()
        built.session("late", "Late reception", "2018-03-02 23:30", room="hall", kind=SessionKind.RECEPTION)
        built.session("closed", "Closed meeting", "2018-03-03 14:00", room="annex", is_public=False)
        add_participant(built.plenary, make_person(name="Ada Minister", organisation="Ministry"), ParticipantRole.CHAIR)
    return built


def test_a_forum_names_its_time_zone_and_its_times_are_utc(api: DescribedClient, programme) -> None:
    forum = api.get("/api/v1/forums/isef2").get_json()
    assert forum["timezone"] == "Asia/Tokyo"
    assert forum["first_day"] == "2018-02-28"
    events = api.get("/api/v1/forums/isef2/events").get_json()["items"]
    assert [e["code"] for e in events] == ["Y-ISEF"]
    assert events[0]["starts_at"] == "2018-02-28T00:00:00Z"  # 09:00 in Tokyo
    listed = api.get("/api/v1/forums").get_json()["items"]
    assert [f["slug"] for f in listed] == ["isef2"]


def test_sessions_come_in_order_of_time_without_closed_ones(api: DescribedClient, programme) -> None:
    sessions = api.get("/api/v1/forums/isef2/sessions").get_json()
    assert [s["title"] for s in sessions["items"]] == ["Late reception", "Plenary", "Panel"]
    assert sessions["next_cursor"] is None
    plenary = sessions["items"][1]
    assert plenary["starts_at"] == "2018-03-03T00:00:00Z"
    assert plenary["room"]["name"] == "Hall"
    assert plenary["people"] == [{"name": "Ada Minister", "role": "chair", "organisation": "Ministry"}]
    assert plenary["url"].endswith(f"/sessions/{programme.plenary.id}")


def test_every_page_of_the_cursor_gives_each_session_once(api: DescribedClient, programme) -> None:
    seen, cursor, pages = [], None, 0
    while True:
        response = api.get(
            "/api/v1/forums/isef2/sessions", query_string={"limit": 1, **({"cursor": cursor} if cursor else {})}
        )
        page = response.get_json()
        seen += [s["id"] for s in page["items"]]
        pages += 1
        cursor = page["next_cursor"]
        if cursor is None:
            assert "Link" not in response.headers
            break
        assert response.headers["Link"].endswith('rel="next"') and cursor in response.headers["Link"]
    assert pages == 3
    assert seen == [programme.late.id, programme.plenary.id, programme.panel.id]


def test_the_day_is_the_forums_day_not_utcs(api: DescribedClient, programme) -> None:
    # 23:30 on 2 March in Tokyo is 14:30 UTC on 2 March; 09:00 on 3 March is 00:00 UTC.
    second = api.get("/api/v1/forums/isef2/sessions?day=2018-03-02").get_json()["items"]
    third = api.get("/api/v1/forums/isef2/sessions?day=2018-03-03").get_json()["items"]
    assert [s["title"] for s in second] == ["Late reception"]
    assert [s["title"] for s in third] == ["Plenary", "Panel"]


def test_filters_by_event_and_kind(api: DescribedClient, programme) -> None:
    receptions = api.get("/api/v1/forums/isef2/sessions?kind=reception").get_json()["items"]
    assert [s["title"] for s in receptions] == ["Late reception"]
    assert len(api.get("/api/v1/forums/isef2/sessions?event=y-isef").get_json()["items"]) == 3
    assert api.get("/api/v1/forums/isef2/sessions?event=I-ISEF").get_json()["items"] == []
    assert api.get("/api/v1/forums/isef2/sessions?day=2019-03-03").get_json()["items"] == []


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31"])
def test_a_day_at_the_ends_of_the_calendar_is_an_empty_page_not_a_500(api: DescribedClient, programme, day) -> None:
    # Midnight on 1 January of year 1 in Tokyo is in year 0 in UTC, which Python cannot hold.
    response = api.get(f"/api/v1/forums/isef2/sessions?day={day}")
    assert response.status_code == 200 and response.get_json()["items"] == []


@pytest.mark.parametrize(
    ("query", "reason"),
    [
        ("cursor=bm90LWEtY3Vyc29y", "cursor"),
        ("cursor=%%%", "cursor"),
        ("limit=0", "limit"),
        ("limit=201", "limit"),
        ("limit=many", "limit"),
        ("day=2018-02-30", "day"),
        ("kind=banquet", "kind"),
    ],
)
def test_bad_queries_get_a_400_with_the_reason(api: DescribedClient, programme, query: str, reason: str) -> None:
    response = api.get(f"/api/v1/forums/isef2/sessions?{query}")
    assert response.status_code == 400
    assert reason in response.get_json()["error"]


def test_a_cursor_of_another_list_is_refused(api: DescribedClient, programme) -> None:
    from planner.api import cursors

    response = api.get("/api/v1/forums/isef2/sessions", query_string={"cursor": cursors.of_id(1, "registrations")})
    assert response.status_code == 400


def test_one_session_and_a_closed_one_is_not_found(api: DescribedClient, programme) -> None:
    found = api.get(f"/api/v1/forums/isef2/sessions/{programme.panel.id}")
    assert found.get_json()["title"] == "Panel"
    closed = api.get(f"/api/v1/forums/isef2/sessions/{programme.closed.id}")
    assert closed.status_code == 404
    assert "no public session" in closed.get_json()["error"]


def test_a_conditional_get_is_answered_304_until_the_programme_changes(
    app: Flask, api: DescribedClient, programme
) -> None:
    first = api.get("/api/v1/forums/isef2/sessions")
    etag = first.headers["ETag"]
    again = api.get("/api/v1/forums/isef2/sessions", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b"" and again.headers["ETag"] == etag
    with app.app_context():
        current(programme.panel).title = "Panel on the Moon"
        db.session.commit()
    changed = api.get("/api/v1/forums/isef2/sessions", headers={"If-None-Match": etag})
    assert changed.status_code == 200
    assert changed.headers["ETag"] != etag
    assert "Panel on the Moon" in changed.get_data(as_text=True)


def test_public_reads_may_be_fetched_by_any_site(api: DescribedClient, programme) -> None:
    response = api.get("/api/v1/forums/isef2/sessions", headers={"Origin": "https://mext.example.jp"})
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "ETag" in response.headers["Access-Control-Expose-Headers"]
    preflight = api.options(
        "/api/v1/forums/isef2/sessions",
        headers={"Origin": "https://mext.example.jp", "Access-Control-Request-Headers": "If-None-Match"},
    )
    assert "If-None-Match" in preflight.headers["Access-Control-Allow-Headers"]
    assert "Set-Cookie" not in response.headers  # the API neither reads nor makes a session


def test_errors_are_json_with_a_reason(api: DescribedClient, programme) -> None:
    missing = api.get("/api/v1/forums/isef9/sessions")
    assert missing.status_code == 404 and missing.get_json()["error"] == "There is no forum at this address."
    nowhere = api.get("/api/v1/nowhere")
    assert nowhere.status_code == 404 and nowhere.mimetype == "application/json"
    wrong_method = api.delete("/api/v1/forums/isef2")
    assert wrong_method.status_code == 405 and "error" in wrong_method.get_json()


def test_the_list_of_sessions_costs_the_same_queries_however_long(
    app: Flask, api: DescribedClient, programme, count_queries
) -> None:
    def cold_read() -> int:
        with app.app_context():
            from planner.extensions import cache

            cache.clear()
        with count_queries() as counter:
            assert api.get("/api/v1/forums/isef2/sessions?limit=200").status_code == 200
        return counter.count

    few = cold_read()
    with committed(app):
        for hour in range(40):
            session = programme.session(
                f"extra{hour}", f"Extra {hour}", f"2018-03-01 {8 + hour % 10:02d}:{hour:02d}", room="annex"
            )
            add_participant(session, make_person(), ParticipantRole.SPEAKER)
    assert cold_read() == few


def test_delegations_leave_out_those_that_withdrew(app: Flask, api: DescribedClient, programme) -> None:
    with committed(app):
        programme.delegation("japan", "Japan", kind=DelegationKind.COUNTRY, country_code="JP")
        programme.delegation("gone", "Atlantis", status=DelegationStatus.WITHDRAWN)
    names = [d["name"] for d in api.get("/api/v1/forums/isef2/delegations").get_json()["items"]]
    assert names == ["Japan"]


def test_the_participants_are_those_listed_publicly(app: Flask, api: DescribedClient, programme) -> None:
    with committed(app):
        japan = programme.delegation("japan", "Japan", kind=DelegationKind.COUNTRY, country_code="JP")
        for name, status, listed in [
            ("Listed Minister", NominationStatus.ACCREDITED, True),
            ("Private Adviser", NominationStatus.ACCREDITED, False),
            ("Nominated Only", NominationStatus.NOMINATED, True),
        ]:
            db.session.add(
                DelegationMember(
                    delegation=japan,
                    person=make_person(name=name),
                    status=status,
                    listed_publicly=listed,
                    role=MemberRole.MEMBER,
                )
            )
    listing = api.get("/api/v1/forums/isef2/participants").get_json()
    assert [[m["name"] for m in d["members"]] for d in listing["delegations"]] == [["Listed Minister"]]
    assert api.get("/api/v1/forums/isef2/participants?lang=fr").status_code == 400


def test_statements_are_the_adopted_ones_with_their_public_versions(
    app: Flask, api: DescribedClient, programme
) -> None:
    with committed(app):
        organiser = current(programme.organiser)
        forum = current(programme.forum)
        draft = create_document(
            organiser, forum, kind=DocumentKind.JOINT_STATEMENT, title="Draft", slug="draft", text="x"
        )
        adopted = create_document(
            organiser,
            forum,
            kind=DocumentKind.PRINCIPLES,
            title="Tokyo Principles",
            slug="tokyo-principles",
            text="one",
        )
        revise(organiser, adopted, "two")
        adopt(organiser, adopted, on=dt.date(2018, 3, 3), place="Tokyo")
        assert draft.slug == "draft"
    listed = api.get("/api/v1/forums/isef2/statements").get_json()["items"]
    assert [d["slug"] for d in listed] == ["tokyo-principles"]
    assert [v["number"] for v in listed[0]["versions"]] == [2]
    text = api.get("/api/v1/forums/isef2/statements/tokyo-principles/versions/2").get_json()
    assert text["text"] == "two"
    assert api.get("/api/v1/forums/isef2/statements/tokyo-principles/versions/1").status_code == 404
    assert api.get("/api/v1/forums/isef2/statements/draft").status_code == 404


@pytest.mark.app_config(API_CHECK_ANSWERS=False)
def test_a_304_stays_a_304_where_answers_are_not_checked(app: Flask, programme) -> None:
    """Production does not check answers against their models; the views' statuses pass as they are."""
    client = app.test_client()
    etag = client.get("/api/v1/forums/isef2/sessions").headers["ETag"]
    assert client.get("/api/v1/forums/isef2/sessions", headers={"If-None-Match": etag}).status_code == 304
    assert client.get("/api/v1/forums/isef2/sessions?cursor=bad").status_code == 400


def test_a_nul_in_a_filter_is_refused_not_sent_to_the_database(api: DescribedClient, programme) -> None:
    """PostgreSQL refuses a NUL in a text: it must be a 400, never a 500 (schemathesis found it)."""
    response = api.get("/api/v1/forums/isef2/sessions?event=Y%00ISEF")
    assert response.status_code == 400 and "event" in response.get_json()["error"]
