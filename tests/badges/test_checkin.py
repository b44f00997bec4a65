"""The sync endpoint: every scan re-checked on the server, kept once, arrivals in time order."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import func, select

from planner.badges import issuing, signing
from planner.badges.models import Arrival, Scan, ScanOutcome
from planner.extensions import db
from tests.badges.helpers import DURING, make_scene, scan, staff_badges
from tests.conftest import sign_in
from tests.factories import committed, make_forum


@pytest.fixture
def scene(app):
    with committed(app):
        return make_scene()


def sync(client, scene, scans, device="door-1"):
    return client.post(
        f"/forums/{scene.forum.slug}/scanner/sync",
        data=json.dumps({"device": device, "scans": scans}),
        content_type="application/json",
    )


def outcomes(response):
    assert response.status_code == 200, response.get_data(as_text=True)
    return [result["outcome"] for result in response.get_json()["results"]]


def counts(app):
    with app.app_context():
        return (
            db.session.scalar(select(func.count()).select_from(Scan)),
            db.session.scalar(select(func.count()).select_from(Arrival)),
        )


def tokens(app, scene, *badges, **changes):
    with app.test_request_context():
        made = [scene.token(db.session.get(type(badge), badge.id), **changes) for badge in badges]
        db.session.commit()  # the forum's first key is made on first use
        return made


@pytest.mark.commits
def test_a_genuine_badge_is_admitted_once_then_a_duplicate_with_when_and_where(app, client, scene):
    sign_in(client, scene.scanner)
    (token,) = tokens(app, scene, scene.delegate)
    first = sync(client, scene, [scan(token, 1)])
    assert outcomes(first) == ["admitted"]
    again = sync(client, scene, [scan(token, 1, DURING + dt.timedelta(minutes=5))])
    (result,) = again.get_json()["results"]
    assert result["outcome"] == "duplicate"
    assert result["first"] == {"at": "2018-03-03T01:00:00Z", "zone": 1}
    assert counts(app) == (2, 1)


@pytest.mark.commits
def test_each_refusal_is_recorded_with_its_reason(app, client, scene):
    sign_in(client, scene.scanner)
    (delegate,) = tokens(app, scene, scene.delegate)
    other_forum_token = None
    with app.test_request_context():
        other = make_forum()
        other_forum_token = signing.encode_token(
            signing.signing_key(other),
            badge_id=scene.delegate.id,
            version=1,
            valid_from=scene.delegate.valid_from,
            valid_until=scene.delegate.valid_until,
            zones=[1],
        )
        db.session.commit()
    forged = delegate[:-3] + ("AAA" if delegate[-3:] != "AAA" else "BBB")
    answer = sync(
        client,
        scene,
        [
            scan(delegate, 2),  # the press centre: not for a delegate
            scan(delegate, 1, dt.datetime(2018, 3, 10, 10, tzinfo=dt.UTC)),  # after the forum
            scan(forged, 1),
            scan(other_forum_token, 1),
            scan("NOT A BADGE", 1),
            scan(None, 1, badge=999999),
        ],
    )
    assert outcomes(answer) == ["wrong_zone", "expired", "forged", "forged", "forged", "unknown_badge"]
    assert counts(app) == (6, 0)


@pytest.mark.commits
def test_a_reprinted_badges_old_version_and_a_revoked_badge_are_refused(app, client, scene):
    sign_in(client, scene.scanner)
    old, participant = tokens(app, scene, scene.delegate, scene.participant)
    with app.test_request_context():
        organiser = db.session.get(type(scene.organiser), scene.organiser.id)
        forum = db.session.get(type(scene.forum), scene.forum.id)
        badge = db.session.get(type(scene.delegate), scene.delegate.id)
        issuing.reprint(organiser, badge, forum)
        issuing.revoke(organiser, db.session.get(type(badge), scene.participant.id), forum, "Lost at the hotel")
        new = scene.token(badge)
        db.session.commit()
    assert outcomes(sync(client, scene, [scan(old, 1), scan(participant, 3), scan(new, 1)])) == [
        "revoked",
        "revoked",
        "admitted",
    ]


@pytest.mark.commits
def test_a_replayed_batch_counts_nothing_twice(app, client, scene):
    sign_in(client, scene.scanner)
    delegate, participant = tokens(app, scene, scene.delegate, scene.participant)
    batch = [scan(delegate, 1), scan(participant, 3), scan(delegate, 1, DURING + dt.timedelta(seconds=30))]
    first = sync(client, scene, batch)
    assert outcomes(first) == ["admitted", "admitted", "duplicate"]
    replay = sync(client, scene, batch)
    assert outcomes(replay) == ["admitted", "admitted", "duplicate"]
    assert all(result["replayed"] for result in replay.get_json()["results"])
    assert counts(app) == (3, 2)


@pytest.mark.commits
def test_the_earliest_scan_is_the_arrival_whatever_order_devices_sync_in(app, client, scene):
    sign_in(client, scene.scanner)
    (delegate,) = tokens(app, scene, scene.delegate)
    late = scan(delegate, 1, DURING + dt.timedelta(minutes=20))
    early = scan(delegate, 1, DURING)
    assert outcomes(sync(client, scene, [late], device="door-2")) == ["admitted"]
    answer = sync(client, scene, [early], device="door-1")  # was offline, syncs afterwards
    assert outcomes(answer) == ["admitted"]
    with app.app_context():
        arrival = db.session.scalars(select(Arrival)).one()
        assert arrival.first_scanned_at == DURING.astimezone(dt.UTC)
        assert arrival.device == "door-1"
        kept = dict(db.session.execute(select(Scan.scan_uuid, Scan.outcome)).all())
    assert kept == {early["id"]: ScanOutcome.ADMITTED, late["id"]: ScanOutcome.DUPLICATE}
    # The later device asking again now learns it was a duplicate, and of the first scan.
    (result,) = sync(client, scene, [late], device="door-2").get_json()["results"]
    assert result["outcome"] == "duplicate" and result["first"]["at"] == "2018-03-03T01:00:00Z"


@pytest.mark.commits
def test_a_search_check_in_is_judged_by_the_badges_current_state(app, client, scene):
    sign_in(client, scene.scanner)
    answer = sync(client, scene, [scan(None, 1, badge=scene.delegate.id), scan(None, 1, badge=scene.participant.id)])
    assert outcomes(answer) == ["admitted", "wrong_zone"]
    with app.app_context():
        assert db.session.scalars(select(Scan.manual)).all() == [True, True]


@pytest.mark.commits
def test_a_badge_whose_holder_lost_accreditation_is_refused_without_a_revocation(app, client, scene):
    from planner.delegations.models import DelegationMember, NominationStatus

    sign_in(client, scene.scanner)
    (delegate,) = tokens(app, scene, scene.delegate)
    with app.app_context():
        member = db.session.get(DelegationMember, (scene.delegate.delegation_id, scene.delegate.person_id))
        member.status = NominationStatus.DECLINED
        db.session.commit()
    assert outcomes(sync(client, scene, [scan(delegate, 1)])) == ["revoked"]


@pytest.mark.commits
@pytest.mark.parametrize(
    ("body", "content_type", "status", "message"),
    [
        ("{}", "text/plain", 415, "application/json"),
        ("not json", "application/json", 400, "JSON object"),
        ('{"device": "d", "scans": {}}', "application/json", 400, "list"),
        ('{"device": "", "scans": []}', "application/json", 400, "device"),
        (
            '{"device": "d", "scans": [{"id": "x", "token": "A", "zone": 1, "at": "2018-03-03T01:00:00Z"}]}',
            "application/json",
            400,
            "UUID",
        ),
        (
            '{"device": "d", "scans": [{"id": "6f1c2b1e-0000-4000-8000-000000000000", "token": "A", "zone": 0, '
            '"at": "2018-03-03T01:00:00Z"}]}',
            "application/json",
            400,
            "zone",
        ),
        (
            '{"device": "d", "scans": [{"id": "6f1c2b1e-0000-4000-8000-000000000000", "token": "A", "zone": 1, '
            '"at": "yesterday"}]}',
            "application/json",
            400,
            "ISO 8601",
        ),
        (
            '{"device": "d", "scans": [{"id": "6f1c2b1e-0000-4000-8000-000000000000", "token": "A", "zone": 1, '
            '"at": "2018-03-03T01:00:00"}]}',
            "application/json",
            400,
            "offset",
        ),
        (
            '{"device": "d", "scans": [{"id": "6f1c2b1e-0000-4000-8000-000000000000", "token": null, "zone": 1, '
            '"at": "2018-03-03T01:00:00Z"}]}',
            "application/json",
            400,
            "token or a badge",
        ),
    ],
)
def test_bad_input_is_refused_with_a_reason_and_nothing_kept(app, client, scene, body, content_type, status, message):
    sign_in(client, scene.scanner)
    answer = client.post(f"/forums/{scene.forum.slug}/scanner/sync", data=body, content_type=content_type)
    assert answer.status_code == status
    assert message in answer.get_json()["error"]
    assert counts(app) == (0, 0)


@pytest.mark.commits
def test_a_huge_batch_is_refused_unread(app, client, scene):
    sign_in(client, scene.scanner)
    too_many = [scan("A" * 100, 1) for _ in range(201)]
    answer = sync(client, scene, too_many)
    assert answer.status_code == 400 and "at most 200" in answer.get_json()["error"]
    huge = client.post(
        f"/forums/{scene.forum.slug}/scanner/sync",
        data=json.dumps({"device": "d", "scans": [], "padding": "x" * 300_000}),
        content_type="application/json",
    )
    assert huge.status_code == 413
    assert counts(app) == (0, 0)


@pytest.mark.commits
def test_only_scanning_staff_and_organisers_may_sync(app, client, scene):
    from tests.factories import make_user

    with committed(app):
        stranger = make_user()
    assert sync(client, scene, []).status_code == 401
    sign_in(client, stranger)
    assert sync(client, scene, []).status_code == 403
    sign_in(client, scene.organiser)
    assert outcomes(sync(client, scene, [])) == []


@pytest.mark.commits
def test_a_batch_costs_the_same_queries_whatever_its_size(app, client, scene, count_queries):
    """New arrivals, earlier scans that take an arrival over and forged ones, mixed as devices
    send them: the statements of a sync do not grow with the batch (nor does a replay's)."""
    made = staff_badges(app, scene, 70, zone_numbers=[1])
    sign_in(client, scene.scanner)
    kept = made[60:]
    assert outcomes(sync(client, scene, [scan(token, 1) for token in kept])) == ["admitted"] * 10
    fresh = iter(made[:60])
    earlier = iter(range(1, 100))

    def batch(size):
        scans = []
        for n in range(size):
            if n % 10 == 8:  # earlier than the arrival kept: takes it over
                scans.append(scan(kept[n // 10], 1, DURING - dt.timedelta(minutes=next(earlier))))
            elif n % 10 == 9:
                token = next(fresh)
                scans.append(scan(token[:40] + ("A" if token[40] != "A" else "B") + token[41:], 1))
            else:
                scans.append(scan(next(fresh), 1))
        return scans

    with count_queries() as ten:
        assert outcomes(sync(client, scene, batch(10))).count("forged") == 1
    fifty = batch(50)
    with count_queries() as many:
        assert outcomes(sync(client, scene, fifty)).count("forged") == 5
    with count_queries() as replayed:
        assert outcomes(sync(client, scene, fifty)).count("forged") == 5
    assert many.count == ten.count, many.statements
    assert replayed.count < ten.count
