"""The JSON API on a 1,000-session forum: its sessions page by page, one session, and
conditional GETs, each against /healthz in the same run.

In one run, on a fresh temporary SQLite file (or the database named by DATABASE_URL) with
the synthetic forums ``bench`` (1,000 sessions) and ``bench-small`` (100):

(a) ``queries_per_page``: SQL queries to build one cold page of 200 sessions, for each forum
    (in process, caches empty): the same number whatever the size of the forum.
(b) through gunicorn (two sync workers): ``first_page_rps`` (``/api/v1/forums/bench/sessions``,
    50 sessions), ``session_rps`` (one session) and ``healthz_rps``, alternated; the ratios to
    /healthz (target for the first page: at least 0.5).
(c) ``all_pages_s``: reading every page of the cursor (limit 200, so 5 pages), cold (right
    after a change to the programme) and warm; and that every session came exactly once.
(d) ``conditional_304``: GETs of the first page with its ETag in If-None-Match answered 304.

Usage, from the project root:
    .venv/bin/python benchmarks/api.py [--seconds 3] [--concurrency 4]
The last line printed is one JSON object with the results.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from pages import SESSIONS, SLUG
from serving import (
    BenchmarkError,
    bench_database_url,
    database_name,
    gunicorn,
    load_parser,
    load_synthetic_forums,
    measure,
    parse_load_arguments,
    request,
    run,
    upgrade_schema,
)

SMALL = "bench-small"
FIRST_PAGE = f"/api/v1/forums/{SLUG}/sessions"
CONDITIONAL_REQUESTS = 500


def queries_per_page(database_url: str) -> dict[str, int]:
    """Queries for one cold page of 200 sessions of each forum, counted on the engine."""
    from sqlalchemy import event

    from planner import create_app
    from planner.extensions import cache, db

    app = create_app({"ENV": "testing", "SQLALCHEMY_DATABASE_URI": database_url, "SERVER_NAME": "planner.test"})
    counts = {}
    with app.app_context():
        engine = db.engine
        client = app.test_client()
        for slug in (SMALL, SLUG):
            cache.clear()
            seen: list[str] = []
            listener = seen_by(seen)
            event.listen(engine, "before_cursor_execute", listener)
            try:
                response = client.get(f"/api/v1/forums/{slug}/sessions?limit=200")
            finally:
                event.remove(engine, "before_cursor_execute", listener)
            if response.status_code != 200 or len(response.get_json()["items"]) != min(200, _sessions_of(slug)):
                raise BenchmarkError(f"the first page of {slug} is not 200 sessions: {response.status_code}")
            counts[slug] = len(seen)
        db.engine.dispose()
    return counts


def seen_by(seen: list[str]):  # noqa: ANN201
    """An engine listener that keeps each statement sent in ``seen``."""
    return lambda *args: seen.append(args[2])


def _sessions_of(slug: str) -> int:
    return SESSIONS if slug == SLUG else 100


def walk(port: int) -> tuple[float, int, int]:
    """(seconds, pages, distinct sessions) to read every page with limit 200."""
    started = time.perf_counter()
    path: str | None = FIRST_PAGE + "?limit=200"
    seen: list[int] = []
    pages = 0
    while path is not None:
        response, body = request(port, path)
        if response.status != 200:
            raise BenchmarkError(f"{path} answered {response.status}")
        page = json.loads(body)
        seen += [item["id"] for item in page["items"]]
        pages += 1
        path = f"{FIRST_PAGE}?limit=200&cursor={page['next_cursor']}" if page["next_cursor"] else None
    seconds = time.perf_counter() - started
    if len(seen) != len(set(seen)):
        raise BenchmarkError("a session came twice")
    return seconds, pages, len(set(seen))


def change_programme(database_url: str) -> None:
    """Raise the forum's programme version, as any edit would: every cached page is stale."""
    from planner import create_app
    from planner.extensions import db
    from planner.forums.services import get_forum_by_slug
    from planner.schedule.versions import bump

    app = create_app({"ENV": "testing", "SQLALCHEMY_DATABASE_URI": database_url})
    with app.app_context():
        forum = get_forum_by_slug(SLUG)
        assert forum is not None
        bump(db.session, {forum.id})
        db.session.commit()
        db.engine.dispose()


def conditional(port: int, count: int) -> tuple[int, float]:
    etag = request(port, FIRST_PAGE)[0].getheader("ETag")
    if not etag:
        raise BenchmarkError(f"{FIRST_PAGE} sent no ETag")
    not_modified = 0
    started = time.monotonic()
    for _ in range(count):
        if request(port, FIRST_PAGE, headers={"If-None-Match": etag})[0].status == 304:
            not_modified += 1
    return not_modified, count / (time.monotonic() - started)


def main() -> int:
    parser = load_parser(__doc__, seconds=3.0)
    args = parse_load_arguments(parser)

    def work(tmp: Path) -> dict[str, object]:
        database_url = bench_database_url(tmp)
        upgrade_schema(database_url)
        load_synthetic_forums(database_url, {SLUG: SESSIONS, SMALL: 100})
        counts = queries_per_page(database_url)
        print(f"queries for a cold page of 200: {counts}", flush=True)
        with gunicorn(database_url, tmp / "gunicorn.log") as port:
            one_session = json.loads(request(port, FIRST_PAGE + "?limit=1")[1])["items"][0]["id"]
            urls = {
                "/healthz": "/healthz",
                "first_page": FIRST_PAGE,
                "session": f"/api/v1/forums/{SLUG}/sessions/{one_session}",
            }
            totals = {name: [0, 0.0] for name in urls}
            for _ in range(2):  # alternated, so drifting load weighs on all alike
                for name, path in urls.items():
                    requests, rps = measure(port, path, args.seconds / 2, args.concurrency)
                    totals[name][0] += requests
                    totals[name][1] += requests / rps if rps else 0.0
            rates = {name: totals[name][0] / totals[name][1] for name in urls}
            for name, rate in rates.items():
                print(f"{name:12} {rate:8.1f} requests/s", flush=True)
            change_programme(database_url)
            cold_s, pages, distinct = walk(port)
            warm_s, _, _ = walk(port)
            print(f"all {pages} pages: cold {cold_s * 1000:.1f} ms, warm {warm_s * 1000:.1f} ms", flush=True)
            answered, conditional_rps = conditional(port, CONDITIONAL_REQUESTS)
            print(f"conditional GETs {answered}/{CONDITIONAL_REQUESTS} answered 304, {conditional_rps:.1f}/s")
        if distinct != SESSIONS:
            raise BenchmarkError(f"the pages held {distinct} sessions, not {SESSIONS}")
        return {
            "healthz_rps": round(rates["/healthz"], 1),
            "first_page_rps": round(rates["first_page"], 1),
            "first_page_ratio": round(rates["first_page"] / rates["/healthz"], 3),
            "session_rps": round(rates["session"], 1),
            "session_ratio": round(rates["session"] / rates["/healthz"], 3),
            "all_pages_cold_s": round(cold_s, 4),
            "all_pages_warm_s": round(warm_s, 4),
            "pages": pages,
            "queries_per_page_1000": counts[SLUG],
            "queries_per_page_100": counts[SMALL],
            "conditional_304": answered,
            "conditional_requests": CONDITIONAL_REQUESTS,
            "conditional_rps": round(conditional_rps, 1),
            "sessions": SESSIONS,
            "database": database_name(database_url),
        }

    return run(work)


if __name__ == "__main__":
    sys.exit(main())
