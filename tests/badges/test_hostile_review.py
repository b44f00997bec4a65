"""A hostile tester's review of badges and check-in: each finding, kept as a test."""

from __future__ import annotations

import datetime as dt
import json
import re
import uuid

import pytest
from sqlalchemy import func, select

from planner.audit.models import AuditEntry
from planner.badges import signing
from planner.badges.models import Arrival, Badge, ForumScanner, Scan
from planner.extensions import db
from tests.badges.helpers import make_scene, scan
from tests.conftest import sign_in
from tests.factories import committed, make_forum, make_organiser

pytestmark = pytest.mark.commits


@pytest.fixture
def scene(app):
    with committed(app):
        return make_scene()


def post(client, slug, body, content_type="application/json", headers=None):
    data = body if isinstance(body, (bytes, str)) else json.dumps(body)
    return client.post(f"/forums/{slug}/scanner/sync", data=data, content_type=content_type, headers=headers or {})


def sync(client, scene, scans, device="door-1"):
    return post(client, scene.forum.slug, {"device": device, "scans": scans})


def counts(app):
    with app.app_context():
        return (
            db.session.scalar(select(func.count()).select_from(Scan)),
            db.session.scalar(select(func.count()).select_from(Arrival)),
        )


def token_of(app, scene, badge, **changes):
    with app.test_request_context():
        made = scene.token(db.session.get(Badge, badge.id), **changes)
        db.session.commit()
        return made


def one(response):
    assert response.status_code == 200, response.get_data(as_text=True)
    (result,) = response.get_json()["results"]
    return result


# -- the sync endpoint ----------------------------------------------------------------------


@pytest.mark.app_config(WTF_CSRF_ENABLED=True)
def test_sync_needs_the_csrf_header_when_csrf_is_on(app, client, scene):
    sign_in(client, scene.scanner)
    token = token_of(app, scene, scene.delegate)
    refused = sync(client, scene, [scan(token, 1)])
    assert refused.status_code == 400
    assert counts(app) == (0, 0)
    page = client.get(f"/forums/{scene.forum.slug}/scanner/").get_data(as_text=True)
    csrf = re.search(r'name="csrf-token" content="([^"]+)"|data-csrf(?:-token)?="([^"]+)"', page)
    assert csrf, "the scanner page hands its script a CSRF token"
    value = csrf.group(1) or csrf.group(2)
    answer = post(client, scene.forum.slug, {"device": "d", "scans": [scan(token, 1)]}, headers={"X-CSRFToken": value})
    assert one(answer)["outcome"] == "admitted"


def test_a_scanner_of_another_forum_is_refused(app, client, scene):
    with committed(app):
        other = make_forum()
        db.session.add(ForumScanner(forum_id=other.id, user_id=scene.scanner.id))
        outsider = make_organiser(other)
    sign_in(client, outsider)
    token = token_of(app, scene, scene.delegate)
    assert sync(client, scene, [scan(token, 1)]).status_code == 403
    assert counts(app) == (0, 0)


def test_a_scan_id_kept_in_one_forum_is_judged_afresh_in_another(app, client, scene):
    with committed(app):
        other = make_scene(slug="other-forum", name="Other forum")
        db.session.add(ForumScanner(forum_id=other.forum.id, user_id=scene.scanner.id))
    sign_in(client, scene.scanner)
    here = scan(token_of(app, scene, scene.delegate), 1)
    assert one(sync(client, scene, [here]))["outcome"] == "admitted"
    there = dict(here, token=token_of(app, other, other.delegate))
    result = one(sync(client, other, [there]))
    assert result == dict(result, outcome="admitted", replayed=False)
    assert counts(app) == (2, 2)


def test_a_scan_id_sent_again_with_another_token_keeps_its_first_verdict(app, client, scene):
    sign_in(client, scene.scanner)
    first = scan("NOT A BADGE", 1)
    assert one(sync(client, scene, [first]))["outcome"] == "forged"
    again = dict(first, token=token_of(app, scene, scene.delegate))
    result = one(sync(client, scene, [again]))
    assert result["outcome"] == "forged" and result["replayed"] is True
    assert counts(app) == (1, 0)


