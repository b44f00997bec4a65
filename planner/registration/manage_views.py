"""Organisers' registration pages: the list with filters and fill levels, decisions on many
applications at once, cancellation, capacity, and the CSV export for badge printing."""

from __future__ import annotations

import re

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required
from werkzeug.datastructures import MultiDict

from planner.extensions import db
from planner.forums import services as forum_services
from planner.forums.models import Forum
from planner.registration import bp, review, services
from planner.registration.forms import CapacityForm
from planner.registration.models import Registration, RegistrationStatus
from planner.web import refusals
from planner.web.loaders import event_or_404, load_managed_forum


def _capacity_form(fill: review.EventFill, formdata: MultiDict | None = None) -> CapacityForm:
    """One form per event on the page: the field keeps its name, ``capacity``, but gets an id of its own.
    A posted form stands alone: an empty or missing capacity means no limit."""
    form = (
        CapacityForm(formdata=formdata)
        if formdata is not None
        else CapacityForm(formdata=None, data={"capacity": fill.policy.capacity})
    )
    form.capacity.id = form.capacity.label.field_id = f"capacity-{fill.event.code}"
    return form


def _registrations_page(
    forum: Forum,
    filters: review.RegistrationFilter | None = None,
    failed_capacity: tuple[int, CapacityForm] | None = None,
):
    """The list page; ``filters`` from the query arguments unless given, ``failed_capacity``
    an event id and its form to show with errors."""
    fills = review.fill_levels(forum)
    delegation_fills = review.delegation_levels(forum)
    errors: list[str] = []
    if filters is None:
        filters, errors = review.filter_from(
            request.args, (f.event for f in fills), (d.delegation for d in delegation_fills if d.delegation)
        )
    listing = review.registrations_for(forum, filters)
    capacity_forms = {f.event.id: _capacity_form(f) for f in fills}
    if failed_capacity:
        capacity_forms[failed_capacity[0]] = failed_capacity[1]
    status = 422 if failed_capacity else 400 if errors else 200
    return render_template(
        "registration/manage_registrations.html",
        forum=forum,
        filters=filters,
        errors=errors,
        fills=fills,
        delegation_fills=delegation_fills,
        countries=review.countries_of(forum),
        registrations=listing.registrations,
        truncated=listing.truncated,
        limit=review.LIST_LIMIT,
        statuses=list(RegistrationStatus),
        capacity_forms=capacity_forms,
        bulk_limit=review.BULK_LIMIT,
        active=services.ACTIVE,
    ), status


def _back_to_list(forum: Forum, form_args: MultiDict | None = None):
    """The list again, with the filters the organiser was looking at (sent back as hidden fields)."""
    args = (
        {name: form_args.get(name, "")[:64] for name in ("event", "status", "delegation", "country")}
        if form_args
        else {}
    )
    return redirect(url_for(".manage_registrations", slug=forum.slug, **{k: v for k, v in args.items() if v}))


@bp.get("/forums/<slug>/manage/registrations")
@login_required
def manage_registrations(slug: str):
    return _registrations_page(load_managed_forum(slug))


def _bulk_ids() -> list[int]:
    values = request.form.getlist("ids")
    if len(values) > review.BULK_LIMIT:
        abort(400, description=_("At most %(limit)d registrations can be decided at once.", limit=review.BULK_LIMIT))
    parsed = [review.row_id(v) for v in values]
    ids = [i for i in parsed if i is not None]
    if len(ids) != len(parsed):
        abort(400, description=_("Registrations are chosen by their numbers."))
    return list(dict.fromkeys(ids))


def _bulk_message(action: str, outcome: review.BulkOutcome) -> str:
    """For example "3 approved (1 on the waiting list: the event is full), 1 skipped (1 × reason)."."""
    if action == "approve":
        message = ngettext("%(num)d approved", "%(num)d approved", len(outcome.done))
        if outcome.waitlisted:
            message += " " + _("(%(num)d on the waiting list: the event is full)", num=outcome.waitlisted)
    else:
        message = ngettext("%(num)d declined", "%(num)d declined", len(outcome.done))
    skipped = sum(outcome.skipped.values())
    message += ", " + ngettext("%(num)d skipped", "%(num)d skipped", skipped)
    if skipped:
        reasons = (f"{count} × {reason.rstrip('.')}" for reason, count in outcome.skipped.items())
        message += " (" + "; ".join(reasons) + ")"
    return message + "."


@bp.post("/forums/<slug>/manage/registrations/bulk")
@login_required
def bulk_decide(slug: str):
    forum = load_managed_forum(slug)
    action = request.form.get("action", "")
    if action not in review.BULK_ACTIONS:
        abort(400, description=_("Choose whether to approve or decline the selected registrations."))
    ids = _bulk_ids()
    if not ids:
        flash(_("Select at least one registration."), "error")
        return _back_to_list(forum, request.form)
    outcome = review.decide_many(current_user, forum, action, ids)
    flash(_bulk_message(action, outcome), "success" if outcome.done else "error")
    return _back_to_list(forum, request.form)


@bp.post("/forums/<slug>/manage/registrations/<int:registration_id>/cancel")
@login_required
def cancel_registration(slug: str, registration_id: int):
    forum = load_managed_forum(slug)
    registration = db.session.get(Registration, registration_id)
    if registration is None or registration.event.forum_id != forum.id:
        abort(404, description=_("This forum has no registration with the number %(id)d.", id=registration_id))
    try:
        services.cancel_by_organiser(current_user, registration)
    except services.RegistrationError as refusal:
        refusals.flashed(refusal)
    else:
        flash(
            _(
                "The registration of %(name)s for %(event)s is cancelled.",
                name=registration.user.name,
                event=registration.event.code,
            ),
            "success",
        )
    return _back_to_list(forum, request.form)


@bp.post("/forums/<slug>/manage/events/<code>/capacity")
@login_required
def change_capacity(slug: str, code: str):
    forum = load_managed_forum(slug)
    event = event_or_404(forum, code)
    policy = services.policy_of(event)
    if policy is None:
        abort(404, description=_("This event does not take registrations."))
    form = _capacity_form(review.EventFill(event, policy), request.form)
    if form.validate_on_submit():
        try:
            services.change_capacity(current_user, event, form.capacity.data)
        except services.RegistrationError as refusal:
            refusals.on_form(form, refusal, "capacity")
        else:
            if form.capacity.data is None:
                flash(_("%(event)s now has no limit on places.", event=event.code), "success")
            else:
                flash(_("%(event)s now has %(num)d places.", event=event.code, num=form.capacity.data), "success")
            return _back_to_list(forum)
    return _registrations_page(forum, review.RegistrationFilter(), failed_capacity=(event.id, form))


def _attachment_name(forum: Forum) -> str:
    # Slugs are plain already; this keeps the header safe whatever one holds.
    return re.sub(r"[^A-Za-z0-9._-]", "-", forum.slug) + "-registrations.csv"


@bp.get("/forums/<slug>/manage/registrations.csv")
@login_required
def export_registrations(slug: str):
    forum = load_managed_forum(slug)
    filters, errors = review.filter_from(
        request.args, forum_services.events_of(forum), forum_services.delegations_of(forum).delegations
    )
    if errors:
        abort(400, description=" ".join(errors))
    return Response(
        review.badge_csv(forum, filters),
        content_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="{_attachment_name(forum)}"',
            # Personal data: not for shared caches, nor kept by the browser.
            "Cache-Control": "private, no-store",
        },
    )
