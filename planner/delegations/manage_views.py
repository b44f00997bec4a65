"""Organisers' invitation list (``/forums/<slug>/manage/delegations``: add, edit, remove, CSV
import and export) and administrators' list of international organisations
(``/admin/organisations``). The rules are in ``invitation_list``, ``list_import`` and
``organisations``."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required
from werkzeug.wrappers import Response as BaseResponse
from wtforms import SelectChoice

from planner.accounts.permissions import is_admin
from planner.delegations import bp, forms, invitation_list, list_import, organisations
from planner.delegations.invitation_list import DelegationData, Particulars
from planner.delegations.models import Delegation, InternationalOrganisation
from planner.delegations.names import COLUMNS_LANGUAGE, delegation_name
from planner.extensions import db
from planner.formatting import collation_key, countries
from planner.forums.models import Forum
from planner.refusals import Refused
from planner.translated import localized, reader_language, translation_data, translations_from
from planner.web import refusals, transactions
from planner.web.downloads import file_answer, safe_file_name
from planner.web.loaders import delegation_or_404, load_managed_forum
from planner.web.pages import form_page

# Problems the import page lists; the rest are counted.
SHOWN_PROBLEMS = 100

# The invitation list ----------------------------------------------------------------------------


def _organisation_choices() -> list[SelectChoice]:
    language = reader_language() or COLUMNS_LANGUAGE
    kept = sorted(organisations.kept_list(), key=lambda o: collation_key(localized(o, "name", language), language))
    return [SelectChoice("", "—")] + [
        SelectChoice(str(o.id), f"{localized(o, 'name', language)} ({o.acronym})") for o in kept
    ]


def _invitation_form(forum: Forum, **kwargs) -> forms.InvitationForm:  # noqa: ANN003
    form = forms.invitation_form(forum.other_languages)(prefix="add", **kwargs)
    form.country_code.choices = [SelectChoice("", "—")] + [
        SelectChoice(code, name) for code, name in countries(reader_language() or COLUMNS_LANGUAGE)
    ]
    form.organisation.choices = _organisation_choices()
    return form


def _fields(form: forms.DelegationFieldsForm) -> Particulars:
    return Particulars(
        space_agency=form.space_agency.data or "", seat_quota=form.seat_quota.data, status=form.status.data
    )


def _invited(forum: Forum, form: forms.InvitationForm) -> DelegationData:
    """What the form asks to invite; a refusal when its organisation is not on the list."""
    if form.source.data == "country":
        return invitation_list.for_country(form.country_code.data or "", **_fields(form))
    if form.source.data == "organisation":
        number = form.organisation.data or ""
        # ASCII digits that fit INTEGER only: "²" passes isdigit() and fails int().
        readable = number.isascii() and number.isdigit() and len(number) <= 9
        organisation = db.session.get(InternationalOrganisation, int(number)) if readable else None
        if organisation is None:
            raise invitation_list.ListError(_("Choose an organisation from the list."), "organisation")
        return invitation_list.for_organisation(organisation, **_fields(form))
    translations = translations_from(form, ("name",), forum.other_languages)
    return invitation_list.by_name(form.name.data or "", translations, **_fields(form))


# Where a refusal about the choice shows on the form.
_SOURCE_FIELD = {"country": "country_code", "organisation": "organisation", "name": "name"}


def _list_page(forum: Forum, form: forms.InvitationForm | None = None) -> tuple[str, int]:
    form = form or _invitation_form(forum, formdata=None)
    return render_template(
        "delegations/invitation_list.html",
        forum=forum,
        listed=invitation_list.invitation_list(forum),
        form=form,
    ), 422 if form.errors else 200


@bp.route("/forums/<slug>/manage/delegations", methods=["GET", "POST"])
@login_required
def manage_delegations(slug: str):
    forum = load_managed_forum(slug)
    if request.method == "GET":
        return _list_page(forum)
    form = _invitation_form(forum)
    if form.validate_on_submit():
        try:
            delegation = invitation_list.add(current_user, forum, _invited(forum, form))
        except Refused as refusal:
            if refusal.field == "source":
                refusal.field = _SOURCE_FIELD.get(form.source.data or "")
            refusals.on_form(form, refusal)
        else:
            flash(_("%(delegation)s is on the invitation list.", delegation=delegation.name), "success")
            return redirect(url_for(".manage_delegations", slug=forum.slug))
    return _list_page(forum, form)


def _managed_delegation(slug: str, delegation_id: int) -> tuple[Forum, Delegation]:
    forum = load_managed_forum(slug)
    return forum, delegation_or_404(forum, delegation_id)


def _edit_form(forum: Forum, **kwargs) -> forms.DelegationEditForm:  # noqa: ANN003
    return forms.delegation_edit_form(forum.other_languages)(prefix="edit", **kwargs)


@bp.route("/forums/<slug>/manage/delegations/<int:delegation_id>/edit", methods=["GET", "POST"])
@login_required
def edit_delegation(slug: str, delegation_id: int):
    forum, delegation = _managed_delegation(slug, delegation_id)
    current = invitation_list.current_data(delegation)
    if request.method == "POST":
        form = _edit_form(forum)
        if form.validate_on_submit():
            data = invitation_list.current_data(delegation)
            data.space_agency, data.seat_quota, data.status = (
                form.space_agency.data or "",
                form.seat_quota.data,
                form.status.data,
            )
            if current.by_name:
                data.name = form.name.data or ""
                data.translations = translations_from(form, ("name",), forum.other_languages)
            try:
                invitation_list.update(current_user, delegation, data)
            except Refused as refusal:
                refusals.on_form(form, refusal, "name" if refusal.field == "source" else None)
                delegation = db.session.get_one(Delegation, delegation_id)  # as stored, after the rollback
            else:
                flash(_("%(delegation)s is saved.", delegation=delegation.name), "success")
                return redirect(url_for(".manage_delegations", slug=forum.slug))
    else:
        form = _edit_form(
            forum,
            formdata=None,
            data={
                "name": delegation.name,
                "space_agency": current.space_agency,
                "seat_quota": current.seat_quota,
                "status": current.status,
                **translation_data(delegation, ("name",), forum.other_languages),
            },
        )
    return form_page(
        "delegations/edit_delegation.html",
        forum=forum,
        delegation=delegation,
        by_name=current.by_name,
        form=form,
        name=delegation_name(delegation),
        remove_form=forms.RemoveDelegationForm(prefix="remove", formdata=None, confirm="yes"),
        blockers=invitation_list.removal_blockers(delegation),
    )


@bp.post("/forums/<slug>/manage/delegations/<int:delegation_id>/remove")
@login_required
def remove_delegation(slug: str, delegation_id: int):
    forum, delegation = _managed_delegation(slug, delegation_id)
    if not forms.RemoveDelegationForm(prefix="remove").validate_on_submit():
        abort(422, description=_("Press the button Remove on the delegation's page to remove it."))
    name = delegation.name
    try:
        invitation_list.remove(current_user, delegation)
    except Refused as refusal:
        refusals.flashed(refusal)
        return redirect(url_for(".edit_delegation", slug=forum.slug, delegation_id=delegation_id))
    flash(_("%(delegation)s is removed from the invitation list.", delegation=name), "success")
    return redirect(url_for(".manage_delegations", slug=forum.slug))


@bp.route("/forums/<slug>/manage/delegations/import", methods=["GET", "POST"])
@login_required
def import_delegations(slug: str):
    forum = load_managed_forum(slug)
    form = forms.ListImportForm()
    report = None
    if form.validate_on_submit():
        raw = form.file.data.read(list_import.MAX_BYTES + 1)
        try:
            report = list_import.import_csv(current_user, forum, raw, dry_run=form.dry_run.data)
        except list_import.ListImportRefused as refusal:
            report = refusal.report  # not ok: the page answers 422, which rolls back
        except Refused as refusal:
            refusals.on_form(form, refusal)
        else:
            if form.dry_run.data:
                transactions.discard()
            else:
                flash(
                    ngettext(
                        "%(num)d delegation added, %(changed)d changed.",
                        "%(num)d delegations added, %(changed)d changed.",
                        len(report.added),
                        changed=len(report.changed),
                    ),
                    "success",
                )
                return redirect(url_for(".manage_delegations", slug=forum.slug))
    ok = request.method == "GET" or (report is not None and report.ok and not form.form_errors)
    return render_template(
        "delegations/import_list.html",
        forum=forum,
        form=form,
        report=report,
        columns=[*list_import.COLUMNS, *list_import.translation_columns(forum)],
        shown=SHOWN_PROBLEMS,
    ), 200 if ok else 422


@bp.get("/forums/<slug>/manage/delegations.csv")
@login_required
def export_delegations(slug: str):
    forum = load_managed_forum(slug)
    name = safe_file_name(forum.slug) + "-delegations.csv"
    return file_answer(list_import.export_csv(forum), "text/csv; charset=utf-8", name)


# The site's list of international organisations -------------------------------------------------


def _require_admin() -> None:
    if not is_admin(current_user):
        abort(403, description=_("Only site administrators can open this page."))


def _other_site_languages() -> list[str]:
    return [language for language in current_app.config["LANGUAGES"] if language != COLUMNS_LANGUAGE]


def _organisation_form(**kwargs) -> forms.OrganisationForm:  # noqa: ANN003
    return forms.organisation_form(_other_site_languages())(prefix="organisation", **kwargs)


def _save_organisation(form: forms.OrganisationForm, organisation: InternationalOrganisation | None) -> bool:
    if not form.validate_on_submit():
        return False
    try:
        saved = organisations.save_organisation(
            current_user,
            organisation,
            acronym=form.acronym.data or "",
            name=form.name.data or "",
            is_space_agency=form.is_space_agency.data,
            translations=translations_from(form, ("name",), _other_site_languages()),
            japanese_reading=form.japanese_reading.data if "japanese_reading" in form else None,
        )
    except Refused as refusal:
        refusals.on_form(form, refusal)
        return False
    flash(_("%(acronym)s is saved.", acronym=saved.acronym), "success")
    return True


@bp.route("/admin/organisations", methods=["GET", "POST"])
@login_required
def organisations_list():
    _require_admin()
    form = _organisation_form(formdata=None) if request.method == "GET" else _organisation_form()
    if request.method == "POST" and _save_organisation(form, None):
        return redirect(url_for(".organisations_list"))
    return form_page("delegations/organisations.html", organisations=organisations.kept_list(), form=form)


def _organisation_or_404(organisation_id: int) -> InternationalOrganisation:
    organisation = db.session.get(InternationalOrganisation, organisation_id)
    if organisation is None:
        abort(404, description=_("The site's list has no such organisation."))
    return organisation


@bp.route("/admin/organisations/<int:organisation_id>/edit", methods=["GET", "POST"])
@login_required
def edit_organisation(organisation_id: int):
    _require_admin()
    organisation = _organisation_or_404(organisation_id)
    if request.method == "POST":
        form = _organisation_form()
        if _save_organisation(form, organisation):
            return redirect(url_for(".organisations_list"))
        organisation = _organisation_or_404(organisation_id)
    else:
        form = _organisation_form(
            formdata=None,
            data={
                "acronym": organisation.acronym,
                "name": organisation.name,
                "is_space_agency": organisation.is_space_agency,
                **translation_data(organisation, ("name",), _other_site_languages()),
                "japanese_reading": (organisation.translations or {}).get("ja", {}).get("reading", ""),
            },
        )
    return form_page(
        "delegations/organisation_form.html",
        organisation=organisation,
        form=form,
        uses=organisations.uses_of(organisation),
        remove_form=forms.RemoveDelegationForm(prefix="remove", formdata=None, confirm="yes"),
    )


@bp.post("/admin/organisations/<int:organisation_id>/remove")
@login_required
def remove_organisation(organisation_id: int) -> BaseResponse:
    _require_admin()
    organisation = _organisation_or_404(organisation_id)
    if not forms.RemoveDelegationForm(prefix="remove").validate_on_submit():
        abort(422, description=_("Press the button Remove on the organisation's page to remove it."))
    acronym = organisation.acronym
    try:
        organisations.remove_organisation(current_user, organisation)
    except Refused as refusal:
        refusals.flashed(refusal)
        return redirect(url_for(".edit_organisation", organisation_id=organisation_id))
    flash(_("%(acronym)s is removed from the list.", acronym=acronym), "success")
    return redirect(url_for(".organisations_list"))