@pytest.mark.parametrize(
    "body",
    [
        b"[" * 100_000 + b"]" * 100_000,
        b'{"device": "d", "scans": ' + b"[" * 50_000 + b"]" * 50_000 + b"}",
        b'{"device": "d", "scans": [{"id": ' + b"{" * 0 + b'"x"' + b"}]}",
        b"\xff\xfe\x00garbage",
        b'{"device": "\xc3\x28", "scans": []}',
        b"",
        b"null",
        b"NaN",
        b'{"device": "d", "scans": [1e999]}',
    ],
)
def test_malformed_bodies_are_a_400_with_a_json_error(app, client, scene, body):
    sign_in(client, scene.scanner)
    answer = post(client, scene.forum.slug, body)
    assert answer.status_code == 400, answer.status_code
    assert "error" in answer.get_json()
    assert counts(app) == (0, 0)


def test_a_body_too_large_is_a_413(app, client, scene):
    sign_in(client, scene.scanner)
    answer = post(client, scene.forum.slug, b" " * (300 * 1024))
    assert answer.status_code == 413 and "error" in answer.get_json()


@pytest.mark.parametrize(
    "at",
    [
        "0001-01-01T00:00:00+14:00",
        "9999-12-31T23:59:59-14:00",
        "0001-01-01T00:00:00+00:00",
        "1970-01-01T00:00:00Z",
        "2999-01-01T00:00:00Z",
    ],
)
def test_times_far_off_are_refused_or_judged_never_a_500(app, client, scene, at):
    sign_in(client, scene.scanner)
    token = token_of(app, scene, scene.delegate)
    answer = sync(client, scene, [dict(scan(token, 1), at=at)])
    assert answer.status_code in (200, 400), answer.get_data(as_text=True)
    if answer.status_code == 200:
        # A time before the badge is valid: expired; one in the future is the server's now,
        # after ISEF2's days: expired as well. Never admitted.
        assert one(answer)["outcome"] == "expired"
    else:
        assert counts(app) == (0, 0)


def test_a_token_of_no_zones_opens_nothing_and_one_of_255_zones_is_read(app, client, scene):
    sign_in(client, scene.scanner)
    none = token_of(app, scene, scene.delegate, zones=[])
    every = token_of(app, scene, scene.delegate, zones=range(1, 256))
    answer = sync(client, scene, [scan(none, 1), scan(every, 2)])
    assert answer.status_code == 200
    # The server checks the zones of the badge as signed; both are genuine signatures.
    assert [result["outcome"] for result in answer.get_json()["results"]] == ["wrong_zone", "admitted"]


@pytest.mark.parametrize("badge", [0, -1, 2**31, 2**63, True, "17", 1.5])
def test_a_manual_check_in_of_an_impossible_badge_id_is_a_400(app, client, scene, badge):
    sign_in(client, scene.scanner)
    answer = sync(client, scene, [scan(None, 1, badge=badge)])
    assert answer.status_code == 400 and "error" in answer.get_json()
    assert counts(app) == (0, 0)


def test_a_manual_check_in_of_another_forums_badge_is_an_unknown_badge(app, client, scene):
    with committed(app):
        other = make_scene(slug="other-forum", name="Other forum")
    sign_in(client, scene.scanner)
    result = one(sync(client, scene, [scan(None, 1, badge=other.delegate.id)]))
    assert result["outcome"] == "unknown_badge" and result["badge"] is None
    assert counts(app) == (1, 0)


def test_a_revoked_badge_checked_in_by_search_is_refused(app, client, scene):
    with app.test_request_context():
        from planner.badges import issuing

        issuing.revoke(
            db.session.get(type(scene.organiser), scene.organiser.id),
            db.session.get(Badge, scene.delegate.id),
            db.session.get(type(scene.forum), scene.forum.id),
            "Lost",
        )
        db.session.commit()
    sign_in(client, scene.scanner)
    assert one(sync(client, scene, [scan(None, 1, badge=scene.delegate.id)]))["outcome"] == "revoked"
    assert counts(app) == (1, 0)


@pytest.mark.parametrize(
    "item",
    [
        {"zone": 0},
        {"zone": 256},
        {"zone": "1"},
        {"event": ""},
        {"event": "X" * 33},
        {"event": 5},
        {"id": "not-a-uuid"},
        {"id": "x" * 65},
        {"at": None},
        {"at": "2018-03-03T10:00:00"},
        {"token": 5},
        {"token": "A" * 10_000},
    ],
)
def test_bad_fields_are_a_400_and_nothing_of_the_batch_is_kept(app, client, scene, item):
    sign_in(client, scene.scanner)
    token = token_of(app, scene, scene.delegate)
    answer = sync(client, scene, [scan(token, 1), dict(scan(token, 1), **item)])
    assert answer.status_code == 400 and "error" in answer.get_json()
    assert counts(app) == (0, 0)


