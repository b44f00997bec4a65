"""Arrivals for organisers: the page's figures and its CSV after scans synced through the
endpoint, who may see them, and a fixed number of queries however many badges and scans."""

from __future__ import annotations

import csv
import datetime as dt
import html
import io
import json
import re

import pytest
from sqlalchemy import select

from planner.audit.models import AuditEntry
from planner.badges import issuing
from planner.badges.models import Badge, BadgeCategory
from planner.extensions import db
from tests.badges.helpers import DURING, make_scene, scan, staff_badges
from tests.conftest import sign_in
from tests.factories import committed, make_user

PAGE = "/forums/isef2/manage/arrivals"
CSV = "/forums/isef2/manage/arrivals.csv"


@pytest.fixture
def scene(app):
    with committed(app):
        scene = make_scene()
        press = issuing.issue_by_hand(
            scene.organiser,
            scene.forum,
            category=BadgeCategory.PRESS,
            name="Mia Reporter",
            affiliation="Le Monde",
            function="",
        )
        scene.press = press  # type: ignore[attr-defined]
        return scene


def sync(client, scans, device="door-1"):
    answer = client.post(
        "/forums/isef2/scanner/sync",
        data=json.dumps({"device": device, "scans": scans}),
        content_type="application/json",
    )
    assert answer.status_code == 200, answer.get_data(as_text=True)
    return [result["outcome"] for result in answer.get_json()["results"]]


def tokens(app, scene, *badges, **changes):
    with app.test_request_context():
        made = [scene.token(db.session.get(Badge, badge.id), **changes) for badge in badges]
        db.session.commit()  # the forum's first key is made on first use
        return made


def revoke(app, scene, badge):
    with app.test_request_context():
        organiser = db.session.get(type(scene.organiser), scene.organiser.id)
        forum = db.session.get(type(scene.forum), scene.forum.id)
        issuing.revoke(organiser, db.session.get(Badge, badge.id), forum, "Lost at the hotel")
        db.session.commit()


def row(page: str, row_id: str) -> list[str]:
    """The texts of the cells of the table row with this id."""
    found = re.search(rf'<tr id="{re.escape(row_id)}">(.*?)</tr>', page, re.S)
    assert found, f"no row {row_id}"
    cells = re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", found.group(1), re.S)
    return [html.unescape(re.sub(r"<[^>]+>|\s+", " ", cell)).strip() for cell in cells]


def figure(page: str, figure_id: str) -> int:
    return int(re.search(rf'<dd id="{figure_id}">(\d+)</dd>', page).group(1))


def a_morning_of_scans(app, client, scene) -> dict[str, dict]:
    """Eight scans at the doors, one of each outcome and two arrivals; synced by the scanner."""
    delegate, other, participant, press = tokens(
        app, scene, scene.delegate, scene.other_delegate, scene.participant, scene.press
    )
    revoke(app, scene, scene.press)
    forged = delegate[:-3] + ("AAA" if delegate[-3:] != "AAA" else "BBB")
    scans = {
        "admitted": scan(delegate, 1, event="MIN"),
        "duplicate": scan(delegate, 1, DURING + dt.timedelta(minutes=5), event="MIN"),
        "participant": scan(participant, 3, DURING + dt.timedelta(minutes=1), event="Y-ISEF"),
        "wrong_zone": scan(other, 2),
        "forged": scan(forged, 1),
        "expired": scan(delegate, 1, dt.datetime(2018, 3, 10, 10, tzinfo=dt.UTC)),
        "unknown_badge": scan(None, 1, badge=999_999),
        "revoked": scan(press, 2),
    }
    sign_in(client, scene.scanner)
    assert sync(client, list(scans.values())) == [
        "admitted",
        "duplicate",
        "admitted",
        "wrong_zone",
        "forged",
        "expired",
        "unknown_badge",
        "revoked",
    ]
    return scans


