"""Registration rush: 2,000 signed-in delegates apply at once for a 500-seat event.

Builds a clean database (PostgreSQL by default, ``--sqlite`` for a temporary SQLite file),
creates the delegates directly in it, starts gunicorn with two sync workers on 127.0.0.1
and lets 32 client threads post the real application form, CSRF token included, one
application per delegate. Then it reads the database back and checks the outcome:

- confirmed / waitlisted: 500 and 1,500 when every application was served;
- lost: the POST was answered 302 but no registration was stored;
- overbooked: confirmed registrations beyond the capacity;
- duplicate: delegates with more than one registration for the event;
- failed: POSTs answered with anything but 302.

Speed is applications per second during the rush, with the p50 and p99 latency of the
POSTs, and ``/healthz`` requests per second measured on the same server in the same run
(as in benchmarks/pages.py), half just before and half just after the rush. The machine
is shared and noisy: compare the ratio applications/s ÷ healthz rps, not absolute
numbers. Target: lost = overbooked = duplicate = 0 and ratio >= 0.20.

Session cookies are made here, not through the (rate-limited) sign-in form: the
benchmark builds the app with the SECRET_KEY it gives gunicorn, fills a session the way
Flask-Login and Flask-WTF would (``_user_id``, ``_fresh``, the ``_id`` that session
protection compares with the client's address and user agent, and the raw CSRF token that
``flask_wtf.csrf.generate_csrf`` stores) and signs it with the app's own session
serializer; the form's ``csrf_token`` field is the value ``generate_csrf`` returned.
One GET of the form checks that such a cookie signs in, the page renders, and the server
leaves the cookie as it is (as it does a signed-in browser's).

The PostgreSQL database (default ``postgresql+psycopg://postgres@127.0.0.1:5432/rush``,
or DATABASE_URL, or ``--database-url``) is created if missing and its ``public`` schema
is DROPPED and rebuilt with ``flask db upgrade``; the benchmark refuses to wipe a database
holding accounts or forums it did not create.

Usage, from the project root:
    .venv/bin/python benchmarks/registration_rush.py [--sqlite | --database-url URL]
        [--applications 2000] [--capacity 500] [--clients 32] [--healthz-seconds 5]
The last line printed is one JSON object with the results. Exit status 1 when the
benchmark could not run or an application was lost, duplicated, overbooked or failed.
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import re
import secrets
import statistics
import sys
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from flask import Flask, session
from flask_wtf.csrf import generate_csrf
from serving import (
    HOST,
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
from sqlalchemy import func, insert, select
from werkzeug.security import generate_password_hash

from planner import create_app
from planner.accounts import sessions
from planner.accounts.models import AccountSession, User
from planner.config import normalise_database_url
from planner.crypto import new_key, secret_digest
from planner.extensions import db
from planner.forums.models import Event, EventKind, Forum
from planner.registration.models import Registration, RegistrationPolicy, RegistrationStatus

DEFAULT_DATABASE_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/rush"
SLUG = "rush"
CODE = "RUSH"
EMAIL_DOMAIN = "rush.example"  # of every account the benchmark creates: it wipes no others
TIMEOUT = 60.0  # seconds for one request
CSRF_INPUT = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


@dataclass(frozen=True)
class Delegate:
    user_id: int
    cookie: str  # the signed session cookie's value
    csrf_token: str  # the form field's value


@dataclass
class Answer:
    status: int
    location: str | None
    seconds: float


# --- the database ------------------------------------------------------------------------


def build_schema(database_url: str) -> None:
    if database_url.startswith("postgres"):
        # Rows this benchmark did not create: accounts of other domains, other forums.
        foreign = [("users", "email NOT LIKE %s", f"%@{EMAIL_DOMAIN}"), ("forums", "slug <> %s", SLUG)]
        wipe_postgresql(database_url, foreign, "rush")
    upgrade_schema(database_url)


def seed(app: Flask, applications: int, capacity: int) -> tuple[int, list[Delegate]]:
    """The forum, the event and its policy, and ``applications`` verified delegates with
    their signed-in session cookies and CSRF tokens. Returns (event id, delegates)."""
    print(f"Creating {applications} delegates...", flush=True)
    password_hash = generate_password_hash(secrets.token_urlsafe(16))  # hashed once for everyone
    first_day = dt.date.today() + dt.timedelta(days=60)
    now = dt.datetime.now(dt.UTC)
    with app.app_context():
        forum = Forum(
            slug=SLUG,
            name="Rush",
            title="Registration rush",
            host_city="Tokyo",
            host_country="JP",
            timezone="UTC",
            first_day=first_day,
            last_day=first_day + dt.timedelta(days=2),
        )
        event = Event(
            forum=forum,
            kind=EventKind.SIDE_EVENT,
            code=CODE,
            title="Rush hour",
            starts_at=dt.datetime.combine(first_day, dt.time(9), tzinfo=dt.UTC),
            ends_at=dt.datetime.combine(first_day, dt.time(18), tzinfo=dt.UTC),
        )
        db.session.add_all([forum, event])
        db.session.flush()
        db.session.add(RegistrationPolicy(event_id=event.id, capacity=capacity, approval_required=False))
        tokens = [secrets.token_urlsafe(24) for _ in range(applications)]
        db.session.execute(
            insert(User),
            [
                {
                    "email": f"delegate{n}@{EMAIL_DOMAIN}",
                    "name": f"Delegate {n}",
                    "password_hash": password_hash,
                    "language": "en",
                    "email_verified_at": now,
                    "created_at": now,
                }
                for n in range(applications)
            ],
        )
        by_email = dict(
            db.session.execute(select(User.email, User.id).where(User.email.like(f"%@{EMAIL_DOMAIN}"))).all()
        )
        ids = {token: by_email[f"delegate{n}@{EMAIL_DOMAIN}"] for n, token in enumerate(tokens)}
        db.session.execute(
            insert(AccountSession),
            [{"user_id": ids[token], "key_hash": secret_digest(token), "created_at": now} for token in tokens],
        )
        db.session.commit()
        event_id = event.id
    serializer = app.session_interface.get_signing_serializer(app)
    assert serializer is not None
    delegates = []
    for token in tokens:
        # What the session holds after signing in and seeing the form once.
        with app.test_request_context(environ_base={"REMOTE_ADDR": HOST}):  # as the client has no User-Agent
            session.update(sessions.cookie_values(token))
            session["_id"] = app.login_manager._session_identifier_generator()  # what login_user stores
            csrf_token = generate_csrf()  # stores the raw token in the session
            delegates.append(Delegate(ids[token], serializer.dumps(dict(session)), csrf_token))
    return event_id, delegates


@dataclass
class Outcome:
    confirmed: int
    waitlisted: int
    pending: int
    seats_taken: int
    rows_per_user: dict[int, int]


def read_outcome(app: Flask, event_id: int) -> Outcome:
    with app.app_context():
        by_status = dict(
            db.session.execute(
                select(Registration.status, func.count())
                .where(Registration.event_id == event_id)
                .group_by(Registration.status)
            ).all()
        )
        rows_per_user = dict(
            db.session.execute(
                select(Registration.user_id, func.count())
                .where(Registration.event_id == event_id)
                .group_by(Registration.user_id)
            ).all()
        )
        seats_taken = db.session.scalar(
            select(RegistrationPolicy.seats_taken).where(RegistrationPolicy.event_id == event_id)
        )
    return Outcome(
        confirmed=by_status.get(RegistrationStatus.CONFIRMED, 0),
        waitlisted=by_status.get(RegistrationStatus.WAITLISTED, 0),
        pending=by_status.get(RegistrationStatus.PENDING, 0),
        seats_taken=seats_taken or 0,
        rows_per_user=rows_per_user,
    )


# --- HTTP --------------------------------------------------------------------------------


def timed_request(
    port: int, method: str, path: str, body: str | None = None, headers: dict[str, str] | None = None
) -> tuple[Answer, bytes]:
    """One request on a new connection, timed."""
    started = time.perf_counter()
    response, content = request(port, path, method=method, body=body, headers=headers, timeout=TIMEOUT)
    seconds = time.perf_counter() - started
    return Answer(response.status, response.getheader("Location"), seconds), content


def check_form(port: int, path: str, delegate: Delegate) -> None:
    """One delegate's cookie signs in and the form renders, with a CSRF field, and the
    server does not rewrite the cookie: it holds what a signed-in browser's would."""
    response, content = request(port, path, headers={"Cookie": f"session={delegate.cookie}"}, timeout=TIMEOUT)
    if response.status != 200 or not CSRF_INPUT.search(content.decode(errors="replace")):
        raise BenchmarkError(
            f"GET {path} with a delegate's cookie answered {response.status} "
            f"({response.getheader('Location') or 'no redirect'}), not the application form"
        )
    if response.getheader("Set-Cookie"):
        raise BenchmarkError(
            f"GET {path} rewrote the delegate's session cookie: it lacks something a signed-in browser's cookie holds"
        )