# -- the bundle and photos -------------------------------------------------------------------


def test_a_removed_scanner_gets_neither_bundle_nor_photo_nor_sync(app, client, scene):
    sign_in(client, scene.scanner)
    assert client.get(f"/forums/{scene.forum.slug}/scanner/data.json").status_code == 200
    with app.app_context():
        db.session.delete(db.session.get(ForumScanner, (scene.forum.id, scene.scanner.id)))
        db.session.commit()
    slug = scene.forum.slug
    assert client.get(f"/forums/{slug}/scanner/data.json").status_code == 403
    assert client.get(f"/forums/{slug}/scanner/photos/{scene.delegate.id}").status_code == 403
    assert client.get(f"/forums/{slug}/scanner/").status_code == 403
    assert sync(client, scene, [scan(None, 1, badge=scene.delegate.id)]).status_code == 403


def test_an_organiser_of_another_forum_gets_no_bundle_nor_photo(app, client, scene):
    with committed(app):
        outsider = make_organiser(make_forum())
    sign_in(client, outsider)
    slug = scene.forum.slug
    assert client.get(f"/forums/{slug}/scanner/data.json").status_code == 403
    assert client.get(f"/forums/{slug}/scanner/photos/{scene.delegate.id}").status_code == 403


def test_the_bundle_holds_no_private_key_no_retired_key_and_is_audited(app, client, scene):
    token_of(app, scene, scene.delegate)  # the first key
    with app.test_request_context():
        forum = db.session.get(type(scene.forum), scene.forum.id)
        old = signing.signing_key(forum)
        new = signing.new_signing_key(forum)
        signing.retire_key(old)
        old_public, old_private, new_private = old.public_key, old.private_key, new.private_key
        new_id = new.id
        db.session.commit()
    sign_in(client, scene.scanner)
    answer = client.get(f"/forums/{scene.forum.slug}/scanner/data.json")
    body = answer.get_data(as_text=True)
    assert [key["id"] for key in answer.get_json()["keys"]] == [new_id]
    assert old_public not in body and old_private not in body and new_private not in body
    assert "private" not in body
    assert "email" not in body and "passport" not in body.lower()
    assert "no-store" in answer.headers["Cache-Control"] or "private" in answer.headers["Cache-Control"]
    with app.app_context():
        entries = db.session.scalar(
            select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "scanner.roster_read")
        )
    assert entries == 1


# -- the scanner page ----------------------------------------------------------------------


def test_the_scanner_page_and_its_worker_have_a_strict_csp(app, client, scene):
    sign_in(client, scene.scanner)
    page = client.get(f"/forums/{scene.forum.slug}/scanner/")
    worker = client.get(f"/forums/{scene.forum.slug}/scanner/sw.js")
    for answer in (page, worker):
        policy = answer.headers["Content-Security-Policy"]
        assert "script-src 'self'" in policy and "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert "<script>" not in page.get_data(as_text=True)


