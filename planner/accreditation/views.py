"""A member's identity page (``/forums/<slug>/delegations/<id>/members/<person_id>/identity``) for
the delegation's focal points and the forum's organisers, and the accreditation settings
(``/forums/<slug>/manage/accreditation``) for organisers with the accreditation role. The rules
are in ``identity``."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import abort, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.wrappers import Response
from wtforms import SelectChoice

from planner.accounts.permissions import handles_accreditation, is_focal_point, is_organiser
from planner.accreditation import bp, identity, identity_checks
from planner.accreditation.forms import IdentityForm, RequiredFieldsForm
from planner.delegations.models import DelegationMember
from planner.extensions import db
from planner.formatting import countries
from planner.forums.models import Forum
from planner.forums.services import ForumArchived
from planner.refusals import Refused
from planner.translated import reader_language
from planner.web import refusals
from planner.web.loaders import delegation_or_404, load_forum, load_managed_forum


@bp.app_template_global("identity_missing")
def identity_missing(forum: Forum, members: list[DelegationMember]) -> dict[tuple[int, int], list[str]]:
    """For the delegations' pages (which cannot import this domain): each member's missing fields."""
    return identity.missing_by_member(forum, members)


@bp.app_template_filter("identity_field_label")
def identity_field_label(name: str) -> str:
    return str(identity_checks.REQUIRABLE.get(name, name))


def _load_member(slug: str, delegation_id: int, person_id: int) -> DelegationMember:
    """The member, if the signed-in user is a focal point of its delegation or organises the
    forum; 404 or 403 (with the reason) otherwise."""
    forum = load_forum(slug)
    delegation = delegation_or_404(forum, delegation_id)
    if not (is_organiser(current_user, forum) or is_focal_point(current_user, delegation)):
        abort(
            403,
            description=_(
                "Only the focal points of %(delegation)s and the organisers of %(forum)s can see this page.",
                delegation=delegation.name,
                forum=forum.name,
            ),
        )
    member = db.session.get(DelegationMember, (delegation.id, person_id))
    if member is None:
        abort(404, description=_("%(delegation)s has no such member.", delegation=delegation.name))
    return member


def _form(**kwargs: Any) -> IdentityForm:
    form = IdentityForm(prefix="identity", **kwargs)
    form.nationality.choices = [SelectChoice("", "—")] + [
        SelectChoice(code, name) for code, name in countries(reader_language() or "en")
    ]
    return form


def _initial(member: DelegationMember, shown: identity.IdentityView) -> dict[str, Any]:
    details = shown.details
    values: dict[str, Any] = {
        "family_name_first": member.person.family_name_first,
        "role": member.role,
        "level": member.level,
        "listed_publicly": member.listed_publicly,
    }
    if details is not None:
        for name in (
            "passport_family_name",
            "passport_given_names",
            "latin_transcription",
            "honorific",
            "document_kind",
            "document_expires_on",
            "phone",
            "dietary_needs",
            "accessibility_needs",
        ):
            values[name] = getattr(details, name)
        values["nationality"] = details.nationality or ""
        if shown.full:  # a masked reader's boxes stay empty: empty keeps what is stored
            values["document_number"] = details.document_number or ""
            values["date_of_birth"] = dt.date.fromisoformat(details.date_of_birth) if details.date_of_birth else None
    return values


def _sent(form: IdentityForm) -> identity_checks.IdentityData:
    return identity_checks.IdentityData(
        passport_family_name=form.passport_family_name.data or "",
        passport_given_names=form.passport_given_names.data or "",
        family_name_first=form.family_name_first.data,
        latin_transcription=form.latin_transcription.data or "",
        honorific=form.honorific.data or "",
        role=form.role.data,
        level=form.level.data,
        nationality=form.nationality.data or None,
        date_of_birth=form.date_of_birth.data,
        document_kind=form.document_kind.data,
        document_number=form.document_number.data or None,
        document_expires_on=form.document_expires_on.data,
        phone=form.phone.data or "",
        dietary_needs=form.dietary_needs.data or "",
        accessibility_needs=form.accessibility_needs.data or "",
        listed_publicly=form.listed_publicly.data,
    )


def _page(member: DelegationMember, form: IdentityForm, shown: identity.IdentityView, status: int) -> Response:
    if not shown.full and shown.details is not None:
        if shown.document_number:
            form.document_number.description = _(
                "Stored: %(masked)s. Type a new number to replace it, or leave the box empty to keep it.",
                masked=shown.document_number,
            )
        if shown.date_of_birth:
            form.date_of_birth.description = _(
                "Stored: %(masked)s. Type a new date to replace it, or leave the box empty to keep it.",
                masked=shown.date_of_birth,
            )
    response = make_response(
        render_template(
            "accreditation/identity.html",
            forum=member.delegation.forum,
            delegation=member.delegation,
            member=member,
            shown=shown,
            form=form,
            labels=identity_checks.REQUIRABLE,
        ),
        status,
    )
    # Identity data: not for shared caches, nor kept by the browser.
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.route("/forums/<slug>/delegations/<int:delegation_id>/members/<int:person_id>/identity", methods=["GET", "POST"])
@login_required
def member_identity(slug: str, delegation_id: int, person_id: int) -> Response:
    member = _load_member(slug, delegation_id, person_id)
    if request.method == "GET":
        shown = identity.view_identity(current_user, member)  # audited
        return _page(member, _form(formdata=None, data=_initial(member, shown)), shown, 200)
    form = _form()
    if form.validate_on_submit():
        shown = identity.identity_as_seen(current_user, member)
        try:
            saved = identity.save_identity(current_user, member, _sent(form), keep_secrets=not shown.full)
        except identity_checks.IdentityRefused as refusal:
            refusals.undone(refusal)
            for name, message in refusal.problems.items():
                form[name].errors = [*form[name].errors, message]
        except ForumArchived as refusal:
            refusals.on_form(form, refusal)
        else:
            flash(
                _("The identity data of %(name)s is saved.", name=member.person.name)
                if saved.changed
                else _("Nothing was changed."),
                "success",
            )
            for warning in saved.warnings:
                flash(warning, "info")
            return redirect(url_for(".member_identity", slug=slug, delegation_id=delegation_id, person_id=person_id))
    member = db.session.get_one(DelegationMember, (delegation_id, person_id))  # as stored
    return _page(member, form, identity.identity_as_seen(current_user, member), 422)


# The accreditation settings ----------------------------------------------------------------


def _load_accreditation_forum(slug: str) -> Forum:
    forum = load_managed_forum(slug)
    if not handles_accreditation(current_user, forum):
        abort(
            403,
            description=_("Only organisers of %(forum)s who handle accreditation can do this.", forum=forum.name),
        )
    return forum


@bp.route("/forums/<slug>/manage/accreditation", methods=["GET", "POST"])
@login_required
def accreditation_settings(slug: str) -> Response | tuple[str, int]:
    forum = _load_accreditation_forum(slug)
    if request.method == "POST":
        form = RequiredFieldsForm(prefix="settings")
        if form.validate_on_submit():
            try:
                changed = identity.set_required_fields(current_user, forum, form.required.data or [])
            except Refused as refusal:
                refusals.on_form(form, refusal, "required")
            else:
                flash(_("The accreditation settings are saved.") if changed else _("Nothing was changed."), "success")
                return redirect(url_for(".accreditation_settings", slug=slug))
        forum = db.session.get_one(Forum, forum.id)
        status = 422
    else:
        form = RequiredFieldsForm(prefix="settings", formdata=None, required=list(forum.identity_required or []))
        status = 200
    return render_template("accreditation/settings.html", forum=forum, form=form), status
