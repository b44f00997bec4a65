"""Calendar feeds of a 1,000-session forum: building them, serving them, revalidating them.

In one run, on a fresh temporary SQLite file (or the database named by DATABASE_URL) with
the synthetic forum ``bench`` of 1,000 sessions:

(a) ``cold_s``: planner builds the forum feed from scratch (the sessions already loaded,
    every cache empty, VTIMEZONE included), against ``bare_icalendar_s``: the same 1,000
    events with the same properties built with the bare ``icalendar`` library
    (``Calendar``, ``Event.add``, ``add_missing_timezones``, ``to_ical``). ``cold_ratio``
    is ours over theirs (target: at most 1.0). Median of a few rounds each.
(b) ``feed_rps``: the cached feed ``/forums/bench/calendar.ics`` through gunicorn (two sync
    workers), against ``healthz_rps`` measured in the same run; ``feed_ratio`` is feed over
    healthz (target: at least 0.5).
(c) ``conditional_304``: how many of ``conditional_requests`` GETs with the feed's ETag in
    If-None-Match were answered 304 (all of them, when it works), and their rate.

Usage, from the project root:
    .venv/bin/python benchmarks/calendar_feeds.py [--seconds 3] [--concurrency 4] [--rounds 5]
The last line printed is one JSON object with the results.
"""
from __future__ import annotations

import argparse
import http.client
import json
import os
import secrets
import signal
import statistics
import sys
import tempfile
import time
from pathlib import Path

from serving import HOST, BenchmarkError, free_port, measure, start_gunicorn, stop, wait_until_healthy

from pages import SESSIONS, SLUG, prepare_database

FEED = f"/forums/{SLUG}/calendar.ics"
CONDITIONAL_REQUESTS = 500


def build_times(database_url: str, rounds: int) -> tuple[float, float, int]:
    """(planner's median seconds, bare icalendar's median seconds, events) for the feed."""
    import datetime as dt

    import icalendar

    from planner import create_app
    from planner.calendar import feeds, ical, services
    from planner.db import as_utc
    from planner.forums.services import get_forum_by_slug

    app = create_app({"ENV": "testing", "SQLALCHEMY_DATABASE_URI": database_url, "SERVER_NAME": "planner.test"})
    with app.test_request_context("/"):
        forum = get_forum_by_slug(SLUG)
        sessions = services.forum_sessions(forum)
        if len(sessions) != SESSIONS:
            raise BenchmarkError(f"expected {SESSIONS} sessions in {SLUG!r}, found {len(sessions)}")
        domain = services.uid_domain()
        prefix = feeds.session_url_prefix()

        def ours() -> bytes:
            ical.vtimezone.cache_clear()  # from scratch: the VTIMEZONE too
            return ical.feed(forum.name, forum.timezone, feeds.session_entries(sessions))

        def bare() -> bytes:
            zone = forum.zone
            calendar = icalendar.Calendar()
            calendar.add("prodid", ical.PRODID)
            calendar.add("version", "2.0")
            calendar.add("calscale", "GREGORIAN")
            calendar.add("method", "PUBLISH")
            calendar.add("x-wr-calname", forum.name)
            calendar.add("x-wr-timezone", forum.timezone)
            calendar.add("x-published-ttl", dt.timedelta(hours=1))
            for session in sessions:
                event = icalendar.Event()
                room = session.room
                event.add("uid", ical.session_uid(session.id, domain))
                event.add("dtstamp", as_utc(session.updated_at))
                event.add("last-modified", as_utc(session.updated_at))
                event.add("sequence", session.revision)
                event.add("dtstart", session.starts_at.astimezone(zone))
                event.add("dtend", session.ends_at.astimezone(zone))
                event.add("status", "CONFIRMED")
                event.add("summary", session.title)
                event.add("description", session.description)
                event.add("location", f"{room.name}, {room.venue.name}" if room else "")
                event.add("url", f"{prefix}{session.id}")
                event.add("categories", [session.event.code])
                event.add("transp", "OPAQUE")
                calendar.add_component(event)
            calendar.add_missing_timezones(first_date=dt.date(2030, 1, 1), last_date=dt.date(2031, 1, 1))
            return calendar.to_ical()

        def timed(build) -> tuple[float, bytes]:  # noqa: ANN001
            started = time.perf_counter()
            body = build()
            return time.perf_counter() - started, body

        ours_times, bare_times = [], []
        for _ in range(rounds):
            seconds, body = timed(ours)
            ours_times.append(seconds)
            bare_seconds, bare_body = timed(bare)
            bare_times.append(bare_seconds)
        if body.count(b"BEGIN:VEVENT") != SESSIONS or bare_body.count(b"BEGIN:VEVENT") != SESSIONS:
            raise BenchmarkError("a feed does not hold every session")
    return statistics.median(ours_times), statistics.median(bare_times), SESSIONS