def test_the_scanner_script_never_writes_html():
    import pathlib

    root = pathlib.Path(__file__).resolve().parents[2] / "static" / "js"
    for path in [*root.glob("scanner*.js"), *(root / "scanner").glob("*.js")]:
        code = path.read_text()
        for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval("):
            assert sink not in code, f"{path.name} uses {sink}"


# -- badges pages and print ------------------------------------------------------------------


def test_an_organiser_of_another_forum_cannot_touch_this_forums_badges_or_keys(app, client, scene):
    token_of(app, scene, scene.delegate)
    with committed(app):
        other = make_scene(slug="other-forum", name="Other forum")
    with app.app_context():
        key_id = db.session.scalar(
            select(func.max(signing.ForumSigningKey.id)).where(signing.ForumSigningKey.forum_id == scene.forum.id)
        )
    sign_in(client, other.organiser)
    slug, badge = other.forum.slug, scene.delegate.id
    assert client.post(f"/forums/{slug}/manage/badges/{badge}/reprint").status_code == 404
    assert client.post(f"/forums/{slug}/manage/badges/{badge}/revoke", data={"reason": "x"}).status_code == 404
    assert client.get(f"/forums/{slug}/manage/badges/{badge}/badge.pdf").status_code == 404
    retire = client.post(f"/forums/{slug}/manage/badges/keys/{key_id}/retire")
    assert retire.status_code in (302, 404, 422)
    with app.app_context():
        assert db.session.get(signing.ForumSigningKey, key_id).retired_at is None
        assert db.session.get(Badge, badge).version == 1 and db.session.get(Badge, badge).revoked_at is None
    assert client.get(f"/forums/{scene.forum.slug}/manage/badges/{badge}/badge.pdf").status_code == 403


@pytest.mark.parametrize("layout", ["A6' or 1=1", "../../etc/passwd", "a6\r\nX: y", "", "%00"])
def test_an_unknown_layout_is_a_400(app, client, scene, layout):
    sign_in(client, scene.organiser)
    slug = scene.forum.slug
    assert client.get(f"/forums/{slug}/manage/badges.pdf", query_string={"layout": layout}).status_code == 400
    badge = f"/forums/{slug}/manage/badges/{scene.delegate.id}/badge.pdf"
    one_badge = client.get(badge, query_string={"layout": layout})
    assert one_badge.status_code == 400


def test_an_unknown_event_for_a_print_run_is_a_404(app, client, scene):
    sign_in(client, scene.organiser)
    answer = client.get(f"/forums/{scene.forum.slug}/manage/badges.pdf", query_string={"event": "NOPE"})
    assert answer.status_code == 404


def _start(starts: list[tuple[float, float]], text: str, cm: list[float], tm: list[float]) -> None:
    if text.strip():
        starts.append((tm[4] * cm[0] + cm[4], tm[5] * cm[3] + cm[5]))


@pytest.mark.parametrize(
    "name", ["W" * 400, "😀" * 200, "<img src=x onerror=alert(1)>", "\u202e" + "名" * 399, "\u0007x\u200b"]
)
def test_a_badge_with_a_long_or_odd_name_prints_on_one_page(app, client, scene, name):
    import io

    from pypdf import PdfReader

    with app.app_context():
        badge = db.session.get(Badge, scene.delegate.id)
        badge.name, badge.latin_name, badge.affiliation, badge.function = name, name, name[:300], name[:200]
        db.session.commit()
    sign_in(client, scene.organiser)
    url = f"/forums/{scene.forum.slug}/manage/badges/{scene.delegate.id}/badge.pdf"
    for layout in ("a6", "id1"):
        pdf = client.get(url, query_string={"layout": layout})
        assert pdf.status_code == 200, pdf.status_code
        (page,) = PdfReader(io.BytesIO(pdf.data)).pages
        width, height = float(page.mediabox.width), float(page.mediabox.height)
        starts: list[tuple[float, float]] = []
        text = page.extract_text(visitor_text=lambda t, cm, tm, *_, starts=starts: _start(starts, t, cm, tm))
        assert all(0 <= x <= width and 0 <= y <= height for x, y in starts)
        if len(name) >= 200:  # cut to fit, with an ellipsis, never run on beyond the card
            assert name not in text


def test_the_hand_issue_form_refuses_a_name_of_2000_characters(app, client, scene):
    sign_in(client, scene.organiser)
    answer = client.post(
        f"/forums/{scene.forum.slug}/manage/badges/by-hand",
        data={"hand-category": "press", "hand-name": "W" * 2000, "hand-affiliation": "NHK"},
    )
    assert answer.status_code == 422
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Badge).where(Badge.affiliation == "NHK")) == 0


def test_print_badges_for_a_forum_with_no_badges_says_so(app, tmp_path):
    with committed(app):
        forum = make_forum()
        organiser = make_organiser(forum)
    out = tmp_path / "badges.pdf"
    runner = app.test_cli_runner()
    result = runner.invoke(args=["print-badges", "--forum", forum.slug, "--out", str(out), "--as", organiser.email])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    assert "Traceback" not in result.output
    if result.exit_code == 0:
        assert out.exists() and "0 badges" in result.output
    else:
        assert not out.exists() and "Error" in result.output
    nowhere = runner.invoke(args=["print-badges", "--forum", "no-such-forum", "--out", str(out)])
    assert nowhere.exit_code != 0 and "Traceback" not in nowhere.output


# -- zones ------------------------------------------------------------------------------------


