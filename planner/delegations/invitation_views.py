"""Focal points invited by email: organisers send, send again and revoke invitations from the
forum's manage hub; the invited person follows the link to accept, with their account or with
one they make there (rules in ``invitations``). The link's secret is the permission, as a
guardian's consent link is."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from planner.accounts.services import AccountError, find_user
from planner.accounts.views import sign_in
from planner.delegations import bp, invitations
from planner.delegations.forms import AcceptInvitationForm, InvitationAccountForm
from planner.delegations.models import Delegation, DelegationFocalPoint, FocalPointInvitation
from planner.extensions import db
from planner.forums.manage_views import focal_point_form, manage_page
from planner.forums.models import Forum
from planner.refusals import Refused
from planner.web import refusals
from planner.web.loaders import load_managed_forum

# Organisers, on the manage hub ------------------------------------------------------------------


def _back_to_hub(forum: Forum) -> Response:
    return redirect(url_for("forums.manage", slug=forum.slug, _anchor="invitations-heading"))


def _invitation_of(forum: Forum, invitation_id: int) -> FocalPointInvitation:
    invitation = db.session.get(FocalPointInvitation, invitation_id)
    if invitation is None or invitation.delegation.forum_id != forum.id:
        abort(
            404,
            description=_("%(forum)s has no invitation with the number %(id)d.", forum=forum.name, id=invitation_id),
        )
    return invitation


@bp.post("/forums/<slug>/manage/focal-points/invitations")
@login_required
def invite_focal_point(slug: str):
    forum = load_managed_forum(slug)
    form = focal_point_form(forum)
    if form.validate_on_submit():
        delegation = db.session.get_one(Delegation, form.delegation.data)  # one of the forum's: the form's choices
        try:
            invitation = invitations.invite(current_user, delegation, form.email.data, form.role.data)
        except Refused as refusal:
            refusals.on_form(form, refusal, "email")
        else:
            flash(_("The invitation is sent to %(email)s.", email=invitation.email), "success")
            return _back_to_hub(forum)
    return manage_page(forum, invite_form=form)


@bp.post("/forums/<slug>/manage/focal-points/invitations/<int:invitation_id>/resend")
@login_required
def resend_invitation(slug: str, invitation_id: int):
    forum = load_managed_forum(slug)
    invitation = _invitation_of(forum, invitation_id)
    try:
        invitations.resend(current_user, invitation)
    except Refused as refusal:
        refusals.flashed(refusal)
    else:
        flash(
            _(
                "The invitation is sent again to %(email)s; the link sent before no longer works.",
                email=invitation.email,
            ),
            "success",
        )
    return _back_to_hub(forum)


@bp.post("/forums/<slug>/manage/focal-points/invitations/<int:invitation_id>/revoke")
@login_required
def revoke_invitation(slug: str, invitation_id: int):
    forum = load_managed_forum(slug)
    invitation = _invitation_of(forum, invitation_id)
    email = invitation.email
    try:
        invitations.revoke(current_user, invitation)
    except Refused as refusal:
        refusals.flashed(refusal)
    else:
        flash(_("The invitation of %(email)s is revoked: its link no longer works.", email=email), "success")
    return _back_to_hub(forum)


# The invited person, through the link --------------------------------------------------------------


def _closed(refusal: invitations.InvitationLinkInvalid) -> tuple[str, int]:
    """A link that cannot be used says why (400 for one planner does not know, 410 otherwise);
    whoever accepted it finds their delegation's page from there."""
    refusals.undone(refusal)
    delegation = None
    invitation = refusal.invitation
    if invitation is not None and current_user.is_authenticated and invitation.accepted_by_id == current_user.id:
        delegation = invitation.delegation
    return render_template(
        "delegations/invitation_closed.html", message=str(refusal), delegation=delegation
    ), refusal.status


def _invitation_page(
    secret: str, invitation: FocalPointInvitation, account_form: InvitationAccountForm | None = None
) -> tuple[str, int]:
    delegation = invitation.delegation
    signed_in_as = current_user.email if current_user.is_authenticated else None
    has_account = signed_in_as is None and find_user(invitation.email) is not None
    if account_form is None and signed_in_as is None and not has_account:
        account_form = InvitationAccountForm(formdata=None)
    return render_template(
        "delegations/invitation.html",
        invitation=invitation,
        delegation=delegation,
        forum=delegation.forum,
        role=invitations.role_of(invitation.role, delegation.name),
        signed_in_as=signed_in_as,
        has_account=has_account,
        account_form=account_form,
        accept_form=AcceptInvitationForm(formdata=None),
        secret=secret,
        here=url_for(".invitation", secret=secret),
    ), 422 if account_form is not None and account_form.errors else 200


def _accepted(appointment: DelegationFocalPoint) -> str:
    """The confirmation, with the way to the delegation's page; organisers get no mail."""
    delegation = db.session.get_one(Delegation, appointment.delegation_id)
    return render_template(
        "delegations/invitation_accepted.html",
        delegation=delegation,
        forum=delegation.forum,
        role=invitations.role_of(appointment.role, delegation.name),
    )


@bp.route("/invitations/<secret>", methods=["GET", "POST"])
def invitation(secret: str):
    """The link's page: accept with the account signed in, sign in first, or make an account."""
    try:
        invitation = invitations.invitation_for_link(secret)
    except invitations.InvitationLinkInvalid as refusal:
        return _closed(refusal)
    if request.method == "GET" or current_user.is_authenticated:
        return _invitation_page(secret, invitation)
    form = InvitationAccountForm()
    if form.validate_on_submit():
        try:
            user, appointment = invitations.accept_with_new_account(
                secret,
                form.given_name.data,
                form.family_name.data or "",
                form.family_name_first.data,
                form.password.data,
            )
        except invitations.InvitationLinkInvalid as refusal:
            return _closed(refusal)
        except AccountError as refusal:
            refusals.on_form(form, refusal, "given_name")
        except Refused as refusal:
            refusals.on_form(form, refusal)
        else:
            sign_in(user)
            return _accepted(appointment)
    return _invitation_page(secret, invitation, account_form=form)


@bp.post("/invitations/<secret>/accept")
def accept_invitation(secret: str):
    try:
        invitation = invitations.invitation_for_link(secret)
    except invitations.InvitationLinkInvalid as refusal:
        return _closed(refusal)
    if not current_user.is_authenticated:
        return redirect(url_for(".invitation", secret=secret))
    form = AcceptInvitationForm()
    if not form.validate_on_submit():
        return _invitation_page(secret, invitation)
    try:
        appointment = invitations.accept(current_user, secret)
    except invitations.InvitationLinkInvalid as refusal:
        return _closed(refusal)
    except invitations.WrongAccount as refusal:
        abort(403, description=refusals.undone(refusal))
    except Refused as refusal:
        abort(409, description=refusals.undone(refusal))
    return _accepted(appointment)
