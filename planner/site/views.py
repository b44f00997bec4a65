"""The site's own endpoints."""

from flask import current_app

from planner.site import bp
from planner.site.health import Health, database_health
from planner.web.unavailable import RETRY_AFTER_SECONDS


@bp.get("/healthz")
def healthz():
    """For load balancers and monitors: 200 when the database answers and takes writes, 503
    (within ``HEALTHZ_TIMEOUT``) when it does not."""
    health = database_health(current_app._get_current_object())
    if health is not Health.OK:
        return {"status": "error", "database": str(health)}, 503, {"Retry-After": str(RETRY_AFTER_SECONDS)}
    return {"status": "ok", "database": "ok"}