@pytest.mark.commits
def test_the_page_counts_arrivals_by_event_zone_and_delegation_and_every_refusal(app, client, scene):
    a_morning_of_scans(app, client, scene)
    sign_in(client, scene.organiser)
    answer = client.get(PAGE)
    assert answer.status_code == 200
    assert answer.headers["Cache-Control"] == "private, no-store"
    page = answer.get_data(as_text=True)

    # Three badges in force (the press badge is revoked), two of them arrived; eight scans, six
    # of them refused or found twice.
    assert [figure(page, f"total-{name}") for name in ("issued", "arrived", "waiting", "revoked")] == [3, 2, 1, 1]
    assert (figure(page, "total-scans"), figure(page, "total-refused")) == (8, 6)
    # Refusals by zone: duplicate, wrong zone, revoked, expired, forged, no such badge.
    assert row(page, "zone-1") == ["1 · Plenary hall", "2", "1", "1", "1", "0", "0", "1", "1", "1"]
    assert row(page, "zone-2") == ["2 · Press centre", "0", "0", "0", "0", "1", "1", "0", "0", "0"]
    assert row(page, "zone-3") == ["3 · Side-event room", "1", "1", "0", "0", "0", "0", "0", "0", "0"]
    assert row(page, "zone-all") == ["All zones", "—", "2", "—", "1", "1", "1", "1", "1", "1"]
    # The ministerial meeting's delegates, Y-ISEF's participant; the arrivals its doors recorded.
    assert row(page, "event-MIN")[1:] == ["2", "1", "1", "1"]
    assert row(page, "event-Y-ISEF")[1:] == ["1", "1", "0", "1"]
    by_delegation = re.search(r'id="delegations-heading".*?</table>', page, re.S).group(0)
    delegation_rows = r'<tr><th scope="row">(.*?)</th><td>(\d+)</td><td>(\d+)</td>'
    assert re.findall(delegation_rows, by_delegation) == [
        ("France", "1", "0"),
        ("Japan", "1", "1"),
        ("None printed", "1", "1"),
    ]
    # The latest first, at the forum's time (Tokyo), with the door's device.
    latest = re.search(r'id="latest-heading".*?</table>', page, re.S).group(0)
    assert latest.index("Kenji Sato") < latest.index("Aiko Tanaka")
    assert "3 Mar 2018 10:01 JST" in latest and "3 Mar 2018 10:00 JST" in latest
    assert "Y-ISEF" in latest and "door-1" in latest
    assert "Figures as of" in page


@pytest.mark.commits
def test_the_page_refreshes_itself_without_script_and_can_stop(app, client, scene):
    sign_in(client, scene.organiser)
    answer = client.get(PAGE)
    page = answer.get_data(as_text=True)
    assert '<meta http-equiv="refresh" content="15">' in page
    assert "<script" not in page
    # The CSP allows no inline script, and a meta refresh is no script: nothing to relax.
    assert "script-src 'self'" in answer.headers["Content-Security-Policy"]
    assert "unsafe-inline" not in answer.headers["Content-Security-Policy"]
    assert "Stop refreshing" in page
    stopped = client.get(PAGE + "?refresh=off").get_data(as_text=True)
    assert 'http-equiv="refresh"' not in stopped and "Refresh every 15 seconds" in stopped
    assert client.get(PAGE + "?refresh=sometimes").status_code == 400
    assert "Nobody has arrived yet." in page


@pytest.mark.commits
def test_the_csv_has_a_row_an_arrival_with_its_scans_and_its_download_is_audited(app, client, scene):
    scans = a_morning_of_scans(app, client, scene)
    sign_in(client, scene.organiser)
    answer = client.get(CSV)
    assert answer.status_code == 200
    assert answer.mimetype == "text/csv"
    assert answer.headers["Content-Disposition"] == 'attachment; filename="isef2-arrivals.csv"'
    assert answer.headers["Cache-Control"] == "private, no-store"
    rows = list(csv.DictReader(io.StringIO(answer.get_data(as_text=True))))
    assert [(r["name"], r["zone"], r["zone_name"], r["event"]) for r in rows] == [
        ("Aiko Tanaka", "1", "Plenary hall", "MIN"),
        ("Kenji Sato", "3", "Side-event room", "Y-ISEF"),
    ]
    aiko, kenji = rows
    assert aiko["badge"] == f"{scene.delegate.number:04d}" and aiko["delegation"] == "Japan"
    assert aiko["category"] == "delegate" and kenji["category"] == "participant"
    # The first scan's time as the forum's clocks showed it, with the offset.
    assert aiko["first_scanned_at"] == "2018-03-03T10:00:00+09:00"
    assert kenji["first_scanned_at"] == "2018-03-03T10:01:00+09:00"
    assert aiko["device"] == "door-1"
    # Aiko's badge was scanned three times at the plenary hall: admitted, again, and out of its dates.
    assert (aiko["scans"], kenji["scans"]) == ("3", "1")

    every = client.get(CSV + "?scans=all")
    assert every.headers["Content-Disposition"] == 'attachment; filename="isef2-scans.csv"'
    scanned = list(csv.DictReader(io.StringIO(every.get_data(as_text=True))))
    assert {r["scan_id"]: r["outcome"] for r in scanned} == {s["id"]: outcome for outcome, s in scans.items()} | {
        scans["participant"]["id"]: "admitted"
    }
    forged = next(r for r in scanned if r["outcome"] == "forged")
    assert (forged["badge"], forged["name"], forged["zone"]) == ("", "", "1")
    assert {r["scanned_by"] for r in scanned} == {"Door Staff"}
    assert next(r for r in scanned if r["outcome"] == "unknown_badge")["manual"] == "yes"
    assert scanned[0]["scanned_at"] == "2018-03-03T10:00:00+09:00"

    assert client.get(CSV + "?scans=some").status_code == 400
    with app.app_context():
        entries = db.session.scalars(
            select(AuditEntry).where(AuditEntry.action == "arrivals.exported").order_by(AuditEntry.id)
        ).all()
        assert [(e.actor_id, e.after) for e in entries] == [
            (scene.organiser.id, {"file": "arrivals", "rows": 2}),
            (scene.organiser.id, {"file": "scans", "rows": 8}),
        ]


