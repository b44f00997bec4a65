"""Organisers' pages of a forum itself: the manage hub (who organises it and who speaks for each
delegation; the invitations to speak for one are ``delegations.invitation_views``), the forum's
names, its events, venues and rooms, and a new forum. They hang off ``/forums/<slug>/manage/``;
the programme's pages are the schedule's."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import func, select
from wtforms import SelectChoice

from planner.accounts.permissions import handles_accreditation, is_admin
from planner.accounts.services import AppointmentError
from planner.badges import zones
from planner.db import utcnow
from planner.delegations import focal_points, invitations
from planner.delegations.forms import InviteFocalPointForm
from planner.delegations.models import Delegation
from planner.extensions import db
from planner.forums import bp, forms, organisers, series, services
from planner.forums.models import AGE_OF_MAJORITY, Event, EventKind, Forum, Room, Venue
from planner.refusals import Refused
from planner.translated import translation_data, translations_from
from planner.web import refusals
from planner.web.loaders import event_or_404, load_managed_forum
from planner.web.pages import form_page

# The manage hub --------------------------------------------------------------------------------


def focal_point_form(forum: Forum) -> InviteFocalPointForm:
    """The manage hub's form that invites a focal point to one of the forum's delegations."""
    form = InviteFocalPointForm(prefix="invite")
    form.delegation.choices = [
        SelectChoice(d.id, d.name)
        for d in db.session.scalars(
            select(Delegation).where(Delegation.forum_id == forum.id).order_by(func.lower(Delegation.name))
        )
    ]
    return form


def manage_page(
    forum: Forum,
    organiser_form: forms.AppointOrganiserForm | None = None,
    invite_form: InviteFocalPointForm | None = None,
) -> tuple[str, int]:
    """The manage hub, with the form that was sent and refused (the invitations' views too)."""
    organiser_form = organiser_form or forms.AppointOrganiserForm(prefix="organiser")
    invite_form = invite_form or focal_point_form(forum)
    status = 422 if organiser_form.errors or invite_form.errors else 200
    return render_template(
        "forums/manage.html",
        forum=forum,
        organisers=organisers.organisers_of(forum),
        focal_points=focal_points.focal_points_of(forum),
        invitations=invitations.invitations_of(forum.id),
        now=utcnow(),
        organiser_form=organiser_form,
        invite_form=invite_form,
        grants_accreditation=handles_accreditation(current_user, forum),
    ), status


@bp.get("/forums/<slug>/manage/")
@login_required
def manage(slug: str):
    return manage_page(load_managed_forum(slug))


@bp.post("/forums/<slug>/manage/organisers")
@login_required
def appoint_organiser(slug: str):
    forum = load_managed_forum(slug)
    form = forms.AppointOrganiserForm(prefix="organiser")
    if form.validate_on_submit():
        try:
            appointment = organisers.appoint_organiser(current_user, forum, form.email.data)
        except Refused as refusal:
            refusals.on_form(form, refusal, "email")
        else:
            flash(_("%(name)s is now an organiser.", name=appointment.user.name), "success")
            return redirect(url_for(".manage", slug=forum.slug))
    return manage_page(forum, organiser_form=form)


@bp.post("/forums/<slug>/manage/organisers/<int:user_id>/remove")
@login_required
def remove_organiser(slug: str, user_id: int):
    forum = load_managed_forum(slug)
    try:
        organisers.remove_organiser(current_user, forum, user_id)
    except AppointmentError as refusal:
        abort(404, description=str(refusal))
    flash(_("The organiser was removed."), "success")
    return redirect(url_for(".manage", slug=forum.slug))


@bp.post("/forums/<slug>/manage/organisers/<int:user_id>/accreditation")
@login_required
def accreditation_role(slug: str, user_id: int):
    forum = load_managed_forum(slug)
    if not handles_accreditation(current_user, forum):
        abort(
            403,
            description=_("Only organisers of %(forum)s who handle accreditation can do this.", forum=forum.name),
        )
    form = forms.AccreditationRoleForm()
    if not form.validate_on_submit():
        abort(422, description=_("Press one of the buttons of the accreditation role."))
    try:
        changed = organisers.set_accreditation_role(current_user, forum, user_id, form.handles.data == "yes")
    except AppointmentError as refusal:
        abort(404, description=str(refusal))
    if changed:
        flash(_("The accreditation role is saved."), "success")
    return redirect(url_for(".manage", slug=forum.slug))


@bp.post("/forums/<slug>/manage/focal-points/<int:delegation_id>/<int:user_id>/remove")
@login_required
def remove_focal_point(slug: str, delegation_id: int, user_id: int):
    forum = load_managed_forum(slug)
    try:
        focal_points.remove_focal_point(current_user, forum, delegation_id, user_id)
    except AppointmentError as refusal:
        abort(404, description=str(refusal))
    except services.ForumArchived as refusal:
        refusals.flashed(refusal)
        return redirect(url_for(".manage", slug=forum.slug))
    flash(_("The focal point was removed."), "success")
    return redirect(url_for(".manage", slug=forum.slug))


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
    languages = forum.other_languages
    form_class = forms.venue_form(languages)
    if request.method == "GET":
        form = form_class(obj=venue, data=translation_data(venue, forms.VENUE_TEXTS, languages))
    else:
        form = form_class()
    if form.validate_on_submit():
        try:
            services.save_venue(
                current_user,
                forum,
                venue,
                form.name.data,
                form.address.data or "",
                translations_from(form, forms.VENUE_TEXTS, languages),
            )
        except Refused as refusal:
            refusals.on_form(form, refusal, "name")
        else:
            flash(_("The venue is saved."), "success")
            return redirect(url_for("schedule.manage_programme", slug=forum.slug))
    return form_page("forums/venue_form.html", forum=forum, form=form, venue=venue)


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
    languages = forum.other_languages
    form_class = forms.room_form(languages)
    forum_zones = zones.zones_of(forum)
    if request.method == "GET" and room is not None:
        form = form_class(
            venues=forum.venues,
            zones=forum_zones,
            formdata=None,
            data={
                "venue": room.venue_id,
                "name": room.name,
                "capacity": room.capacity,
                "accessibility_notes": room.accessibility_notes,
                "closed_days": "\n".join(d.isoformat() for d in services.closed_days_of(room)),
                "required_zone": room.required_zone_id or forms.NO_ZONE,
                **translation_data(room, forms.ROOM_TEXTS, languages),
            },
        )
    else:
        form = form_class(venues=forum.venues, zones=forum_zones)
    if not forum.venues and request.method == "GET":
        flash(_("Add a venue first: every room belongs to one."), "info")
    if form.validate_on_submit():
        try:
            services.save_room(
                current_user,
                forum,
                room,
                _venue_of(forum, form.venue.data),
                form.name.data,
                form.capacity.data,
                form.accessibility_notes.data or "",
                form.closed_day_list,
                translations_from(form, forms.ROOM_TEXTS, languages),
                required_zone=next((z for z in forum_zones if z.id == form.required_zone.data), None),
            )
        except Refused as refusal:
            refusals.on_form(form, refusal, "name")
        else:
            flash(_("The room is saved."), "success")
            return redirect(url_for("schedule.manage_programme", slug=forum.slug))
    return form_page("forums/room_form.html", forum=forum, form=form, room=room)


# Events and the forum --------------------------------------------------------------------------


@bp.route("/forums/<slug>/manage/events/new", methods=["GET", "POST"], endpoint="new_event")
@bp.route("/forums/<slug>/manage/events/<code>/edit", methods=["GET", "POST"])
@login_required
def edit_event(slug: str, code: str | None = None):
    forum = load_managed_forum(slug)
    event: Event | None = event_or_404(forum, code) if code is not None else None
    languages = forum.other_languages
    form_class = forms.event_form(languages)
    if request.method == "GET" and event is not None:
        form = form_class(
            venues=forum.venues,
            zone=forum.zone,
            formdata=None,
            data={
                "code": event.code,
                "kind": event.kind.value,
                "title": event.title,
                **form_class.shown_times(forum.zone, starts_at=event.starts_at, ends_at=event.ends_at),
                "venue": event.venue_id or 0,
                "description": event.description,
                **translation_data(event, forms.EVENT_TEXTS, languages),
            },
        )
    else:
        form = form_class(venues=forum.venues, zone=forum.zone)
    if form.validate_on_submit():
        venue = _venue_of(forum, form.venue.data) if form.venue.data else None
        try:
            saved = services.save_event(
                current_user,
                forum,
                event,
                code=form.code.data,
                kind=EventKind(form.kind.data),
                title=form.title.data,
                starts_at=form.instant("starts_at"),
                ends_at=form.instant("ends_at"),
                venue=venue,
                description=form.description.data or "",
                translations=translations_from(form, forms.EVENT_TEXTS, languages),
            )
        except Refused as refusal:
            refusals.on_form(form, refusal)
        else:
            flash(_("%(event)s is saved.", event=saved.code), "success")
            return redirect(url_for("schedule.manage_programme", slug=forum.slug))
    return form_page("forums/event_form.html", forum=forum, form=form, event=event)


@bp.route("/forums/<slug>/manage/forum", methods=["GET", "POST"])
@login_required
def edit_forum(slug: str):
    forum = load_managed_forum(slug)
    languages = forum.other_languages
    form_class = forms.forum_form(languages)
    # Only a GET shows the stored values: an empty POST must fail, not save them again.
    if request.method == "GET":
        form = form_class(
            formdata=None,
            data={
                "name": forum.name,
                "title": forum.title,
                "host_city": forum.host_city,
                "description": forum.description,
                "age_of_majority": forum.age_of_majority,
                "languages": ", ".join(forum.languages),
                "series": forum.series_id or forms.NO_SERIES,
                "personal_data_retention_days": forum.personal_data_retention_days,
                **translation_data(forum, forms.FORUM_TEXTS, languages),
            },
            series=series.all_series(),
        )
    else:
        form = form_class(series=series.all_series())
    if form.validate_on_submit():
        try:
            services.save_forum(
                current_user,
                forum,
                name=form.name.data,
                title=form.title.data,
                host_city=form.host_city.data,
                description=form.description.data or "",
                age_of_majority=form.age_of_majority.data,
                languages=forms.language_list(form.languages.data),
                # Only the languages the form showed fields for: one just added gets its own next time.
                translations=translations_from(form, forms.FORUM_TEXTS, languages),
                series_id=form.series_id,
                personal_data_retention_days=form.personal_data_retention_days.data,
            )
        except Refused as refusal:
            refusals.on_form(form, refusal)
        else:
            flash(_("The forum is saved."), "success")
            return redirect(url_for("schedule.manage_programme", slug=forum.slug))
    return form_page("forums/forum_form.html", forum=forum, form=form)


@bp.route("/forums/new", methods=["GET", "POST"])
@login_required
def new_forum():
    if not is_admin(current_user):
        abort(403, description=_("Only site administrators can add forums."))
    form = forms.NewForumForm(series=series.all_series())
    if form.validate_on_submit():
        try:
            forum = services.create_forum(
                current_user,
                slug=form.slug.data,
                name=form.name.data,
                title=form.title.data,
                host_city=form.host_city.data,
                host_country=form.host_country.data,
                timezone=form.timezone.data,
                first_day=form.first_day.data,
                last_day=form.last_day.data,
                description=form.description.data or "",
                age_of_majority=form.age_of_majority.data or AGE_OF_MAJORITY,
                languages=forms.language_list(form.languages.data),
                series_id=form.series_id,
            )
        except Refused as refusal:
            refusals.on_form(form, refusal, "slug")
        else:
            flash(_("The forum is added. Add its events, venues and rooms next."), "success")
            return redirect(url_for("schedule.manage_programme", slug=forum.slug))
    return form_page("forums/new_forum.html", form=form)