def rush(port: int, path: str, delegates: list[Delegate], clients: int) -> tuple[list[Answer | None], float]:
    """Every delegate posts the form once; ``clients`` threads start together and share
    the delegates. Returns one answer per delegate (None: no answer) and the seconds taken."""
    answers: list[Answer | None] = [None] * len(delegates)
    errors: list[str] = []
    start = threading.Barrier(clients + 1, timeout=30)

    def client(index: int) -> None:
        start.wait()
        for n in range(index, len(delegates), clients):
            delegate = delegates[n]
            body = urlencode({"csrf_token": delegate.csrf_token, "delegation": "0", "organisation": "", "country": ""})
            try:
                answers[n] = timed_request(
                    port,
                    "POST",
                    path,
                    body=body,
                    headers={
                        "Cookie": f"session={delegate.cookie}",
                        "Content-Type": "application/x-www-form-urlencoded",
                    },
                )[0]
            except (OSError, http.client.HTTPException) as error:
                # A connection reset or an answer cut short (IncompleteRead): a failed request,
                # and this client goes on with its next delegate.
                errors.append(f"POST {path}: {error!r}")

    threads = [threading.Thread(target=client, args=(n,), daemon=True) for n in range(clients)]
    for thread in threads:
        thread.start()
    start.wait()
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    if errors:
        print(f"{len(errors)} POSTs got no answer, first: {errors[0]}", file=sys.stderr)
    return answers, elapsed