def test_a_deleted_zone_turns_its_scans_to_wrong_zone(app, client, scene):
    token = token_of(app, scene, scene.delegate, zones=[1, 3])
    with app.app_context():
        from planner.badges.models import Zone

        db.session.delete(db.session.get(Zone, scene.side_room.id))
        db.session.commit()
    sign_in(client, scene.scanner)
    assert one(sync(client, scene, [scan(token, 3)]))["outcome"] == "wrong_zone"


# -- concurrency ------------------------------------------------------------------------------


@pytest.mark.postgresql
def test_two_devices_racing_for_one_arrival_keep_one_and_the_earliest_time(app, scene):
    import threading

    from tests.badges.helpers import DURING

    badges = [scene.delegate, scene.participant, scene.other_delegate]
    made = {badge.id: token_of(app, scene, badge, zones=[1, 2, 3]) for badge in badges}
    clients = [app.test_client() for _ in range(2)]
    for client in clients:
        sign_in(client, scene.scanner)
    rounds = [(badge.id, zone) for badge in badges for zone in (1, 2, 3)]
    answers: dict[tuple[int, int, int], str] = {}
    for badge_id, zone in rounds:
        barrier = threading.Barrier(2)

        def send(index, badge_id=badge_id, zone=zone, barrier=barrier):
            # Device 1 scanned a minute later than device 0, yet may sync first.
            moment = DURING + dt.timedelta(minutes=index)
            barrier.wait()
            answer = sync(clients[index], scene, [scan(made[badge_id], zone, moment)], device=f"door-{index}")
            answers[(badge_id, zone, index)] = one(answer)["outcome"]

        threads = [threading.Thread(target=send, args=(index,)) for index in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    with app.app_context():
        arrivals = db.session.execute(select(Arrival.badge_id, Arrival.zone_id, Arrival.first_scanned_at)).all()
        admitted = db.session.scalar(select(func.count()).select_from(Scan).where(Scan.outcome == "admitted"))
        scans = db.session.scalar(select(func.count()).select_from(Scan))
    assert len(arrivals) == len(rounds) and scans == 2 * len(rounds)
    assert {first for _, _, first in arrivals} == {DURING.astimezone(dt.UTC)}
    assert admitted == len(rounds)  # the later scan of each pair is kept as a duplicate


# -- every form: bad input a 4xx ----------------------------------------------------------------

GARBAGE = [
    {},
    {"number": "abc", "name": "x"},
    {"number": "99999999999999999999999", "name": "x"},
    {"number": "-1", "name": "x"},
    {"number": "7", "name": "x" * 5000},
    {"number": "7", "name": "Hall", "categories": "admin"},
    {"number": "7", "name": "Hall", "events": "999999"},
    {"number": "7", "name": "Hall", "events": "abc"},
    {"number": "1", "name": "Another plenary"},  # number taken
    {"number": "7", "name": "\x00\x01"},
]


@pytest.mark.parametrize("data", GARBAGE)
def test_the_zone_form_refuses_garbage_with_a_4xx(app, client, scene, data):
    from planner.badges.models import Zone

    sign_in(client, scene.organiser)
    with app.app_context():
        before = db.session.scalar(select(func.count()).select_from(Zone))
    slug = scene.forum.slug
    for url in (f"/forums/{slug}/manage/zones/new", f"/forums/{slug}/manage/zones/{scene.side_room.id}/edit"):
        answer = client.post(url, data=data)
        assert 400 <= answer.status_code < 500, (url, answer.status_code)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Zone)) == before
        assert db.session.get(Zone, scene.side_room.id).number == 3


@pytest.mark.parametrize(
    ("path", "data"),
    [
        ("manage/scanners", {"email": "not an email"}),
        ("manage/scanners", {"email": "nobody@example.org"}),
        ("manage/scanners", {"email": "x" * 5000 + "@example.org"}),
        ("manage/scanners/999999/remove", {}),
        ("manage/badges/by-hand", {"hand-category": "king", "hand-name": "X"}),
        ("manage/badges/by-hand", {"hand-category": "press", "hand-name": ""}),
        ("manage/badges/999999/revoke", {"revoke-reason": "x"}),
        ("manage/badges/999999/reprint", {}),
        ("manage/badges/keys/999999/retire", {"retire-confirm": "y"}),
        ("manage/zones/999999/delete", {}),
        ("manage/zones/999999/edit", {"number": "9", "name": "x"}),
    ],
)
def test_organisers_forms_refuse_garbage_with_a_4xx_or_a_flash(app, client, scene, path, data):
    sign_in(client, scene.organiser)
    with app.app_context():
        before = (
            db.session.scalar(select(func.count()).select_from(Badge)),
            db.session.scalar(select(func.count()).select_from(ForumScanner)),
        )
    answer = client.post(f"/forums/{scene.forum.slug}/{path}", data=data)
    assert answer.status_code in (302, 400, 403, 404, 409, 422), answer.status_code
    with app.app_context():
        after = (
            db.session.scalar(select(func.count()).select_from(Badge)),
            db.session.scalar(select(func.count()).select_from(ForumScanner)),
        )
    assert after == before


