"""Organisers' actions on the record: draft, revise, adopt, refer, record endorsements, correct.
Each loads, authorises, validates and calls one service; the request commits once, after it."""

from __future__ import annotations

from collections.abc import Callable

from flask import abort, flash, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, login_required
from flask_wtf import FlaskForm

from planner.accounts.permissions import is_organiser
from planner.db import MAX_ID
from planner.delegations.models import Delegation
from planner.extensions import db
from planner.forums.models import Event
from planner.forums.services import ForumArchived
from planner.labels import label
from planner.statements import bp, services
from planner.statements import languages as language_versions
from planner.statements.forms import (
    DOCUMENT_TEXTS,
    AdoptionForm,
    CorrigendumForm,
    CorrigendumRevisionForm,
    EndorsementForm,
    ReferenceForm,
    ReviseForm,
    StatusForm,
    document_form,
)
from planner.statements.models import OutcomeDocument
from planner.statements.views import document_page, load_document, redirect_to
from planner.translated import translations_from
from planner.web import refusals
from planner.web.loaders import load_managed_forum


def load_managed_document(slug: str, doc_slug: str) -> OutcomeDocument:
    document = load_document(slug, doc_slug)
    if not is_organiser(current_user, document.forum):
        abort(403, description=_("Only organisers of %(forum)s can do this.", forum=document.forum.name))
    return document


@bp.route("/forums/<slug>/manage/statements/new", methods=["GET", "POST"])
@login_required
def new_document(slug: str):
    forum = load_managed_forum(slug)
    languages = forum.other_languages
    form = document_form(languages)(documents=services.documents_of(forum, current_user))
    if form.validate_on_submit():
        fields = {
            "kind": form.kind.data,
            "title": form.title.data,
            "slug": form.slug.data,
            "text": form.text.data,
            "language": form.language.data,
            "note": form.note.data or "",
            "is_summary": form.is_summary.data,
            "translations": translations_from(form, DOCUMENT_TEXTS, languages),
        }
        try:
            if form.version_of.data:
                original = db.session.get(OutcomeDocument, form.version_of.data)
                if original is None:
                    raise services.StatementError(_("Choose a document of %(forum)s.", forum=forum.name), "version_of")
                document = language_versions.add_language_version(
                    current_user, forum, original, is_authentic=form.is_authentic.data, **fields
                )
            else:
                document = services.create_document(current_user, forum, **fields)
        except services.StatementError as refusal:
            refusals.on_form(form, refusal, "slug")
        else:
            flash(_("The draft is saved as version 1."), "success")
            return redirect_to(document)
    return render_template("statements/new.html", forum=forum, form=form), 422 if form.errors else 200


@bp.route("/forums/<slug>/statements/<doc_slug>/edit", methods=["GET", "POST"])
@login_required
def revise(slug: str, doc_slug: str):
    document = load_managed_document(slug, doc_slug)
    if not document.is_open:
        message = _(
            "This document is %(status)s: its text can no longer change. Issue a corrigendum to correct it.",
            status=label(document.status),
        )
        return render_template("statements/frozen.html", forum=document.forum, document=document, message=message), 409
    form = ReviseForm(text=services.current_text(document)) if request.method == "GET" else ReviseForm()
    if form.validate_on_submit():
        try:
            version = services.revise(current_user, document, form.text.data, form.note.data)
        except services.StatementError as refusal:
            refusals.on_form(form, refusal, "text")
        else:
            flash(_("Version %(number)d is saved.", number=version.number), "success")
            return redirect_to(document)
    return render_template(
        "statements/edit.html", forum=document.forum, document=document, form=form
    ), 422 if form.errors else 200


def _page_form(
    document: OutcomeDocument,
    name: str,
    form: FlaskForm,
    operation: Callable[[], object],
    success: Callable[[], str],
    anchor: str = "",
    field: str | None = None,
) -> ResponseReturnValue:
    """One of the forms on the document's page: if it is valid and the service agrees, flash
    ``success()`` and go back to ``anchor``; otherwise the page again with this form's errors."""
    if form.validate_on_submit():
        try:
            operation()
        except (services.StatementError, ForumArchived) as refusal:
            refusals.on_form(form, refusal, field)
        else:
            flash(success(), "success")
            return redirect_to(document, anchor)
    return document_page(document, **{name: form})


