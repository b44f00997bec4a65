import datetime as dt

from flask import abort, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from planner.accounts.permissions import focal_point_delegations, is_organiser

from planner.forums import bp, services
from planner.registration import services as registration_services
from planner.forums.models import Event, Forum
from planner.schedule.services import sessions_by_day


def load_forum(slug: str) -> Forum:
    forum = services.get_forum_by_slug(slug)
    if forum is None:
        abort(404, description=_("There is no forum at this address."))
    return forum


def event_or_404(forum: Forum, code: str) -> Event:
    """The forum's event with ``code`` in any letter case, or a 404 that says so."""
    try:
        return services.find_event(forum, code)
    except services.EventNotFound:
        abort(404, description=_("This forum has no event with the code %(code)s.", code=code))


def canonical_event(slug: str, code: str, endpoint: str) -> tuple[Forum, Event]:
    """The forum and its event ``code`` for a public page, or a 404 that says which is
    missing; a code spelled in another letter case answers a 301 to ``endpoint`` (taking
    ``slug`` and ``code``) with the code as stored."""
    forum = load_forum(slug)
    event = event_or_404(forum, code)
    if event.code != code:
        abort(redirect(url_for(endpoint, slug=forum.slug, code=event.code), 301))
    return forum, event


@bp.get("/")
def home():
    today = dt.datetime.now(dt.UTC).date()
    return render_template("forums/home.html", forums=services.list_forums(today))


@bp.get("/forums/<slug>/")
def forum(slug: str):
    forum = load_forum(slug)
    return render_template(
        "forums/forum.html",
        forum=forum,
        can_organise=is_organiser(current_user, forum),
        my_delegations=focal_point_delegations(current_user, forum),
        events=services.events_of(forum),
        delegations=services.delegations_of(forum),
    )


@bp.get("/forums/<slug>/events/<code>/")
def event(slug: str, code: str):
    forum, event = canonical_event(slug, code, ".event")
    policy = registration_services.policy_of(event)
    return render_template(
        "forums/event.html", forum=forum, event=event, days=sessions_by_day(forum, event),
        policy=policy,
        registration_closed=registration_services.closed_because(policy) if policy else None,
        registration=registration_services.registration_of(current_user, event)
        if current_user.is_authenticated else None,
    )