def test_a_zone_of_another_forum_is_a_404(app, client, scene):
    with committed(app):
        other = make_scene(slug="other-forum", name="Other forum")
    sign_in(client, other.organiser)
    slug = other.forum.slug
    assert client.get(f"/forums/{slug}/manage/zones/{scene.plenary.id}/edit").status_code == 404
    assert client.post(f"/forums/{slug}/manage/zones/{scene.plenary.id}/delete").status_code == 404
    assert client.post(f"/forums/{slug}/manage/scanners/{scene.scanner.id}/remove").status_code in (302, 404, 422)
    with app.app_context():
        assert db.session.get(ForumScanner, (scene.forum.id, scene.scanner.id)) is not None


def test_the_bundle_says_when_it_was_made_and_an_unchanged_one_is_a_304(app, client, scene):
    sign_in(client, scene.scanner)
    url = f"/forums/{scene.forum.slug}/scanner/data.json"
    first = client.get(url)
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", first.get_json()["generated_at"])
    again = client.get(url, headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304


def test_a_zone_number_given_again_opens_to_the_badges_printed_with_it_and_the_organiser_is_told(app, client, scene):
    """By design (the token carries zone numbers, not zones): the number a deleted zone had, given
    to a new zone, opens it to the badges printed before. The form proposes another number and
    says how many badges carry the one chosen."""
    from planner.badges.models import Zone

    token = token_of(app, scene, scene.participant)  # Y-ISEF's participant: zone 3
    sign_in(client, scene.organiser)
    slug = scene.forum.slug
    assert client.post(f"/forums/{slug}/manage/zones/{scene.side_room.id}/delete").status_code == 302
    proposed = client.get(f"/forums/{slug}/manage/zones/new").get_data(as_text=True)
    assert 'value="3"' not in proposed  # badges still carry 3: another number is proposed
    answer = client.post(f"/forums/{slug}/manage/zones/new", data={"number": "3", "name": "VIP lounge"})
    assert answer.status_code == 302
    page = client.get(f"/forums/{slug}/manage/zones").get_data(as_text=True)
    assert "carries zone 3" in page or "carry zone 3" in page
    with app.app_context():
        assert db.session.scalar(select(Zone.name).where(Zone.forum_id == scene.forum.id, Zone.number == 3))
    sign_in(client, scene.scanner)
    assert one(sync(client, scene, [scan(token, 3)]))["outcome"] == "admitted"


@pytest.mark.postgresql
def test_a_retry_racing_its_first_try_is_kept_once(app, scene):
    import threading

    token = token_of(app, scene, scene.delegate)
    clients = [app.test_client() for _ in range(2)]
    for client in clients:
        sign_in(client, scene.scanner)
    results: list[dict] = []
    for _ in range(5):
        same = scan(token, 1)
        barrier = threading.Barrier(2)

        def send(client, same=same, barrier=barrier):
            barrier.wait()
            results.append(one(sync(client, scene, [same])))

        threads = [threading.Thread(target=send, args=(client,)) for client in clients]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert len(results) == 10
    assert counts(app) == (5, 1)
    assert sorted(result["outcome"] for result in results[:2]) == ["admitted", "admitted"]
    assert all(result["outcome"] == "duplicate" for result in results[2:])


def test_a_number_too_long_for_python_is_a_400(app, client, scene):
    sign_in(client, scene.scanner)
    body = '{"device": "d", "scans": [{"id": "%s", "token": null, "badge": %s, "zone": 1, "at": "2018-03-03T01:00Z"}]}'
    answer = post(client, scene.forum.slug, body % (uuid.uuid4(), "9" * 5000))
    assert answer.status_code == 400 and "error" in answer.get_json()
