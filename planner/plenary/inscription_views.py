"""The delegations' side of the speakers' list: a focal point inscribes and withdraws speakers
and attaches a delivered statement; and the page for the room's screen (rules in services.py)."""

from __future__ import annotations

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required

from planner.accounts.permissions import is_focal_point, is_organiser
from planner.delegations.models import Delegation
from planner.delegations.names import delegation_name
from planner.plenary import bp, inscriptions, printing, services
from planner.plenary.forms import EntryActionForm, InscribeForm, StatementForm
from planner.plenary.models import SpeakerEntry, SpeakerStatus
from planner.plenary.views import REFUSED, entry_or_404, list_or_404, session_or_404
from planner.site.languages import is_offered
from planner.statements.national import unpublished_reason
from planner.statements.services import StatementError
from planner.translated import language_name
from planner.web import refusals
from planner.web.loaders import load_delegation, load_forum
from planner.web.pages import form_page

#: Seconds between the screen's own refreshes.
SCREEN_REFRESH_SECONDS = 10


def _choices(delegation: Delegation, entries: list[SpeakerEntry]) -> list[tuple[str, str]]:
    """The delegation's accredited members not on the list already (``entries``: those shown)."""
    listed = {e.person_id for e in entries if e.status is not SpeakerStatus.WITHDRAWN}
    return [
        (f"{delegation.id}:{m.person_id}", f"{m.person.name}{', ' + m.function if m.function else ''}")
        for m in services.inscribable_members(delegation)
        if m.person_id not in listed
    ]


def _delegation_page(delegation: Delegation, failed: tuple[int, InscribeForm] | None = None) -> tuple[str, int]:
    forum = delegation.forum
    lists = []
    for speakers_list in services.open_lists(forum):
        entries = services.shown_entries(speakers_list)
        form = InscribeForm(prefix=f"list-{speakers_list.id}", formdata=None, choices=_choices(delegation, entries))
        if failed is not None and failed[0] == speakers_list.id:
            form = failed[1]
        ours = [(place, e) for place, e in enumerate(entries, start=1) if e.delegation_id == delegation.id]
        lists.append((speakers_list, ours, form, services.is_closed(speakers_list)))
    return form_page(
        "plenary/delegation_speakers.html",
        forum=forum,
        delegation=delegation,
        lists=lists,
        facts=printing.facts,
        action_form=EntryActionForm(formdata=None),
        is_organiser=is_organiser(current_user, forum),
    )


@bp.get("/forums/<slug>/delegations/<int:delegation_id>/speakers")
@login_required
def delegation_speakers(slug: str, delegation_id: int):
    return _delegation_page(load_delegation(slug, delegation_id))


@bp.post("/forums/<slug>/delegations/<int:delegation_id>/speakers/<int:session_id>")
@login_required
def inscribe(slug: str, delegation_id: int, session_id: int):
    delegation = load_delegation(slug, delegation_id)
    speakers_list = list_or_404(session_or_404(delegation.forum, session_id))
    entries = services.shown_entries(speakers_list)
    form = InscribeForm(prefix=f"list-{speakers_list.id}", choices=_choices(delegation, entries))
    if form.validate_on_submit():
        person_id = form.chosen()[1]
        try:
            entry = inscriptions.inscribe(current_user, speakers_list, delegation, person_id)
        except REFUSED as refusal:
            refusals.on_form(form, refusal, "speaker")
        else:
            flash(_("%(name)s is inscribed.", name=entry.person.name), "success")
            return redirect(url_for(".delegation_speakers", slug=slug, delegation_id=delegation_id))
    return _delegation_page(delegation, (speakers_list.id, form))


def _speaks_for(slug: str, entry_id: int) -> SpeakerEntry:
    """The entry, if the signed-in user organises the forum or speaks for its delegation."""
    forum = load_forum(slug)
    entry = entry_or_404(forum, entry_id)
    if not (is_organiser(current_user, forum) or is_focal_point(current_user, entry.delegation)):
        abort(
            403,
            description=_(
                "Only the focal points of %(delegation)s and the organisers of %(forum)s can do this.",
                delegation=entry.delegation.name,
                forum=forum.name,
            ),
        )
    return entry


@bp.post("/forums/<slug>/speakers/<int:entry_id>/withdraw")
@login_required
def withdraw_entry(slug: str, entry_id: int):
    entry = _speaks_for(slug, entry_id)
    if EntryActionForm().validate_on_submit():
        try:
            inscriptions.withdraw(current_user, entry)
        except REFUSED as refusal:
            refusals.flashed(refusal)
        else:
            flash(_("%(name)s is withdrawn from the list.", name=entry.person.name), "success")
    # Back to the page the button was on.
    if request.form.get("back") == "manage" and is_organiser(current_user, entry.delegation.forum):
        return redirect(url_for(".manage_list", slug=slug, session_id=entry.speakers_list.session_id))
    return redirect(url_for(".delegation_speakers", slug=slug, delegation_id=entry.delegation_id))


@bp.route("/forums/<slug>/speakers/<int:entry_id>/statement", methods=["GET", "POST"])
@login_required
def attach_statement(slug: str, entry_id: int):
    entry = _speaks_for(slug, entry_id)
    forum = entry.delegation.forum
    session = entry.speakers_list.session
    choices = [(code, language_name(code)) for code in forum.languages]
    form = StatementForm(
        languages=choices,
        title=_(
            "Statement by %(delegation)s, %(session)s",
            delegation=delegation_name(entry.delegation, forum.first_language),
            session=session.title,
        ),
        language=forum.first_language,
    )
    if form.validate_on_submit():
        try:
            document = inscriptions.attach_statement(
                current_user, entry, title=form.title.data, text=form.text.data, language=form.language.data
            )
        except (*REFUSED, StatementError) as refusal:
            refusals.on_form(form, refusal)
        else:
            flash(_("The statement is kept in the record of statements."), "success")
            return redirect(url_for("statements.document", slug=slug, doc_slug=document.slug))
    return form_page(
        "plenary/statement.html",
        forum=forum,
        entry=entry,
        session=session,
        form=form,
        unpublished=unpublished_reason(session),
    )


@bp.get("/forums/<slug>/sessions/<int:session_id>/speakers/screen")
def screen(slug: str, session_id: int):
    """Who speaks now and who is next, in large type, for the room's screen: in the forum's
    language (``?lang=`` for a screen in another), refreshing itself without JavaScript."""
    forum = load_forum(slug)
    session = session_or_404(forum, session_id)
    if not session.is_public and not is_organiser(current_user, forum):
        abort(403, description=_("Only organisers of %(forum)s can see this session.", forum=forum.name))
    speakers_list = list_or_404(session)
    chosen = request.args.get("lang")
    screen_language = chosen if is_offered(chosen) and chosen in forum.languages else forum.first_language
    with force_locale(screen_language):
        now, following = services.now_and_next(services.shown_entries(speakers_list))
        page = render_template(
            "plenary/screen.html",
            forum=forum,
            session=session,
            speakers_list=speakers_list,
            now_speaking=now,
            next_speaker=following,
            cancelled=services.is_cancelled(session),
            screen_language=screen_language,
            refresh_seconds=SCREEN_REFRESH_SECONDS,
            delegation_name=delegation_name,
        )
    response = Response(page)
    response.headers["Cache-Control"] = "no-store"
    return response
