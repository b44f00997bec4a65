"""The offline copy of a 1,000-session forum: how long building its zip takes.

In one run, on a fresh temporary SQLite file (or the database named by DATABASE_URL) with
the synthetic forum ``bench`` of 1,000 sessions over 4 days in 12 rooms:

``build_s``: the median of a few cold builds of the whole copy (``planner.offline.site_copy``:
plan, every page rendered and rewritten, the zip written in memory), each in a new app, so
that no cache (rendered timetables, feeds) is warm; ``fastest_s`` and ``slowest_s`` beside
it, ``pages`` (files in the copy) and ``zip_bytes``. Target: a few seconds.

Usage, from the project root:
    .venv/bin/python benchmarks/offline_copy.py [--rounds 3]
The last line printed is one JSON object with the results.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

from pages import SESSIONS, SLUG, prepare_database
from serving import BenchmarkError, bench_database_url, database_name, run

LIVE = "https://planner.example.org"


def build_times(database_url: str, rounds: int) -> tuple[list[float], int, int]:
    """(seconds of each cold build, files in the copy, bytes of the zip)."""
    from planner import create_app
    from planner.extensions import db
    from planner.forums.services import get_forum_by_slug
    from planner.offline import site_copy

    times, pages, size = [], 0, 0
    for _ in range(rounds):
        app = create_app({"ENV": "testing", "SQLALCHEMY_DATABASE_URI": database_url})
        with app.app_context():
            forum = get_forum_by_slug(SLUG)
            if forum is None:
                raise BenchmarkError(f"no forum {SLUG!r}")
            forum_id = forum.id
        started = time.perf_counter()
        plan = site_copy.plan(app, forum_id, language="en", live_root=LIVE)
        data = site_copy.build(app, plan)
        times.append(time.perf_counter() - started)
        sessions = sum(1 for page in plan.pages if page.session_id is not None and not page.feed)
        if sessions != SESSIONS:
            raise BenchmarkError(f"expected {SESSIONS} session pages, the copy has {sessions}")
        pages, size = len(plan.pages), len(data)
        print(f"built {pages} files ({size / 1e6:.1f} MB zipped) in {times[-1]:.2f} s", flush=True)
        with app.app_context():
            db.engine.dispose()
    return times, pages, size


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3, help="cold builds (default 3)")
    args = parser.parse_args()
    if not 1 <= args.rounds <= 20:
        parser.error("--rounds must be in [1, 20]")

    def work(tmp: Path) -> dict[str, object]:
        database_url = bench_database_url(tmp)
        prepare_database(database_url)
        times, pages, size = build_times(database_url, args.rounds)
        return {
            "build_s": round(statistics.median(times), 3),
            "fastest_s": round(min(times), 3),
            "slowest_s": round(max(times), 3),
            "rounds": args.rounds,
            "pages": pages,
            "zip_bytes": size,
            "sessions": SESSIONS,
            "database": database_name(database_url),
        }

    return run(work)


if __name__ == "__main__":
    sys.exit(main())
