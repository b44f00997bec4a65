"""Organisers' programme pages: sessions, venues, rooms, events, the forum itself, the
conflicts page, and CSV import and export. They hang off ``/forums/<slug>/manage/``."""
from __future__ import annotations

import datetime as dt
import re

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required

from planner.accounts.appointment_views import load_managed_forum
from planner.accounts.permissions import NotAllowed, is_admin
from planner.db import MAX_ID
from planner.extensions import db
from planner.forums.models import Event, EventKind, Forum, Room, Venue
from planner.forums.views import event_or_404
from planner.schedule import bp, conflicts, forms, manage, programme_io
from planner.schedule.history import session_history
from planner.schedule.models import SessionKind, SessionStatus


def _forbidden(forum: Forum):  # noqa: ANN202
    db.session.rollback()
    abort(403, description=_("Only organisers of %(forum)s can do this.", forum=forum.name))


def _form_page(template: str, **context):  # noqa: ANN003, ANN202
    """A form page: 200 on a GET; 422 on a POST that comes back to it, having saved nothing."""
    return render_template(template, **context), 422 if request.method == "POST" else 200


def to_utc(local: dt.datetime, forum: Forum) -> dt.datetime:
    """A wall-clock time typed in the forum's timezone, as an aware UTC datetime."""
    return local.replace(tzinfo=forum.zone).astimezone(dt.UTC)


def to_local(moment: dt.datetime, forum: Forum) -> dt.datetime:
    return moment.astimezone(forum.zone).replace(tzinfo=None)


def _warn(found: list[conflicts.Conflict], forum: Forum) -> None:
    for conflict in found:
        flash(_("Warning: %(message)s", message=conflict.message), "error")
    if found:
        flash(_("Warnings stay on the conflicts page until they are fixed or acknowledged."), "info")


# The programme ---------------------------------------------------------------------------------


@bp.get("/forums/<slug>/manage/programme/")
@login_required
def manage_programme(slug: str):
    forum = load_managed_forum(slug)
    return render_template(
        "schedule/manage_programme.html", forum=forum, sessions=manage.sessions_of(forum),
        rooms=manage.rooms_of(forum), events=forum.events, venues=forum.venues,
        conflicts=conflicts.forum_conflicts(forum),
    )


def _session_form(forum: Forum, **kwargs) -> forms.SessionForm:  # noqa: ANN003
    return forms.SessionForm(events=forum.events, rooms=manage.rooms_of(forum), **kwargs)


def _session_data(forum: Forum, form: forms.SessionForm) -> manage.SessionData:
    event = next((e for e in forum.events if e.id == form.event.data), None)
    if event is None:
        raise manage.ScheduleError(_("This forum has no such event."))
    room = None
    if form.room.data:
        room = db.session.get(Room, form.room.data)
        if room is None or room.venue.forum_id != forum.id:
            raise manage.ScheduleError(_("This forum has no such room."))
    return manage.SessionData(
        event=event, title=form.title.data, kind=SessionKind(form.kind.data),
        starts_at=to_utc(form.starts_at.data, forum), ends_at=to_utc(form.ends_at.data, forum), room=room,
        description=form.description.data or "", is_public=form.is_public.data,
        status=SessionStatus(form.status.data),
        chairs=manage.find_people(forms.lines(form.chairs.data)),
        speakers=manage.find_people(forms.lines(form.speakers.data)),
    )


def _form_data_of(session, forum: Forum, copy: bool = False) -> dict:  # noqa: ANN001
    return {
        "title": session.title + (" " + _("(copy)") if copy else ""), "event": session.event_id,
        "kind": session.kind.value, "starts_at": to_local(session.starts_at, forum),
        "ends_at": to_local(session.ends_at, forum), "room": session.room_id or 0,
        "chairs": "\n".join(p.name for p in session.chairs), "speakers": "\n".join(p.name for p in session.speakers),
        "description": session.description, "is_public": session.is_public,
        "status": SessionStatus.SCHEDULED.value if copy else session.status.value,
    }


def _save_session(forum: Forum, form: forms.SessionForm, session=None):  # noqa: ANN001, ANN202
    """Validate and save; on refusal the form carries the reasons. None when the form needs showing again."""
    if not form.validate_on_submit():
        return None
    try:
        data = _session_data(forum, form)
        if session is None:
            saved = manage.create_session(current_user, forum, data)
        else:
            saved = manage.update_session(current_user, forum, session, data)
    except manage.BlockingConflicts as refusal:
        db.session.rollback()
        form.refusals = [c.message for c in refusal.conflicts]
        return None
    except manage.ScheduleError as refusal:
        db.session.rollback()
        form.refusals = [str(refusal)]
        return None
    except NotAllowed:
        _forbidden(forum)
    session_id, title = saved.session.id, saved.session.title
    db.session.commit()
    flash(_("“%(title)s” is saved.", title=title), "success")
    _warn(saved.warnings, forum)
    return redirect(url_for(".edit_session", slug=forum.slug, session_id=session_id))


