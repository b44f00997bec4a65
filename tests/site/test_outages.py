"""When the database is gone, hangs or takes no writes: bounded waits, a 503 that says so, and
error pages that need no database."""

from __future__ import annotations

import socket
import sqlite3
import threading
import time
from collections.abc import Iterator

import pytest
from flask import Flask
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from planner import create_app
from planner.accounts import sessions
from planner.extensions import db


@pytest.fixture
def silent_database() -> Iterator[str]:
    """A PostgreSQL URL whose server accepts connections and never says a word."""
    listener = socket.create_server(("127.0.0.1", 0))
    held: list[socket.socket] = []
    stopping = threading.Event()

    def accept() -> None:
        listener.settimeout(0.1)
        while not stopping.is_set():
            try:
                connection, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            held.append(connection)

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield f"postgresql+psycopg://planner@127.0.0.1:{listener.getsockname()[1]}/planner"
    finally:
        stopping.set()
        thread.join(timeout=5)
        for connection in held:
            connection.close()
        listener.close()


def app_on(url: str, **settings: object) -> Flask:
    return create_app({"ENV": "testing", "WTF_CSRF_ENABLED": False, "SQLALCHEMY_DATABASE_URI": url, **settings})


def signed_in_cookie(app: Flask) -> str:
    """A session cookie as a signed-in browser holds it (its session is never reached here)."""
    serializer = app.session_interface.get_signing_serializer(app)  # type: ignore[attr-defined]
    return serializer.dumps(sessions.cookie_values("some-key"))


def test_healthz_answers_503_within_a_second_when_the_database_never_answers(silent_database):
    client = app_on(silent_database).test_client()
    for _ in range(3):  # a second check waits for the first probe instead of starting more
        started = time.perf_counter()
        response = client.get("/healthz")
        assert time.perf_counter() - started < 1.0
        assert response.status_code == 503
        assert response.json == {"status": "error", "database": "not answering"}
        assert response.headers["Retry-After"] == "30"


def test_a_page_answers_503_after_the_connect_timeout_when_the_database_never_answers(silent_database):
    app = app_on(silent_database, DATABASE_CONNECT_TIMEOUT=2)
    started = time.perf_counter()
    response = app.test_client().get("/")
    assert time.perf_counter() - started < 5  # not gunicorn's 30 s
    assert response.status_code == 503


@pytest.mark.parametrize("signed_in", [False, True])
def test_error_pages_render_without_the_database(tmp_path, signed_in):
    app = app_on(f"sqlite:///{tmp_path}/missing/dir/db.sqlite3")
    client = app.test_client()
    if signed_in:
        client.set_cookie("session", signed_in_cookie(app))
    # Pages that ask the database; signed in, every page does (to look the person up).
    for path in ("/", "/forums/isef2/", *(["/me/account"] if signed_in else [])):
        response = client.get(path)
        page = response.get_data(as_text=True)
        assert response.status_code == 503, path
        assert response.headers["Retry-After"] == "30"
        assert "default-src 'self'" in response.headers["Content-Security-Policy"]
        assert "<title>Service unavailable · planner</title>" in page
        assert "cannot reach its database just now" in page
        assert "Sign in" in page  # the header as for a visitor: nobody is looked up


def test_a_failing_commit_is_a_503_too(app, client, monkeypatch):
    app.config["PROPAGATE_EXCEPTIONS"] = False  # as in production: the error pages answer

    def refuse() -> None:
        raise OperationalError("COMMIT", {}, Exception("server closed the connection unexpectedly"))

    monkeypatch.setattr(db.session, "commit", refuse)
    response = client.post(
        "/signup", data={"given_name": "Ada", "email": "ada@example.org", "password": "p" * 12, "confirm": "p" * 12}
    )
    assert response.status_code == 503
    assert "cannot reach its database" in response.get_data(as_text=True)


def test_healthz_answers_503_when_the_database_takes_no_writes(tmp_path):
    path = tmp_path / "planner.sqlite3"
    sqlite3.connect(path).close()
    assert app_on(f"sqlite:///{path}").test_client().get("/healthz").status_code == 200
    # Opened read-only, as SQLite opens a file it may not write (or on a read-only mount).
    response = app_on(f"sqlite:///file:{path}?mode=ro&uri=true").test_client().get("/healthz")
    assert response.status_code == 503
    assert response.json == {"status": "error", "database": "read-only"}


def test_healthz_does_not_wait_for_a_busy_sqlite_writer(tmp_path):
    path = tmp_path / "planner.sqlite3"
    writer = sqlite3.connect(path, isolation_level=None)
    writer.execute("PRAGMA journal_mode=WAL")
    client = app_on(f"sqlite:///{path}").test_client()  # made first: the app's start is not what is timed
    writer.execute("BEGIN IMMEDIATE")
    try:
        started = time.perf_counter()
        response = client.get("/healthz")
        assert time.perf_counter() - started < 1.0
        assert response.status_code == 200  # busy is alive
    finally:
        writer.execute("ROLLBACK")
        writer.close()


@pytest.mark.commits
def test_a_write_waits_for_sqlites_lock_no_longer_than_the_busy_timeout(tmp_path):
    path = tmp_path / "planner.sqlite3"
    app = app_on(f"sqlite:///{path}", DATABASE_BUSY_TIMEOUT=0.5)
    with app.app_context():
        db.create_all()
    writer = sqlite3.connect(path, isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")
    try:
        started = time.perf_counter()
        response = app.test_client().post(
            "/signup", data={"given_name": "Ada", "email": "ada@example.org", "password": "p" * 12, "confirm": "p" * 12}
        )
        assert time.perf_counter() - started < 2
        assert response.status_code == 503
    finally:
        writer.execute("ROLLBACK")
        writer.close()


@pytest.mark.postgresql
@pytest.mark.app_config(DATABASE_STATEMENT_TIMEOUT=0.3)
def test_a_statement_past_the_timeout_is_cancelled_and_answers_503(app, client):
    @app.get("/slow")
    def slow() -> str:
        db.session.execute(text("SELECT pg_sleep(3)"))
        return "done"

    started = time.perf_counter()
    response = client.get("/slow")
    assert time.perf_counter() - started < 2
    assert response.status_code == 503


def test_the_timeouts_reach_the_database_driver():
    postgres = app_on("postgresql://planner@db.example.org/planner", DATABASE_CONNECT_TIMEOUT=3)
    options = postgres.config["SQLALCHEMY_ENGINE_OPTIONS"]
    assert options["connect_args"] == {"connect_timeout": 3, "options": "-c statement_timeout=20000"}
    assert options["pool_timeout"] == 3
    sqlite = app_on("sqlite://", DATABASE_BUSY_TIMEOUT=4)
    assert sqlite.config["SQLALCHEMY_ENGINE_OPTIONS"]["connect_args"]["timeout"] == 4
    with pytest.raises(SystemExit, match="DATABASE_STATEMENT_TIMEOUT must be a number of seconds"):
        app_on("sqlite://", DATABASE_STATEMENT_TIMEOUT="soon")


def test_the_statement_timeout_joins_the_urls_own_options():
    app = app_on("postgresql://planner@db.example.org/planner?options=-csearch_path%3Dplanner")
    assert app.config["SQLALCHEMY_ENGINE_OPTIONS"]["connect_args"]["options"] == (
        "-csearch_path=planner -c statement_timeout=20000"
    )
