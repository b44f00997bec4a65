"""The organisers' page of a forum's webhooks (``/forums/<slug>/manage/webhooks``): its
endpoints, adding one, pausing, resuming, deleting, a new secret, a test, and the latest
deliveries. The rules are ``services``."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from planner.forums.models import Forum
from planner.refusals import Refused
from planner.web import refusals
from planner.web.loaders import load_managed_forum
from planner.webhooks import bp, services
from planner.webhooks.forms import EVENT_LABELS, EndpointForm
from planner.webhooks.models import WebhookEndpoint
from planner.webhooks.signing import HEADER


def _endpoint_of(forum: Forum, endpoint_id: int) -> WebhookEndpoint:
    endpoint = services.endpoint_of(forum, endpoint_id)
    if endpoint is None:
        abort(404, description=_("%(forum)s has no webhook with the number %(id)d.", forum=forum.name, id=endpoint_id))
    return endpoint


def _page(
    forum: Forum,
    form: EndpointForm | None = None,
    secret_of: WebhookEndpoint | None = None,
    secret: str | None = None,
) -> tuple[str, int, dict[str, str]]:
    form = form or EndpointForm(formdata=None)
    page = render_template(
        "webhooks/manage.html",
        forum=forum,
        form=form,
        endpoints=services.endpoints_of(forum),
        deliveries=services.recent_deliveries(forum),
        event_labels={str(event): label for event, label in EVENT_LABELS.items()},
        secret_of=secret_of,
        secret=secret,
        signature_header=HEADER,
        limit=services.RECENT,
    )
    # A page showing a secret is kept by no cache.
    return page, 422 if form.errors else 200, {"Cache-Control": "no-store"}


@bp.get("/forums/<slug>/manage/webhooks")
@login_required
def manage_webhooks(slug: str):
    return _page(load_managed_forum(slug))


@bp.post("/forums/<slug>/manage/webhooks")
@login_required
def add_endpoint(slug: str):
    forum = load_managed_forum(slug)
    form = EndpointForm()
    if form.validate_on_submit():
        try:
            endpoint, secret = services.add_endpoint(
                current_user,
                forum,
                url=form.url.data or "",
                description=form.description.data or "",
                events=form.events.data or [],
            )
        except Refused as refusal:
            refusals.on_form(form, refusal, "url")
        else:
            flash(_("The webhook to %(url)s is added.", url=endpoint.url), "success")
            # The secret is shown on this answer only: it is stored encrypted, never shown again.
            return _page(forum, secret_of=endpoint, secret=secret)
    return _page(forum, form)


@bp.post("/forums/<slug>/manage/webhooks/<int:endpoint_id>/secret")
@login_required
def new_secret(slug: str, endpoint_id: int):
    forum = load_managed_forum(slug)
    endpoint = _endpoint_of(forum, endpoint_id)
    secret = services.new_secret(current_user, forum, endpoint)
    flash(_("The webhook to %(url)s has a new secret.", url=endpoint.url), "success")
    return _page(forum, secret_of=endpoint, secret=secret)


@bp.post("/forums/<slug>/manage/webhooks/<int:endpoint_id>/pause")
@login_required
def pause_endpoint(slug: str, endpoint_id: int):
    forum = load_managed_forum(slug)
    endpoint = _endpoint_of(forum, endpoint_id)
    services.set_active(current_user, forum, endpoint, False)
    flash(_("The webhook to %(url)s is paused: its deliveries wait.", url=endpoint.url), "success")
    return redirect(url_for(".manage_webhooks", slug=forum.slug))


@bp.post("/forums/<slug>/manage/webhooks/<int:endpoint_id>/resume")
@login_required
def resume_endpoint(slug: str, endpoint_id: int):
    forum = load_managed_forum(slug)
    endpoint = _endpoint_of(forum, endpoint_id)
    services.set_active(current_user, forum, endpoint, True)
    flash(_("The webhook to %(url)s is sending again.", url=endpoint.url), "success")
    return redirect(url_for(".manage_webhooks", slug=forum.slug))


@bp.post("/forums/<slug>/manage/webhooks/<int:endpoint_id>/delete")
@login_required
def delete_endpoint(slug: str, endpoint_id: int):
    forum = load_managed_forum(slug)
    endpoint = _endpoint_of(forum, endpoint_id)
    url = endpoint.url
    services.delete_endpoint(current_user, forum, endpoint)
    flash(_("The webhook to %(url)s is deleted.", url=url), "success")
    return redirect(url_for(".manage_webhooks", slug=forum.slug))


@bp.post("/forums/<slug>/manage/webhooks/<int:endpoint_id>/test")
@login_required
def test_endpoint(slug: str, endpoint_id: int):
    forum = load_managed_forum(slug)
    endpoint = _endpoint_of(forum, endpoint_id)
    try:
        services.send_test(current_user, forum, endpoint)
    except Refused as refusal:
        refusals.flashed(refusal)
    else:
        flash(_("A test (ping) to %(url)s is queued: it is sent within a minute.", url=endpoint.url), "success")
    return redirect(url_for(".manage_webhooks", slug=forum.slug))
