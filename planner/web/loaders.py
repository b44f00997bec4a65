"""Loading what a URL names, for every domain's views: a 404 that says what is missing, or a
403 that says who may do this."""

from __future__ import annotations

from flask import abort, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user

from planner.accounts.permissions import is_focal_point, is_organiser
from planner.delegations.models import Delegation, DelegationMember
from planner.extensions import db
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


def delegation_or_404(forum: Forum, delegation_id: int) -> Delegation:
    """The forum's delegation with this id, or a 404 that says so (another forum's is none)."""
    delegation = db.session.get(Delegation, delegation_id)
    if delegation is None or delegation.forum_id != forum.id:
        abort(404, description=_("%(forum)s has no such delegation.", forum=forum.name))
    return delegation


def load_delegation(slug: str, delegation_id: int, *, organisers_only: bool = False) -> Delegation:
    """The forum's delegation, if the signed-in user organises the forum or (unless
    ``organisers_only``) is one of the delegation's focal points; 404 or 403 otherwise."""
    forum = load_forum(slug)
    delegation = delegation_or_404(forum, delegation_id)
    if is_organiser(current_user, forum):
        return delegation
    if organisers_only:
        abort(403, description=_("Only organisers of %(forum)s can do this.", forum=forum.name))
    if not is_focal_point(current_user, delegation):
        abort(
            403,
            description=_(
                "Only the focal points of %(delegation)s and the organisers of %(forum)s can see this page.",
                delegation=delegation.name,
                forum=forum.name,
            ),
        )
    return delegation


def load_member(delegation: Delegation, person_id: int) -> DelegationMember:
    member = db.session.get(DelegationMember, (delegation.id, person_id))
    if member is None:
        abort(404, description=_("%(delegation)s has no such member.", delegation=delegation.name))
    return member
