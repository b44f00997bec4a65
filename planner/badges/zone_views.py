"""Organisers' pages for the doors: the access zones (``/forums/<slug>/manage/zones``: which
badges open which zone, which rooms require it) and the scanning staff
(``/forums/<slug>/manage/scanners``). The rules are ``zones`` and ``scanners``."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required

from planner.accounts.services import AppointmentError
from planner.badges import bp, forms, scanners, zones
from planner.badges.models import BadgeCategory, Zone
from planner.forums.models import Forum
from planner.labels import label
from planner.refusals import Refused
from planner.translated import translation_data, translations_from
from planner.web import refusals
from planner.web.loaders import load_managed_forum
from planner.web.pages import form_page

# Zones ----------------------------------------------------------------------------------------


def _zone_of(forum: Forum, zone_id: int) -> Zone:
    zone = zones.zone_of(forum, zone_id)
    if zone is None:
        abort(404, description=_("%(forum)s has no zone with the number %(id)d.", forum=forum.name, id=zone_id))
    return zone


@bp.get("/forums/<slug>/manage/zones")
@login_required
def manage_zones(slug: str):
    forum = load_managed_forum(slug)
    return render_template(
        "badges/manage_zones.html",
        forum=forum,
        zones=zones.zones_of(forum),
        rooms=zones.rooms_requiring(forum),
        arrivals=zones.arrival_counts(forum),
        next_number=zones.next_free_number(forum),
        category_names={category.value: label(category) for category in BadgeCategory},
    )


@bp.route("/forums/<slug>/manage/zones/new", methods=["GET", "POST"], endpoint="new_zone")
@bp.route("/forums/<slug>/manage/zones/<int:zone_id>/edit", methods=["GET", "POST"])
@login_required
def edit_zone(slug: str, zone_id: int | None = None):
    forum = load_managed_forum(slug)
    zone = _zone_of(forum, zone_id) if zone_id is not None else None
    languages = forum.other_languages
    form_class = forms.zone_form(languages)
    if request.method == "GET":
        if zone is not None:
            data = {
                "number": zone.number,
                "name": zone.name,
                "categories": list(zone.categories),
                "events": [event.id for event in zone.events],
                **translation_data(zone, forms.ZONE_TEXTS, languages),
            }
        else:
            data = {"number": zones.next_free_number(forum)}
        form = form_class(events=forum.events, formdata=None, data=data)
    else:
        form = form_class(events=forum.events)
    if form.validate_on_submit():
        old_number = zone.number if zone is not None else None
        try:
            saved = zones.save_zone(
                current_user,
                forum,
                zone,
                number=form.number.data,
                name=form.name.data,
                categories=form.categories.data or [],
                event_ids=form.events.data or [],
                translations=translations_from(form, forms.ZONE_TEXTS, languages),
            )
        except Refused as refusal:
            refusals.on_form(form, refusal, "name")
        else:
            flash(_("Zone %(number)d %(name)s is saved.", number=saved.number, name=saved.name), "success")
            if saved.number != old_number:
                carrying = zones.badges_carrying(forum, saved.number)
                if carrying:
                    flash(
                        ngettext(
                            "%(num)d badge printed before carries zone %(number)d: it opens %(name)s now.",
                            "%(num)d badges printed before carry zone %(number)d: they open %(name)s now.",
                            carrying,
                            number=saved.number,
                            name=saved.name,
                        ),
                        "info",
                    )
            return redirect(url_for(".manage_zones", slug=forum.slug))
    return form_page("badges/zone_form.html", forum=forum, form=form, zone=zone)


@bp.route("/forums/<slug>/manage/zones/<int:zone_id>/delete", methods=["GET", "POST"])
@login_required
def delete_zone(slug: str, zone_id: int):
    """A page that says what deleting does (or why it cannot be done), and its button."""
    forum = load_managed_forum(slug)
    zone = _zone_of(forum, zone_id)
    refusal = zones.delete_refusal(zone)
    if request.method == "POST":
        number, name = zone.number, zone.name
        try:
            zones.delete_zone(current_user, forum, zone)
        except Refused as refused:
            refusal = refusals.undone(refused)
        else:
            flash(_("Zone %(number)d %(name)s is deleted.", number=number, name=name), "success")
            return redirect(url_for(".manage_zones", slug=forum.slug))
    return form_page(
        "badges/delete_zone.html",
        forum=forum,
        zone=zone,
        refusal=refusal,
        rooms=zones.rooms_requiring(forum).get(zone.id, []),
    )


# Scanning staff -------------------------------------------------------------------------------


def _scanners_page(forum: Forum, form: forms.AppointScannerForm | None = None) -> tuple[str, int]:
    form = form or forms.AppointScannerForm()
    return render_template(
        "badges/manage_scanners.html", forum=forum, scanners=scanners.scanners_of(forum), form=form
    ), 422 if form.errors else 200


@bp.get("/forums/<slug>/manage/scanners")
@login_required
def manage_scanners(slug: str):
    return _scanners_page(load_managed_forum(slug))


@bp.post("/forums/<slug>/manage/scanners")
@login_required
def appoint_scanner(slug: str):
    forum = load_managed_forum(slug)
    form = forms.AppointScannerForm()
    if form.validate_on_submit():
        try:
            appointment = scanners.appoint_scanner(current_user, forum, form.email.data)
        except Refused as refusal:
            refusals.on_form(form, refusal, "email")
        else:
            flash(_("%(name)s can now scan badges.", name=appointment.user.name), "success")
            return redirect(url_for(".manage_scanners", slug=forum.slug))
    return _scanners_page(forum, form)


@bp.post("/forums/<slug>/manage/scanners/<int:user_id>/remove")
@login_required
def remove_scanner(slug: str, user_id: int):
    forum = load_managed_forum(slug)
    try:
        removed = scanners.remove_scanner(current_user, forum, user_id)
    except AppointmentError as refusal:
        abort(404, description=str(refusal))
    flash(_("%(name)s can no longer scan badges.", name=removed.name), "success")
    return redirect(url_for(".manage_scanners", slug=forum.slug))
