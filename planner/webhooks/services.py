"""Organisers' webhook endpoints: adding, pausing, resuming, deleting, a new secret, a test.

Only a forum's organisers manage its endpoints; every change is in the audit log, the secret
never (it is shown once, to the organiser who made it). An endpoint is an https address
outside private networks (``sender.check_target``), told of the events it was subscribed to.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import contains_eager

from planner.accounts.models import User
from planner.accounts.permissions import require_organiser
from planner.audit.services import record
from planner.db import utcnow
from planner.extensions import db
from planner.forums.models import Forum
from planner.refusals import Refused
from planner.webhooks import signing
from planner.webhooks.events import delivery_values
from planner.webhooks.models import SUBSCRIBABLE, WebhookDelivery, WebhookEndpoint, WebhookEvent
from planner.webhooks.sender import UnsafeTarget, check_target

DESCRIPTION_MAX = 200
#: How many of a forum's latest deliveries its page lists.
RECENT = 100


class WebhookRefused(Refused):
    """An endpoint the rules refuse: an unsafe address, no event, a paused endpoint tested."""


def endpoints_of(forum: Forum) -> list[WebhookEndpoint]:
    return list(
        db.session.scalars(
            select(WebhookEndpoint).where(WebhookEndpoint.forum_id == forum.id).order_by(WebhookEndpoint.id)
        )
    )


def endpoint_of(forum: Forum, endpoint_id: int) -> WebhookEndpoint | None:
    """The forum's endpoint with this id; None for another forum's or none."""
    endpoint = db.session.get(WebhookEndpoint, endpoint_id)
    return endpoint if endpoint is not None and endpoint.forum_id == forum.id else None


def recent_deliveries(forum: Forum, limit: int = RECENT) -> list[WebhookDelivery]:
    """The forum's latest deliveries with their endpoints, newest first: one query."""
    return list(
        db.session.scalars(
            select(WebhookDelivery)
            .join(WebhookDelivery.endpoint)
            .where(WebhookEndpoint.forum_id == forum.id)
            .options(contains_eager(WebhookDelivery.endpoint))
            .order_by(WebhookDelivery.created_at.desc(), WebhookDelivery.id.desc())
            .limit(limit)
        )
    )


def _state(endpoint: WebhookEndpoint) -> dict[str, Any]:
    """What the audit log keeps of an endpoint: never its secret."""
    return {
        "url": endpoint.url,
        "description": endpoint.description,
        "events": list(endpoint.events),
        "is_active": endpoint.is_active,
    }


def _checked_events(events: Iterable[str]) -> list[str]:
    given = set(events)
    if not given:
        raise WebhookRefused(_("Choose at least one event to be told of."), field="events")
    if not given <= {str(event) for event in SUBSCRIBABLE}:
        raise WebhookRefused(_("Choose events from the list."), field="events")
    return [str(event) for event in SUBSCRIBABLE if str(event) in given]


def add_endpoint(
    actor: User, forum: Forum, *, url: str, description: str, events: Iterable[str]
) -> tuple[WebhookEndpoint, str]:
    """A new active endpoint of ``forum`` for ``events`` at ``url`` (https, resolving to public
    addresses only unless WEBHOOKS_ALLOW_PRIVATE_ADDRESSES); with its secret, to show once."""
    require_organiser(actor, forum)
    url = url.strip()
    try:
        check_target(url)
    except UnsafeTarget as refusal:
        raise WebhookRefused(str(refusal), field="url") from None
    description = description.strip()
    if len(description) > DESCRIPTION_MAX:
        raise WebhookRefused(_("Keep the description to %(max)d characters.", max=DESCRIPTION_MAX), field="description")
    secret = signing.new_secret()
    endpoint = WebhookEndpoint(
        forum_id=forum.id,
        url=url,
        description=description,
        events=_checked_events(events),
        secret=secret,
        is_active=True,
        created_by_id=actor.id,
    )
    db.session.add(endpoint)
    db.session.flush()
    _audit(actor, endpoint, "webhook.added", None)
    return endpoint, secret


def _audit(actor: User, endpoint: WebhookEndpoint, action: str, before: dict[str, Any] | None) -> None:
    record(
        actor,
        action,
        forum_id=endpoint.forum_id,
        target=("webhook_endpoint", endpoint.id),
        summary=_("Webhook to %(url)s", url=endpoint.url),
        before=before,
        after=_state(endpoint) if action != "webhook.deleted" else None,
    )


def _require_own(actor: User, forum: Forum, endpoint: WebhookEndpoint) -> None:
    require_organiser(actor, forum)
    if endpoint.forum_id != forum.id:
        raise WebhookRefused(_("%(forum)s has no such webhook.", forum=forum.name))


def new_secret(actor: User, forum: Forum, endpoint: WebhookEndpoint) -> str:
    """Replace the endpoint's secret: deliveries are signed with the new one from now on,
    retries of earlier ones included. The new secret, to show once."""
    _require_own(actor, forum, endpoint)
    endpoint.secret = signing.new_secret()
    endpoint.updated_at = utcnow()
    db.session.flush()
    record(
        actor,
        "webhook.new_secret",
        forum_id=forum.id,
        target=("webhook_endpoint", endpoint.id),
        summary=_("Webhook to %(url)s", url=endpoint.url),
    )
    return endpoint.secret


def set_active(actor: User, forum: Forum, endpoint: WebhookEndpoint, active: bool) -> None:
    """Pause an endpoint (its deliveries wait, still given up on a day after they were
    queued) or resume it."""
    _require_own(actor, forum, endpoint)
    if endpoint.is_active == active:
        return
    before = _state(endpoint)
    endpoint.is_active = active
    db.session.flush()
    _audit(actor, endpoint, "webhook.resumed" if active else "webhook.paused", before)


def delete_endpoint(actor: User, forum: Forum, endpoint: WebhookEndpoint) -> None:
    """Delete an endpoint and its deliveries, those not sent yet included."""
    _require_own(actor, forum, endpoint)
    _audit(actor, endpoint, "webhook.deleted", _state(endpoint))
    db.session.delete(endpoint)
    db.session.flush()


def send_test(actor: User, forum: Forum, endpoint: WebhookEndpoint) -> WebhookDelivery:
    """Queue a ``ping`` to an active endpoint, to see that it receives and verifies."""
    _require_own(actor, forum, endpoint)
    if not endpoint.is_active:
        raise WebhookRefused(_("This webhook is paused: resume it to send a test."))
    forum_data = {"slug": forum.slug, "name": forum.name, "timezone": forum.timezone}
    values = delivery_values(
        endpoint.id, WebhookEvent.PING, forum_data, {"endpoint": endpoint.id, "message": "ping"}, utcnow()
    )
    delivery = WebhookDelivery(**values)
    db.session.add(delivery)
    db.session.flush()
    return delivery
