"""Signed-in sessions, kept on the server so that signing out ends them.

The session cookie holds a random key; ``account_sessions`` holds its hash. A session ends when
its row goes: signing out, "sign out everywhere", a new password, a deleted account. It also
ends by itself after ``SESSION_LIFETIME_HOURS`` from signing in (the absolute lifetime, checked
against the row) and after ``SESSION_IDLE_MINUTES`` without a request (the idle lifetime,
checked against the time of the last request, which the signed cookie carries: counting it on
the server would turn every page view into a write).
"""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any, cast

from flask import current_app
from sqlalchemy import CursorResult, Delete, bindparam, delete, select

from planner.accounts.models import AccountSession, User
from planner.crypto import secret_digest
from planner.db import utcnow
from planner.extensions import db

#: In the session cookie: when the session last served a request (seconds since the epoch).
LAST_SEEN = "_seen"
#: The cookie is renewed at most this often: "last seen" is exact to within this.
SEEN_RESOLUTION = dt.timedelta(minutes=1)

#: Every signed-in request runs it: built once, with the hash bound at execution.
_USER_BY_KEY_HASH = (
    select(User, AccountSession.created_at)
    .join(AccountSession, AccountSession.user_id == User.id)
    .where(AccountSession.key_hash == bindparam("key_hash"))
)


def lifetime() -> dt.timedelta:
    return dt.timedelta(hours=current_app.config["SESSION_LIFETIME_HOURS"])


def idle_lifetime() -> dt.timedelta:
    return dt.timedelta(minutes=current_app.config["SESSION_IDLE_MINUTES"])


def open_session(user: User, user_agent: str = "") -> str:
    """Sign ``user`` in on one more browser: the key its cookie is to hold. The account's
    sessions past their lifetime go at the same time."""
    key = secrets.token_urlsafe(32)
    db.session.execute(
        delete(AccountSession).where(
            AccountSession.user_id == user.id, AccountSession.created_at < utcnow() - lifetime()
        )
    )
    db.session.add(AccountSession(user_id=user.id, key_hash=secret_digest(key), user_agent=user_agent[:200]))
    user.session_key = key
    return key


def cookie_values(key: str, now: dt.datetime | None = None) -> dict[str, Any]:
    """What the session cookie holds for a session just opened (or renewed)."""
    return {"_user_id": key, "_fresh": True, LAST_SEEN: int((now or utcnow()).timestamp())}


def is_idle(last_seen: int, now: dt.datetime) -> bool:
    """Whether a session last used at ``last_seen`` (the cookie's value) has lapsed."""
    return now - dt.datetime.fromtimestamp(last_seen, dt.UTC) > idle_lifetime()


def needs_renewal(last_seen: int, now: dt.datetime) -> bool:
    return now - dt.datetime.fromtimestamp(last_seen, dt.UTC) >= SEEN_RESOLUTION


def user_for(key: str, now: dt.datetime) -> User | None:
    """The signed-in account behind a cookie's key, if its session is still open."""
    row = db.session.execute(_USER_BY_KEY_HASH, {"key_hash": secret_digest(key)}).first()
    if row is None:
        return None
    user, created_at = row
    if not user.is_active or now - created_at > lifetime():
        return None
    user.session_key = key
    return user


def end_session(key: str) -> None:
    db.session.execute(delete(AccountSession).where(AccountSession.key_hash == secret_digest(key)))


def end_all(user: User, keep: str | None = None) -> int:
    """End every session of the account, except the one with key ``keep``; how many ended."""
    statement = delete(AccountSession).where(AccountSession.user_id == user.id)
    if keep is not None:
        statement = statement.where(AccountSession.key_hash != secret_digest(keep))
    return _deleted(statement)


def end_one(user: User, session_id: int) -> AccountSession | None:
    """End one of the account's own sessions: the one ended, or None if it has none with that id."""
    ending = db.session.scalar(
        select(AccountSession).where(AccountSession.id == session_id, AccountSession.user_id == user.id)
    )
    if ending is not None:
        db.session.delete(ending)
        db.session.flush()
    return ending


def _deleted(statement: Delete) -> int:
    # A DELETE's result is a CursorResult; Session.execute is typed to return any Result.
    return cast(CursorResult[Any], db.session.execute(statement)).rowcount


def sessions_of(user: User) -> list[AccountSession]:
    """The account's open sessions, newest first."""
    return list(
        db.session.scalars(
            select(AccountSession)
            .where(AccountSession.user_id == user.id, AccountSession.created_at >= utcnow() - lifetime())
            .order_by(AccountSession.created_at.desc(), AccountSession.id.desc())
        )
    )


def is_current(account_session: AccountSession, user: User) -> bool:
    return account_session.key_hash == secret_digest(getattr(user, "session_key", ""))
