import datetime as dt

from flask import render_template
from flask_login import current_user

from planner.accounts.permissions import focal_point_delegations, is_organiser
from planner.forums import bp, series, services
from planner.registration import services as registration_services
from planner.schedule.services import sessions_by_day
from planner.web.loaders import canonical_event, load_forum


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
        series_place=series.place_in_series(forum),
    )


@bp.get("/forums/<slug>/events/<code>/")
def event(slug: str, code: str):
    forum, event = canonical_event(slug, code, ".event")
    policy = registration_services.policy_of(event)
    return render_template(
        "forums/event.html",
        forum=forum,
        event=event,
        days=sessions_by_day(forum, event),
        policy=policy,
        questions=registration_services.questions_of(event) if policy else [],
        registration_closed=registration_services.closed_because(policy) if policy else None,
        registration=registration_services.registration_of(current_user, event)
        if current_user.is_authenticated
        else None,
    )
