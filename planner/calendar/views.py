"""Feeds (``.ics``) and the pages where people get and renew their secret feed addresses."""

from __future__ import annotations

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from flask_wtf import FlaskForm

from planner.accounts.permissions import is_organiser
from planner.calendar import bp, feeds, services
from planner.calendar.models import FeedKind
from planner.schedule.services import get_session
from planner.web.loaders import canonical_event, load_forum
from planner.web.sessionless import sessionless


def _not_modified(feed: feeds.Feed) -> bool:
    """RFC 9110 13.2.2: If-None-Match decides when it is there; else If-Modified-Since,
    where the feed's Last-Modified is exact."""
    if request.if_none_match:
        return request.if_none_match.contains_weak(feed.etag)
    since = request.if_modified_since
    return bool(since and feed.last_modified_is_exact and feed.last_modified.replace(microsecond=0) <= since)


def send_feed(feed: feeds.Feed) -> Response:
    if _not_modified(feed):
        response = Response(status=304)
    else:
        response = Response(feed.body(), mimetype="text/calendar")
        response.headers["Content-Disposition"] = f'attachment; filename="{feed.filename}"'
    response.set_etag(feed.etag)
    response.last_modified = feed.last_modified.replace(microsecond=0)
    # Clients revalidate (cheaply: 304); feeds behind a secret stay out of shared caches.
    response.cache_control.no_cache = True
    if feed.private:
        response.cache_control.private = True
    else:
        response.cache_control.public = True
    return response


@bp.get("/forums/<slug>/calendar.ics")
@sessionless
def forum_feed(slug: str):
    version = services.forum_version(slug)
    if version is None:
        load_forum(slug)  # the 404 that says what is missing
    assert version is not None, "load_forum aborted: no forum has this slug"
    return send_feed(feeds.forum_feed(version))


@bp.get("/forums/<slug>/events/<code>/calendar.ics")
@sessionless
def event_feed(slug: str, code: str):
    forum, event = canonical_event(slug, code, ".event_feed")
    return send_feed(feeds.event_feed(forum, event))


@bp.get("/sessions/<int:session_id>/calendar.ics")
@sessionless
def session_feed(session_id: int):
    session = get_session(session_id)
    if session is None or not session.is_public:
        abort(404, description=_("There is no public session with this number."))
    return send_feed(feeds.session_feed(session))


@bp.get("/feeds/<secret>.ics")
@sessionless
def token_feed(secret: str):
    token = services.feed_token(secret)
    if token is None:
        abort(404, description=_("This calendar address does not work (any more). Get the current one from planner."))
    return send_feed(feeds.token_feed(token))


@bp.post("/me/calendar")
@login_required
def renew_personal_feed():
    form = FlaskForm()
    if not form.validate_on_submit():
        abort(400, description=_("The form expired; reload the page and try again."))
    services.renew_token(current_user, FeedKind.PERSONAL)
    flash(_("Your calendar address is new: the old one no longer works. Subscribe again with the new one."), "success")
    return redirect(url_for("registration.my_registrations") + "#calendar")


@bp.route("/forums/<slug>/manage/calendar", methods=["GET", "POST"])
@login_required
def organiser_feed(slug: str):
    forum = load_forum(slug)
    if not is_organiser(current_user, forum):
        abort(403, description=_("Only the organisers of %(forum)s can see this page.", forum=forum.name))
    form = FlaskForm()
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400, description=_("The form expired; reload the page and try again."))
        services.renew_token(current_user, FeedKind.ORGANISER, forum)
        flash(_("The organisers' calendar address is new: the old one no longer works."), "success")
        return redirect(url_for(".organiser_feed", slug=forum.slug))
    token = services.token_of(current_user, FeedKind.ORGANISER, forum)
    return render_template("calendar/organiser.html", forum=forum, token=token, form=form)
