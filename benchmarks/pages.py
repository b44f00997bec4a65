"""Throughput of the public pages of a 1,000-session forum under gunicorn.

Builds a database (a fresh temporary SQLite file, or the one named by DATABASE_URL),
loads the synthetic forum ``bench`` with 1,000 sessions, starts gunicorn with two sync
workers on 127.0.0.1 and measures requests per second for ``/healthz``, the forum page
and one timetable day (~250 sessions) with a few client threads for a fixed time each.

The machine this runs on is shared and noisy, so absolute numbers move a lot from run to
run. The figures to compare are the ratios of each page to ``/healthz`` measured in the
same run: ``/healthz`` asks the database whether it answers and takes writes through the whole
stack (gunicorn, Flask, SQLAlchemy, on the health check's own thread and connection), so the
ratio says how much the page's own queries and templates cost.

Usage, from the project root:  .venv/bin/python benchmarks/pages.py [--seconds 5] [--concurrency 4]
The last line printed is one JSON object with the results.
"""

from __future__ import annotations

import sys
from pathlib import Path

from serving import (
    WORKERS,
    bench_database_url,
    database_name,
    gunicorn,
    load_parser,
    load_synthetic_forums,
    measure_urls,
    parse_load_arguments,
    run,
    upgrade_schema,
)

SLUG = "bench"
SESSIONS = 1000
URLS = {
    "healthz": "/healthz",
    "forum": f"/forums/{SLUG}/",
    "timetable": f"/forums/{SLUG}/timetable?day=2030-03-01",
}


def prepare_database(database_url: str) -> None:
    """Build the schema and load the synthetic forum unless it is already there."""
    upgrade_schema(database_url)
    load_synthetic_forums(database_url, {SLUG: SESSIONS})


def benchmark(database_url: str, log_path: Path, seconds: float, concurrency: int) -> dict[str, float]:
    """Start gunicorn, measure every URL and always stop gunicorn again."""
    with gunicorn(database_url, log_path) as port:
        return measure_urls(port, URLS, seconds, concurrency)


def main() -> int:
    args = parse_load_arguments(load_parser(__doc__))

    def work(tmp: Path) -> dict[str, object]:
        database_url = bench_database_url(tmp)
        prepare_database(database_url)
        rps = benchmark(database_url, tmp / "gunicorn.log", args.seconds, args.concurrency)
        return {
            "healthz_rps": round(rps["healthz"], 1),
            "forum_rps": round(rps["forum"], 1),
            "timetable_rps": round(rps["timetable"], 1),
            "forum_ratio": round(rps["forum"] / rps["healthz"], 3),
            "timetable_ratio": round(rps["timetable"] / rps["healthz"], 3),
            "sessions": SESSIONS,
            "workers": WORKERS,
            "seconds": args.seconds,
            "concurrency": args.concurrency,
            "database": database_name(database_url),
        }

    return run(work)


if __name__ == "__main__":
    sys.exit(main())
