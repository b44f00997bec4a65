"""Check-in at the doors: 8 scanner devices sync 10,000 scans in batches of 50 through gunicorn.

Builds a clean database (PostgreSQL by default, ``--sqlite`` for a temporary SQLite file) with
a forum of 2,000 badges (1,600 delegates of 100 delegations, accredited; 200 press, 150 staff,
50 security), its ministerial meeting and a side event, and 10 zones the badges open by
category and event. Then it makes the scans the doors would: one signed token a badge (the
forum's own Ed25519 key), one scan for 8,800 distinct (badge, zone) pairs, 1,000 duplicates
(10%: the same badge at the same zone with another scan id, up to half an hour earlier or
later, so that the earliest must win whichever device syncs first) and 200 forged (2%: a
genuine token with one character of its signature changed), shuffled among 8 devices.

Each device is a scanner of its own (an account with the scanner role, its signed-in session
cookie and its CSRF token, sent as X-CSRFToken as the scanner page does) and a thread that
posts its scans in batches of 50 to ``/forums/<slug>/scanner/sync`` on gunicorn with two sync
workers, in four rounds. Two devices send one of their batches twice in a row (an answer lost
on the way), and at the end two batches are replayed once more. ``/healthz`` is measured on
the same server in the same run (as many clients as devices), before the first round and after
each: the figure to compare is scans per second ÷ /healthz requests per second (target: at
least 2, since a batch holds 50 scans); each round's ratio, against the measurements either
side of it, shows how much the machine's load moved. The machine is shared and noisy: compare
ratios, not absolute numbers, and look at several runs.

Then the database is read back:
- lost: scans sent whose id is not stored (or stored twice); failed: batches not answered 200;
- counted twice: arrivals beyond the distinct genuine (badge, zone) pairs, or admitted scans
  beyond the arrivals; missing: a genuine pair with no arrival;
- forged admitted: forged scans not refused as forged;
- not earliest: arrivals whose time is not the earliest genuine scan of their pair;
- replays: answers to a replayed batch that are not marked replayed or that differ from what
  is stored.
Last, in this process (no HTTP), the SQL statements of one sync request of 10 scans and of
50 (new pairs, duplicates of arrivals already kept, forged ones, in the same proportions) and
of a replayed batch of 50: they must be equal, whatever the batch's size; then the median time
of a batch of 50 against that of ``/healthz``, one request at a time in this process (a ratio
without HTTP, other clients or SQLite's queue of writers). ``--profile`` adds a cProfile of
in-process syncs of 50, the functions that take the time; ``PLANNER_BENCH_SHOW_SQL=1`` prints
the statements of the in-process batch of 50.

Last, the print run: 500 of the badges as one PDF of A4 sheets (``print_run``), in seconds,
against fpdf2 writing the same 500 pages of text without QR codes or images in the same run.

The PostgreSQL database (default ``postgresql+psycopg://postgres@127.0.0.1:5432/bench_checkin``,
or DATABASE_URL, or ``--database-url``) is created if missing and its ``public`` schema is
DROPPED and rebuilt with ``flask db upgrade``; the benchmark refuses to wipe a database holding
accounts or forums it did not create.

Usage, from the project root:
    .venv/bin/python benchmarks/checkin.py [--sqlite | --database-url URL] [--badges 2000]
        [--scans 10000] [--batch 50] [--devices 8] [--rounds 4] [--healthz-seconds 6] [--profile]
The last line printed is one JSON object with the results. Exit status 1 when the benchmark
could not run or a scan was lost, counted twice, a forged one admitted, or the queries grew.
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import http.client
import io
import itertools
import json
import os
import pstats
import random
import secrets
import statistics
import sys
import threading
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from serving import (
    HOST,
    ROOT,
    WORKERS,
    BenchmarkError,
    chosen_database,
    database_name,
    gunicorn,
    measure,
    request,
    run,
    upgrade_schema,
    wipe_postgresql,
    wiped_database_choice,
)
from sqlalchemy import event, func, insert, select

sys.path.insert(0, str(ROOT))
from flask import Flask, session  # noqa: E402
from flask_wtf.csrf import generate_csrf  # noqa: E402
from werkzeug.security import generate_password_hash  # noqa: E402

from planner import create_app  # noqa: E402
from planner.accounts import sessions  # noqa: E402
from planner.accounts.models import User  # noqa: E402
from planner.badges import signing  # noqa: E402
from planner.badges import zones as zone_rules  # noqa: E402
from planner.badges.issuing import forum_validity  # noqa: E402
from planner.badges.models import Arrival, Badge, BadgeCategory, ForumScanner, Scan, ScanOutcome, Zone, ZoneEvent  # noqa: E402
from planner.config import normalise_database_url  # noqa: E402
from planner.crypto import new_key  # noqa: E402
from planner.delegations.models import (  # noqa: E402
    Delegation,
    DelegationKind,
    DelegationMember,
    DelegationStatus,
    MemberRole,
    NominationStatus,
    Person,
)
from planner.extensions import db  # noqa: E402
from planner.formatting import country_codes  # noqa: E402
from planner.forums.models import Event, EventKind, Forum  # noqa: E402

DEFAULT_DATABASE_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/bench_checkin"
SLUG = "checkin"
EMAIL_DOMAIN = "checkin.example"  # of every account the benchmark creates: it wipes no others
TIMEOUT = 60.0  # seconds for one request
TIMED_BATCHES = 9  # in this process, after the run
PROFILE_LINES = int(os.environ.get("PROFILE_LINES", "35"))
DELEGATIONS = 100
#: Of every 40 badges: 32 delegates, 4 press, 3 staff, 1 security.
CATEGORY_MIX = (
    [BadgeCategory.DELEGATE] * 32 + [BadgeCategory.PRESS] * 4 + [BadgeCategory.STAFF] * 3 + [BadgeCategory.SECURITY]
)
#: Zone number, name, categories that open it, whether the ministerial meeting's delegates may enter.
ZONES = [
    (1, "Plenary hall", ["security"], True),
    (2, "Bilateral room A", ["security"], True),
    (3, "Bilateral room B", ["security"], True),
    (4, "Bilateral room C", ["security"], True),
    (5, "Bilateral room D", ["security"], True),
    (6, "Press centre", ["press", "security"], False),
    (7, "Press briefing room", ["press", "security"], False),
    (8, "Side-event room", ["staff", "security"], False),
    (9, "Staff office", ["staff", "security"], False),
    (10, "Delegates' lounge", ["security"], True),
]
MINISTERIAL_ZONES = {number for number, _name, _categories, ministerial in ZONES if ministerial}


@dataclass(frozen=True)
class Device:
    name: str
    cookie: str
    csrf_token: str


@dataclass(frozen=True)
class ScanOut:
    """A scan as a device sends it, and what the benchmark knows of it."""

    scan_id: str
    token: str
    badge_id: int
    zone: int
    at: dt.datetime
    forged: bool

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.scan_id,
            "token": self.token,
            "badge": None,
            "zone": self.zone,
            "event": "MIN" if self.zone in MINISTERIAL_ZONES else None,
            "at": self.at.isoformat(),
        }


@dataclass
class Seeded:
    forum_id: int
    devices: list[Device]
    tokens: dict[int, str]  # badge id -> its QR text
    pairs: list[tuple[int, int]]  # every (badge id, zone number) a badge opens


# --- the database ------------------------------------------------------------------------


def build_schema(database_url: str) -> None:
    if database_url.startswith("postgres"):
        foreign = [("users", "email NOT LIKE %s", f"%@{EMAIL_DOMAIN}"), ("forums", "slug <> %s", SLUG)]
        wipe_postgresql(database_url, foreign, "bench_checkin")
    upgrade_schema(database_url)


def seed(app: Flask, badges: int, devices: int) -> Seeded:
    """The forum, its events and zones, ``badges`` badges with their holders, the signing key,
    and ``devices`` scanner accounts with signed-in session cookies and CSRF tokens."""
    print(f"Creating a forum with {badges} badges and {devices} scanner devices...", flush=True)
    today = dt.date.today()
    now = dt.datetime.now(dt.UTC)
    password_hash = generate_password_hash(secrets.token_urlsafe(16))
    with app.app_context():
        forum = Forum(
            slug=SLUG,
            name="Check-in",
            title="Check-in benchmark",
            host_city="Rome",
            host_country="IT",
            timezone="Europe/Rome",
            first_day=today - dt.timedelta(days=1),
            last_day=today + dt.timedelta(days=1),
        )
        ministerial = Event(
            forum=forum,
            kind=EventKind.MINISTERIAL,
            code="MIN",
            title="Ministerial meeting",
            starts_at=dt.datetime.combine(forum.first_day, dt.time(8), tzinfo=dt.UTC),
            ends_at=dt.datetime.combine(forum.last_day, dt.time(18), tzinfo=dt.UTC),
        )
        side = Event(
            forum=forum,
            kind=EventKind.SIDE_EVENT,
            code="SIDE",
            title="Side event",
            starts_at=dt.datetime.combine(forum.first_day, dt.time(8), tzinfo=dt.UTC),
            ends_at=dt.datetime.combine(forum.last_day, dt.time(18), tzinfo=dt.UTC),
        )
        db.session.add_all([forum, ministerial, side])
        db.session.flush()
        for number, name, categories, opened_by_meeting in ZONES:
            zone = Zone(forum_id=forum.id, number=number, name=name, categories=categories)
            db.session.add(zone)
            db.session.flush()
            if opened_by_meeting:
                db.session.add(ZoneEvent(zone_id=zone.id, event_id=ministerial.id))
        codes = sorted(country_codes())[:DELEGATIONS]
        delegations = [
            Delegation(
                forum_id=forum.id,
                name=f"Country {code}",
                kind=DelegationKind.COUNTRY,
                country_code=code,
                status=DelegationStatus.CONFIRMED,
            )
            for code in codes
        ]
        db.session.add_all(delegations)
        db.session.flush()
        categories = [CATEGORY_MIX[n % len(CATEGORY_MIX)] for n in range(badges)]
        delegates = sum(1 for category in categories if category is BadgeCategory.DELEGATE)
        person_ids = db.session.scalars(
            insert(Person).returning(Person.id, sort_by_parameter_order=True),
            [
                {
                    "name": f"Delegate {k}",
                    "given_name": "Delegate",
                    "family_name": str(k),
                    "family_name_first": False,
                    "email": f"delegate{k}@{EMAIL_DOMAIN}",
                    "organisation": "",
                    "is_demo": False,
                    "created_at": now,
                }
                for k in range(delegates)
            ],
        ).all()
        members = [
            {
                "delegation_id": delegations[k % DELEGATIONS].id,
                "person_id": person_id,
                "role": (MemberRole.HEAD if k < DELEGATIONS else MemberRole.MEMBER).value,
                "status": NominationStatus.ACCREDITED.value,
                "nominated_at": now,
            }
            for k, person_id in enumerate(person_ids)
        ]
        db.session.execute(insert(DelegationMember.__table__), members)
        openers = zone_rules.openers(forum)
        start, end = forum_validity(forum)
        key = signing.signing_key(forum)
        rows, k = [], 0
        for n, category in enumerate(categories):
            row: dict[str, Any] = {
                "forum_id": forum.id,
                "number": n + 1,
                "category": category,
                "version": 1,
                "valid_from": start,
                "valid_until": end,
                "issued_at": now,
                "revoked_reason": "",
                "signing_key_id": key.id,
                "latin_name": "",
                "function": "",
            }
            if category is BadgeCategory.DELEGATE:
                member = members[k]
                row.update(
                    delegation_id=member["delegation_id"],
                    person_id=member["person_id"],
                    name=f"Delegate {k}",
                    affiliation=f"Country {codes[k % DELEGATIONS]}",
                    zone_numbers=openers.zones_for(category, (ministerial.id,)),
                )
                k += 1
            else:
                row.update(
                    name=f"{category.value.title()} {n}",
                    affiliation="Staff" if category is not BadgeCategory.PRESS else f"Newspaper {n % 20}",
                    zone_numbers=openers.zones_for(category, ()),
                )
            rows.append(row)
        db.session.execute(insert(Badge), rows)
        tokens: dict[int, str] = {}
        pairs: list[tuple[int, int]] = []
        for badge in db.session.scalars(select(Badge).where(Badge.forum_id == forum.id).order_by(Badge.id)):
            tokens[badge.id] = signing.encode_token(
                key,
                badge_id=badge.id,
                version=badge.version,
                valid_from=badge.valid_from,
                valid_until=badge.valid_until,
                zones=badge.zone_numbers,
            )
            pairs.extend((badge.id, number) for number in badge.zone_numbers)
        scanners = []
        for n in range(devices):
            user = User(
                email=f"door{n}@{EMAIL_DOMAIN}",
                name=f"Door {n}",
                password_hash=password_hash,
                language="en",
                email_verified_at=now,
            )
            db.session.add(user)
            db.session.flush()
            db.session.add(ForumScanner(forum_id=forum.id, user_id=user.id))
            scanners.append(sessions.open_session(user))
        db.session.commit()
        forum_id = forum.id
    serializer = app.session_interface.get_signing_serializer(app)
    assert serializer is not None
    made = []
    for n, key_text in enumerate(scanners):
        # What the session holds once the scanner signed in and opened the scanner page.
        with app.test_request_context(environ_base={"REMOTE_ADDR": HOST}):  # as the client has no User-Agent
            session.update(sessions.cookie_values(key_text))
            session["_id"] = app.login_manager._session_identifier_generator()  # what login_user stores
            csrf_token = generate_csrf()  # stores the raw token in the session
            made.append(Device(f"door-{n + 1}", serializer.dumps(dict(session)), csrf_token))
    return Seeded(forum_id, made, tokens, pairs)


# --- the scans ---------------------------------------------------------------------------


def forge(token: str, rng: random.Random) -> str:
    """The token with one character of its signature changed (one well inside it, whose five
    bits all count: the last character of base32 may carry padding bits only)."""
    position = len(token) - 1 - rng.randrange(8, 90)
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
    replacement = rng.choice([c for c in alphabet if c != token[position]])
    return token[:position] + replacement + token[position + 1 :]


def make_scans(
    seeded: Seeded, count: int, rng: random.Random, now: dt.datetime
) -> tuple[list[ScanOut], list[tuple[int, int]]]:
    """``count`` scans (10% duplicates, 2% forged, the rest one a distinct pair) and the pairs
    left over for the query counts."""
    forged = count * 2 // 100
    duplicates = count * 10 // 100
    first = count - forged - duplicates
    pairs = list(seeded.pairs)
    rng.shuffle(pairs)
    if len(pairs) < first + 1200:  # and enough left for the batches timed in this process
        raise BenchmarkError(f"{len(pairs)} (badge, zone) pairs are too few for {first} arrivals; give more badges")
    used, left = pairs[:first], pairs[first:]
    # Scan times within the last three hours; duplicates up to half an hour either side.
    scans = [
        ScanOut(
            str(uuid.uuid4()), seeded.tokens[b], b, z, now - dt.timedelta(seconds=rng.randrange(1800, 10800)), False
        )
        for b, z in used
    ]
    for _ in range(duplicates):
        original = rng.choice(scans[:first])
        at = original.at + dt.timedelta(seconds=rng.randrange(-1800, 1800))
        scans.append(ScanOut(str(uuid.uuid4()), original.token, original.badge_id, original.zone, at, False))
    for _ in range(forged):
        b, z = rng.choice(used)
        at = now - dt.timedelta(seconds=rng.randrange(1800, 10800))
        scans.append(ScanOut(str(uuid.uuid4()), forge(seeded.tokens[b], rng), b, z, at, True))
    rng.shuffle(scans)
    return scans, left


# --- the sync under gunicorn -------------------------------------------------------------


@dataclass
class Sent:
    """What one device sent and what it was answered."""

    batches: int = 0
    failed: list[str] = field(default_factory=list)
    latencies: list[float] = field(default_factory=list)
    answers: dict[str, dict[str, Any]] = field(default_factory=dict)  # scan id -> its first answer
    replays: list[tuple[list[str], list[dict[str, Any]]]] = field(default_factory=list)  # ids sent, answers


def post_batch(port: int, path: str, device: Device, scans: list[ScanOut]) -> tuple[int, list[dict[str, Any]], float]:
    body = json.dumps({"device": device.name, "scans": [scan.as_json() for scan in scans]})
    headers = {
        "Cookie": f"session={device.cookie}",
        "Content-Type": "application/json",
        "X-CSRFToken": device.csrf_token,
    }
    started = time.perf_counter()
    response, content = request(port, path, method="POST", body=body, headers=headers, timeout=TIMEOUT)
    seconds = time.perf_counter() - started
    if response.status != 200:
        return response.status, [{"error": content.decode(errors="replace")[:300]}], seconds
    return 200, json.loads(content)["results"], seconds


def check_scanner_page(port: int, device: Device) -> None:
    """A device's cookie signs in (the scanner page renders) and is not rewritten."""
    response, _content = request(port, f"/forums/{SLUG}/scanner/", headers={"Cookie": f"session={device.cookie}"})
    if response.status != 200:
        raise BenchmarkError(f"the scanner page answered {response.status} to a device's cookie, not 200")
    if response.getheader("Set-Cookie"):
        raise BenchmarkError("the scanner page rewrote a device's session cookie: it lacks what a browser's holds")