@bp.route("/forums/<slug>/manage/sessions/new", methods=["GET", "POST"])
@login_required
def new_session(slug: str):
    forum = load_managed_forum(slug)
    if request.method == "GET" and (copy_of := request.args.get("copy", type=int)):
        source = manage.session_of(forum, copy_of) if 0 < copy_of <= MAX_ID else None
        if source is None:
            abort(404, description=_("This forum has no session with the number %(id)d.", id=copy_of))
        form = _session_form(forum, formdata=None, data=_form_data_of(source, forum, copy=True))
    else:
        form = _session_form(forum)
    if request.method == "POST" and (response := _save_session(forum, form)) is not None:
        return response
    return _form_page("schedule/session_form.html", forum=forum, form=form, session=None)


@bp.route("/forums/<slug>/manage/sessions/<int:session_id>/edit", methods=["GET", "POST"])
@login_required
def edit_session(slug: str, session_id: int):
    forum = load_managed_forum(slug)
    session = manage.session_of(forum, session_id)
    if session is None:
        abort(404, description=_("This forum has no session with the number %(id)d.", id=session_id))
    if request.method == "POST":
        form = _session_form(forum)
        if (response := _save_session(forum, form, session)) is not None:
            return response
        session = manage.session_of(forum, session_id)  # as it is in the database, after a rollback
    else:
        form = _session_form(forum, formdata=None, data=_form_data_of(session, forum))
    return _form_page("schedule/session_form.html", forum=forum, form=form, session=session,
                      history=session_history(session))


# Conflicts -------------------------------------------------------------------------------------


@bp.get("/forums/<slug>/manage/conflicts")
@login_required
def manage_conflicts(slug: str):
    forum = load_managed_forum(slug)
    return render_template("schedule/conflicts.html", forum=forum, conflicts=conflicts.forum_conflicts(forum),
                           form=forms.AcknowledgeForm())


@bp.post("/forums/<slug>/manage/conflicts/acknowledge")
@login_required
def acknowledge_warning(slug: str):
    forum = load_managed_forum(slug)
    form = forms.AcknowledgeForm()
    if not form.validate_on_submit():
        abort(422, description=_("Choose the warning to acknowledge."))
    try:
        done = manage.acknowledge(current_user, forum, form.key.data)
    except NotAllowed:
        _forbidden(forum)
    if not done:
        abort(404, description=_("There is no such open warning; it may have been fixed already."))
    db.session.commit()
    flash(_("The warning is acknowledged."), "success")
    return redirect(url_for(".manage_conflicts", slug=forum.slug))


# Venues and rooms ------------------------------------------------------------------------------


def _venue_of(forum: Forum, venue_id: int) -> Venue:
    venue = db.session.get(Venue, venue_id)
    if venue is None or venue.forum_id != forum.id:
        abort(404, description=_("This forum has no venue with the number %(id)d.", id=venue_id))
    return venue


@bp.route("/forums/<slug>/manage/venues/new", methods=["GET", "POST"], endpoint="new_venue")
@bp.route("/forums/<slug>/manage/venues/<int:venue_id>/edit", methods=["GET", "POST"])
@login_required
def edit_venue(slug: str, venue_id: int | None = None):
    forum = load_managed_forum(slug)
    venue = _venue_of(forum, venue_id) if venue_id is not None else None
    form = forms.VenueForm(obj=venue) if request.method == "GET" else forms.VenueForm()
    if form.validate_on_submit():
        try:
            manage.save_venue(current_user, forum, venue, form.name.data, form.address.data or "")
        except manage.ScheduleError as refusal:
            db.session.rollback()
            form.name.errors = [str(refusal)]
        except NotAllowed:
            _forbidden(forum)
        else:
            db.session.commit()
            flash(_("The venue is saved."), "success")
            return redirect(url_for(".manage_programme", slug=forum.slug))
    return _form_page("schedule/venue_form.html", forum=forum, form=form, venue=venue)


def _room_of(forum: Forum, room_id: int) -> Room:
    room = db.session.get(Room, room_id)
    if room is None or room.venue.forum_id != forum.id:
        abort(404, description=_("This forum has no room with the number %(id)d.", id=room_id))
    return room


@bp.route("/forums/<slug>/manage/rooms/new", methods=["GET", "POST"], endpoint="new_room")
@bp.route("/forums/<slug>/manage/rooms/<int:room_id>/edit", methods=["GET", "POST"])
@login_required
def edit_room(slug: str, room_id: int | None = None):
    forum = load_managed_forum(slug)
    room = _room_of(forum, room_id) if room_id is not None else None
    if request.method == "GET" and room is not None:
        form = forms.RoomForm(venues=forum.venues, formdata=None, data={
            "venue": room.venue_id, "name": room.name, "capacity": room.capacity,
            "accessibility_notes": room.accessibility_notes,
            "closed_days": "\n".join(d.isoformat() for d in manage.closed_days_of(room))})
    else:
        form = forms.RoomForm(venues=forum.venues)
    if not forum.venues and request.method == "GET":
        flash(_("Add a venue first: every room belongs to one."), "info")
    if form.validate_on_submit():
        try:
            manage.save_room(current_user, forum, room, _venue_of(forum, form.venue.data), form.name.data,
                             form.capacity.data, form.accessibility_notes.data or "", form.closed_day_list)
        except manage.ScheduleError as refusal:
            db.session.rollback()
            form[refusal.field or "name"].errors = [str(refusal)]
        except NotAllowed:
            _forbidden(forum)
        else:
            db.session.commit()
            flash(_("The room is saved."), "success")
            return redirect(url_for(".manage_programme", slug=forum.slug))
    return _form_page("schedule/room_form.html", forum=forum, form=form, room=room)


