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
import http.client
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from sqlalchemy import create_engine, inspect, text

from planner.config import normalise_database_url

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
SLUG = "bench"
SESSIONS = 1000
WORKERS = 2
WARM_UP_REQUESTS = 20
MAX_REQUESTS_PER_THREAD = 1_000_000  # a bound on top of the time limit
URLS = {
    "healthz": "/healthz",
    "forum": f"/forums/{SLUG}/",
    "timetable": f"/forums/{SLUG}/timetable?day=2030-03-01",
}


class BenchmarkError(Exception):
    """Something went wrong; the message says what."""


def run_flask(args: list[str], env: dict[str, str]) -> None:
    """Run ``flask --app planner ARGS`` and fail with its output if it does not succeed."""
    command = [sys.executable, "-m", "flask", "--app", "planner", *args]
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        raise BenchmarkError(f"`flask {' '.join(args)}` failed:\n{result.stdout}{result.stderr}")


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


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def get_status(port: int, path: str, timeout: float = 10.0) -> int:
    """GET ``path`` on a new connection, read the whole body and return the status."""
    connection = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        response.read()
        return response.status
    finally:
        connection.close()


def wait_until_healthy(server: subprocess.Popen[bytes], port: int, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise BenchmarkError(f"gunicorn exited with status {server.returncode} while starting")
        try:
            if get_status(port, URLS["healthz"], timeout=2.0) == 200:
                return
        except OSError:
            pass  # not listening yet
        time.sleep(0.2)
    raise BenchmarkError(f"/healthz did not answer 200 within {timeout:.0f} s")


def measure(port: int, path: str, seconds: float, concurrency: int) -> tuple[int, float]:
    """Return (requests, requests per second) for ``path`` with ``concurrency`` threads."""
    for _ in range(WARM_UP_REQUESTS):
        if (status := get_status(port, path)) != 200:
            raise BenchmarkError(f"{path} answered {status} during warm-up, not 200")
    counts = [0] * concurrency
    failures: list[str] = []
    stop = threading.Event()

    def client(index: int, deadline: float) -> None:
        for _ in range(MAX_REQUESTS_PER_THREAD):
            if stop.is_set() or time.monotonic() >= deadline:
                break
            try:
                status = get_status(port, path)
            except OSError as error:
                failures.append(f"{path}: {error!r}")
                break
            if status != 200:
                failures.append(f"{path} answered {status}, not 200")
                break
            counts[index] += 1
        if failures:
            stop.set()

    started = time.monotonic()
    deadline = started + seconds
    threads = [
        threading.Thread(target=client, args=(n, deadline), daemon=True) for n in range(concurrency)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    if failures:
        raise BenchmarkError(failures[0])
    return sum(counts), sum(counts) / elapsed


def benchmark(
    database_url: str, log_path: Path, seconds: float, concurrency: int
) -> dict[str, float]:
    """Start gunicorn, measure every URL and always stop gunicorn again."""
    port = free_port()
    env = {
        **os.environ, "DATABASE_URL": database_url, "PLANNER_ENV": "production",
        "PLANNER_SECRET_KEY": secrets.token_hex(32),
    }
    bind = f"{HOST}:{port}"
    command = [sys.executable, "-m", "gunicorn", "-w", str(WORKERS), "-b", bind, "wsgi:app"]
    # A session of its own: Ctrl-C reaches only this script, which then stops gunicorn
    # itself (a SIGINT to the workers mid-request would look like failed requests).
    with log_path.open("wb") as log:
        server = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
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
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


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
