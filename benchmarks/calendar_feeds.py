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

import statistics
import sys
import time
from pathlib import Path

from pages import SESSIONS, SLUG, prepare_database
from serving import (
    BenchmarkError,
    bench_database_url,
    database_name,
    gunicorn,
    load_parser,
    measure,
    parse_load_arguments,
    request,
    run,
)

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


def conditional(port: int, count: int) -> tuple[int, float]:
    """(answers that were 304, requests per second) for ``count`` revalidations."""
    etag = request(port, FEED)[0].getheader("ETag")
    if not etag:
        raise BenchmarkError(f"{FEED} sent no ETag")
    not_modified = 0
    started = time.monotonic()
    for _ in range(count):
        if request(port, FEED, headers={"If-None-Match": etag})[0].status == 304:
            not_modified += 1
    return not_modified, count / (time.monotonic() - started)


def serve(database_url: str, log_path: Path, seconds: float, concurrency: int) -> dict[str, float]:
    with gunicorn(database_url, log_path) as port:
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


def main() -> int:
    parser = load_parser(__doc__, seconds=3.0)
    parser.add_argument("--rounds", type=int, default=5, help="builds of each feed for (a) (default 5)")
    args = parse_load_arguments(parser)
    if not 1 <= args.rounds <= 50:
        parser.error("--rounds must be in [1, 50]")

    def work(tmp: Path) -> dict[str, object]:
        database_url = bench_database_url(tmp)
        prepare_database(database_url)
        cold, bare, _ = build_times(database_url, args.rounds)
        print(f"cold build {cold * 1000:.1f} ms, bare icalendar {bare * 1000:.1f} ms", flush=True)
        served = serve(database_url, tmp / "gunicorn.log", args.seconds, args.concurrency)
        return {
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
            "database": database_name(database_url),
        }

    return run(work)


if __name__ == "__main__":
    sys.exit(main())