# Events and the forum --------------------------------------------------------------------------


@bp.route("/forums/<slug>/manage/events/new", methods=["GET", "POST"], endpoint="new_event")
@bp.route("/forums/<slug>/manage/events/<code>/edit", methods=["GET", "POST"])
@login_required
def edit_event(slug: str, code: str | None = None):
    forum = load_managed_forum(slug)
    event: Event | None = event_or_404(forum, code) if code is not None else None
    if request.method == "GET" and event is not None:
        form = forms.EventForm(venues=forum.venues, formdata=None, data={
            "code": event.code, "kind": event.kind.value, "title": event.title,
            "starts_at": to_local(event.starts_at, forum), "ends_at": to_local(event.ends_at, forum),
            "venue": event.venue_id or 0, "description": event.description})
    else:
        form = forms.EventForm(venues=forum.venues)
    if form.validate_on_submit():
        venue = _venue_of(forum, form.venue.data) if form.venue.data else None
        try:
            saved = manage.save_event(
                current_user, forum, event, code=form.code.data, kind=EventKind(form.kind.data),
                title=form.title.data, starts_at=to_utc(form.starts_at.data, forum),
                ends_at=to_utc(form.ends_at.data, forum), venue=venue, description=form.description.data or "")
        except manage.ScheduleError as refusal:
            db.session.rollback()
            form.refusals = [str(refusal)]
        except NotAllowed:
            _forbidden(forum)
        else:
            code = saved.code
            db.session.commit()
            flash(_("%(event)s is saved.", event=code), "success")
            return redirect(url_for(".manage_programme", slug=forum.slug))
    return _form_page("schedule/event_form.html", forum=forum, form=form, event=event)


@bp.route("/forums/<slug>/manage/forum", methods=["GET", "POST"])
@login_required
def edit_forum(slug: str):
    forum = load_managed_forum(slug)
    # Only a GET shows the stored values: an empty POST must fail, not save them again.
    form = forms.ForumForm(obj=forum) if request.method == "GET" else forms.ForumForm()
    if form.validate_on_submit():
        try:
            manage.save_forum(current_user, forum, name=form.name.data, title=form.title.data,
                              host_city=form.host_city.data, description=form.description.data or "")
        except NotAllowed:
            _forbidden(forum)
        db.session.commit()
        flash(_("The forum is saved."), "success")
        return redirect(url_for(".manage_programme", slug=forum.slug))
    return _form_page("schedule/forum_form.html", forum=forum, form=form)


@bp.route("/forums/new", methods=["GET", "POST"])
@login_required
def new_forum():
    if not is_admin(current_user):
        abort(403, description=_("Only site administrators can add forums."))
    form = forms.NewForumForm()
    if form.validate_on_submit():
        try:
            forum = manage.create_forum(
                current_user, slug=form.slug.data, name=form.name.data, title=form.title.data,
                host_city=form.host_city.data, host_country=form.host_country.data, timezone=form.timezone.data,
                first_day=form.first_day.data, last_day=form.last_day.data, description=form.description.data or "")
        except manage.ScheduleError as refusal:
            db.session.rollback()
            form[refusal.field or "slug"].errors = [str(refusal)]
        else:
            slug = forum.slug
            db.session.commit()
            flash(_("The forum is added. Add its events, venues and rooms next."), "success")
            return redirect(url_for(".manage_programme", slug=slug))
    return _form_page("schedule/new_forum.html", form=form)


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
                db.session.rollback()
                report = refusal.report
            except NotAllowed:
                _forbidden(forum)
            else:
                if form.dry_run.data:
                    db.session.rollback()
                else:
                    db.session.commit()
                    flash(ngettext("%(num)d session imported.", "%(num)d sessions imported.",
                                   report.created + report.updated), "success")
                    return redirect(url_for(".manage_programme", slug=forum.slug))
    status = 200 if request.method == "GET" or (report is not None and report.ok) else 422
    return render_template("schedule/import.html", forum=forum, form=form, report=report,
                           columns=programme_io.COLUMNS), status


@bp.get("/forums/<slug>/manage/programme.csv")
@login_required
def export_programme(slug: str):
    forum = load_managed_forum(slug)
    name = re.sub(r"[^A-Za-z0-9._-]", "-", forum.slug) + "-programme.csv"
    return Response(programme_io.export_csv(forum), content_type="text/csv; charset=utf-8", headers={
        "Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "private, no-store"})
