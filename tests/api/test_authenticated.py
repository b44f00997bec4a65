"""The API's calls with a personal access token: registrations read and decided, nominations,
check-in; scopes and forums; Idempotency-Key; bad input refused with nothing half-written.
Every answer is also checked against the OpenAPI document (tests.api.described)."""

from __future__ import annotations

import datetime as dt
import json
import uuid

import pytest
from flask import Flask

from planner.api.models import Scope
from planner.api.tokens import create_token
from planner.delegations.models import DelegationKind, DelegationMember, NominationStatus
from planner.extensions import db
from planner.registration.models import Registration, RegistrationStatus
from tests.api.described import DescribedClient
from tests.factories import (
    committed,
    current,
    make_forum,
    make_organiser,
    make_person,
    make_policy,
    make_programme,
)

FUTURE = {"first_day": dt.date(2031, 2, 28), "last_day": dt.date(2031, 3, 3)}


@pytest.fixture
def isef3(app: Flask):
    """ISEF3 in 2031 (so applications can still be decided), with two pending applications,
    a delegation with two nominated members, and another forum with its own organiser."""
    with committed(app):
        built = make_programme(forum=make_forum(slug="isef3", name="ISEF3", **FUTURE))
        make_policy(built.event, approval_required=True, capacity=10)
        for key in ("ada", "ben"):
            person = built.person(key, name=key.title())
            built.add(
                f"{key}_registration",
                Registration(
                    event=built.event, user=person, status=RegistrationStatus.PENDING, answers={"1": "vegetarian"}
                ),
            )
        japan = built.delegation("japan", "Japan", kind=DelegationKind.COUNTRY, country_code="JP")
        france = built.delegation("france", "France", kind=DelegationKind.COUNTRY, country_code="FR")
        for delegation, name in [(japan, "Minister Sato"), (japan, "Adviser Ito"), (france, "Ministre Dupont")]:
            db.session.add(DelegationMember(delegation=delegation, person=make_person(name=name)))
        built.focal_point("japan_focal", "japan")
        other = make_forum(slug="other", name="Other forum", **FUTURE)
        built.others["other_organiser"] = make_organiser(other)
        built.others["other"] = other
    return built


def token_for(app: Flask, user, scopes, forums, days: int = 30) -> str:
    with app.app_context():
        _, plaintext = create_token(
            current(user),
            "tests",
            [Scope(s) for s in scopes],
            [current(f).id for f in forums],
            dt.date.today() + dt.timedelta(days=days),
        )
        db.session.commit()
    return plaintext


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_an_organiser_reads_registrations_with_their_answers(app: Flask, api: DescribedClient, isef3) -> None:
    token = token_for(app, isef3.organiser, ["registrations:read"], [isef3.forum])
    page = api.get("/api/v1/forums/isef3/registrations", headers=bearer(token))
    assert page.status_code == 200
    items = page.get_json()["items"]
    assert [r["name"] for r in items] == ["Ada", "Ben"]
    assert items[0]["answers"] == {"1": "vegetarian"} and items[0]["status"] == "pending"
    assert page.headers["Cache-Control"] == "private, no-store"
    one = api.get(f"/api/v1/forums/isef3/registrations/{items[1]['id']}", headers=bearer(token))
    assert one.get_json()["name"] == "Ben"


def test_registrations_page_by_cursor(app: Flask, api: DescribedClient, isef3) -> None:
    token = token_for(app, isef3.organiser, ["registrations:read"], [isef3.forum])
    first = api.get("/api/v1/forums/isef3/registrations?limit=1", headers=bearer(token)).get_json()
    second = api.get(
        "/api/v1/forums/isef3/registrations",
        query_string={"limit": 1, "cursor": first["next_cursor"]},
        headers=bearer(token),
    ).get_json()
    assert [first["items"][0]["name"], second["items"][0]["name"]] == ["Ada", "Ben"]
    assert second["next_cursor"] is None
    assert api.get("/api/v1/forums/isef3/registrations?cursor=xyz", headers=bearer(token)).status_code == 400


