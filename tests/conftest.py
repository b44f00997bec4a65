"""Test set-up: SQLite by default, PostgreSQL when PLANNER_TEST_DATABASE_URL is set.

The schema is created once per run; after each test every table is emptied, so tests
may commit for real (as the views do) and still start from an empty database.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event
from werkzeug.serving import make_server

from planner import create_app
from planner.extensions import db
from tests.smtp import smtp_server  # noqa: F401  (a fixture for every test folder)

TEST_DATABASE_URL = os.environ.get("PLANNER_TEST_DATABASE_URL")


def _is_postgresql() -> bool:
    return bool(TEST_DATABASE_URL and TEST_DATABASE_URL.startswith("postgres"))


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if _is_postgresql():
        return
    skip = pytest.mark.skip(reason="needs PLANNER_TEST_DATABASE_URL pointing at PostgreSQL")
    for item in items:
        if "postgresql" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    url = TEST_DATABASE_URL or "sqlite:///" + str(tmp_path_factory.mktemp("db") / "test.sqlite3")
    app = create_app({"ENV": "testing", "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        db.drop_all()
        db.create_all()
    yield url
    with app.app_context():
        db.drop_all()
        db.engine.dispose()


@pytest.fixture
def app(database_url: str, request: pytest.FixtureRequest) -> Iterator[Flask]:
    """The app on the test database; ``@pytest.mark.app_config(KEY=value)`` adds settings
    read at start-up (rate limiting, for example)."""
    marker = request.node.get_closest_marker("app_config")
    app = create_app(
        {
            "ENV": "testing",
            "SQLALCHEMY_DATABASE_URI": database_url,
            # Tests about CSRF and throttling switch these back on.
            "WTF_CSRF_ENABLED": False,
            "RATELIMIT_ENABLED": False,
            # Messages stay in the outbox unless a test delivers them.
            "MAIL_PROMPT_DELIVERY": "off",
            **(marker.kwargs if marker else {}),
        }
    )
    yield app
    with app.app_context():
        db.session.remove()
        with db.engine.begin() as connection:
            for table in reversed(db.metadata.sorted_tables):
                connection.execute(table.delete())
        db.engine.dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


class QueryCounter:
    """Counts the SQL statements the app sends while it is active."""

    def __init__(self) -> None:
        self.statements: list[str] = []

    def __call__(self, conn, cursor, statement, parameters, context, executemany) -> None:  # noqa: ANN001
        self.statements.append(statement)

    @property
    def count(self) -> int:
        return len(self.statements)


@pytest.fixture
def count_queries(app: Flask):
    """``with count_queries() as counter: ...`` then ``counter.count``."""
    from contextlib import contextmanager

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


def sign_in(client: FlaskClient, user) -> None:  # noqa: ANN001
    """Sign ``user`` (a User, or its session token) in without the log-in form, whose own
    tests cover it."""
    token = user if isinstance(user, str) else user.session_token
    with client.session_transaction() as session:
        session["_user_id"] = token
        session["_fresh"] = True


@pytest.fixture
def live_server(app: Flask) -> Iterator[str]:
    """The app behind werkzeug's threaded server (one thread per connection): for browser
    tests and for requests that must really run at the same time."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
