"""The list of participants: the public one, the organisers' one with the draw by lot and the
order of countries and organisations, each as HTML, PDF and CSV in the reader's language; and
how a member appears in it (rules in ``participants``, files in ``participant_files``)."""

from __future__ import annotations

from flask import Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from planner.delegations import bp, participant_files, participants
from planner.delegations.forms import DrawForm, MemberListingForm, ParticipantOrderForm
from planner.delegations.services import NominationError
from planner.forums.services import ForumArchived
from planner.statements.rendering import find_font
from planner.translated import reader_language
from planner.web import refusals
from planner.web.downloads import file_answer
from planner.web.loaders import load_delegation, load_forum, load_managed_forum, load_member
from planner.web.pages import form_page

FORMATS = ("html", "pdf", "csv")


def _language() -> str:
    return reader_language() or "en"


def _answer(listing: participants.ParticipantList, fmt: str, *, for_organisers: bool) -> Response | str:
    if fmt not in FORMATS:
        abort(400, description=_("Choose the format html, pdf or csv."))
    if fmt == "html":
        template = "delegations/manage_participants.html" if for_organisers else "delegations/participants.html"
        return render_template(
            template,
            forum=listing.forum,
            listing=listing,
            title=participant_files.title(listing, for_organisers=for_organisers),
            facts=participant_files.facts(listing, for_organisers=for_organisers),
            draw_form=DrawForm(prefix="draw") if for_organisers else None,
            clear_form=DrawForm(prefix="clear") if for_organisers else None,
            order_form=ParticipantOrderForm(
                prefix="order", formdata=None, countries_listed_first=listing.forum.countries_listed_first
            )
            if for_organisers
            else None,
        )
    if fmt == "pdf":
        font = find_font(current_app.config.get("STATEMENTS_PDF_FONT"))
        data: bytes | str = participant_files.pdf_bytes(listing, for_organisers=for_organisers, font_path=font)
        mimetype = "application/pdf"
    else:
        data = participant_files.csv_text(listing, for_organisers=for_organisers)
        mimetype = "text/csv; charset=utf-8"
    name = participant_files.file_name(listing, for_organisers=for_organisers, extension=fmt)
    # The organisers' list holds email addresses: private, for no cache at all.
    return file_answer(data, mimetype, name, private=for_organisers)


def _public(slug: str, fmt: str) -> Response | str:
    return _answer(participants.public_list(load_forum(slug), _language()), fmt, for_organisers=False)


def _organisers(slug: str, fmt: str) -> Response | str:
    forum = load_managed_forum(slug)
    return _answer(participants.organisers_list(current_user, forum, _language()), fmt, for_organisers=True)


@bp.get("/forums/<slug>/participants")
def participants_list(slug: str):
    return _public(slug, request.args.get("format", "html"))


@bp.get("/forums/<slug>/participants.pdf")
def participants_pdf(slug: str):
    return _public(slug, "pdf")


@bp.get("/forums/<slug>/participants.csv")
def participants_csv(slug: str):
    return _public(slug, "csv")


@bp.get("/forums/<slug>/manage/participants")
@login_required
def manage_participants(slug: str):
    return _organisers(slug, request.args.get("format", "html"))


@bp.get("/forums/<slug>/manage/participants.pdf")
@login_required
def manage_participants_pdf(slug: str):
    return _organisers(slug, "pdf")


@bp.get("/forums/<slug>/manage/participants.csv")
@login_required
def manage_participants_csv(slug: str):
    return _organisers(slug, "csv")


def _back(slug: str):
    return redirect(url_for(".manage_participants", slug=slug))


@bp.post("/forums/<slug>/manage/participants/draw")
@login_required
def draw_by_lot(slug: str):
    forum = load_managed_forum(slug)
    if DrawForm(prefix="draw").validate_on_submit():
        try:
            drawn = participants.draw_by_lot(current_user, forum)
        except (participants.ParticipantListError, ForumArchived) as refusal:
            refusals.flashed(refusal)
        else:
            flash(_("%(delegation)s was drawn by lot and heads the list.", delegation=drawn.name), "success")
    return _back(slug)


@bp.post("/forums/<slug>/manage/participants/draw/clear")
@login_required
def clear_draw(slug: str):
    forum = load_managed_forum(slug)
    if DrawForm(prefix="clear").validate_on_submit():
        try:
            participants.clear_draw(current_user, forum)
        except (participants.ParticipantListError, ForumArchived) as refusal:
            refusals.flashed(refusal)
        else:
            flash(_("The draw is cleared: the list starts at the top of the alphabet."), "success")
    return _back(slug)


@bp.post("/forums/<slug>/manage/participants/order")
@login_required
def participant_order(slug: str):
    forum = load_managed_forum(slug)
    form = ParticipantOrderForm(prefix="order")
    if form.validate_on_submit():
        try:
            participants.list_countries_first(current_user, forum, form.countries_listed_first.data)
        except ForumArchived as refusal:
            refusals.flashed(refusal)
        else:
            flash(_("The order of the list of participants is saved."), "success")
    return _back(slug)


@bp.route("/forums/<slug>/delegations/<int:delegation_id>/members/<int:person_id>/listing", methods=["GET", "POST"])
@login_required
def member_listing(slug: str, delegation_id: int, person_id: int):
    member = load_member(load_delegation(slug, delegation_id), person_id)
    delegation = member.delegation
    form = MemberListingForm(
        prefix="listing",
        level=member.level,
        function=member.function,
        listed_publicly=member.listed_publicly,
    )
    if form.validate_on_submit():
        try:
            changed = participants.change_listing(
                current_user,
                member,
                level=form.level.data,
                function=form.function.data or "",
                listed_publicly=form.listed_publicly.data,
            )
        except (participants.ParticipantListError, ForumArchived) as refusal:
            refusals.on_form(form, refusal)
        except NominationError as refusal:
            refusals.on_form(form, refusal, "function")
        else:
            if changed:
                flash(_("How %(name)s is listed is saved.", name=member.person.name), "success")
            return redirect(url_for(".delegation", slug=slug, delegation_id=delegation_id))
    return form_page(
        "delegations/member_listing.html", forum=delegation.forum, delegation=delegation, member=member, form=form
    )