def sync_round(
    port: int, devices: list[Device], batches: list[list[list[ScanOut]]], sent: list[Sent], again: bool
) -> float:
    """Every device sends its ``batches``, all devices at once; with ``again``, the first two
    send their middle batch twice in a row (its answer lost on the way). The seconds taken."""
    path = f"/forums/{SLUG}/scanner/sync"
    start = threading.Barrier(len(devices) + 1, timeout=30)

    def device_thread(index: int) -> None:
        device, mine = devices[index], sent[index]
        twice = len(batches[index]) // 2 if again and index < 2 else -1
        start.wait()
        for number, scans in enumerate(batches[index]):
            for attempt in (1, 2) if number == twice else (1,):
                try:
                    status, results, seconds = post_batch(port, path, device, scans)
                except (OSError, http.client.HTTPException) as error:
                    mine.failed.append(f"{device.name}: {error!r}")
                    continue
                mine.batches += 1
                mine.latencies.append(seconds)
                if status != 200:
                    mine.failed.append(f"{device.name}: {status} {results[0]['error']}")
                elif attempt == 1:
                    mine.answers.update((result["id"], result) for result in results)
                else:
                    mine.replays.append(([scan.scan_id for scan in scans], results))

    threads = [threading.Thread(target=device_thread, args=(n,), daemon=True) for n in range(len(devices))]
    for thread in threads:
        thread.start()
    start.wait()
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    return time.perf_counter() - started


