"""Public pages of the record: the archive, a forum's documents, a document and its versions,
downloads, search and a delegation's endorsements. Organisers' actions are in manage_views.py."""

from __future__ import annotations

from flask import abort, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from planner.accounts.permissions import is_organiser
from planner.delegations.models import Delegation
from planner.extensions import db
from planner.statements import bp, languages, services
from planner.statements.downloads import download_response
from planner.statements.forms import AdoptionForm, CorrigendumForm, EndorsementForm, ReferenceForm, StatusForm
from planner.statements.models import OutcomeDocument
from planner.statements.rendering import render_markdown
from planner.statements.search import search as run_search
from planner.web.loaders import load_forum

MAX_QUERY = 200


@bp.app_template_filter("markdown")
def markdown_filter(text: str):  # noqa: ANN201
    return render_markdown(text)


def load_document(slug: str, doc_slug: str) -> OutcomeDocument:
    """The forum's document if the reader may see it; drafts are a 404 to everyone else."""
    forum = load_forum(slug)
    document = services.find_document(forum, doc_slug)
    if document is None or not services.may_see(current_user, document):
        abort(404, description=_("%(forum)s has no document at this address.", forum=forum.name))
    return document


@bp.get("/statements/")
def archive():
    return render_template("statements/archive.html", documents=services.archive())


@bp.get("/statements/search")
def search():
    query = request.args.get("q", "").strip()
    if len(query) > MAX_QUERY:
        abort(400, description=_("Search for at most %(count)d characters.", count=MAX_QUERY))
    hits = run_search(query, draft_forum_ids=services.draft_forum_ids(current_user)) if query else []
    return render_template("statements/search.html", query=query, hits=hits)


@bp.get("/forums/<slug>/statements/")
def forum_documents(slug: str):
    forum = load_forum(slug)
    return render_template(
        "statements/forum.html",
        forum=forum,
        documents=services.documents_of(forum, current_user),
        can_organise=is_organiser(current_user, forum),
    )


@bp.get("/forums/<slug>/statements/<doc_slug>")
def document(slug: str, doc_slug: str):
    return document_page(load_document(slug, doc_slug))


@bp.get("/forums/<slug>/statements/<doc_slug>/v/<int:number>")
def version(slug: str, doc_slug: str, number: int):
    document = load_document(slug, doc_slug)
    versions = services.visible_versions(current_user, document)
    shown = next((v for v in versions if v.number == number), None)
    if shown is None:
        abort(404, description=_("This document has no version %(number)d that you can see.", number=number))
    return render_template(
        "statements/version.html", forum=document.forum, document=document, version=shown, versions=versions
    )


@bp.get("/forums/<slug>/statements/<doc_slug>/versions")
def history(slug: str, doc_slug: str):
    document = load_document(slug, doc_slug)
    versions = services.visible_versions(current_user, document)
    numbers = [v.number for v in versions]
    blocks = None
    a, b = request.args.get("a", type=int), request.args.get("b", type=int)
    if "a" in request.args or "b" in request.args:
        if a not in numbers or b not in numbers:
            abort(400, description=_("Choose two versions of this document to compare."))
        by_number = {v.number: v for v in versions}
        blocks = services.comparison(by_number[a], by_number[b])
    return render_template(
        "statements/history.html", forum=document.forum, document=document, versions=versions, blocks=blocks, a=a, b=b
    )


@bp.get("/forums/<slug>/statements/<doc_slug>/download/<fmt>")
def download(slug: str, doc_slug: str, fmt: str):
    document = load_document(slug, doc_slug)
    if fmt not in {"txt", "md", "pdf"}:
        abort(404, description=_("Downloads are offered as txt, md and pdf."))
    return download_response(document, fmt)


@bp.get("/delegations/<int:delegation_id>/endorsements")
def delegation_endorsements(delegation_id: int):
    delegation = db.session.get(Delegation, delegation_id)
    if delegation is None:
        abort(404, description=_("There is no such delegation."))
    return render_template(
        "statements/delegation_endorsements.html",
        delegation=delegation,
        endorsements=services.endorsements_across_forums(delegation),
    )


def document_page(document: OutcomeDocument, **forms):  # noqa: ANN003, ANN201
    """The document's page; organisers also get its forms (``forms`` are the ones sent back
    with errors, shown with a 422)."""
    forum = document.forum
    can_organise = is_organiser(current_user, forum)
    if can_organise:
        # formdata=None: a form that was not the one sent shows its defaults, not the other's input.
        defaults = {
            "status_form": lambda: StatusForm(prefix="status", formdata=None),
            "adoption_form": lambda: AdoptionForm(
                prefix="adopt", formdata=None, events=forum.events, place=forum.host_city
            ),
            "reference_form": lambda: ReferenceForm(
                prefix="reference", formdata=None, documents=services.reference_targets(document)
            ),
            "endorsement_form": lambda: EndorsementForm(prefix="endorse", formdata=None, delegations=forum.delegations),
            "corrigendum_form": lambda: CorrigendumForm(prefix="corrigendum", formdata=None),
        }
        for name, make in defaults.items():
            if name not in forms:  # only the forms not sent back are built (some cost a query)
                forms[name] = make()
    refused = any(form.errors for form in forms.values())
    return render_template(
        "statements/document.html",
        forum=forum,
        document=document,
        can_organise=can_organise,
        can_see_drafts=can_organise or services.may_see_drafts(current_user, forum),
        language_versions=languages.language_versions(current_user, document),
        **forms,
    ), 422 if refused else 200


def redirect_to(document: OutcomeDocument, anchor: str = "") -> Response:
    return redirect(
        url_for("statements.document", slug=document.forum.slug, doc_slug=document.slug)
        + (f"#{anchor}" if anchor else "")
    )
