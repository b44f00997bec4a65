"""The site's own endpoints."""

from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from planner.extensions import db
from planner.site import bp


@bp.get("/healthz")
def healthz():
    """For load balancers and monitors: 200 when the database answers, 503 when not."""
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError:
        return {"status": "error", "database": "unreachable"}, 503
    return {"status": "ok", "database": "ok"}
