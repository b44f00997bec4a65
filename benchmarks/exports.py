"""Exports of a 1,000-session forum: schedule.json built cold and served cached.

In one run, on a fresh temporary SQLite file (or the database named by DATABASE_URL) with
the synthetic forum ``bench`` of 1,000 sessions:

(a) ``cold_s``: planner builds ``schedule.json`` from the loaded sessions (every cache empty):
    models to the schema's document to bytes. ``dumps_s`` is ``json.dumps`` (with the same
    settings) of that same document, built earlier in the run: what the serialising alone
    costs. ``cold_ratio`` is ours over it; the rest is the work of reading the models
    (times in the forum's zone, guids, slugs, rooms and days). ``xml_cold_s`` is the same
    cold build for ``schedule.xml``. Median of a few rounds each.
(b) ``json_rps``: the cached ``/forums/bench/schedule.json`` through gunicorn (two sync
    workers) asked for as the apps ask (``Accept-Encoding: gzip``: Android's HTTP clients
    send it unasked), against ``healthz_rps`` in the same run; ``json_ratio`` is one over
    the other (target: at least 0.5). ``plain_rps`` and ``plain_ratio``: the same without
    gzip (the 700 kB as they are).
(c) ``conditional_304``: how many of ``conditional_requests`` GETs with the answer's ETag in
    If-None-Match were answered 304 (all of them, when it works), and their rate.
(d) ``offline_build_s``: the offline copy of the same forum built cold (the median of up to
    three builds, each in a new app; ``benchmarks/offline_copy.py`` alone gives more detail),
    with ``offline_files`` and ``offline_zip_bytes``. Target: a few seconds.

Each measurement is a function returning its figures; ``main`` merges them into the one
JSON line.

Usage, from the project root:
    .venv/bin/python benchmarks/exports.py [--seconds 3] [--concurrency 4] [--rounds 5]
The last line printed is one JSON object with the results.
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import offline_copy
from pages import SESSIONS, SLUG, prepare_database
from serving import (
    ROOT,
    WARM_UP_REQUESTS,
    BenchmarkError,
    bench_database_url,
    database_name,
    gunicorn,
    load_parser,
    parse_load_arguments,
    request,
    run,
    timed_loop,
)

sys.path.insert(0, str(ROOT))  # this checkout's planner, not another one installed in the venv

SCHEDULE_JSON = f"/forums/{SLUG}/schedule.json"
GZIP = {"Accept-Encoding": "gzip"}
CONDITIONAL_REQUESTS = 500
BASE_URL = "http://planner.test/"


def _median_seconds(build: Callable[[], bytes], rounds: int) -> tuple[float, bytes]:
    times, body = [], b""
    for _ in range(rounds):
        started = time.perf_counter()
        body = build()
        times.append(time.perf_counter() - started)
    return statistics.median(times), body


def schedule_json_build(database_url: str, rounds: int) -> dict[str, float]:
    """(a): the cold builds of schedule.json (and schedule.xml), and json.dumps of the same data."""
    from planner import create_app
    from planner.calendar.services import uid_domain
    from planner.forums.services import get_forum_by_slug
    from planner.schedule import conference_formats, services

    app = create_app({"ENV": "testing", "SQLALCHEMY_DATABASE_URI": database_url, "SERVER_NAME": "planner.test"})
    with app.test_request_context("/"):
        forum = get_forum_by_slug(SLUG)
        sessions = services.public_programme(forum)
        if len(sessions) != SESSIONS:
            raise BenchmarkError(f"expected {SESSIONS} sessions in {SLUG!r}, found {len(sessions)}")
        domain = uid_domain()
        document = conference_formats.schedule_document(conference_formats.programme(forum, sessions, BASE_URL, domain))

        def ours() -> bytes:
            return conference_formats.schedule_json(forum, sessions, BASE_URL, domain)

        def dumps() -> bytes:
            return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()

        def xml() -> bytes:
            return conference_formats.schedule_xml(forum, sessions, BASE_URL, domain)

        cold, body = _median_seconds(ours, rounds)
        dumped, dumped_body = _median_seconds(dumps, rounds)
        xml_cold, xml_body = _median_seconds(xml, rounds)
    if body != dumped_body or len(json.loads(body)["schedule"]["events"]) != SESSIONS:
        raise BenchmarkError("schedule.json does not hold every session, or differs from the same data dumped")
    if xml_body.count(b"<event ") != SESSIONS:
        raise BenchmarkError("schedule.xml does not hold every session")
    print(f"schedule.json cold {cold * 1000:.1f} ms, json.dumps of the same data {dumped * 1000:.1f} ms", flush=True)
    print(f"schedule.xml cold {xml_cold * 1000:.1f} ms", flush=True)
    return {
        "cold_s": round(cold, 4),
        "dumps_s": round(dumped, 4),
        "cold_ratio": round(cold / dumped, 2),
        "xml_cold_s": round(xml_cold, 4),
        "json_bytes": len(body),
    }


def _conditional(port: int, path: str, count: int) -> tuple[int, float]:
    """(answers that were 304, requests per second) for ``count`` revalidations."""
    etag = request(port, path)[0].getheader("ETag")
    if not etag:
        raise BenchmarkError(f"{path} sent no ETag")
    not_modified = 0
    started = time.monotonic()
    for _ in range(count):
        if request(port, path, headers={"If-None-Match": etag})[0].status == 304:
            not_modified += 1
    return not_modified, count / (time.monotonic() - started)


def _measure(port: int, path: str, seconds: float, concurrency: int, headers: dict[str, str]) -> tuple[int, float]:
    """``serving.measure`` with request headers: (requests, requests per second), all 200."""
    for _ in range(WARM_UP_REQUESTS):
        if (status := request(port, path, headers=headers)[0].status) != 200:
            raise BenchmarkError(f"{path} answered {status} during warm-up, not 200")
    counts = [0] * concurrency

    def step(index: int, _n: int) -> None:
        response, _body = request(port, path, headers=headers)
        if response.status != 200:
            raise BenchmarkError(f"{path} answered {response.status}, not 200")
        counts[index] += 1

    elapsed = timed_loop(concurrency, seconds, step)
    return sum(counts), sum(counts) / elapsed


def schedule_json_served(database_url: str, log_path: Path, seconds: float, concurrency: int) -> dict[str, float]:
    """(b) and (c): the cached schedule.json through gunicorn against /healthz, and revalidations."""
    runs = {"healthz": ("/healthz", {}), "json": (SCHEDULE_JSON, GZIP), "plain": (SCHEDULE_JSON, {})}
    with gunicorn(database_url, log_path) as port:
        # Alternate the URLs (half the time each, twice) so that the shared machine's load
        # drifting during the run weighs on all alike.
        totals = {name: [0, 0.0] for name in runs}
        for _ in range(2):
            for name, (path, headers) in runs.items():  # each warm-up also fills the workers' caches
                requests, rps = _measure(port, path, seconds / 2, concurrency, headers)
                totals[name][0] += requests
                totals[name][1] += requests / rps if rps else 0.0
        rates = {name: count / spent for name, (count, spent) in totals.items()}
        print(f"/healthz                     {rates['healthz']:8.1f} requests/s", flush=True)
        print(f"{SCHEDULE_JSON} {rates['json']:8.1f} requests/s (cached, gzip)", flush=True)
        print(f"{SCHEDULE_JSON} {rates['plain']:8.1f} requests/s (cached, plain)", flush=True)
        answered, rate = _conditional(port, SCHEDULE_JSON, CONDITIONAL_REQUESTS)
        print(f"conditional GETs  {answered}/{CONDITIONAL_REQUESTS} answered 304, {rate:.1f}/s", flush=True)
    return {
        "json_rps": round(rates["json"], 1),
        "healthz_rps": round(rates["healthz"], 1),
        "json_ratio": round(rates["json"] / rates["healthz"], 3),
        "plain_rps": round(rates["plain"], 1),
        "plain_ratio": round(rates["plain"] / rates["healthz"], 3),
        "conditional_304": answered,
        "conditional_requests": CONDITIONAL_REQUESTS,
        "conditional_rps": round(rate, 1),
    }


def offline_copy_build(database_url: str, rounds: int) -> dict[str, object]:
    """(d) The offline copy of the same forum, built cold (benchmarks/offline_copy.py)."""
    times, pages, size = offline_copy.build_times(database_url, rounds)
    return {"offline_build_s": round(statistics.median(times), 3), "offline_files": pages, "offline_zip_bytes": size}


def main() -> int:
    parser = load_parser(__doc__, seconds=3.0)
    parser.add_argument("--rounds", type=int, default=5, help="builds of each export for (a) (default 5)")
    args = parse_load_arguments(parser)
    if not 1 <= args.rounds <= 50:
        parser.error("--rounds must be in [1, 50]")

    def work(tmp: Path) -> dict[str, object]:
        database_url = bench_database_url(tmp)
        prepare_database(database_url)
        results: dict[str, object] = {}
        results.update(schedule_json_build(database_url, args.rounds))
        results.update(schedule_json_served(database_url, tmp / "gunicorn.log", args.seconds, args.concurrency))
        results.update(offline_copy_build(database_url, max(1, min(args.rounds, 3))))
        return {**results, "sessions": SESSIONS, "database": database_name(database_url)}

    return run(work)


if __name__ == "__main__":
    sys.exit(main())
