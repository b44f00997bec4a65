"""When the database does not answer: a 503 page that says so, built without the database.

A request that meets a database error of the connection kind (refused, timed out, a statement
cancelled by its timeout, a read-only file) answers 503 with ``Retry-After``; its error page
then shows the header as for a signed-out visitor, since looking up the signed-in user would
fail the same way and leave the visitor with the server's bare "Internal Server Error".
"""

from __future__ import annotations

import logging

from flask import Flask, g
from flask_babel import gettext as _
from sqlalchemy.exc import InterfaceError, OperationalError, SQLAlchemyError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from werkzeug.exceptions import InternalServerError, ServiceUnavailable
from werkzeug.wrappers import Response

from planner.extensions import db
from planner.web import errors

log = logging.getLogger(__name__)

#: What a 503 tells clients and monitors: try again after this many seconds.
RETRY_AFTER_SECONDS = 30
_DOWN = "planner_database_down"

#: Errors that say the database is unreachable or not answering, not that a statement is wrong.
UNREACHABLE = (OperationalError, InterfaceError, PoolTimeout)


def database_is_down() -> bool:
    """Whether this request has found the database unreachable (then nothing asks it again)."""
    return g.get(_DOWN, False)


def is_unreachable(error: BaseException | None) -> bool:
    return isinstance(error, UNREACHABLE)


def database_unavailable(error: Exception) -> Response:
    g.setdefault(_DOWN, True)
    # The statement text may hold personal data: the log gets the kind of error only.
    log.error("database unavailable: %s", type(getattr(error, "orig", None) or error).__name__)
    try:
        db.session.rollback()
    except SQLAlchemyError:  # the connection is gone; the pool replaces it
        log.warning("rollback after a database outage failed")
    return errors.http_error(
        ServiceUnavailable(
            description=_("planner cannot reach its database just now. Please try again in a minute."),
            retry_after=RETRY_AFTER_SECONDS,
        )
    )


def server_error(error: InternalServerError) -> Response:
    """The 500 page; a 503 when what failed was the database."""
    if is_unreachable(error.original_exception):
        return database_unavailable(error.original_exception)  # type: ignore[arg-type]
    return errors.http_error(error)


def init_app(app: Flask) -> None:
    for kind in UNREACHABLE:
        app.register_error_handler(kind, database_unavailable)
    app.register_error_handler(InternalServerError, server_error)
