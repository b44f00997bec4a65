"""Throughput of the public pages of a 1,000-session forum under gunicorn.

Builds a database (a fresh temporary SQLite file, or the one named by DATABASE_URL),
loads the synthetic forum ``bench`` with 1,000 sessions, starts gunicorn with two sync
workers on 127.0.0.1 and measures requests per second for ``/healthz``, the forum page
and one timetable day (~250 sessions) with a few client threads for a fixed time each.

The machine this runs on is shared and noisy, so absolute numbers move a lot from run to
run. The figures to compare are the ratios of each page to ``/healthz`` measured in the
same run: ``/healthz`` does one ``SELECT 1`` through the whole stack (gunicorn, Flask,
SQLAlchemy), so the ratio says how much the page's own queries and templates cost.

Usage, from the project root:  .venv/bin/python benchmarks/pages.py [--seconds 5] [--concurrency 4]
The last line printed is one JSON object with the results.
"""
from __future__ import annotations

import argparse
import json
import os
import secrets
import signal
import sys
import tempfile
from pathlib import Path

from sqlalchemy import create_engine, inspect, text

from planner.config import normalise_database_url
from serving import WORKERS, BenchmarkError, free_port, measure, run_flask, start_gunicorn, stop, wait_until_healthy

SLUG = "bench"
SESSIONS = 1000
URLS = {
    "healthz": "/healthz",
    "forum": f"/forums/{SLUG}/",
    "timetable": f"/forums/{SLUG}/timetable?day=2030-03-01",
}


def forum_exists(database_url: str) -> bool:
    engine = create_engine(normalise_database_url(database_url))
    try:
        if not inspect(engine).has_table("forums"):
            return False
        with engine.connect() as connection:
            query = text("SELECT 1 FROM forums WHERE slug = :slug")
            return connection.execute(query, {"slug": SLUG}).first() is not None
    finally:
        engine.dispose()


def prepare_database(database_url: str) -> None:
    """Build the schema and load the synthetic forum unless it is already there."""
    env = {**os.environ, "DATABASE_URL": database_url, "PLANNER_ENV": "development"}
    print("Building the schema...", flush=True)
    run_flask(["db", "upgrade"], env)
    if forum_exists(database_url):
        print(f"Forum {SLUG!r} already exists; not seeding.", flush=True)
        return
    print(f"Loading {SESSIONS} synthetic sessions...", flush=True)
    run_flask(["seed-synthetic", SLUG, "--sessions", str(SESSIONS)], env)


def benchmark(
    database_url: str, log_path: Path, seconds: float, concurrency: int
) -> dict[str, float]:
    """Start gunicorn, measure every URL and always stop gunicorn again."""
    port = free_port()
    env = {"DATABASE_URL": database_url, "PLANNER_ENV": "production", "PLANNER_SECRET_KEY": secrets.token_hex(32)}
    server = start_gunicorn(env, port, log_path)
    try:
        wait_until_healthy(server, port)
        results: dict[str, float] = {}
        print(f"\n{'url':<42} {'requests':>9} {'rps':>8} {'ratio':>7}")
        for name, path in URLS.items():
            requests, rps = measure(port, path, seconds, concurrency)
            results[name] = rps
            ratio = rps / results["healthz"]
            print(f"{path:<42} {requests:>9} {rps:>8.1f} {ratio:>7.3f}", flush=True)
        return results
    except (BenchmarkError, OSError) as error:
        log_tail = log_path.read_text(errors="replace")[-3000:]
        raise BenchmarkError(f"{error}\n--- gunicorn log (end) ---\n{log_tail}") from None
    finally:
        stop(server)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=5.0, help="duration per URL (default 5)")
    parser.add_argument("--concurrency", type=int, default=4, help="client threads (default 4)")
    args = parser.parse_args()
    if not 0 < args.seconds <= 600 or not 1 <= args.concurrency <= 64:
        parser.error("--seconds must be in (0, 600] and --concurrency in [1, 64]")
    # A plain `kill` should clean up like Ctrl-C does: run the finally blocks.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))

    with tempfile.TemporaryDirectory(prefix="planner-bench-") as tmp:
        sqlite_url = f"sqlite:///{Path(tmp) / 'bench.sqlite3'}"
        database_url = os.environ.get("DATABASE_URL") or sqlite_url
        database = "postgresql" if database_url.startswith("postgres") else "sqlite"
        try:
            prepare_database(database_url)
            log_path = Path(tmp) / "gunicorn.log"
            rps = benchmark(database_url, log_path, args.seconds, args.concurrency)
        except BenchmarkError as error:
            print(f"benchmark failed: {error}", file=sys.stderr)
            return 1
        except KeyboardInterrupt:
            print("\ninterrupted", file=sys.stderr)
            return 130
    summary = {
        "healthz_rps": round(rps["healthz"], 1),
        "forum_rps": round(rps["forum"], 1),
        "timetable_rps": round(rps["timetable"], 1),
        "forum_ratio": round(rps["forum"] / rps["healthz"], 3),
        "timetable_ratio": round(rps["timetable"] / rps["healthz"], 3),
        "sessions": SESSIONS,
        "workers": WORKERS,
        "seconds": args.seconds,
        "concurrency": args.concurrency,
        "database": database,
    }
    print()
    print(json.dumps(summary))
    return 0


if __name__ == "__main__":
    sys.exit(main())