def test_without_a_valid_token_the_answer_is_401_with_the_reason(app: Flask, api: DescribedClient, isef3) -> None:
    for headers in ({}, {"Authorization": "Basic abc"}, bearer("plnr_not-a-token")):
        response = api.get("/api/v1/forums/isef3/registrations", headers=headers)
        assert response.status_code == 401
        assert response.get_json()["error"]
        assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_a_token_for_one_forum_cannot_read_another(app: Flask, api: DescribedClient, isef3) -> None:
    token = token_for(app, isef3.others["other_organiser"], ["registrations:read"], [isef3.others["other"]])
    response = api.get("/api/v1/forums/isef3/registrations", headers=bearer(token))
    assert response.status_code == 403
    assert "ISEF3" in response.get_json()["error"]
    assert api.get("/api/v1/forums/other/registrations", headers=bearer(token)).status_code == 200


def test_a_read_scope_cannot_write(app: Flask, api: DescribedClient, isef3) -> None:
    token = token_for(app, isef3.organiser, ["registrations:read"], [isef3.forum])
    registration_id = isef3.ada_registration.id
    response = api.post(
        f"/api/v1/forums/isef3/registrations/{registration_id}/decision",
        json={"decision": "approve"},
        headers=bearer(token),
    )
    assert response.status_code == 403
    with app.app_context():
        assert db.session.get(Registration, registration_id).status is RegistrationStatus.PENDING


def test_deciding_goes_through_the_review_rules(app: Flask, api: DescribedClient, isef3) -> None:
    token = token_for(app, isef3.organiser, ["registrations:read", "registrations:write"], [isef3.forum])
    path = f"/api/v1/forums/isef3/registrations/{isef3.ada_registration.id}/decision"
    approved = api.post(path, json={"decision": "approve"}, headers=bearer(token))
    assert approved.status_code == 200 and approved.get_json()["status"] == "confirmed"
    again = api.post(path, json={"decision": "approve"}, headers=bearer(token))
    assert again.status_code == 409 and "pending" in again.get_json()["error"]
    declined = api.post(
        f"/api/v1/forums/isef3/registrations/{isef3.ben_registration.id}/decision",
        json={"decision": "decline"},
        headers=bearer(token),
    )
    assert declined.get_json()["status"] == "declined"


def test_an_idempotency_key_gives_the_first_answer_again(app: Flask, api: DescribedClient, isef3) -> None:
    token = token_for(app, isef3.organiser, ["registrations:write"], [isef3.forum])
    path = f"/api/v1/forums/isef3/registrations/{isef3.ada_registration.id}/decision"
    headers = {**bearer(token), "Idempotency-Key": str(uuid.uuid4())}
    first = api.post(path, json={"decision": "approve"}, headers=headers)
    second = api.post(path, json={"decision": "approve"}, headers=headers)
    assert first.status_code == second.status_code == 200
    assert second.get_json() == first.get_json()
    assert second.headers["Idempotent-Replayed"] == "true"
    other_body = api.post(path, json={"decision": "decline"}, headers=headers)
    assert other_body.status_code == 422
    with app.app_context():
        assert db.session.get(Registration, isef3.ada_registration.id).status is RegistrationStatus.CONFIRMED
    bad_key = api.post(path, json={"decision": "approve"}, headers={**bearer(token), "Idempotency-Key": "has space"})
    assert bad_key.status_code == 400


@pytest.mark.parametrize(
    ("body", "content_type", "status", "reason"),
    [
        ("{not json", "application/json", 400, "not valid JSON"),
        ('{"decision": 5}', "application/json", 400, "decision"),
        ('{"decision": "approve", "note": "x"}', "application/json", 400, "note"),
        ("[]", "application/json", 400, "valid"),
        ('{"decision": "approve"}', "text/plain", 415, "application/json"),
        ('{"decision": "' + "a" * 300_000 + '"}', "application/json", 413, "kB"),
        (b'{"decision": "\xff"}', "application/json", 400, "UTF-8"),
        ("[" * 100_000 + "]" * 100_000, "application/json", 400, ""),
    ],
)
def test_bad_bodies_are_refused_with_nothing_written(
    app: Flask, api: DescribedClient, isef3, body, content_type: str, status: int, reason: str
) -> None:
    token = token_for(app, isef3.organiser, ["registrations:write"], [isef3.forum])
    response = api.post(
        f"/api/v1/forums/isef3/registrations/{isef3.ada_registration.id}/decision",
        data=body,
        content_type=content_type,
        headers=bearer(token),
    )
    assert response.status_code == status
    assert reason in response.get_json()["error"]
    with app.app_context():
        assert db.session.get(Registration, isef3.ada_registration.id).status is RegistrationStatus.PENDING


