"""The list of participants and the nominations page of a ministerial meeting with 60
delegations and 500 nominees, under gunicorn, with the SQL statements each request sends.

Builds a database (a fresh temporary SQLite file, or the one named by DATABASE_URL) with the
migrations and two forums: ``bench-half`` (30 delegations, 250 nominees) and ``bench`` (60
delegations: 50 countries and 10 international organisations, 500 nominees), every nominee
accredited, nine in ten of them listed publicly, with levels of representation, functions and
names in Latin letters and in Japanese. Then:

1. in this process, through the test client, the SQL statements of the public list of
   participants (HTML and PDF, in Japanese) and of the nominations page
   (``delegations.nominations_overview``, as an administrator) at both sizes: they must be equal,
   since the queries must not grow with the number of delegations; and the first (uncached)
   rendering of the 500-name PDF, in milliseconds;
2. gunicorn with two sync workers on 127.0.0.1 serves ``/healthz``, the public list as HTML and
   as PDF and the nominations page (with a signed-in administrator's cookie) for a fixed time
   each; the figures to compare are the ratios to ``/healthz`` measured in the same run (the
   machine is shared and absolute numbers move a lot).

Usage, from the project root:  .venv/bin/python benchmarks/delegations.py [--seconds 5] [--concurrency 4]
The last line printed is one JSON object with the results; the exit status is 1 when the
query counts differ between the two sizes.
"""

from __future__ import annotations

import datetime as dt
import secrets
import sys
import time
from collections.abc import Mapping
from pathlib import Path

from serving import (
    HOST,
    ROOT,
    WORKERS,
    BenchmarkError,
    bench_database_url,
    database_name,
    gunicorn,
    load_parser,
    parse_load_arguments,
    request,
    run,
    timed_loop,
    upgrade_schema,
)
from sqlalchemy import event, insert, select

sys.path.insert(0, str(ROOT))
from flask import Flask, session  # noqa: E402
from werkzeug.security import generate_password_hash  # noqa: E402

from planner import create_app  # noqa: E402
from planner.accounts import sessions  # noqa: E402
from planner.accounts.models import User  # noqa: E402
from planner.crypto import new_key  # noqa: E402
from planner.delegations.models import (  # noqa: E402
    Delegation,
    DelegationKind,
    DelegationMember,
    DelegationStatus,
    MemberRole,
    NominationStatus,
    Person,
    RepresentationLevel,
)
from planner.extensions import db  # noqa: E402
from planner.formatting import countries  # noqa: E402
from planner.forums.models import Forum  # noqa: E402

SIZES = {"bench-half": (30, 250), "bench": (60, 500)}
ORGANISATIONS_PER_10 = 1  # one delegation in ten is an international organisation
ADMIN_EMAIL = "admin@bench.example"
FAMILY = ["田中", "佐藤", "鈴木", "Rossi", "Martin", "Smith", "Müller", "García", "Kowalski", "Nguyen"]
GIVEN = ["愛子", "健", "Giulia", "Pierre", "Alex", "Anna", "José", "Ewa", "Linh", "結衣"]
FUNCTIONS = [
    "Minister of Education, Culture, Sports, Science and Technology",
    "文部科学大臣",
    "Director General, Space Agency",
    "Ambassador to Japan",
    "Adviser",
    "",
]
URLS = {
    "healthz": "/healthz",
    "participants_html": "/forums/bench/participants?lang=ja",
    "participants_pdf": "/forums/bench/participants.pdf?lang=ja",
    "nominations": "/forums/bench/manage/nominations",
}