@dataclass
class Timing:
    sync_seconds: float  # of every round
    healthz_rps: float  # the mean of the measurements between rounds
    round_ratios: list[float]


def sync_in_rounds(
    port: int, devices: list[Device], queues: list[list[ScanOut]], args: argparse.Namespace, sent: list[Sent]
) -> Timing:
    """The devices' queues in ``args.rounds`` rounds, /healthz measured before the first and
    after each (with as many clients as devices): a round's ratio compares it with the
    measurements either side of it, which follow the machine's load better than one would."""
    batches = [[queue[n : n + args.batch] for n in range(0, len(queue), args.batch)] for queue in queues]
    per_round = -(-max(len(mine) for mine in batches) // args.rounds)
    slice_seconds = args.healthz_seconds / (args.rounds + 1)
    healthz = [measure(port, "/healthz", slice_seconds, len(devices))[1]]
    print(f"/healthz: {healthz[0]:.1f} requests/s with {len(devices)} clients", flush=True)
    seconds, ratios = 0.0, []
    for number in range(args.rounds):
        part = [mine[number * per_round : (number + 1) * per_round] for mine in batches]
        scans = sum(len(batch) for mine in part for batch in mine)
        elapsed = sync_round(port, devices, part, sent, again=number == min(1, args.rounds - 1))
        healthz.append(measure(port, "/healthz", slice_seconds, len(devices))[1])
        seconds += elapsed
        ratios.append(scans / elapsed / ((healthz[-2] + healthz[-1]) / 2))
        print(
            f"round {number + 1}: {scans} scans in {elapsed:.1f} s, {scans / elapsed:.1f} scans/s; "
            f"/healthz {healthz[-1]:.1f} requests/s after it; ratio {ratios[-1]:.2f}",
            flush=True,
        )
    return Timing(seconds, statistics.fmean(healthz), ratios)


# --- reading the database back -----------------------------------------------------------


def verify(app: Flask, forum_id: int, scans: list[ScanOut], sent: list[Sent]) -> dict[str, int]:
    with app.app_context():
        stored = dict(db.session.execute(select(Scan.scan_uuid, Scan.outcome).where(Scan.forum_id == forum_id)).all())
        stored_rows = db.session.scalar(select(func.count()).select_from(Scan).where(Scan.forum_id == forum_id))
        zone_numbers = dict(db.session.execute(select(Zone.id, Zone.number).where(Zone.forum_id == forum_id)).all())
        arrivals = {
            (badge_id, zone_numbers[zone_id]): (first_at, first_scan_id)
            for badge_id, zone_id, first_at, first_scan_id in db.session.execute(
                select(Arrival.badge_id, Arrival.zone_id, Arrival.first_scanned_at, Arrival.first_scan_id).where(
                    Arrival.forum_id == forum_id
                )
            )
        }
        first_scans = dict(
            db.session.execute(
                select(Scan.id, Scan.outcome).where(Scan.id.in_([scan_id for _at, scan_id in arrivals.values()]))
            ).all()
        )
        db.session.remove()
    genuine = [scan for scan in scans if not scan.forged]
    earliest: dict[tuple[int, int], dt.datetime] = {}
    for scan in genuine:
        pair = (scan.badge_id, scan.zone)
        earliest[pair] = min(earliest.get(pair, scan.at), scan.at)
    sent_ids = {scan.scan_id for scan in scans}
    admitted = sum(1 for outcome in stored.values() if outcome is ScanOutcome.ADMITTED)
    answered = {scan_id for device in sent for scan_id in device.answers}
    replayed_wrong = 0
    for device in sent:
        for ids, results in device.replays:
            replayed_wrong += sum(
                1
                for scan_id, result in zip(ids, results, strict=True)
                if result["id"] != scan_id or not result["replayed"]
            )
    return {
        "lost": len(sent_ids - set(stored)) + (stored_rows - len(stored)),
        "unanswered": len(sent_ids - answered),
        "extra_stored": len(set(stored) - sent_ids),
        "counted_twice": max(0, len(arrivals) - len(earliest)) + max(0, admitted - len(arrivals)),
        "missing_arrivals": len(set(earliest) - set(arrivals)),
        "forged_admitted": sum(
            1 for scan in scans if scan.forged and stored.get(scan.scan_id) is not ScanOutcome.FORGED
        ),
        "genuine_refused": sum(
            1 for scan in genuine if stored.get(scan.scan_id) not in (ScanOutcome.ADMITTED, ScanOutcome.DUPLICATE)
        ),
        "not_earliest": sum(1 for pair, (at, _id) in arrivals.items() if earliest.get(pair) != at),
        "first_scan_not_admitted": sum(1 for outcome in first_scans.values() if outcome is not ScanOutcome.ADMITTED),
        "replayed_wrong": replayed_wrong,
        "arrivals": len(arrivals),
        "distinct_pairs": len(earliest),
        "admitted": admitted,
        "duplicates_stored": sum(1 for outcome in stored.values() if outcome is ScanOutcome.DUPLICATE),
        "forged_stored": sum(1 for outcome in stored.values() if outcome is ScanOutcome.FORGED),
    }


def replay_at_the_end(
    port: int, devices: list[Device], queues: list[list[ScanOut]], batch: int, app: Flask, forum_id: int
) -> int:
    """Two batches sent again once everything is synced: every answer must be marked replayed
    and be what the database holds now. Returns the answers that are not."""
    path = f"/forums/{SLUG}/scanner/sync"
    with app.app_context():
        stored = dict(db.session.execute(select(Scan.scan_uuid, Scan.outcome).where(Scan.forum_id == forum_id)).all())
        db.session.remove()
    wrong = 0
    for index in (0, len(devices) - 1):
        scans = queues[index][batch : 2 * batch]
        status, results, _seconds = post_batch(port, path, devices[index], scans)
        if status != 200:
            raise BenchmarkError(f"a replayed batch was answered {status}: {results[0]['error']}")
        wrong += sum(
            1
            for scan, result in zip(scans, results, strict=True)
            if result["id"] != scan.scan_id or not result["replayed"] or result["outcome"] != stored[scan.scan_id].value
        )
    return wrong


# --- queries per batch, in this process --------------------------------------------------


def count_batch_queries(
    app: Flask, seeded: Seeded, left: list[tuple[int, int]], rng: random.Random, profile: bool
) -> dict[str, Any]:
    """The SQL statements of one sync request of 10 scans and of 50 (8 in 10 new pairs, 1 an
    earlier scan of an arrival kept already, which takes it over, 1 forged), and of the batch
    of 50 sent again."""
    client = app.test_client()
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == f"door0@{EMAIL_DOMAIN}"))
        key = sessions.open_session(user)
        kept = db.session.execute(
            select(Arrival.badge_id, Zone.number)
            .join(Zone, Zone.id == Arrival.zone_id)
            .where(Arrival.forum_id == seeded.forum_id)
        ).all()
        db.session.commit()
    with app.test_request_context():
        session.update(sessions.cookie_values(key))
        csrf_token = generate_csrf()  # stores the raw token in the session
        values = dict(session)
    with client.session_transaction() as held:
        held.update(values)
    now = dt.datetime.now(dt.UTC)
    fresh = iter(left)
    earlier = itertools.count(1)  # each takeover earlier than the one before

    def batch(size: int) -> list[dict[str, Any]]:
        scans = []
        for n in range(size):
            at = now - dt.timedelta(seconds=rng.randrange(60, 3600))
            if n % 10 == 8:
                # Earlier than every scan of the run: it takes the arrival over.
                b, z = rng.choice(kept)
                token, forged = seeded.tokens[b], False
                at = now - dt.timedelta(hours=5, seconds=next(earlier))
            elif n % 10 == 9:
                b, z = next(fresh)
                token, forged = forge(seeded.tokens[b], rng), True
            else:
                b, z = next(fresh)
                token, forged = seeded.tokens[b], False
            scans.append(ScanOut(str(uuid.uuid4()), token, b, z, at, forged).as_json())
        return scans

    statements: list[str] = []
    with app.app_context():
        engine = db.engine
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    path = f"/forums/{SLUG}/scanner/sync"

    def sync(scans: list[dict[str, Any]]) -> tuple[int, float]:
        statements.clear()
        started = time.perf_counter()
        response = client.post(
            path, json={"device": "door-in-process", "scans": scans}, headers={"X-CSRFToken": csrf_token}
        )
        seconds = time.perf_counter() - started
        if response.status_code != 200:
            raise BenchmarkError(
                f"an in-process sync answered {response.status_code}: {response.get_data(as_text=True)}"
            )
        return len(statements), seconds

    results: dict[str, Any] = {}
    sync(batch(10))  # the first request of the process fills caches
    event.listen(engine, "before_cursor_execute", listener)
    try:
        results["queries_batch_10"], _ = sync(batch(10))
        fifty = batch(50)
        results["queries_batch_50"], _ = sync(fifty)
        if os.environ.get("PLANNER_BENCH_SHOW_SQL"):
            print("\n".join(" ".join(statement.split())[:160] for statement in statements))
        results["queries_replay_50"], _ = sync(fifty)
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    print(
        f"queries a sync request: {results['queries_batch_10']} for 10 scans, {results['queries_batch_50']} for 50, "
        f"{results['queries_replay_50']} for 50 replayed",
        flush=True,
    )
    # Batches of 50 and /healthz in turn, one at a time in this process: the medians' ratio
    # says what a batch costs the server without HTTP, other clients or the lock's queue.
    batch_seconds, healthz_seconds = [], []
    for _ in range(TIMED_BATCHES):
        for _ in range(20):
            started = time.perf_counter()
            client.get("/healthz")
            healthz_seconds.append(time.perf_counter() - started)
        batch_seconds.append(sync(batch(50))[1])
    batch_ms, healthz_ms = statistics.median(batch_seconds) * 1000, statistics.median(healthz_seconds) * 1000
    results["in_process_batch_50_ms"] = round(batch_ms, 1)
    results["in_process_healthz_ms"] = round(healthz_ms, 2)
    results["in_process_ratio"] = round(50 * healthz_ms / batch_ms, 2)
    print(
        f"in this process: a batch of 50 {batch_ms:.1f} ms, /healthz {healthz_ms:.2f} ms (medians): "
        f"{results['in_process_ratio']} scans per /healthz request",
        flush=True,
    )
    if profile:
        profiler = cProfile.Profile()
        batches = [batch(50) for _ in range(10)]
        profiler.enable()
        for scans in batches:
            sync(scans)
        profiler.disable()
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(PROFILE_LINES)
        print(f"\ncProfile of {len(batches)} in-process syncs of 50 scans:\n{out.getvalue()}", flush=True)
    return results