def request(port: int, path: str, headers: dict[str, str] | None = None) -> http.client.HTTPResponse:
    connection = http.client.HTTPConnection(HOST, port, timeout=10)
    try:
        connection.request("GET", path, headers=headers or {})
        response = connection.getresponse()
        response.read()
        return response
    finally:
        connection.close()


def conditional(port: int, count: int) -> tuple[int, float]:
    """(answers that were 304, requests per second) for ``count`` revalidations."""
    etag = request(port, FEED).getheader("ETag")
    if not etag:
        raise BenchmarkError(f"{FEED} sent no ETag")
    not_modified = 0
    started = time.monotonic()
    for _ in range(count):
        if request(port, FEED, {"If-None-Match": etag}).status == 304:
            not_modified += 1
    return not_modified, count / (time.monotonic() - started)


def serve(database_url: str, log_path: Path, seconds: float, concurrency: int) -> dict[str, float]:
    port = free_port()
    env = {"DATABASE_URL": database_url, "PLANNER_ENV": "production", "PLANNER_SECRET_KEY": secrets.token_hex(32)}
    server = start_gunicorn(env, port, log_path)
    try:
        wait_until_healthy(server, port)
        # Alternate the two URLs (half the time each, twice) so that the shared machine's
        # load drifting during the run weighs on both alike.
        totals = {"/healthz": [0, 0.0], FEED: [0, 0.0]}
        for _ in range(2):
            for path in totals:  # each warm-up also fills the workers' caches for the feed
                requests, rps = measure(port, path, seconds / 2, concurrency)
                totals[path][0] += requests
                totals[path][1] += requests / rps if rps else 0.0
        healthz, feed = (totals[path][0] / totals[path][1] for path in ("/healthz", FEED))
        print(f"/healthz          {healthz:8.1f} requests/s", flush=True)
        print(f"{FEED} {feed:8.1f} requests/s (cached)", flush=True)
        answered, rate = conditional(port, CONDITIONAL_REQUESTS)
        print(f"conditional GETs  {answered}/{CONDITIONAL_REQUESTS} answered 304, {rate:.1f}/s", flush=True)
        return {"healthz": healthz, "feed": feed, "conditional_304": answered, "conditional_rps": rate}
    except (BenchmarkError, OSError) as error:
        log_tail = log_path.read_text(errors="replace")[-3000:]
        raise BenchmarkError(f"{error}\n--- gunicorn log (end) ---\n{log_tail}") from None
    finally:
        stop(server)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=3.0, help="duration per URL (default 3)")
    parser.add_argument("--concurrency", type=int, default=4, help="client threads (default 4)")
    parser.add_argument("--rounds", type=int, default=5, help="builds of each feed for (a) (default 5)")
    args = parser.parse_args()
    if not 0 < args.seconds <= 600 or not 1 <= args.concurrency <= 64 or not 1 <= args.rounds <= 50:
        parser.error("--seconds must be in (0, 600], --concurrency in [1, 64], --rounds in [1, 50]")
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))

    with tempfile.TemporaryDirectory(prefix="planner-bench-") as tmp:
        database_url = os.environ.get("DATABASE_URL") or f"sqlite:///{Path(tmp) / 'bench.sqlite3'}"
        try:
            prepare_database(database_url)
            cold, bare, _ = build_times(database_url, args.rounds)
            print(f"cold build {cold * 1000:.1f} ms, bare icalendar {bare * 1000:.1f} ms", flush=True)
            served = serve(database_url, Path(tmp) / "gunicorn.log", args.seconds, args.concurrency)
        except BenchmarkError as error:
            print(f"benchmark failed: {error}", file=sys.stderr)
            return 1
        except KeyboardInterrupt:
            print("\ninterrupted", file=sys.stderr)
            return 130
    summary = {
        "cold_s": round(cold, 4),
        "bare_icalendar_s": round(bare, 4),
        "cold_ratio": round(cold / bare, 3),
        "feed_rps": round(served["feed"], 1),
        "healthz_rps": round(served["healthz"], 1),
        "feed_ratio": round(served["feed"] / served["healthz"], 3),
        "conditional_304": served["conditional_304"],
        "conditional_requests": CONDITIONAL_REQUESTS,
        "conditional_rps": round(served["conditional_rps"], 1),
        "sessions": SESSIONS,
        "database": "postgresql" if database_url.startswith("postgres") else "sqlite",
    }
    print()
    print(json.dumps(summary))
    return 0


if __name__ == "__main__":
    sys.exit(main())