# --- the run -----------------------------------------------------------------------------


def benchmark(database_url: str, log_path: Path, args: argparse.Namespace) -> dict[str, object]:
    build_schema(database_url)
    secret_key = secrets.token_hex(32)
    app = create_app(
        {
            "ENV": "production",
            "SECRET_KEY": secret_key,
            "IDENTITY_KEYS": new_key(),
            "SQLALCHEMY_DATABASE_URI": database_url,
            "MAIL_PROMPT_DELIVERY": "off",
            "RATELIMIT_ENABLED": False,
        }
    )
    event_id, delegates = seed(app, args.applications, args.capacity)
    path = f"/forums/{SLUG}/events/{CODE}/register"

    extra_env = {"PLANNER_RATELIMIT_ENABLED": "false", "PLANNER_MAIL_PROMPT_DELIVERY": "off"}
    with gunicorn(database_url, log_path, secret_key, extra_env) as port:
        check_form(port, path, delegates[0])
        # /healthz right before and right after the rush: the mean follows the machine's
        # load during the rush better than one measurement would.
        healthz_before = measure(port, "/healthz", args.healthz_seconds / 2, args.clients)[1]
        print(f"/healthz: {healthz_before:.1f} requests/s with {args.clients} clients", flush=True)
        print(f"Rush: {len(delegates)} applications from {args.clients} clients...", flush=True)
        answers, elapsed = rush(port, path, delegates, args.clients)
        healthz_after = measure(port, "/healthz", args.healthz_seconds / 2, args.clients)[1]
        print(f"/healthz: {healthz_after:.1f} requests/s after the rush", flush=True)
        healthz_rps = (healthz_before + healthz_after) / 2

    outcome = read_outcome(app, event_id)
    with app.app_context():
        db.engine.dispose()
    accepted = [d for d, a in zip(delegates, answers) if a is not None and a.status == 302]
    failed = len(delegates) - len(accepted)
    lost = sum(1 for d in accepted if d.user_id not in outcome.rows_per_user)
    duplicate = sum(1 for rows in outcome.rows_per_user.values() if rows > 1)
    overbooked = max(0, outcome.confirmed - args.capacity)
    latencies_ms = sorted(a.seconds * 1000 for a in answers if a is not None)
    percentiles = statistics.quantiles(latencies_ms, n=100, method="inclusive") if len(latencies_ms) > 1 else [0] * 99
    rps = len(latencies_ms) / elapsed
    if failed:
        statuses = sorted({(a.status, a.location) for a in answers if a is not None and a.status != 302})
        print(f"{failed} POSTs were not answered 302; statuses seen: {statuses}", file=sys.stderr)
        print(log_path.read_text(errors="replace")[-3000:], file=sys.stderr)
    if outcome.pending:
        print(f"{outcome.pending} registrations are left pending, though the event needs no approval", file=sys.stderr)

    print(
        f"\nconfirmed {outcome.confirmed}  waitlisted {outcome.waitlisted}  pending {outcome.pending}  "
        f"(capacity {args.capacity}, seats_taken {outcome.seats_taken})"
    )
    print(f"lost {lost}  overbooked {overbooked}  duplicate {duplicate}  failed {failed}")
    print(f"applications/s {rps:.1f}  p50 {percentiles[49]:.1f} ms  p99 {percentiles[98]:.1f} ms  over {elapsed:.1f} s")
    print(f"/healthz rps {healthz_rps:.1f}  ratio {rps / healthz_rps:.3f} (target >= 0.20)")
    return {
        "confirmed": outcome.confirmed,
        "waitlisted": outcome.waitlisted,
        "lost": lost,
        "overbooked": overbooked,
        "duplicate": duplicate,
        "rps": round(rps, 1),
        "p50_ms": round(percentiles[49], 1),
        "p99_ms": round(percentiles[98], 1),
        "healthz_rps": round(healthz_rps, 1),
        "ratio": round(rps / healthz_rps, 3),
        "failed": failed,
        "pending": outcome.pending,
        "seats_taken": outcome.seats_taken,
        "capacity": args.capacity,
        "database": database_name(database_url),
        "clients": args.clients,
        "applications": len(delegates),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    wiped_database_choice(parser, DEFAULT_DATABASE_URL)
    parser.add_argument("--applications", type=int, default=2000, help="delegates, one application each (2000)")
    parser.add_argument("--capacity", type=int, default=500, help="seats of the event (500)")
    parser.add_argument("--clients", type=int, default=32, help="client threads (32)")
    parser.add_argument(
        "--healthz-seconds",
        type=float,
        default=5.0,
        help="seconds of /healthz, half before and half after the rush (5)",
    )
    args = parser.parse_args()
    if not 1 <= args.applications <= 100_000 or not 1 <= args.capacity <= 1_000_000:
        parser.error("--applications must be in [1, 100000] and --capacity in [1, 1000000]")
    if not 1 <= args.clients <= 256 or not 0 < args.healthz_seconds <= 600:
        parser.error("--clients must be in [1, 256] and --healthz-seconds in (0, 600]")

    def work(tmp: Path) -> dict[str, object]:
        database_url = chosen_database(args, DEFAULT_DATABASE_URL, tmp, "rush.sqlite3")
        return benchmark(normalise_database_url(database_url), tmp / "gunicorn.log", args)

    def broken(results: Mapping[str, Any]) -> bool:
        return bool(results["lost"] or results["overbooked"] or results["duplicate"] or results["failed"])

    return run(work, prefix="planner-rush-", broken=broken)


if __name__ == "__main__":
    sys.exit(main())