# --- the print run -----------------------------------------------------------------------


def print_run(app: Flask, forum_id: int, badges: int) -> dict[str, Any]:
    """``badges`` badges of the forum as one print run (A6, four to an A4 sheet with cut marks,
    QR codes signed and drawn as vectors, the vendored Japanese font), in seconds, against fpdf2
    writing the same number of A6 pages with the same text in the same font and no QR code or
    image, in the same run. The faces (what each badge prints, its token signed) are timed apart."""
    from fpdf import FPDF

    from planner.badges.print_runs import faces_of, printable_badges
    from planner.badges.printing import render_badges
    from planner.statements.rendering import NEXT_LINE, find_font, use_font

    font = find_font(None)
    with app.test_request_context():
        forum = db.session.get_one(Forum, forum_id)
        chosen = printable_badges(forum)[0][:badges]
        started = time.perf_counter()
        faces = faces_of(forum, chosen)
        faces_seconds = time.perf_counter() - started
    started = time.perf_counter()
    pdf = render_badges(faces, "a6", sheets=True, font_path=font)
    print_seconds = time.perf_counter() - started

    started = time.perf_counter()
    text = FPDF(unit="mm", format=(105, 148))
    family, fit = use_font(text, font)
    for face in faces:
        text.add_page()
        text.set_font(family, size=16)
        text.multi_cell(0, 8, fit(face.name), **NEXT_LINE)
        text.set_font(family, size=10)
        for line in (face.latin_name, face.delegation, face.function, " ".join(face.zones), face.number, face.valid):
            text.multi_cell(0, 5, fit(line), **NEXT_LINE)
    baseline = bytes(text.output())
    text_seconds = time.perf_counter() - started
    print(
        f"print run: {len(faces)} badges in {print_seconds:.2f} s ({len(pdf) // 1024} KB; "
        f"faces {faces_seconds:.2f} s), "
        f"fpdf2 text only {text_seconds:.2f} s ({len(baseline) // 1024} KB): {print_seconds / text_seconds:.1f} times"
    )
    return {
        "print_badges": len(faces),
        "print_seconds": round(print_seconds, 2),
        "print_faces_seconds": round(faces_seconds, 2),
        "fpdf2_text_seconds": round(text_seconds, 2),
        "print_ratio": round(print_seconds / text_seconds, 2),
    }


