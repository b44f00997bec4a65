"""Test set-up: SQLite by default, PostgreSQL when PLANNER_TEST_DATABASE_URL is set.

One app and one schema serve the whole run. Each test runs inside a transaction that is
rolled back at its end: db.session is bound to the test's connection and joins its
transaction with a SAVEPOINT, so the app's own ``commit()`` and ``rollback()`` end that
savepoint, not the transaction (flask-sqlalchemy-lite's ``test_isolation()`` works so).
Every app context, so every request, still gets a session of its own.

Tests that need real commits (a threaded server, several connections, the mail sender's own
session, a second app) carry ``@pytest.mark.commits``: they use the engine as the app does
for real, and every table is emptied after them. ``@pytest.mark.app_config(...)`` gives a
test an app of its own. Settings a test changes on the shared app are put back after it.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import Flask, current_app, request_started
from flask.globals import app_ctx
from flask.testing import FlaskClient
from sqlalchemy import Connection, event, inspect
from werkzeug.serving import make_server

from planner import PROJECT_ROOT, create_app
from planner.accounts import sessions
from planner.accounts.models import User
from planner.extensions import cache, db, limiter
from planner.site import health
from tests.api.described import DescribedClient
from tests.smtp import smtp_server  # noqa: F401  (a fixture for every test folder)

TEST_DATABASE_URL = os.environ.get("PLANNER_TEST_DATABASE_URL")
TEST_CONFIG = {
    "ENV": "testing",
    # Tests about CSRF and throttling switch these back on.
    "WTF_CSRF_ENABLED": False,
    "RATELIMIT_ENABLED": False,
    # Messages stay in the outbox unless a test delivers them.
    "MAIL_PROMPT_DELIVERY": "off",
    # Every API answer is checked against its model on the server too (tests/api checks it
    # against the OpenAPI document on the client's side).
    "API_CHECK_ANSWERS": True,
}


def _is_postgresql() -> bool:
    return bool(TEST_DATABASE_URL and TEST_DATABASE_URL.startswith("postgres"))


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if _is_postgresql():
        return
    skip = pytest.mark.skip(reason="needs PLANNER_TEST_DATABASE_URL pointing at PostgreSQL")
    for item in items:
        if "postgresql" in item.keywords:
            item.add_marker(skip)


def _compile_catalogues() -> None:
    """The .mo files the app reads, built from the catalogues when they are missing or older
    (``make test`` builds them too; this is for a plain ``pytest``)."""
    for source in Path(PROJECT_ROOT, "translations").glob("*/LC_MESSAGES/messages.po"):
        compiled = source.with_suffix(".mo")
        if compiled.exists() and compiled.stat().st_mtime >= source.stat().st_mtime:
            continue
        with source.open("rb") as po:
            catalogue = read_po(po, locale=source.parent.parent.name)
        with compiled.open("wb") as mo:
            write_mo(mo, catalogue)


@pytest.fixture(scope="session")
def shared_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    """The app every test without an ``app_config`` marker uses, on a schema made once."""
    _compile_catalogues()
    url = TEST_DATABASE_URL or "sqlite:///" + str(tmp_path_factory.mktemp("db") / "test.sqlite3")
    app = create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": url})
    app.test_client_class = DescribedClient  # every /api/v1 answer checked against the OpenAPI document
    with app.app_context():
        db.drop_all()
        db.create_all()
    yield app
    with app.app_context():
        db.drop_all()
        db.engine.dispose()
        health.close(app)


@pytest.fixture(scope="session")
def database_url(shared_app: Flask) -> str:
    return shared_app.config["SQLALCHEMY_DATABASE_URI"]


@pytest.fixture
def app(request: pytest.FixtureRequest) -> Iterator[Flask]:
    """The app on the test database, inside the test's transaction (see the module
    docstring). ``@pytest.mark.app_config(KEY=value)``: an app of the test's own with these
    settings read at start-up (rate limiting, for example), also for tests that add routes."""
    marker = request.node.get_closest_marker("app_config")
    commits = request.node.get_closest_marker("commits") is not None
    if marker is None:
        app = request.getfixturevalue("shared_app")
        with _settings_restored(app):
            yield from _isolated(app, commits)
        return
    shared = request.getfixturevalue("shared_app")
    rate_limiting = limiter.enabled
    app = create_app(
        {**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": shared.config["SQLALCHEMY_DATABASE_URI"], **marker.kwargs}
    )
    app.test_client_class = DescribedClient
    try:
        yield from _isolated(app, commits)
    finally:
        with app.app_context():
            db.engine.dispose()
        health.close(app)
        limiter.enabled = rate_limiting


@contextmanager
def _settings_restored(app: Flask) -> Iterator[None]:
    """What a test changes of the shared app (settings, template loader, the limiter's switch)
    is put back after it, and nothing cached before it reaches it."""
    config, loader = dict(app.config), app.jinja_env.loader
    # The limiter is one object for every app; a test's own app (or create_app in a test)
    # switches it on for all of them.
    limiter.enabled = app.config["RATELIMIT_ENABLED"]
    with app.app_context():
        cache.clear()  # rendered programmes and feeds keyed by ids that the next test reuses
    try:
        yield
    finally:
        app.config.clear()
        app.config.update(config)
        app.jinja_env.loader = loader
        limiter.enabled = app.config["RATELIMIT_ENABLED"]


def _isolated(app: Flask, commits: bool) -> Iterator[Flask]:
    if commits:
        yield app
        _empty_the_tables(app)
        return
    with app.app_context():
        engine = db.engine
    with _test_transaction(app, engine) as transaction:
        yield app
    if transaction.problems:
        pytest.fail(
            "\n".join(dict.fromkeys(transaction.problems)) + "\nMark the test @pytest.mark.commits.", pytrace=False
        )


def _empty_the_tables(app: Flask) -> None:
    with app.app_context():
        db.session.remove()
        with db.engine.begin() as connection:
            for table in reversed(db.metadata.sorted_tables):
                connection.execute(table.delete())


@dataclass
class RolledBackTransaction:
    """The test's connection with its outer transaction, which db.session joins."""

    app: Flask
    connection: Connection
    thread: int = field(default_factory=threading.get_ident)
    # The savepoints db.session begins and ends its own transactions with.
    savepoints: set[str] = field(default_factory=set)
    problems: list[str] = field(default_factory=list)


_current: RolledBackTransaction | None = None
# db.session's class (sessionmaker makes a subclass of Flask-SQLAlchemy's own): its get_bind
# picks the engine, so binding the sessionmaker to a connection alone would not do.
_SESSION_CLASS = db.session.session_factory.class_
_choose_engine = _SESSION_CLASS.get_bind


def _get_bind(self: Any, mapper: Any = None, clause: Any = None, bind: Any = None, **kwargs: Any) -> Any:
    transaction = _current
    if transaction is None or bind is not None:
        return _choose_engine(self, mapper=mapper, clause=clause, bind=bind, **kwargs)
    if threading.get_ident() != transaction.thread:
        transaction.problems.append("db.session was used from another thread than the test's.")
        raise RuntimeError("db.session used from another thread during a rolled-back test")
    if current_app._get_current_object() is not transaction.app:  # type: ignore[attr-defined]
        transaction.problems.append("db.session was used by a second app.")
        raise RuntimeError("db.session used by a second app during a rolled-back test")
    return transaction.connection


@contextmanager
def _test_transaction(app: Flask, engine: Any) -> Iterator[RolledBackTransaction]:
    global _current
    connection = engine.connect()
    outer = connection.begin()
    transaction = RolledBackTransaction(app, connection)

    def note_savepoint(conn: Connection, cursor: Any, statement: str, *args: Any) -> None:
        # A SAVEPOINT straight under the outer transaction is a session's own beginning.
        if conn is connection and statement.startswith("SAVEPOINT ") and not conn.in_nested_transaction():
            transaction.savepoints.add(statement.split()[-1])

    def other_connection(dbapi_connection: Any, record: Any, proxy: Any) -> None:
        transaction.problems.append("A second connection was taken from the pool (db.engine used directly).")

    event.listen(engine, "before_cursor_execute", note_savepoint)
    event.listen(engine, "checkout", other_connection)
    session_options = db.session.session_factory.kw
    join_mode = session_options.get("join_transaction_mode")
    session_options["join_transaction_mode"] = "create_savepoint"
    _SESSION_CLASS.get_bind = _get_bind
    _current = transaction
    try:
        yield transaction
    finally:
        _current = None
        del _SESSION_CLASS.get_bind
        if join_mode is None:
            del session_options["join_transaction_mode"]
        else:
            session_options["join_transaction_mode"] = join_mode
        event.remove(engine, "checkout", other_connection)
        event.remove(engine, "before_cursor_execute", note_savepoint)
        outer.rollback()
        connection.close()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def app_context(app: Flask) -> Iterator[None]:
    """An app context through the whole test, for tests that call services and queries
    themselves. Not with the test client: its requests would share this context's session
    and ``g`` instead of getting their own, so they are refused."""
    with app.app_context() as held:

        def refuse(sender: Flask, **extra: Any) -> None:
            if app_ctx._get_current_object() is held:  # type: ignore[attr-defined]
                raise RuntimeError("a request inside the app_context fixture would share its session and g")

        with request_started.connected_to(refuse, app):
            yield


class QueryCounter:
    """Counts the SQL statements the app sends while it is active."""

    def __init__(self) -> None:
        self.statements: list[str] = []

    def __call__(self, conn, cursor, statement, parameters, context, executemany) -> None:  # noqa: ANN001
        statement = _as_sent_for_real(conn, statement)
        if statement is not None:
            self.statements.append(statement)

    @property
    def count(self) -> int:
        return len(self.statements)


def _as_sent_for_real(conn: Connection, statement: str) -> str | None:
    """In a test's transaction a session begins with a SAVEPOINT and ends with its RELEASE
    or ROLLBACK TO. On a connection of its own it sends BEGIN there (SQLite, planner.db's
    ``begin`` hook; PostgreSQL's driver begins unasked) and ends without a statement."""
    transaction = _current
    words = statement.split()
    if (
        transaction is None
        or conn is not transaction.connection
        or words[-1:] == []
        or words[-1] not in transaction.savepoints
    ):
        return statement
    if words[0] == "SAVEPOINT" and conn.dialect.name == "sqlite":
        return "BEGIN"
    return None


@pytest.fixture
def count_queries(app: Flask):
    """``with count_queries() as counter: ...`` then ``counter.count``."""

    @contextmanager
    def counting() -> Iterator[QueryCounter]:
        counter = QueryCounter()
        with app.app_context():
            engine = db.engine
        event.listen(engine, "before_cursor_execute", counter)
        try:
            yield counter
        finally:
            event.remove(engine, "before_cursor_execute", counter)

    return counting


def sign_in(client: FlaskClient, user: User | str) -> str:
    """Sign ``user`` in without the log-in form, whose own tests cover it: a new session on
    the server, its key in the client's cookie. ``user`` may also be the key of a session
    opened already. Returns the key."""
    if isinstance(user, str):
        key = user
    else:
        # The id survives the object's session: ``user`` may come from a context that ended.
        (user_id,) = inspect(user).identity
        with client.application.app_context():
            key = sessions.open_session(db.session.get_one(User, user_id))
            db.session.commit()
    with client.session_transaction() as session:
        session.update(sessions.cookie_values(key))
    return key


@pytest.fixture
def live_server(app: Flask, request: pytest.FixtureRequest) -> Iterator[str]:
    """The app behind werkzeug's threaded server (one thread per connection): for browser
    tests and for requests that must really run at the same time."""
    if request.node.get_closest_marker("commits") is None:
        pytest.fail("live_server serves requests from other threads: mark the test @pytest.mark.commits", pytrace=False)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    # Polled for shutdown every 50 ms, not 500: the test's end waits for it.
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