@bp.post("/forums/<slug>/statements/<doc_slug>/status")
@login_required
def change_status(slug: str, doc_slug: str):
    document = load_managed_document(slug, doc_slug)
    form = StatusForm(prefix="status")
    return _page_form(
        document,
        "status_form",
        form,
        lambda: services.set_status(current_user, document, form.status.data),
        lambda: _("The document is now %(status)s.", status=label(document.status)),
        field="status",
    )


@bp.post("/forums/<slug>/statements/<doc_slug>/adopt")
@login_required
def adopt(slug: str, doc_slug: str):
    document = load_managed_document(slug, doc_slug)
    form = AdoptionForm(prefix="adopt", events=document.forum.events)

    def run() -> None:
        event = db.session.get(Event, form.event.data) if form.event.data else None
        services.adopt(current_user, document, on=form.adopted_on.data, event=event, place=form.place.data or "")

    return _page_form(
        document, "adoption_form", form, run, lambda: _("The document is adopted; its text can no longer change.")
    )


@bp.post("/forums/<slug>/statements/<doc_slug>/references")
@login_required
def add_reference(slug: str, doc_slug: str):
    document = load_managed_document(slug, doc_slug)
    form = ReferenceForm(prefix="reference", documents=services.reference_targets(document))

    def run() -> None:
        target = db.session.get(OutcomeDocument, form.target.data) if form.target.data else None
        services.add_reference(
            current_user,
            document,
            form.relation.data,
            target=target,
            outside_title=form.outside_title.data or "",
            outside_url=form.outside_url.data or "",
        )

    return _page_form(document, "reference_form", form, run, lambda: _("The reference is added."), "references-heading")


@bp.post("/forums/<slug>/statements/<doc_slug>/endorsements")
@login_required
def record_endorsement(slug: str, doc_slug: str):
    document = load_managed_document(slug, doc_slug)
    form = EndorsementForm(prefix="endorse", delegations=document.forum.delegations)
    # Any delegation id is accepted here so that the service, not the form, gives the reason.
    form.delegation.validate_choice = False

    def delegation() -> Delegation | None:
        # An id the database cannot hold names no delegation (and would overflow the look-up).
        if not isinstance(form.delegation.data, int) or not 0 < form.delegation.data <= MAX_ID:
            return None
        return db.session.get(Delegation, form.delegation.data)

    def run() -> None:
        chosen = delegation()
        if chosen is None:
            raise services.StatementError(_("Choose a delegation of %(forum)s.", forum=document.forum.name))
        services.record_endorsement(current_user, document, chosen, form.kind.data, form.endorsed_on.data)

    def recorded() -> str:
        chosen = delegation()
        assert chosen is not None, "run() refused a missing delegation before this message"
        return _("The endorsement of %(delegation)s is recorded.", delegation=chosen.name)

    return _page_form(
        document,
        "endorsement_form",
        form,
        run,
        recorded,
        "endorsements-heading",
        form.delegation,
    )


@bp.post("/forums/<slug>/statements/<doc_slug>/corrigenda")
@login_required
def issue_corrigendum(slug: str, doc_slug: str):
    document = load_managed_document(slug, doc_slug)
    form = CorrigendumForm(prefix="corrigendum")
    return _page_form(
        document,
        "corrigendum_form",
        form,
        lambda: services.issue_corrigendum(
            current_user, document, form.text.data, on=form.issued_on.data, note=form.note.data or ""
        ),
        lambda: _("The corrigendum is issued."),
        "corrigenda-heading",
    )


@bp.route("/forums/<slug>/statements/<doc_slug>/corrigenda/<int:number>", methods=["GET", "POST"])
@login_required
def revise_corrigendum(slug: str, doc_slug: str, number: int):
    document = load_managed_document(slug, doc_slug)
    corrigendum = next((c for c in document.corrigenda if c.number == number), None)
    if corrigendum is None:
        abort(404, description=_("This document has no corrigendum %(number)d.", number=number))
    form = (
        CorrigendumRevisionForm(text=corrigendum.latest.text) if request.method == "GET" else CorrigendumRevisionForm()
    )
    if form.validate_on_submit():
        try:
            services.revise_corrigendum(current_user, corrigendum, form.text.data, form.note.data)
        except services.StatementError as refusal:
            refusals.on_form(form, refusal, "text")
        else:
            flash(_("The corrigendum is revised."), "success")
            return redirect_to(document, "corrigenda-heading")
    return render_template(
        "statements/corrigendum.html", forum=document.forum, document=document, corrigendum=corrigendum, form=form
    ), 422 if form.errors else 200
