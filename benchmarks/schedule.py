"""The conflict check over forums of 1,000 and 5,000 sessions, and the timetable of a
1,000-session forum under gunicorn.

The check runs in this process against a database (a fresh temporary SQLite file, or the
one named by DATABASE_URL) holding the synthetic forums ``bench`` (1,000 sessions) and
``bench5k`` (5,000): each is timed over a few runs (the best is reported) with the SQL
statements counted, which must not grow with the forum. Then gunicorn with two sync workers
on 127.0.0.1 serves ``/healthz`` and one timetable day of ``bench`` for a fixed time each;
the ratio of the two, measured in the same run, is the figure to compare (the machine is
shared and absolute numbers move a lot).

Usage, from the project root:  .venv/bin/python benchmarks/schedule.py [--seconds 5] [--concurrency 4]
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
import time
from pathlib import Path

from sqlalchemy import event, select

from serving import WORKERS, BenchmarkError, free_port, measure, run_flask, start_gunicorn, stop, wait_until_healthy

FORUMS = {"bench": 1000, "bench5k": 5000}
RUNS = 3
TIMETABLE = "/forums/bench/timetable?day=2030-03-01"


def prepare_database(database_url: str) -> None:
    env = {**os.environ, "DATABASE_URL": database_url, "PLANNER_ENV": "development"}
    print("Building the schema...", flush=True)
    run_flask(["db", "upgrade"], env)
    from planner import create_app
    from planner.demo.synthetic import load_synthetic_forum
    from planner.extensions import db
    from planner.forums.models import Forum

    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url})
    with app.app_context():
        existing = set(db.session.scalars(select(Forum.slug).where(Forum.slug.in_(FORUMS))))
        for slug, sessions in FORUMS.items():
            if slug in existing:
                print(f"Forum {slug!r} already exists; not seeding.", flush=True)
                continue
            print(f"Loading {sessions} synthetic sessions into {slug!r}...", flush=True)
            # Enough rooms that the days hold every session: a programme without clashes.
            load_synthetic_forum(slug, sessions, days=4, rooms=max(12, sessions // 100))
            db.session.commit()
        db.session.remove()
        db.engine.dispose()


def time_checks(database_url: str) -> dict[str, float]:
    """Best of RUNS for ``forum_conflicts`` on each forum, and the statements one run sends."""
    from planner import create_app
    from planner.extensions import db
    from planner.forums.services import get_forum_by_slug
    from planner.schedule.conflicts import forum_conflicts

    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url})
    results: dict[str, float] = {}
    with app.app_context():
        statements: list[str] = []
        event.listen(db.engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
        for slug, sessions in FORUMS.items():
            forum = get_forum_by_slug(slug)
            best = float("inf")
            for _ in range(RUNS):
                statements.clear()
                started = time.perf_counter()
                found = forum_conflicts(forum)
                best = min(best, time.perf_counter() - started)
                db.session.expire_all()
            label = "1000" if sessions == 1000 else "5000"
            results[f"check_{label}_s"] = round(best, 4)
            results[f"check_{label}_queries"] = len(statements)
            print(f"conflict check, {sessions} sessions: {best:.3f} s, {len(statements)} queries, "
                  f"{len(found.blocking)} blocking, {len(found.warnings)} warnings", flush=True)
        db.session.remove()
        db.engine.dispose()
    return results


def serve(database_url: str, log_path: Path, seconds: float, concurrency: int) -> dict[str, float]:
    port = free_port()
    env = {"DATABASE_URL": database_url, "PLANNER_ENV": "production", "PLANNER_SECRET_KEY": secrets.token_hex(32)}
    server = start_gunicorn(env, port, log_path)
    try:
        wait_until_healthy(server, port)
        results = {}
        for name, path in (("healthz", "/healthz"), ("timetable", TIMETABLE)):
            requests, rps = measure(port, path, seconds, concurrency)
            results[name] = rps
            print(f"{path:<42} {requests:>9} requests {rps:>8.1f} rps", flush=True)
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
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))

    with tempfile.TemporaryDirectory(prefix="planner-bench-") as tmp:
        database_url = os.environ.get("DATABASE_URL") or f"sqlite:///{Path(tmp) / 'bench.sqlite3'}"
        try:
            prepare_database(database_url)
            checks = time_checks(database_url)
            rps = serve(database_url, Path(tmp) / "gunicorn.log", args.seconds, args.concurrency)
        except BenchmarkError as error:
            print(f"benchmark failed: {error}", file=sys.stderr)
            return 1
        except KeyboardInterrupt:
            print("\ninterrupted", file=sys.stderr)
            return 130
    summary = {
        **checks,
        "timetable_rps": round(rps["timetable"], 1),
        "healthz_rps": round(rps["healthz"], 1),
        "ratio": round(rps["timetable"] / rps["healthz"], 3),
        "workers": WORKERS,
        "seconds": args.seconds,
        "concurrency": args.concurrency,
        "database": "postgresql" if database_url.startswith("postgres") else "sqlite",
    }
    print()
    print(json.dumps(summary))
    return 0


if __name__ == "__main__":
    sys.exit(main())
