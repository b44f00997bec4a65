"""Files that follow the database's transaction. The file store writes at once, outside the
transaction; these two helpers tie each write and removal to the session's outcome, so that a
refused, failed or rolled-back request leaves no file behind and a replaced file goes only when
its replacement is committed."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction

from planner.extensions import db
from planner.storage import file_store

_NEW = "planner_new_files"  # written in this transaction: removed unless it commits
_DOOMED = "planner_doomed_files"  # to remove once this transaction commits


def put_until_rolled_back(folder: str, data: bytes, suffix: str) -> str:
    """Store ``data`` now (``planner.storage``); the file is removed again unless the current
    transaction commits. The new key."""
    session = _listening_session()
    key = file_store().put(folder, data, suffix)
    session.info.setdefault(_NEW, []).append(key)
    return key


def delete_when_committed(key: str) -> None:
    """Remove the file once the current transaction commits (kept if it rolls back)."""
    _listening_session().info.setdefault(_DOOMED, []).append(key)


def _listening_session() -> Session:
    session = db.session()
    if not session.info.get("planner_files_listened"):
        event.listen(session, "after_commit", _committed)
        event.listen(session, "after_transaction_end", _ended)
        session.info["planner_files_listened"] = True
    return session


def _committed(session: Session) -> None:
    if session.in_nested_transaction():  # a savepoint released: the transaction goes on
        return
    # The rows that name the new files are stored: the new files stay, the replaced ones go.
    session.info.pop(_NEW, None)
    store = file_store()
    for key in session.info.pop(_DOOMED, []):
        store.delete(key)


def _ended(session: Session, transaction: SessionTransaction, *args: Any) -> None:
    if transaction.parent is not None:  # a savepoint inside the transaction
        return
    # Ended without a commit (a rollback, a refusal, a closed session): what it wrote goes.
    session.info.pop(_DOOMED, None)
    store = file_store()
    for key in session.info.pop(_NEW, []):
        store.delete(key)
