"""One unit of work per request: the request's changes are committed once, after its view has
answered, when the answer is not an error; any error (a refusal shown as 4xx, an abort, an
exception) rolls them back. Services flush and never commit; views do not commit either."""

from __future__ import annotations

import logging

from flask import Flask, Response, g
from sqlalchemy.exc import SQLAlchemyError

from planner.extensions import db

log = logging.getLogger(__name__)

_DISCARD = "planner_discard"


def discard() -> None:
    """Roll back this request's changes whatever its answer: a dry run shows what would happen."""
    g.setdefault(_DISCARD, True)


def settle(response: Response) -> Response:
    """The commit point. A commit that fails raises, and the person gets a 500, not a success."""
    if response.status_code < 400 and not g.pop(_DISCARD, False):
        db.session.commit()
    else:
        try:
            db.session.rollback()
        except SQLAlchemyError:
            # The answer is an error already (often: the database is gone); the pool drops the
            # connection, and nothing was committed.
            log.warning("rollback failed after an error answer")
    return response


def init_app(app: Flask) -> None:
    # Registered last, so it runs first: every later after_request hook sees the outcome.
    app.after_request(settle)