def load(app: Flask) -> None:
    """Both forums and the administrator, unless the database holds them already."""
    password_hash = generate_password_hash(secrets.token_urlsafe(16))
    country_codes = [code for code, _name in countries("en")]
    with app.app_context():
        if db.session.scalar(select(Forum.id).where(Forum.slug == "bench")) is not None:
            print("The forums are there already; not loading.", flush=True)
            return
        db.session.add(
            User(
                email=ADMIN_EMAIL,
                name="Admin",
                given_name="Admin",
                password_hash=password_hash,
                is_admin=True,
                email_verified_at=dt.datetime.now(dt.UTC),
            )
        )
        for slug, (delegations, nominees) in SIZES.items():
            print(f"Loading {slug!r}: {delegations} delegations, {nominees} nominees...", flush=True)
            forum = Forum(
                slug=slug,
                name=slug.upper(),
                title="Benchmark ministerial meeting",
                host_city="Tokyo",
                host_country="JP",
                timezone="Asia/Tokyo",
                first_day=dt.date(2030, 3, 1),
                last_day=dt.date(2030, 3, 2),
            )
            db.session.add(forum)
            db.session.flush()
            rows = []
            for n in range(delegations):
                if n % 10 < ORGANISATIONS_PER_10:
                    rows.append(
                        Delegation(
                            forum_id=forum.id,
                            name=f"Organisation {n:02d}",
                            kind=DelegationKind.ORGANISATION,
                            status=DelegationStatus.CONFIRMED,
                            translations={"ja": {"name": f"国際機関{n:02d}"}},
                        )
                    )
                else:
                    code = country_codes[n * 3 % len(country_codes)]
                    rows.append(
                        Delegation(
                            forum_id=forum.id,
                            name=f"Country {code}",
                            kind=DelegationKind.COUNTRY,
                            country_code=code,
                            status=DelegationStatus.CONFIRMED,
                        )
                    )
            db.session.add_all(rows)
            db.session.flush()
            people, members = [], []
            levels = list(RepresentationLevel)
            for k in range(nominees):
                given, family = GIVEN[k % len(GIVEN)], FAMILY[(k // len(GIVEN)) % len(FAMILY)]
                people.append(
                    {
                        "name": f"{given} {family} {k}",
                        "given_name": given,
                        "family_name": f"{family} {k}",
                        "family_name_first": False,
                        "email": f"p{k}@{slug}.example",
                        "organisation": "",
                        "is_demo": False,
                        "created_at": dt.datetime.now(dt.UTC),
                    }
                )
                delegation = rows[k % delegations]
                first = k < delegations
                members.append(
                    {
                        "delegation_id": delegation.id,
                        "role": (MemberRole.HEAD if first else MemberRole.MEMBER).value,
                        "status": NominationStatus.ACCREDITED.value,
                        "nominated_at": dt.datetime.now(dt.UTC),
                        "level": levels[k % len(levels)].value,
                        "function": FUNCTIONS[k % len(FUNCTIONS)],
                        "listed_publicly": k % 10 != 9,
                    }
                )
                delegation.seats_used += 1
            ids = db.session.scalars(insert(Person).returning(Person.id, sort_by_parameter_order=True), people).all()
            db.session.execute(
                insert(DelegationMember.__table__), [{**m, "person_id": i} for m, i in zip(members, ids, strict=True)]
            )
        db.session.commit()


def admin_key(app: Flask) -> str:
    """A server-side session of the administrator: the key its cookie holds."""
    with app.app_context():
        admin = db.session.scalar(select(User).where(User.email == ADMIN_EMAIL))
        key = sessions.open_session(admin)
        db.session.commit()
        return key


def count_queries(app: Flask) -> dict[str, object]:
    """Statements per request at both sizes (the second request of each: the first may fill a
    cache), and the first, uncached, rendering of the 500-name PDF."""
    key = admin_key(app)
    client = app.test_client()
    with client.session_transaction() as held:
        held.update(sessions.cookie_values(key))
    statements: list[str] = []
    with app.app_context():
        engine = db.engine
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(engine, "before_cursor_execute", listener)
    results: dict[str, object] = {}
    try:
        for slug in SIZES:
            paths = {
                "participants_html": f"/forums/{slug}/participants?lang=ja",
                "participants_pdf": f"/forums/{slug}/participants.pdf?lang=ja",
                "nominations": f"/forums/{slug}/manage/nominations",
            }
            for name, path in paths.items():
                for attempt in ("first", "second"):
                    statements.clear()
                    started = time.perf_counter()
                    response = client.get(path)
                    elapsed = time.perf_counter() - started
                    if response.status_code != 200:
                        raise BenchmarkError(f"{path} answered {response.status_code} in this process, not 200")
                    if attempt == "first" and name == "participants_pdf" and slug == "bench":
                        results["participants_pdf_cold_ms"] = round(elapsed * 1000, 1)
                results[f"{name}_queries_{SIZES[slug][0]}"] = len(statements)
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    for name in ("participants_html", "participants_pdf", "nominations"):
        small, large = results[f"{name}_queries_30"], results[f"{name}_queries_60"]
        print(f"{name}: {small} queries for 30 delegations, {large} for 60", flush=True)
    print(f"first PDF of 500 names: {results['participants_pdf_cold_ms']} ms", flush=True)
    return results


def signed_cookie(app: Flask) -> str:
    """The administrator's session cookie as a client without a User-Agent from HOST sends it."""
    key = admin_key(app)
    serializer = app.session_interface.get_signing_serializer(app)
    assert serializer is not None
    with app.test_request_context(environ_base={"REMOTE_ADDR": HOST}):
        session.update(sessions.cookie_values(key))
        session["_id"] = app.login_manager._session_identifier_generator()  # what login_user stores
        return serializer.dumps(dict(session))


def measure(port: int, path: str, seconds: float, concurrency: int, headers: Mapping[str, str]) -> float:
    """Requests per second for GET ``path`` with ``headers``; every answer must be 200."""
    for _ in range(10):
        response, _body = request(port, path, headers=headers, timeout=60)
        if response.status != 200:
            raise BenchmarkError(f"{path} answered {response.status} during warm-up, not 200")
    counts = [0] * concurrency

    def step(index: int, _n: int) -> None:
        response, _body = request(port, path, headers=headers, timeout=60)
        if response.status != 200:
            raise BenchmarkError(f"{path} answered {response.status}, not 200")
        counts[index] += 1

    elapsed = timed_loop(concurrency, seconds, step)
    return sum(counts) / elapsed


def serve(database_url: str, log_path: Path, seconds: float, concurrency: int) -> dict[str, float]:
    secret_key = secrets.token_hex(32)
    app = create_app(
        {
            "ENV": "production",
            "SECRET_KEY": secret_key,
            "IDENTITY_KEYS": new_key(),
            "SQLALCHEMY_DATABASE_URI": database_url,
        }
    )
    cookie = signed_cookie(app)
    with app.app_context():
        db.engine.dispose()
    rps: dict[str, float] = {}
    with gunicorn(database_url, log_path, secret_key=secret_key) as port:
        print(f"\n{'url':<44} {'rps':>8} {'ratio':>7}")
        for name, path in URLS.items():
            headers = {"Cookie": f"session={cookie}"} if name == "nominations" else {}
            rps[name] = measure(port, path, seconds, concurrency, headers)
            print(f"{path:<44} {rps[name]:>8.1f} {rps[name] / rps['healthz']:>7.3f}", flush=True)
    return rps


def main() -> int:
    args = parse_load_arguments(load_parser(__doc__))

    def work(tmp: Path) -> dict[str, object]:
        database_url = bench_database_url(tmp)
        upgrade_schema(database_url)
        app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "RATELIMIT_ENABLED": False})
        load(app)
        counts = count_queries(app)
        with app.app_context():
            db.engine.dispose()
        rps = serve(database_url, tmp / "gunicorn.log", args.seconds, args.concurrency)
        same = all(counts[f"{n}_queries_30"] == counts[f"{n}_queries_60"] for n in URLS if n != "healthz")
        return {
            **counts,
            "queries_constant": same,
            "healthz_rps": round(rps["healthz"], 1),
            **{f"{n}_rps": round(rps[n], 1) for n in URLS if n != "healthz"},
            **{f"{n}_ratio": round(rps[n] / rps["healthz"], 3) for n in URLS if n != "healthz"},
            "delegations": SIZES["bench"][0],
            "nominees": SIZES["bench"][1],
            "workers": WORKERS,
            "seconds": args.seconds,
            "concurrency": args.concurrency,
            "database": database_name(database_url),
        }

    return run(work, prefix="planner-bench-delegations-", broken=lambda result: not result["queries_constant"])


if __name__ == "__main__":
    sys.exit(main())
