"""The organisers' pages of the speakers' list: the plenaries, one list with its settings, its
entries and their moves, and its PDF (rules in services.py)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from planner.delegations.models import Delegation
from planner.delegations.names import delegation_name
from planner.extensions import db
from planner.forums.models import Forum
from planner.forums.services import ForumArchived
from planner.plenary import bp, inscriptions, printing, services
from planner.plenary.forms import EntryActionForm, InscribeForm, ListSettingsForm, MoveForm
from planner.plenary.models import SpeakerEntry, SpeakersList
from planner.schedule.models import Session
from planner.statements.rendering import find_font
from planner.translated import reader_language
from planner.web import refusals
from planner.web.downloads import file_answer
from planner.web.loaders import load_managed_forum
from planner.web.pages import form_page

REFUSED = (services.SpeakersListError, ForumArchived)


def language() -> str:
    return reader_language() or "en"


def session_or_404(forum: Forum, session_id: int) -> Session:
    session = db.session.get(Session, session_id)
    if session is None or session.event.forum_id != forum.id:
        abort(404, description=_("%(forum)s has no such session.", forum=forum.name))
    return session


def list_or_404(session: Session) -> SpeakersList:
    speakers_list = services.list_of(session)
    if speakers_list is None:
        abort(404, description=_("The speakers' list of %(session)s is not open.", session=session.title))
    return speakers_list


def entry_or_404(forum: Forum, entry_id: int) -> SpeakerEntry:
    entry = services.entry_of(forum, entry_id)
    if entry is None:
        abort(404, description=_("This speakers' list has no such speaker."))
    return entry


def _settings(form: ListSettingsForm) -> services.Settings:
    return services.Settings(
        deadline=form.deadline_utc(),
        speaking_minutes=form.speaking_minutes.data,
        speakers_per_delegation=form.speakers_per_delegation.data,
        states_first=form.states_first.data,
    )


def _settings_form(forum: Forum, session: Session, speakers_list: SpeakersList | None) -> ListSettingsForm:
    """The form showing the list's settings (a day before the session, for a new list)."""
    if speakers_list is None:
        start = session.starts_at.astimezone(forum.zone).replace(tzinfo=None)
        values = {
            "deadline": start - dt.timedelta(days=1),
            "speaking_minutes": 5,
            "speakers_per_delegation": 1,
            "states_first": forum.countries_listed_first,
        }
    else:
        values = {
            **ListSettingsForm.shown_times(forum.zone, deadline=speakers_list.deadline),
            "speaking_minutes": speakers_list.speaking_minutes,
            "speakers_per_delegation": speakers_list.speakers_per_delegation,
            "states_first": speakers_list.states_first,
        }
    return ListSettingsForm(prefix="settings", zone=forum.zone, formdata=None, **values)


def speaker_choices(forum: Forum, language: str, entries: list[SpeakerEntry]) -> list[tuple[str, str]]:
    """The accredited members of the forum's delegations that are coming and not on the list
    (``entries``: those shown), as "delegation id:person id"."""
    listed = {e.person_id for e in entries}
    choices = [
        (f"{m.delegation_id}:{m.person_id}", f"{delegation_name(m.delegation, language)}: {m.person.name}")
        for m in services.accredited_members_of(forum)
        if m.person_id not in listed
    ]
    return sorted(choices, key=lambda c: c[1])


def _manage_page(forum: Forum, session: Session, **forms: Any) -> tuple[str, int]:
    """The list's page; ``forms`` replace the blank ones (a refused one, with its errors)."""
    speakers_list = services.list_of(session)
    entries = services.shown_entries(speakers_list) if speakers_list else []
    lang = language()
    move_forms = {e.id: MoveForm(prefix=f"move-{e.id}", formdata=None) for e in entries}
    move_forms.update(forms.pop("move_forms", {}))
    now, following = services.now_and_next(entries)
    return form_page(
        "plenary/manage_list.html",
        forum=forum,
        session=session,
        speakers_list=speakers_list,
        entries=entries,
        now_speaking=now,
        next_speaker=following,
        language=lang,
        speaker_line=printing.speaker_line,
        facts=printing.facts(speakers_list) if speakers_list else [],
        settings_form=forms.get("settings_form") or _settings_form(forum, session, speakers_list),
        inscribe_form=forms.get("inscribe_form")
        or InscribeForm(prefix="inscribe", formdata=None, choices=speaker_choices(forum, lang, entries)),
        move_forms=move_forms,
        action_form=EntryActionForm(formdata=None),
        closed=services.is_closed(speakers_list) if speakers_list else False,
        cancelled=services.is_cancelled(session),
    )


def _delegation(forum: Forum, delegation_id: int) -> Delegation:
    delegation = db.session.get(Delegation, delegation_id)
    if delegation is None or delegation.forum_id != forum.id:
        raise services.SpeakersListError(_("Choose a speaker from the list."), field="speaker")
    return delegation


