"""The site's own endpoints: the health check and the language switch."""

from flask import abort, current_app, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user

from planner.accounts import services as accounts
from planner.security import safe_next
from planner.site import bp, languages
from planner.site.forms import LanguageForm
from planner.site.health import Health, database_health
from planner.web.unavailable import RETRY_AFTER_SECONDS

LANGUAGE_COOKIE_AGE = 365 * 24 * 3600


@bp.get("/healthz")
def healthz():
    """For load balancers and monitors: 200 when the database answers and takes writes, 503
    (within ``HEALTHZ_TIMEOUT``) when it does not."""
    health = database_health(current_app._get_current_object())
    if health is not Health.OK:
        return {"status": "error", "database": str(health)}, 503, {"Retry-After": str(RETRY_AFTER_SECONDS)}
    return {"status": "ok", "database": "ok"}


@bp.post("/language")
def choose_language():
    """The language switch: remembered in this browser and, for a signed-in person, on the
    account, whose email is then written in it too."""
    form = LanguageForm()
    if not form.validate_on_submit() or not languages.is_offered(form.language.data):
        abort(400, description=_("planner is not available in that language."))
    if current_user.is_authenticated:
        accounts.set_language(current_user, form.language.data)
    response = redirect(safe_next(form.next.data, url_for("forums.home")))
    response.set_cookie(
        languages.LANGUAGE_COOKIE,
        form.language.data,
        max_age=LANGUAGE_COOKIE_AGE,
        secure=current_app.config["SESSION_COOKIE_SECURE"],
        httponly=True,
        samesite="Lax",
    )
    return response
