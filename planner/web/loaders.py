"""Loading what a URL names, for every domain's views: a 404 that says what is missing, or a
403 that says who may do this."""

from __future__ import annotations

from flask import abort, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user

from planner.accounts.permissions import is_organiser
from planner.forums import services as forums
from planner.forums.models import Event, Forum


def load_forum(slug: str) -> Forum:
    forum = forums.get_forum_by_slug(slug)
    if forum is None:
        abort(404, description=_("There is no forum at this address."))
    return forum


def event_or_404(forum: Forum, code: str) -> Event:
    """The forum's event with ``code`` in any letter case, or a 404 that says so."""
    try:
        return forums.find_event(forum, code)
    except forums.EventNotFound:
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


def load_managed_forum(slug: str) -> Forum:
    """The forum, if the signed-in user organises it; 404 or 403 otherwise."""
    forum = load_forum(slug)
    if not is_organiser(current_user, forum):
        abort(403, description=_("Only organisers of %(forum)s can do this.", forum=forum.name))
    return forum
