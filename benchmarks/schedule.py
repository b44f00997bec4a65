"""The conflict check over forums of 1,000 and 5,000 sessions and over 1,000 parallel
sessions with one chair, and the timetable of a 1,000-session forum under gunicorn.

The check runs in this process against a database (a fresh temporary SQLite file, or the
one named by DATABASE_URL) holding the synthetic forums ``bench`` (1,000 sessions),
``bench5k`` (5,000) and ``benchpar`` (1,000 sessions at one time, one chair in all, no
rooms: one warning, where pair by pair it was 499,500): each is timed over a few runs (the
best is reported) with the SQL statements counted, which must not grow with the forum.
Then gunicorn with two sync workers on 127.0.0.1 serves ``/healthz`` and one timetable day
of ``bench`` for a fixed time each; the ratio of the two, measured in the same run, is the
figure to compare (the machine is shared and absolute numbers move a lot).

Usage, from the project root:  .venv/bin/python benchmarks/schedule.py [--seconds 5] [--concurrency 4]
The last line printed is one JSON object with the results.
"""

from __future__ import annotations

import datetime as dt
import sys
import time
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
from sqlalchemy import event

FORUMS = {"bench": 1000, "bench5k": 5000}
PARALLEL = "benchpar"
CHECKED = {**FORUMS, PARALLEL: 1000}
RUNS = 3
TIMETABLE = "/forums/bench/timetable?day=2030-03-01"


def prepare_database(database_url: str) -> None:
    upgrade_schema(database_url)
    load_synthetic_forums(database_url, CHECKED)
    make_parallel(database_url)


def make_parallel(database_url: str) -> None:
    """Every session of ``benchpar`` at one half hour, out of its room, chaired by one person."""
    from sqlalchemy import select

    from planner import create_app
    from planner.delegations.models import Person
    from planner.extensions import db
    from planner.forums.models import Event
    from planner.forums.services import get_forum_by_slug
    from planner.schedule.models import ParticipantRole, Session, SessionParticipant

    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url})
    with app.app_context():
        forum = get_forum_by_slug(PARALLEL)
        sessions = db.session.scalars(select(Session).join(Event).where(Event.forum_id == forum.id)).all()
        if len({s.starts_at for s in sessions}) > 1:  # not done yet in this database
            chair = Person(name="Shared chair")
            first = min(s.starts_at for s in sessions)
            for session in sessions:
                session.starts_at, session.ends_at, session.room = first, first + dt.timedelta(minutes=30), None
                session.participants = [SessionParticipant(person=chair, role=ParticipantRole.CHAIR)]
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
        for slug, sessions in CHECKED.items():
            forum = get_forum_by_slug(slug)
            best = float("inf")
            for _ in range(RUNS):
                statements.clear()
                started = time.perf_counter()
                found = forum_conflicts(forum)
                best = min(best, time.perf_counter() - started)
                db.session.expire_all()
            label = {"bench": "1000", "bench5k": "5000", PARALLEL: "parallel_1000"}[slug]
            results[f"check_{label}_s"] = round(best, 4)
            results[f"check_{label}_queries"] = len(statements)
            results[f"check_{label}_warnings"] = len(found.warnings)
            print(
                f"conflict check, {sessions} sessions: {best:.3f} s, {len(statements)} queries, "
                f"{len(found.blocking)} blocking, {len(found.warnings)} warnings",
                flush=True,
            )
        db.session.remove()
        db.engine.dispose()
    return results


def serve(database_url: str, log_path: Path, seconds: float, concurrency: int) -> dict[str, float]:
    with gunicorn(database_url, log_path) as port:
        return measure_urls(port, {"healthz": "/healthz", "timetable": TIMETABLE}, seconds, concurrency)


def main() -> int:
    args = parse_load_arguments(load_parser(__doc__))

    def work(tmp: Path) -> dict[str, object]:
        database_url = bench_database_url(tmp)
        prepare_database(database_url)
        checks = time_checks(database_url)
        rps = serve(database_url, tmp / "gunicorn.log", args.seconds, args.concurrency)
        return {
            **checks,
            "timetable_rps": round(rps["timetable"], 1),
            "healthz_rps": round(rps["healthz"], 1),
            "ratio": round(rps["timetable"] / rps["healthz"], 3),
            "workers": WORKERS,
            "seconds": args.seconds,
            "concurrency": args.concurrency,
            "database": database_name(database_url),
        }

    return run(work)


if __name__ == "__main__":
    sys.exit(main())
