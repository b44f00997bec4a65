"""Ministerial accreditation pages: focal points nominate their delegation's members up to its
seat quota; organisers accredit or decline them and set the quota (rules in ``services``)."""

from __future__ import annotations

from collections.abc import Callable

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import func, select
from werkzeug.wrappers import Response

from planner.accounts.models import User
from planner.accounts.permissions import is_organiser
from planner.delegations import bp, participation, services
from planner.delegations.forms import NominationForm, QuotaForm
from planner.delegations.models import Delegation, DelegationMember, NominationStatus
from planner.extensions import db
from planner.forums.services import ForumArchived
from planner.web import refusals
from planner.web.loaders import delegation_or_404, load_delegation, load_forum, load_managed_forum, load_member


def _delegation_page(
    delegation: Delegation, nomination_form: NominationForm | None = None, quota_form: QuotaForm | None = None
):
    can_organise = is_organiser(current_user, delegation.forum)
    # formdata=None: a form that was not the one sent shows its defaults, not the other's input.
    if nomination_form is None:
        nomination_form = NominationForm(prefix="nominate", formdata=None)
    if quota_form is None and can_organise:
        quota_form = QuotaForm(prefix="quota", formdata=None, quota=delegation.seat_quota)
    refused = bool(nomination_form.errors or (quota_form is not None and quota_form.errors))
    return render_template(
        "delegations/delegation.html",
        forum=delegation.forum,
        delegation=delegation,
        members=services.members_of(delegation),
        holding_seat=services.HOLDING_SEAT,
        can_organise=can_organise,
        nomination_form=nomination_form,
        quota_form=quota_form,
    ), 422 if refused else 200


def _back_to(delegation: Delegation) -> str:
    # The overview offers the same buttons; send organisers back where they pressed them.
    if request.form.get("back") == "overview":
        return url_for(".nominations_overview", slug=delegation.forum.slug)
    return url_for(".delegation", slug=delegation.forum.slug, delegation_id=delegation.id)


def _decide(member: DelegationMember, operation: Callable[[User, DelegationMember], None], done: str) -> Response:
    """Run one decision on a member; a refusal becomes a flashed message, never an error page."""
    back = _back_to(member.delegation)
    try:
        operation(current_user, member)
    except (services.NominationError, ForumArchived) as refusal:
        refusals.flashed(refusal)
    else:
        flash(done, "success")
    return redirect(back)


@bp.get("/forums/<slug>/delegations/<int:delegation_id>/")
@login_required
def delegation(slug: str, delegation_id: int):
    return _delegation_page(load_delegation(slug, delegation_id))


@bp.post("/forums/<slug>/delegations/<int:delegation_id>/nominations")
@login_required
def nominate(slug: str, delegation_id: int):
    delegation = load_delegation(slug, delegation_id)
    form = NominationForm(prefix="nominate")
    if form.validate_on_submit():
        try:
            member = services.nominate(
                current_user,
                delegation,
                given_name=form.given_name.data,
                family_name=form.family_name.data or "",
                family_name_first=form.family_name_first.data,
                email=form.email.data,
                organisation=form.organisation.data or "",
                role=form.role.data,
                level=form.level.data,
                function=form.function.data or "",
                listed_publicly=form.listed_publicly.data,
            )
        except (services.SeatQuotaExceeded, ForumArchived) as refusal:
            refusals.on_form(form, refusal)
        except services.NominationError as refusal:
            refusals.on_form(form, refusal, "email")
        else:
            flash(_("%(name)s is nominated.", name=member.person.name), "success")
            return redirect(url_for(".delegation", slug=slug, delegation_id=delegation_id))
    return _delegation_page(delegation, nomination_form=form)


@bp.post("/forums/<slug>/delegations/<int:delegation_id>/nominations/<int:person_id>/withdraw")
@login_required
def withdraw_nomination(slug: str, delegation_id: int, person_id: int):
    member = load_member(load_delegation(slug, delegation_id), person_id)
    return _decide(member, services.withdraw, _("The nomination of %(name)s is withdrawn.", name=member.person.name))


@bp.post("/forums/<slug>/delegations/<int:delegation_id>/nominations/<int:person_id>/accredit")
@login_required
def accredit_nomination(slug: str, delegation_id: int, person_id: int):
    member = load_member(load_delegation(slug, delegation_id, organisers_only=True), person_id)
    return _decide(member, services.accredit, _("%(name)s is accredited.", name=member.person.name))


@bp.post("/forums/<slug>/delegations/<int:delegation_id>/nominations/<int:person_id>/decline")
@login_required
def decline_nomination(slug: str, delegation_id: int, person_id: int):
    member = load_member(load_delegation(slug, delegation_id, organisers_only=True), person_id)
    return _decide(member, services.decline, _("The nomination of %(name)s is declined.", name=member.person.name))


@bp.post("/forums/<slug>/delegations/<int:delegation_id>/quota")
@login_required
def set_seat_quota(slug: str, delegation_id: int):
    delegation = load_delegation(slug, delegation_id, organisers_only=True)
    form = QuotaForm(prefix="quota")
    if form.validate_on_submit():
        try:
            services.set_quota(current_user, delegation, form.quota.data)
        except ForumArchived as refusal:
            refusals.on_form(form, refusal)
        except services.NominationError as refusal:
            refusals.on_form(form, refusal, "quota")
        else:
            flash(_("The seat quota of %(delegation)s is saved.", delegation=delegation.name), "success")
            return redirect(url_for(".delegation", slug=slug, delegation_id=delegation_id))
    return _delegation_page(delegation, quota_form=form)


@bp.get("/forums/<slug>/manage/nominations")
@login_required
def nominations_overview(slug: str):
    forum = load_managed_forum(slug)
    delegations = list(
        db.session.scalars(
            select(Delegation).where(Delegation.forum_id == forum.id).order_by(func.lower(Delegation.name))
        )
    )
    return render_template(
        "delegations/nominations.html",
        forum=forum,
        delegations=delegations,
        counts=services.nomination_counts(forum, delegations),
        statuses=list(NominationStatus),
        awaiting=services.awaiting_accreditation(forum),
    )


@bp.get("/forums/<slug>/delegations/<int:delegation_id>/participation", endpoint="participation")
def participation_page(slug: str, delegation_id: int):
    """Public: the delegation at each forum of the series, with only what is public of it."""
    forum = load_forum(slug)
    delegation = delegation_or_404(forum, delegation_id)
    return render_template(
        "delegations/participation.html",
        forum=forum,
        delegation=delegation,
        series=forum.series,
        participations=participation.across_series(delegation),
    )