# --- the run -----------------------------------------------------------------------------


def benchmark(database_url: str, log_path: Path, args: argparse.Namespace) -> dict[str, Any]:
    build_schema(database_url)
    secret_key = secrets.token_hex(32)
    identity_keys = new_key()
    app = create_app(
        {
            "ENV": "production",
            "SECRET_KEY": secret_key,
            "IDENTITY_KEYS": identity_keys,
            "SQLALCHEMY_DATABASE_URI": database_url,
            "MAIL_PROMPT_DELIVERY": "off",
            "RATELIMIT_ENABLED": False,
        }
    )
    rng = random.Random(args.seed)
    seeded = seed(app, args.badges, args.devices)
    scans, left = make_scans(seeded, args.scans, rng, dt.datetime.now(dt.UTC))
    queues = [scans[n :: args.devices] for n in range(args.devices)]
    with app.app_context():
        db.engine.dispose()

    extra_env = {
        "PLANNER_RATELIMIT_ENABLED": "false",
        "PLANNER_MAIL_PROMPT_DELIVERY": "off",
        # The forum's private key is encrypted with these: the server must read what seed wrote.
        "PLANNER_IDENTITY_KEYS": identity_keys,
    }
    with gunicorn(database_url, log_path, secret_key, extra_env) as port:
        check_scanner_page(port, seeded.devices[0])
        print(
            f"Sync: {len(scans)} scans from {args.devices} devices in batches of {args.batch}, "
            f"in {args.rounds} rounds...",
            flush=True,
        )
        sent = [Sent() for _ in seeded.devices]
        timing = sync_in_rounds(port, seeded.devices, queues, args, sent)
        elapsed, healthz_rps = timing.sync_seconds, timing.healthz_rps
        failed = [failure for device in sent for failure in device.failed]
        if failed:
            print(f"{len(failed)} batches failed, first: {failed[0]}", file=sys.stderr)
            print(log_path.read_text(errors="replace")[-3000:], file=sys.stderr)
        outcome = verify(app, seeded.forum_id, scans, sent)
        outcome["replayed_wrong"] += replay_at_the_end(port, seeded.devices, queues, args.batch, app, seeded.forum_id)

    queries = count_batch_queries(app, seeded, left, rng, args.profile)
    printing = print_run(app, seeded.forum_id, args.print_badges)
    with app.app_context():
        db.engine.dispose()

    latencies_ms = sorted(seconds * 1000 for device in sent for seconds in device.latencies)
    percentiles = statistics.quantiles(latencies_ms, n=100, method="inclusive") if len(latencies_ms) > 1 else [0] * 99
    scans_per_second = len(scans) / elapsed
    ratio = scans_per_second / healthz_rps
    constant = queries["queries_batch_10"] == queries["queries_batch_50"]
    print(
        f"\nscans {len(scans)}: arrivals {outcome['arrivals']} (distinct genuine pairs {outcome['distinct_pairs']}), "
        f"duplicates {outcome['duplicates_stored']}, forged {outcome['forged_stored']}"
    )
    print(
        f"lost {outcome['lost']}  counted twice {outcome['counted_twice']}  forged admitted "
        f"{outcome['forged_admitted']}  not earliest {outcome['not_earliest']}  replays wrong "
        f"{outcome['replayed_wrong']}  failed {len(failed)}"
    )
    print(
        f"scans/s {scans_per_second:.1f} ({scans_per_second / args.batch:.1f} batches/s)  "
        f"p50 {percentiles[49]:.1f} ms  "
        f"p99 {percentiles[98]:.1f} ms a batch, over {elapsed:.1f} s"
    )
    print(f"/healthz rps {healthz_rps:.1f}  ratio {ratio:.2f} scans per /healthz request (target >= 2)")
    return {
        "scans": len(scans),
        **{name: value for name, value in outcome.items()},
        "failed": len(failed),
        "scans_per_second": round(scans_per_second, 1),
        "batch_p50_ms": round(percentiles[49], 1),
        "batch_p99_ms": round(percentiles[98], 1),
        "healthz_rps": round(healthz_rps, 1),
        "ratio": round(ratio, 2),
        "round_ratios": [round(value, 2) for value in timing.round_ratios],
        "target_met": ratio >= 2,
        **queries,
        "queries_constant": constant,
        **printing,
        "database": database_name(database_url),
        "workers": WORKERS,
        "devices": args.devices,
        "batch": args.batch,
        "badges": args.badges,
        "seconds": round(elapsed, 1),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    wiped_database_choice(parser, DEFAULT_DATABASE_URL)
    parser.add_argument("--badges", type=int, default=2000, help="badges of the forum (2000)")
    parser.add_argument("--scans", type=int, default=10_000, help="scans in all (10000)")
    parser.add_argument("--batch", type=int, default=50, help="scans a sync request (50)")
    parser.add_argument("--devices", type=int, default=8, help="scanner devices, one thread each (8)")
    parser.add_argument("--rounds", type=int, default=4, help="rounds of the sync, /healthz between them (4)")
    parser.add_argument(
        "--healthz-seconds", type=float, default=6.0, help="seconds of /healthz in all, before and after each round (6)"
    )
    parser.add_argument("--print-badges", type=int, default=500, help="badges of the print run (500)")
    parser.add_argument("--seed", type=int, default=18, help="of the random choices (18)")
    parser.add_argument("--profile", action="store_true", help="also profile in-process syncs of 50 scans")
    args = parser.parse_args()
    if not 40 <= args.badges <= 100_000 or not 100 <= args.scans <= 1_000_000:
        parser.error("--badges must be in [40, 100000] and --scans in [100, 1000000]")
    if not 1 <= args.batch <= 200 or not 1 <= args.devices <= 64 or not 0 < args.healthz_seconds <= 600:
        parser.error("--batch must be in [1, 200], --devices in [1, 64] and --healthz-seconds in (0, 600]")
    if not 1 <= args.rounds <= 20:
        parser.error("--rounds must be in [1, 20]")

    def work(tmp: Path) -> dict[str, Any]:
        database_url = chosen_database(args, DEFAULT_DATABASE_URL, tmp, "checkin.sqlite3")
        return benchmark(normalise_database_url(database_url), tmp / "gunicorn.log", args)

    def broken(results: Mapping[str, Any]) -> bool:
        wrong = ("lost", "unanswered", "counted_twice", "missing_arrivals", "forged_admitted", "genuine_refused")
        more = ("not_earliest", "first_scan_not_admitted", "replayed_wrong", "failed")
        return any(results[name] for name in wrong + more) or not results["queries_constant"]

    return run(work, prefix="planner-checkin-", broken=broken)


if __name__ == "__main__":
    sys.exit(main())
