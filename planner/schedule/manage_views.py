"""Organisers' programme pages: sessions, venues, rooms, events, the forum itself, the
conflicts page, and CSV import and export. They hang off ``/forums/<slug>/manage/``."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required
from werkzeug.wrappers import Response as BaseResponse

from planner.db import MAX_ID
from planner.extensions import db
from planner.forums.models import Forum, Room
from planner.refusals import Refused
from planner.schedule import bp, conflicts, editing, forms, programme_io
from planner.schedule.history import session_history
from planner.schedule.models import Session, SessionKind, SessionStatus
from planner.statements import national
from planner.translated import translation_data, translations_from
from planner.validators import lines
from planner.web import refusals, transactions
from planner.web.downloads import file_answer, safe_file_name
from planner.web.loaders import load_managed_forum
from planner.web.pages import form_page

# Flashes travel in the session cookie, which browsers cap at about 4 KB.
FLASHED_WARNINGS = 3
# Rows of problems the import page lists, of each kind; the command line prints them all.
SHOWN_PROBLEMS = 100


def _warn(found: list[conflicts.Conflict], forum: Forum) -> None:
    for conflict in found[:FLASHED_WARNINGS]:
        flash(_("Warning: %(message)s", message=conflict.message), "error")
    if (rest := len(found) - FLASHED_WARNINGS) > 0:
        flash(
            ngettext(
                "And %(num)d more warning — see the conflicts page.",
                "And %(num)d more warnings — see the conflicts page.",
                rest,
            ),
            "error",
        )
    if found:
        flash(_("Warnings stay on the conflicts page until they are fixed or acknowledged."), "info")


# The programme ---------------------------------------------------------------------------------


@bp.get("/forums/<slug>/manage/programme/")
@login_required
def manage_programme(slug: str):
    forum = load_managed_forum(slug)
    return render_template(
        "schedule/manage_programme.html",
        forum=forum,
        sessions=editing.sessions_of(forum),
        rooms=editing.rooms_of(forum),
        events=forum.events,
        venues=forum.venues,
        conflicts=conflicts.forum_conflicts(forum),
    )


def _session_form(forum: Forum, **kwargs) -> forms.SessionForm:  # noqa: ANN003
    form_class = forms.session_form(forum.other_languages)
    return form_class(events=forum.events, rooms=editing.rooms_of(forum), zone=forum.zone, **kwargs)


def _session_data(forum: Forum, form: forms.SessionForm) -> editing.SessionData:
    event = next((e for e in forum.events if e.id == form.event.data), None)
    if event is None:
        raise editing.ScheduleError(_("This forum has no such event."))
    room = None
    if form.room.data:
        room = db.session.get(Room, form.room.data)
        if room is None or room.venue.forum_id != forum.id:
            raise editing.ScheduleError(_("This forum has no such room."))
    return editing.SessionData(
        event=event,
        title=form.title.data,
        kind=SessionKind(form.kind.data),
        starts_at=form.instant("starts_at"),
        ends_at=form.instant("ends_at"),
        room=room,
        description=form.description.data or "",
        is_public=form.is_public.data,
        status=SessionStatus(form.status.data),
        chairs=editing.find_people(lines(form.chairs.data)),
        speakers=editing.find_people(lines(form.speakers.data)),
        translations=translations_from(form, forms.SESSION_TEXTS, forum.other_languages),
        spoken_language=form.spoken_language.data,
        interpretation=form.interpretation.data,
    )


def _form_data_of(session, forum: Forum, copy: bool = False) -> dict:  # noqa: ANN001
    return {
        "title": session.title + (" " + _("(copy)") if copy else ""),
        "event": session.event_id,
        "kind": session.kind.value,
        **forms.SessionForm.shown_times(forum.zone, starts_at=session.starts_at, ends_at=session.ends_at),
        "room": session.room_id or 0,
        "chairs": "\n".join(p.name for p in session.chairs),
        "speakers": "\n".join(p.name for p in session.speakers),
        "description": session.description,
        "spoken_language": session.spoken_language or "",
        "interpretation": list(session.interpretation),
        "is_public": session.is_public,
        "status": SessionStatus.SCHEDULED.value if copy else session.status.value,
        **translation_data(session, forms.SESSION_TEXTS, forum.other_languages),
    }


def _save_session(forum: Forum, form: forms.SessionForm, session: Session | None = None) -> BaseResponse | None:
    """Validate and save; on refusal the form carries the reasons. None when the form needs showing again."""
    if not form.validate_on_submit():
        return None
    was_public = session is not None and session.is_public
    try:
        data = _session_data(forum, form)
        if session is None:
            saved = editing.create_session(current_user, forum, data)
        else:
            saved = editing.update_session(current_user, forum, session, data)
    except editing.BlockingConflicts as refusal:
        refusals.undone(refusal)
        form.form_errors.extend(c.message for c in refusal.conflicts)
        return None
    except Refused as refusal:
        refusals.on_form(form, refusal)
        return None
    flash(_("“%(title)s” is saved.", title=saved.session.title), "success")
    _warn(saved.warnings, forum)
    if was_public and not saved.session.is_public and (count := national.delivered_in(saved.session)):
        flash(
            ngettext(
                "The national statement delivered in this session is no longer public while the session is "
                "closed; making the session public again publishes it again.",
                "The %(num)d national statements delivered in this session are no longer public while the "
                "session is closed; making the session public again publishes them again.",
                count,
            ),
            "info",
        )
    return redirect(url_for(".edit_session", slug=forum.slug, session_id=saved.session.id))


@bp.route("/forums/<slug>/manage/sessions/new", methods=["GET", "POST"])
@login_required
def new_session(slug: str):
    forum = load_managed_forum(slug)
    if request.method == "GET" and (copy_of := request.args.get("copy", type=int)):
        source = editing.session_of(forum, copy_of) if 0 < copy_of <= MAX_ID else None
        if source is None:
            abort(404, description=_("This forum has no session with the number %(id)d.", id=copy_of))
        form = _session_form(forum, formdata=None, data=_form_data_of(source, forum, copy=True))
    else:
        form = _session_form(forum)
    if request.method == "POST" and (response := _save_session(forum, form)) is not None:
        return response
    return form_page("schedule/session_form.html", forum=forum, form=form, session=None)


@bp.route("/forums/<slug>/manage/sessions/<int:session_id>/edit", methods=["GET", "POST"])
@login_required
def edit_session(slug: str, session_id: int):
    forum = load_managed_forum(slug)
    session = editing.session_of(forum, session_id)
    if session is None:
        abort(404, description=_("This forum has no session with the number %(id)d.", id=session_id))
    if request.method == "POST":
        form = _session_form(forum)
        if (response := _save_session(forum, form, session)) is not None:
            return response
        session = editing.session_of(forum, session_id)  # as it is in the database, after the refusal
        assert session is not None, "a refused save leaves the session in place"
    else:
        form = _session_form(forum, formdata=None, data=_form_data_of(session, forum))
    return form_page(
        "schedule/session_form.html", forum=forum, form=form, session=session, history=session_history(session)
    )


# Conflicts -------------------------------------------------------------------------------------


@bp.get("/forums/<slug>/manage/conflicts")
@login_required
def manage_conflicts(slug: str):
    forum = load_managed_forum(slug)
    found = conflicts.forum_conflicts(forum)
    return render_template(
        "schedule/conflicts.html",
        forum=forum,
        conflicts=found,
        page=found.page(request.args.get("page", 1, type=int)),
        listed=conflicts.LISTED_SESSIONS,
    )


def _acknowledged(forum: Forum, keys: list[str]) -> BaseResponse:
    count = editing.acknowledge(current_user, forum, keys)
    if not count:
        abort(404, description=_("There is no such open warning; it may have been fixed already."))
    flash(ngettext("The warning is acknowledged.", "%(num)d warnings are acknowledged.", count), "success")
    # Back to the page the form was on; the page clamps a number past its end.
    return redirect(url_for(".manage_conflicts", slug=forum.slug, page=request.args.get("page", type=int)))


@bp.post("/forums/<slug>/manage/conflicts/acknowledge")
@login_required
def acknowledge_warning(slug: str):
    forum = load_managed_forum(slug)
    form = forms.AcknowledgeForm()
    if not form.validate_on_submit():
        abort(422, description=_("Choose the warning to acknowledge."))
    return _acknowledged(forum, [form.key.data])


@bp.post("/forums/<slug>/manage/conflicts/acknowledge-page")
@login_required
def acknowledge_page(slug: str):
    forum = load_managed_forum(slug)
    form = forms.AcknowledgePageForm()
    if not form.validate_on_submit():
        abort(422, description=_("Choose the warnings to acknowledge."))
    return _acknowledged(forum, form.keys.data.split())


# Import and export -----------------------------------------------------------------------------


@bp.route("/forums/<slug>/manage/programme/import", methods=["GET", "POST"])
@login_required
def import_programme(slug: str):
    forum = load_managed_forum(slug)
    form = forms.ImportForm()
    report = None
    if form.validate_on_submit():
        raw = form.file.data.read(programme_io.MAX_BYTES + 1)
        if len(raw) > programme_io.MAX_BYTES:
            form.file.errors = [_("The file is larger than %(num)d MB.", num=programme_io.MAX_BYTES // 2**20)]
        else:
            try:
                report = programme_io.import_csv(current_user, forum, raw, dry_run=form.dry_run.data)
            except programme_io.ImportRefused as refusal:
                report = refusal.report  # not ok: the page answers 422, which rolls back
            else:
                if form.dry_run.data:
                    transactions.discard()
                else:
                    flash(
                        ngettext(
                            "%(num)d session imported.", "%(num)d sessions imported.", report.created + report.updated
                        ),
                        "success",
                    )
                    return redirect(url_for(".manage_programme", slug=forum.slug))
    status = 200 if request.method == "GET" or (report is not None and report.ok) else 422
    return render_template(
        "schedule/import.html",
        forum=forum,
        form=form,
        report=report,
        columns=[*programme_io.COLUMNS, *programme_io.translation_columns(forum)],
        shown=SHOWN_PROBLEMS,
    ), status


@bp.get("/forums/<slug>/manage/programme.csv")
@login_required
def export_programme(slug: str):
    forum = load_managed_forum(slug)
    name = safe_file_name(forum.slug) + "-programme.csv"
    return file_answer(programme_io.export_csv(forum), "text/csv; charset=utf-8", name)