def test_focal_points_read_their_own_delegations_nominations(app: Flask, api: DescribedClient, isef3) -> None:
    focal = token_for(app, isef3.japan_focal, ["nominations:read"], [isef3.forum])
    names = [n["name"] for n in api.get("/api/v1/forums/isef3/nominations", headers=bearer(focal)).get_json()["items"]]
    assert sorted(names) == ["Adviser Ito", "Minister Sato"]
    organiser = token_for(app, isef3.organiser, ["nominations:read"], [isef3.forum])
    everyone = api.get("/api/v1/forums/isef3/nominations?limit=2", headers=bearer(organiser)).get_json()
    rest = api.get(
        "/api/v1/forums/isef3/nominations", query_string={"cursor": everyone["next_cursor"]}, headers=bearer(organiser)
    ).get_json()
    assert len(everyone["items"]) + len(rest["items"]) == 3
    assert all(n["status"] == NominationStatus.NOMINATED.value for n in everyone["items"] + rest["items"])


def test_a_token_cannot_be_made_for_a_role_one_does_not_hold(app: Flask, isef3) -> None:
    from planner.api.tokens import TokenRefused

    with app.app_context(), pytest.raises(TokenRefused):
        create_token(
            current(isef3.japan_focal),
            "mine",
            [Scope.REGISTRATIONS_READ],
            [isef3.forum.id],
            dt.date.today() + dt.timedelta(days=3),
        )


def test_a_removed_organisers_token_stops_at_once(app: Flask, api: DescribedClient, isef3) -> None:
    from planner.forums.models import ForumOrganiser

    token = token_for(app, isef3.organiser, ["registrations:read"], [isef3.forum])
    with app.app_context():
        db.session.query(ForumOrganiser).filter_by(user_id=isef3.organiser.id).delete()
        db.session.commit()
    assert api.get("/api/v1/forums/isef3/registrations", headers=bearer(token)).status_code == 403


def test_scans_through_the_api_are_judged_as_the_scanner_pages_are(app: Flask, api: DescribedClient, isef3) -> None:
    token = token_for(app, isef3.organiser, ["checkin:write"], [isef3.forum])
    batch = {
        "device": "gate-1",
        "scans": [{"id": str(uuid.uuid4()), "token": "NOTABADGE", "zone": 1, "at": "2031-03-03T09:00:00+09:00"}],
    }
    response = api.post("/api/v1/forums/isef3/scans", json=batch, headers=bearer(token))
    assert response.status_code == 200
    (verdict,) = response.get_json()["results"]
    assert verdict["outcome"] == "forged" and verdict["replayed"] is False
    replay = api.post(
        "/api/v1/forums/isef3/scans", data=json.dumps(batch), content_type="application/json", headers=bearer(token)
    )
    assert replay.get_json()["results"][0]["replayed"] is True
    assert (
        api.post(
            "/api/v1/forums/isef3/scans", json={"device": "gate 1", "scans": []}, headers=bearer(token)
        ).status_code
        == 400
    )
    delegate = token_for(app, isef3.japan_focal, ["nominations:read"], [isef3.forum])
    assert api.post("/api/v1/forums/isef3/scans", json=batch, headers=bearer(delegate)).status_code == 403


def test_reading_people_by_token_is_in_the_audit_log(app: Flask, api: DescribedClient, isef3) -> None:
    from planner.audit.models import AuditEntry

    token = token_for(app, isef3.organiser, ["registrations:read", "nominations:read"], [isef3.forum])
    api.get("/api/v1/forums/isef3/registrations", headers=bearer(token))
    api.get("/api/v1/forums/isef3/nominations", headers=bearer(token))
    with app.app_context():
        entries = {e.action: e.summary for e in db.session.query(AuditEntry).filter(AuditEntry.action.like("api.%"))}
    assert entries["api.registrations_read"].startswith("2 registrations read through the API (token plnr_")
    assert entries["api.nominations_read"].startswith("3 nominations")
    assert token not in " ".join(entries.values())


def test_a_nul_in_the_event_filter_of_registrations_is_a_400(app: Flask, api: DescribedClient, isef3) -> None:
    token = token_for(app, isef3.organiser, ["registrations:read"], [isef3.forum])
    response = api.get("/api/v1/forums/isef3/registrations?event=Y%00", headers=bearer(token))
    assert response.status_code == 400
