"""The health check: whether the database answers, and takes writes, within a bound.

A database that accepts connections and never answers would hold the request until the
worker is killed. The probe therefore runs on a thread of its own and the check waits for it
at most ``HEALTHZ_TIMEOUT`` seconds; while a probe is still waiting on the database, later
checks wait for that one instead of starting more, so a hung database costs one thread.
The probe has an engine of its own, with one connection: it neither waits for nor takes one of
the connections the pages need.
"""

from __future__ import annotations

import enum
import math
import sqlite3
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as Timeout

from flask import Flask
from sqlalchemy import Connection, Engine, create_engine, text
from sqlalchemy.exc import DBAPIError, SQLAlchemyError


class Health(enum.StrEnum):
    OK = "ok"
    UNREACHABLE = "unreachable"  # refused, failed or timed out at the database's end
    NOT_ANSWERING = "not answering"  # nothing back within the check's bound
    READ_ONLY = "read-only"  # answers, but would refuse every write


def _postgresql_health(connection: Connection) -> Health:
    # A standby, or default_transaction_read_only: every write would fail.
    read_only = connection.execute(text("SHOW transaction_read_only")).scalar() == "on"
    return Health.READ_ONLY if read_only else Health.OK


def _sqlite_health(driver_connection: sqlite3.Connection) -> Health:
    """SQLite opens a file it may not write (a read-only file or mount) read-only without a
    word: the probe makes a write that changes nothing, and undoes it."""
    try:
        driver_connection.execute("BEGIN")
        (version,) = driver_connection.execute("PRAGMA user_version").fetchone()
        driver_connection.execute(f"PRAGMA user_version = {int(version)}")
    except sqlite3.OperationalError as error:
        if "readonly" in str(error):
            return Health.READ_ONLY
        if "locked" in str(error):
            return Health.OK  # a writer holds the lock: the database is alive and taking writes
        return Health.UNREACHABLE
    finally:
        if driver_connection.in_transaction:
            driver_connection.execute("ROLLBACK")
    return Health.OK


def _answers(connection: Connection) -> Health:
    connection.exec_driver_sql("SELECT 1")
    return Health.OK


def _takes_writes(connection: Connection) -> Health:
    if connection.dialect.name == "sqlite":
        return _sqlite_health(connection.connection.driver_connection)  # type: ignore[arg-type]
    return _postgresql_health(connection)


def _probe(engine: Engine, ask: Callable[[Connection], Health]) -> Health:
    for attempt in (1, 2):
        try:
            with engine.connect() as connection:
                return ask(connection)
        except DBAPIError as error:
            # The kept connection died (a database restart): once more on a new one.
            if not (error.connection_invalidated and attempt == 1):
                return Health.UNREACHABLE
        except (SQLAlchemyError, sqlite3.Error):
            return Health.UNREACHABLE
    return Health.UNREACHABLE


class Prober:
    """One per app: at most one probe in flight. Whether the database takes writes is asked
    every ``WRITES_EVERY`` seconds (a write probe takes SQLite's write lock); in between, a
    probe asks only whether it answers."""

    WRITES_EVERY = 5.0

    def __init__(self, app: Flask) -> None:
        self._url = app.config["SQLALCHEMY_DATABASE_URI"]
        self._connect_args = dict(app.config["SQLALCHEMY_ENGINE_OPTIONS"].get("connect_args", {}))
        if self._url.startswith("sqlite"):
            # Waiting for a busy writer's lock longer than the check waits would tell nothing.
            self._connect_args["timeout"] = float(app.config["HEALTHZ_TIMEOUT"]) / 2
        self._lock = threading.Lock()
        self._engine: Engine | None = None
        self._executor: ThreadPoolExecutor | None = None
        self._pending: Future[Health] | None = None
        self._writes_checked_at = -math.inf

    def _next_probe(self) -> Callable[[Connection], Health]:
        now = time.monotonic()
        if now - self._writes_checked_at < self.WRITES_EVERY:
            return _answers
        self._writes_checked_at = now
        return _takes_writes

    def _remember(self, done: Future[Health]) -> None:
        # Anything but "all well" is asked in full next time.
        if done.cancelled() or done.exception() is not None or done.result() is not Health.OK:
            self._writes_checked_at = -math.inf

    def close(self) -> None:
        with self._lock:
            if self._executor is not None:
                self._executor.shutdown(wait=False, cancel_futures=True)
            if self._engine is not None:
                self._engine.dispose()
            self._executor, self._engine, self._pending = None, None, None

    def check(self, timeout: float) -> Health:
        with self._lock:
            if self._pending is None or self._pending.done():
                if self._executor is None or self._engine is None:  # made in the worker process, after any fork
                    self._engine = create_engine(
                        self._url, connect_args=self._connect_args, pool_size=1, max_overflow=0
                    )
                    self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="planner-healthz")
                self._pending = self._executor.submit(_probe, self._engine, self._next_probe())
                self._pending.add_done_callback(self._remember)
            pending = self._pending
        try:
            return pending.result(timeout=timeout)
        except Timeout:
            self._writes_checked_at = -math.inf
            return Health.NOT_ANSWERING


def close(app: Flask) -> None:
    """Close the probe's connection and thread, for an app that is done with (tests make many)."""
    prober = app.extensions.pop("planner.health", None)
    if prober is not None:
        prober.close()


def database_health(app: Flask) -> Health:
    prober = app.extensions.get("planner.health")
    if prober is None:
        prober = app.extensions.setdefault("planner.health", Prober(app))
    return prober.check(float(app.config["HEALTHZ_TIMEOUT"]))