def _back(forum: Forum, session_id: int):
    return redirect(url_for(".manage_list", slug=forum.slug, session_id=session_id))


@bp.get("/forums/<slug>/manage/speakers")
@login_required
def manage_lists(slug: str):
    forum = load_managed_forum(slug)
    return render_template("plenary/manage_lists.html", forum=forum, plenaries=services.plenaries_of(forum))


@bp.get("/forums/<slug>/manage/sessions/<int:session_id>/speakers")
@login_required
def manage_list(slug: str, session_id: int):
    forum = load_managed_forum(slug)
    return _manage_page(forum, session_or_404(forum, session_id))


@bp.post("/forums/<slug>/manage/sessions/<int:session_id>/speakers/open")
@login_required
def open_list(slug: str, session_id: int):
    forum = load_managed_forum(slug)
    session = session_or_404(forum, session_id)
    form = ListSettingsForm(prefix="settings", zone=forum.zone)
    if form.validate_on_submit():
        try:
            services.open_list(current_user, session, _settings(form))
        except REFUSED as refusal:
            refusals.on_form(form, refusal)
        else:
            flash(_("The speakers' list of %(session)s is open.", session=session.title), "success")
            return _back(forum, session_id)
    return _manage_page(forum, session, settings_form=form)


@bp.post("/forums/<slug>/manage/sessions/<int:session_id>/speakers/settings")
@login_required
def change_list(slug: str, session_id: int):
    forum = load_managed_forum(slug)
    session = session_or_404(forum, session_id)
    speakers_list = list_or_404(session)
    form = ListSettingsForm(prefix="settings", zone=forum.zone)
    if form.validate_on_submit():
        try:
            changed = services.change_list(current_user, speakers_list, _settings(form))
        except REFUSED as refusal:
            refusals.on_form(form, refusal)
        else:
            if changed:
                flash(_("The speakers' list is saved."), "success")
            return _back(forum, session_id)
    return _manage_page(forum, session, settings_form=form)


@bp.post("/forums/<slug>/manage/sessions/<int:session_id>/speakers/inscribe")
@login_required
def inscribe_speaker(slug: str, session_id: int):
    forum = load_managed_forum(slug)
    session = session_or_404(forum, session_id)
    speakers_list = list_or_404(session)
    entries = services.shown_entries(speakers_list)
    form = InscribeForm(prefix="inscribe", choices=speaker_choices(forum, language(), entries))
    if form.validate_on_submit():
        delegation_id, person_id = form.chosen()
        try:
            entry = inscriptions.inscribe(current_user, speakers_list, _delegation(forum, delegation_id), person_id)
        except REFUSED as refusal:
            refusals.on_form(form, refusal, "speaker")
        else:
            flash(_("%(name)s is inscribed.", name=entry.person.name), "success")
            return _back(forum, session_id)
    return _manage_page(forum, session, inscribe_form=form)


@bp.post("/forums/<slug>/manage/speakers/<int:entry_id>/move")
@login_required
def move_entry(slug: str, entry_id: int):
    forum = load_managed_forum(slug)
    entry = entry_or_404(forum, entry_id)
    session = entry.speakers_list.session
    form = MoveForm(prefix=f"move-{entry.id}")
    if form.validate_on_submit():
        try:
            services.move(current_user, entry, form.place.data, form.reason.data)
        except REFUSED as refusal:
            refusals.on_form(form, refusal, "place")
        else:
            flash(_("%(name)s is moved.", name=entry.person.name), "success")
            return _back(forum, session.id)
    return _manage_page(forum, session, move_forms={entry_id: form})


def _mark(slug: str, entry_id: int, spoke: bool):
    forum = load_managed_forum(slug)
    entry = entry_or_404(forum, entry_id)
    session_id = entry.speakers_list.session_id
    if EntryActionForm().validate_on_submit():
        try:
            services.mark_spoken(current_user, entry, spoke)
        except REFUSED as refusal:
            refusals.flashed(refusal)
    return _back(forum, session_id)


@bp.post("/forums/<slug>/manage/speakers/<int:entry_id>/spoke")
@login_required
def mark_spoken(slug: str, entry_id: int):
    return _mark(slug, entry_id, True)


@bp.post("/forums/<slug>/manage/speakers/<int:entry_id>/not-spoken")
@login_required
def mark_not_spoken(slug: str, entry_id: int):
    return _mark(slug, entry_id, False)


@bp.get("/forums/<slug>/manage/sessions/<int:session_id>/speakers.pdf")
@login_required
def list_pdf(slug: str, session_id: int):
    forum = load_managed_forum(slug)
    speakers_list = list_or_404(session_or_404(forum, session_id))
    lang = language()
    font = find_font(current_app.config.get("STATEMENTS_PDF_FONT"))
    data = printing.pdf_bytes(speakers_list, services.shown_entries(speakers_list), lang, font)
    return file_answer(data, "application/pdf", printing.file_name(speakers_list, lang))
