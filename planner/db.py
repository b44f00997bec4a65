"""The declarative base, the column types every domain shares, and database set-up."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any, TypeVar, cast

from flask import current_app, has_request_context, request
from sqlalchemy import DateTime, Dialect, MetaData, Table, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.types import TypeDecorator

# Named constraints let Alembic alter and drop them on every database, SQLite included.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


#: The largest id an INTEGER column holds; larger numbers in URLs and forms name nothing.
MAX_ID = 2**31 - 1


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def table_of(model: type[Base]) -> Table:
    """The model's table, for Core statements. SQLAlchemy types ``__table__`` as any FromClause
    (a class may be mapped to a join or a select); every planner model is mapped to a Table."""
    return cast(Table, model.__table__)


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def running_clock(now: dt.datetime | None) -> Callable[[], dt.datetime]:
    """``now`` as a clock that keeps running (the real one when None): the outboxes' senders
    take leases with it, so the leases of a long batch stay honest under a test's clock."""
    if now is None:
        return utcnow
    offset = now - utcnow()
    return lambda: utcnow() + offset


def current_time() -> dt.datetime:
    """Now, as the rules that wait for a time see it (reminders, bilaterals' slots):
    ``app.config["CLOCK"]`` (a callable returning an aware datetime) when set, so that tests
    and rehearsals choose the time; else the real one."""
    clock: Callable[[], dt.datetime] | None = current_app.config.get("CLOCK")
    return clock() if clock is not None else utcnow()


def as_utc(value: dt.datetime) -> dt.datetime:
    """An aware datetime in UTC; a naive one is taken to be UTC already."""
    if value.tzinfo is None:
        return value.replace(tzinfo=dt.UTC)
    return value.astimezone(dt.UTC)


class UTCDateTime(TypeDecorator[dt.datetime]):
    """``TIMESTAMP WITH TIME ZONE`` that only accepts aware datetimes and always
    hands back aware UTC, also on SQLite, which stores no offset."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given where an aware one is required")
        value = value.astimezone(dt.UTC)
        # SQLite compares timestamps as text: store them uniformly, without an offset.
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: dt.datetime | None, dialect: Dialect) -> Any:
        return None if value is None else as_utc(value)


def _is_sqlite(dbapi_connection: Any) -> bool:
    return type(dbapi_connection).__module__.startswith("sqlite3")


@event.listens_for(Engine, "connect")
def _configure_sqlite(dbapi_connection: Any, connection_record: Any) -> None:
    """SQLite leaves foreign keys off by default; planner relies on them."""
    if not _is_sqlite(dbapi_connection):
        return
    # Python's sqlite3 opens transactions itself, late and not before SAVEPOINT (so a
    # released savepoint would commit). Turn that off; "begin" below opens them instead.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    # The busy timeout comes from the connection's ``timeout`` (config.engine_options).
    # Readers keep reading while one writer commits (the app serves threads and processes).
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.close()


SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_READING = "planner.reading"  # Connection.info: a late writer's SQLite transaction, before its first write

V = TypeVar("V", bound=Callable[..., Any])


def writes_late(view: V) -> V:
    """Mark a view (below its other decorators) whose writes hold whatever happened since
    it read: conditional UPDATEs and INSERT ... ON CONFLICT, which the database decides.
    On SQLite such a request reads in a plain BEGIN and becomes the writer only at its first
    write, so that the reading of many of them (signing in, the event, its rules) runs side
    by side instead of one at a time under the single writer's lock."""
    view.planner_writes_late = True  # type: ignore[attr-defined]
    return view


@event.listens_for(Engine, "begin")
def _begin_sqlite(connection: Any) -> None:
    """Open SQLite transactions ourselves. A request that changes state starts as the writer
    (BEGIN IMMEDIATE): concurrent writers then queue on the busy timeout, instead of one
    failing when its read turns into a write after another's commit. Everything else reads
    first (BEGIN), so a reader never holds the lock a writer waits for; so does a late writer
    (``writes_late``) until its first write. PostgreSQL needs none of this."""
    if connection.dialect.name != "sqlite":
        return
    writes = has_request_context() and request.method not in SAFE_METHODS
    late = writes and _view_writes_late()
    connection.exec_driver_sql("BEGIN IMMEDIATE" if writes and not late else "BEGIN")
    if late:
        connection.info[_READING] = True


def _view_writes_late() -> bool:
    view = current_app.view_functions.get(request.endpoint) if request.endpoint else None
    return getattr(view, "planner_writes_late", False)


@event.listens_for(Engine, "before_cursor_execute")
def _become_the_writer(
    connection: Any, cursor: Any, statement: str, parameters: Any, context: Any, executemany: bool
) -> None:
    """A late writer's first statement that is not a SELECT ends its reading transaction and
    starts the writing one (BEGIN IMMEDIATE, which waits its turn): upgrading the reading
    transaction in place would fail at once whenever another writer had committed since."""
    if not connection.info.get(_READING) or statement.lstrip()[:6].upper() == "SELECT":
        return
    del connection.info[_READING]
    driver = connection.connection.driver_connection
    driver.execute("COMMIT")
    driver.execute("BEGIN IMMEDIATE")


@event.listens_for(Engine, "commit")
@event.listens_for(Engine, "rollback")
def _done_reading(connection: Any) -> None:
    connection.info.pop(_READING, None)