@pytest.mark.commits
def test_a_formula_in_a_name_is_not_run_by_a_spreadsheet(app, client, scene):
    with app.app_context():
        db.session.get(Badge, scene.delegate.id).name = "=HYPERLINK(1)"
        db.session.commit()
    (token,) = tokens(app, scene, scene.delegate)
    sign_in(client, scene.scanner)
    assert sync(client, [scan(token, 1)]) == ["admitted"]
    sign_in(client, scene.organiser)
    (arrival,) = csv.DictReader(io.StringIO(client.get(CSV).get_data(as_text=True)))
    assert arrival["name"] == "'=HYPERLINK(1)"


@pytest.mark.commits
def test_only_organisers_see_arrivals(app, client, scene):
    with committed(app):
        stranger = make_user()
    for path in (PAGE, CSV, CSV + "?scans=all"):
        assert client.get(path).status_code == 302  # to sign in
    for person in (scene.scanner, stranger):  # the scanning staff see the door, not the figures
        sign_in(client, person)
        for path in (PAGE, CSV, CSV + "?scans=all"):
            assert client.get(path).status_code == 403
    assert client.get("/forums/nowhere/manage/arrivals").status_code == 404


@pytest.mark.commits
def test_the_page_and_the_csv_read_a_fixed_number_of_queries(app, client, scene, count_queries):
    a_morning_of_scans(app, client, scene)
    sign_in(client, scene.organiser)
    client.get(PAGE)  # templates compiled, session loaded
    with count_queries() as few:
        assert client.get(PAGE).status_code == 200
    with count_queries() as few_csv:
        assert client.get(CSV + "?scans=all").status_code == 200

    # 150 more badges of 30 delegations, every one scanned at the plenary hall and half of them
    # twice, from three devices.
    made = staff_badges(
        app,
        scene,
        150,
        affiliation=lambda n: f"Delegation {n % 30}",
        zone_numbers=lambda n: [1, 2] if n % 2 else [1],
    )
    sign_in(client, scene.scanner)
    for device in ("door-2", "door-3", "door-4"):
        batch = [scan(token, 1, DURING + dt.timedelta(minutes=n)) for n, token in enumerate(made[:100])]
        sync(client, batch, device=device)
    sync(client, [scan(token, 2) for token in made[100:]], device="door-5")
    sign_in(client, scene.organiser)
    with count_queries() as many:
        page = client.get(PAGE).get_data(as_text=True)
    with count_queries() as many_csv:
        assert len(client.get(CSV + "?scans=all").get_data(as_text=True).splitlines()) == 1 + 8 + 350
    assert figure(page, "total-issued") == 153
    assert figure(page, "total-arrived") == 2 + 100 + 25  # odd ones of the last 50 open zone 2
    assert many.count == few.count, many.statements
    assert many_csv.count == few_csv.count, many_csv.statements


@pytest.mark.commits
def test_the_scanner_page_without_javascript_points_organisers_to_the_arrivals(app, client, scene):
    sign_in(client, scene.organiser)
    assert 'href="/forums/isef2/manage/arrivals"' in client.get("/forums/isef2/scanner/").get_data(as_text=True)
    sign_in(client, scene.scanner)
    assert "/manage/arrivals" not in client.get("/forums/isef2/scanner/").get_data(as_text=True)
