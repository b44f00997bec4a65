"""What every benchmark shares: planner under gunicorn on 127.0.0.1, timed request loops,
the synthetic forums, and the end of a run (the figures as JSON lines, the exit status).

Imported by the scripts beside it (run as ``python benchmarks/<name>.py``). Loops are
bounded in count and time, and traffic goes to this machine only.
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
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from cryptography.fernet import Fernet

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
WORKERS = 2
WARM_UP_REQUESTS = 20
MAX_REQUESTS_PER_THREAD = 1_000_000  # a bound; the deadline stops the loop first


class BenchmarkError(Exception):
    """Something went wrong; the message says what."""


def run_flask(args: list[str], env: dict[str, str]) -> None:
    """Run ``flask --app planner ARGS`` and fail with its output if it does not succeed."""
    command = [sys.executable, "-m", "flask", "--app", "planner", *args]
    result = subprocess.run(command, check=False, cwd=ROOT, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        raise BenchmarkError(f"`flask {' '.join(args)}` failed:\n{result.stdout}{result.stderr}")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def request(
    port: int,
    path: str,
    method: str = "GET",
    body: str | None = None,
    headers: Mapping[str, str] | None = None,
    timeout: float = 10.0,
) -> tuple[http.client.HTTPResponse, bytes]:
    """One request on a new connection (gunicorn's sync workers close it anyway):
    the response, already read, and its body."""
    connection = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        connection.request(method, path, body=body, headers=dict(headers or {}))
        response = connection.getresponse()
        return response, response.read()
    finally:
        connection.close()


def get_status(port: int, path: str, timeout: float = 10.0) -> int:
    """GET ``path`` on a new connection; the status."""
    return request(port, path, timeout=timeout)[0].status


def start_gunicorn(env: dict[str, str], port: int, log_path: Path) -> subprocess.Popen[bytes]:
    """``gunicorn -w 2 wsgi:app`` with ``env`` added to this environment, logging to ``log_path``."""
    command = [sys.executable, "-m", "gunicorn", "-w", str(WORKERS), "-b", f"{HOST}:{port}", "wsgi:app"]
    # A session of its own: Ctrl-C reaches only the script, which then stops gunicorn
    # itself (a SIGINT to the workers mid-request would look like failed requests).
    with log_path.open("wb") as log:
        return subprocess.Popen(
            command, cwd=ROOT, env={**os.environ, **env}, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )


def stop(server: subprocess.Popen[bytes]) -> None:
    server.terminate()
    try:
        server.wait(timeout=15)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


def wait_until_healthy(server: subprocess.Popen[bytes], port: int, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise BenchmarkError(f"gunicorn exited with status {server.returncode} while starting")
        try:
            if get_status(port, "/healthz", timeout=2.0) == 200:
                return
        except OSError:
            pass  # not listening yet
        time.sleep(0.2)
    raise BenchmarkError(f"/healthz did not answer 200 within {timeout:.0f} s")


def timed_loop(concurrency: int, seconds: float, step: Callable[[int, int], None]) -> float:
    """Call ``step(thread, n)`` for n = 0, 1, ... from ``concurrency`` threads until
    ``seconds`` have passed (at most MAX_REQUESTS_PER_THREAD times each). The first
    BenchmarkError or OSError a step raises stops every thread and is raised here as a
    BenchmarkError. Returns the seconds the loop took."""
    failures: list[str] = []
    stop_all = threading.Event()

    def client(index: int, deadline: float) -> None:
        for n in range(MAX_REQUESTS_PER_THREAD):
            if stop_all.is_set() or time.monotonic() >= deadline:
                return
            try:
                step(index, n)
            except BenchmarkError as error:
                failures.append(str(error))
            except OSError as error:
                failures.append(repr(error))
            else:
                continue
            stop_all.set()
            return

    started = time.monotonic()
    threads = [threading.Thread(target=client, args=(n, started + seconds), daemon=True) for n in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    if failures:
        raise BenchmarkError(failures[0])
    return elapsed


def measure(port: int, path: str, seconds: float, concurrency: int) -> tuple[int, float]:
    """(requests, requests per second) for GET ``path`` from ``concurrency`` threads;
    every answer must be 200."""
    for _ in range(WARM_UP_REQUESTS):
        if (status := get_status(port, path)) != 200:
            raise BenchmarkError(f"{path} answered {status} during warm-up, not 200")
    counts = [0] * concurrency

    def step(index: int, _n: int) -> None:
        try:
            status = get_status(port, path)
        except OSError as error:
            raise BenchmarkError(f"{path}: {error!r}") from None
        if status != 200:
            raise BenchmarkError(f"{path} answered {status}, not 200")
        counts[index] += 1

    elapsed = timed_loop(concurrency, seconds, step)
    return sum(counts), sum(counts) / elapsed


def measure_urls(port: int, urls: Mapping[str, str], seconds: float, concurrency: int) -> dict[str, float]:
    """``measure`` each of ``urls`` ({name: path}) in turn, the first being the baseline
    (``/healthz``): requests per second by name, printed as a table with each ratio."""
    results: dict[str, float] = {}
    print(f"\n{'url':<42} {'requests':>9} {'rps':>8} {'ratio':>7}")
    for name, path in urls.items():
        requests, rps = measure(port, path, seconds, concurrency)
        results[name] = rps
        ratio = rps / next(iter(results.values()))
        print(f"{path:<42} {requests:>9} {rps:>8.1f} {ratio:>7.3f}", flush=True)
    return results


# --- the database and the server, for one run ------------------------------------------


def wiped_database_choice(parser: argparse.ArgumentParser, default_url: str) -> None:
    """``--database-url`` (a PostgreSQL database the benchmark wipes) or ``--sqlite``."""
    where = parser.add_mutually_exclusive_group()
    where.add_argument(
        "--database-url",
        help=f"PostgreSQL database to WIPE and use (default: DATABASE_URL, else {default_url})",
    )
    where.add_argument("--sqlite", action="store_true", help="use a temporary SQLite file instead")


def chosen_database(args: argparse.Namespace, default_url: str, tmp: Path, sqlite_name: str) -> str:
    """The URL ``wiped_database_choice`` chose: a temporary SQLite file, or PostgreSQL."""
    if args.sqlite:
        return sqlite_url(tmp, sqlite_name)
    return str(args.database_url or os.environ.get("DATABASE_URL") or default_url)


def database_name(database_url: str) -> str:
    """The kind of database as the JSON lines give it: "postgresql" or "sqlite"."""
    return "postgresql" if database_url.startswith("postgres") else "sqlite"


def sqlite_url(directory: Path, name: str = "bench.sqlite3") -> str:
    return f"sqlite:///{directory / name}"


def bench_database_url(directory: Path) -> str:
    """DATABASE_URL if set, else a new SQLite file in ``directory``."""
    return os.environ.get("DATABASE_URL") or sqlite_url(directory)


def wipe_postgresql(database_url: str, foreign: Sequence[tuple[str, str, str]], suggestion: str) -> None:
    """Create the database if missing, then drop and recreate its ``public`` schema, unless
    it holds rows the benchmark did not create: ``foreign`` lists them as (table, SQL
    condition with one %s, its value); ``suggestion`` names a database of its own."""
    import psycopg
    from psycopg import sql
    from sqlalchemy.engine import make_url

    url = make_url(database_url)
    if not url.database:
        raise BenchmarkError(f"{database_url} names no database")
    server = {"host": url.host or HOST, "port": url.port or 5432, "user": url.username, "password": url.password}
    with psycopg.connect(dbname="postgres", autocommit=True, **server) as connection:
        found = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", (url.database,)).fetchone()
        if found is None:
            print(f"Creating database {url.database!r}...", flush=True)
            connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(url.database)))
    with psycopg.connect(dbname=url.database, autocommit=True, **server) as connection:
        for table, condition, value in foreign:
            if connection.execute("SELECT to_regclass(%s)", (f"public.{table}",)).fetchone()[0] is None:
                continue
            query = sql.SQL("SELECT count(*) FROM public.{} WHERE " + condition).format(sql.Identifier(table))
            if count := connection.execute(query, (value,)).fetchone()[0]:
                raise BenchmarkError(
                    f"database {url.database!r} holds {count} {table} this benchmark did not "
                    f"create; refusing to wipe it (give it a database of its own, e.g. .../{suggestion})"
                )
        connection.execute("DROP SCHEMA IF EXISTS public CASCADE")
        connection.execute("CREATE SCHEMA public")


def upgrade_schema(database_url: str, message: str = "Building the schema...") -> None:
    """``flask db upgrade`` on ``database_url``, after printing ``message``."""
    print(message, flush=True)
    run_flask(["db", "upgrade"], {**os.environ, "DATABASE_URL": database_url, "PLANNER_ENV": "development"})


def load_synthetic_forums(database_url: str, forums: Mapping[str, int]) -> None:
    """Add each synthetic forum {slug: sessions} that is not in the database yet
    (``planner.demo.synthetic``: 4 days from 1 March 2030, enough rooms that the days hold
    every session, so a programme without clashes)."""
    from sqlalchemy import select

    from planner import create_app
    from planner.demo.synthetic import load_synthetic_forum
    from planner.extensions import db
    from planner.forums.models import Forum

    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url})
    with app.app_context():
        existing = set(db.session.scalars(select(Forum.slug).where(Forum.slug.in_(forums))))
        for slug, sessions in forums.items():
            if slug in existing:
                print(f"Forum {slug!r} already exists; not seeding.", flush=True)
                continue
            print(f"Loading {sessions} synthetic sessions into {slug!r}...", flush=True)
            load_synthetic_forum(slug, sessions, days=4, rooms=max(12, sessions // 100))
            db.session.commit()
        db.session.remove()
        db.engine.dispose()


@contextmanager
def gunicorn(
    database_url: str, log_path: Path, secret_key: str | None = None, extra_env: Mapping[str, str] | None = None
) -> Iterator[int]:
    """planner in production mode under gunicorn on a free port, healthy; yields the port.
    A BenchmarkError or OSError inside comes out as a BenchmarkError with the end of the
    gunicorn log; gunicorn is always stopped."""
    port = free_port()
    env = {
        "DATABASE_URL": database_url,
        "PLANNER_ENV": "production",
        "PLANNER_SECRET_KEY": secret_key or secrets.token_hex(32),
        # Production refuses to start without a key for identity data; a benchmark's own is enough.
        "PLANNER_IDENTITY_KEYS": Fernet.generate_key().decode(),
        **(extra_env or {}),
    }
    server = start_gunicorn(env, port, log_path)
    try:
        wait_until_healthy(server, port)
        yield port
    except (BenchmarkError, OSError) as error:
        log_tail = log_path.read_text(errors="replace")[-3000:]
        raise BenchmarkError(f"{error}\n--- gunicorn log (end) ---\n{log_tail}") from None
    finally:
        stop(server)


# --- the command line and the end of a run ----------------------------------------------


def load_parser(doc: str, seconds: float = 5.0) -> argparse.ArgumentParser:
    """A parser described by the first paragraph of ``doc``, with ``--seconds`` (per URL)
    and ``--concurrency`` (client threads)."""
    parser = argparse.ArgumentParser(description=doc.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=seconds, help=f"duration per URL (default {seconds:g})")
    parser.add_argument("--concurrency", type=int, default=4, help="client threads (default 4)")
    return parser


def parse_load_arguments(parser: argparse.ArgumentParser) -> argparse.Namespace:
    """The command line, with ``--seconds`` and ``--concurrency`` checked."""
    args = parser.parse_args()
    if not 0 < args.seconds <= 600 or not 1 <= args.concurrency <= 64:
        parser.error("--seconds must be in (0, 600] and --concurrency in [1, 64]")
    return args


Results = Mapping[str, Any] | list[Mapping[str, Any]]


def run(
    work: Callable[[Path], Results],
    prefix: str = "planner-bench-",
    broken: Callable[[Mapping[str, Any]], bool] | None = None,
) -> int:
    """Run ``work`` in a temporary directory, then print a blank line and one JSON line per
    result. The exit status: 1 if the benchmark failed (the reason on stderr) or
    ``broken`` says a result is, 130 on Ctrl-C, else 0."""
    # A plain `kill` should clean up like Ctrl-C does: run the finally blocks.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    with tempfile.TemporaryDirectory(prefix=prefix) as tmp:
        try:
            results = work(Path(tmp))
        except BenchmarkError as error:
            print(f"benchmark failed: {error}", file=sys.stderr)
            return 1
        except KeyboardInterrupt:
            print("\ninterrupted", file=sys.stderr)
            return 130
    every = results if isinstance(results, list) else [results]
    print()
    for result in every:
        print(json.dumps(result))
    return 1 if broken and any(broken(result) for result in every) else 0
