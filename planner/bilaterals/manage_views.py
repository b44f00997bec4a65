"""The organisers' page of bilaterals (``/forums/<slug>/manage/bilaterals``): the rooms set
aside and the daily limit, the slots, the accepted bilaterals waiting for a place and the
allocation that places them, and the day's grid."""

from __future__ import annotations

import datetime as dt

from flask import flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required

from planner.bilaterals import bp, reading, services, setup, standing
from planner.bilaterals.forms import ConfirmForm, SettingsForm, SlotsForm
from planner.bilaterals.placing import daily_limit
from planner.bilaterals.views import slot_label
from planner.forums.models import Forum
from planner.refusals import Refused
from planner.web import refusals
from planner.web.loaders import load_managed_forum
from planner.web.pages import form_page


def _settings_form(forum: Forum, formdata: bool = True) -> SettingsForm:
    form = SettingsForm() if formdata else SettingsForm(formdata=None)
    form.rooms.choices = [(room.id, f"{room.name} ({room.venue.name})") for room in setup.rooms_of(forum)]
    if not formdata:
        form.rooms.data = [room.id for room in setup.bilateral_rooms(forum)]
        form.daily_limit.data = daily_limit(forum)
    return form


def _day_asked(forum: Forum, days: list[dt.date]) -> dt.date | None:
    text = request.args.get("day", "")
    try:
        asked = dt.date.fromisoformat(text) if text else None
    except ValueError:
        asked = None
    if asked in days:
        return asked
    return days[0] if days else None


def _page(forum: Forum, settings: SettingsForm | None = None, slots: SlotsForm | None = None):  # noqa: ANN202
    days = setup.days_with_slots(forum)
    day = _day_asked(forum, days)
    slots_form = slots or SlotsForm(formdata=None, day=forum.first_day, minutes=30, gap=0)
    waiting, held_back = standing.sorted_out(reading.accepted_waiting(forum))
    return form_page(
        "bilaterals/manage.html",
        forum=forum,
        settings_form=settings or _settings_form(forum, formdata=False),
        slots_form=slots_form,
        confirm_form=ConfirmForm(formdata=None),
        days=days,
        grid=setup.grid(forum, day) if day is not None else None,
        slots=reading.slots_of(forum),
        waiting=waiting,
        held_back=held_back,
        slot_label=slot_label,
    )


@bp.get("/forums/<slug>/manage/bilaterals")
@login_required
def manage_bilaterals(slug: str):
    return _page(load_managed_forum(slug))


@bp.post("/forums/<slug>/manage/bilaterals/settings")
@login_required
def bilateral_settings(slug: str):
    forum = load_managed_forum(slug)
    form = _settings_form(forum)
    if form.validate_on_submit():
        try:
            setup.set_rooms_and_limit(current_user, forum, form.rooms.data or [], form.daily_limit.data or 0)
        except Refused as refusal:
            refusals.on_form(form, refusal)
        else:
            flash(_("The rooms and the daily limit for bilaterals are saved."), "success")
            return redirect(url_for(".manage_bilaterals", slug=slug))
    return _page(forum, settings=form)


@bp.post("/forums/<slug>/manage/bilaterals/slots")
@login_required
def add_bilateral_slots(slug: str):
    forum = load_managed_forum(slug)
    form = SlotsForm()
    if form.validate_on_submit():
        assert form.day.data and form.start.data and form.end.data
        try:
            added = setup.add_slots(
                current_user,
                forum,
                form.day.data,
                form.start.data,
                form.end.data,
                form.minutes.data or 0,
                form.gap.data or 0,
            )
        except Refused as refusal:
            refusals.on_form(form, refusal)
        else:
            flash(ngettext("%(num)d slot is added.", "%(num)d slots are added.", len(added)), "success")
            return redirect(url_for(".manage_bilaterals", slug=slug, day=form.day.data.isoformat()))
    return _page(forum, slots=form)


@bp.post("/forums/<slug>/manage/bilaterals/slots/<int:slot_id>/remove")
@login_required
def remove_bilateral_slot(slug: str, slot_id: int):
    forum = load_managed_forum(slug)
    if ConfirmForm().validate_on_submit():
        try:
            removed = setup.remove_slot(current_user, forum, slot_id)
        except Refused as refusal:
            refusals.flashed(refusal)
        else:
            flash(_removed_message(removed), "warning" if removed.preferences_dropped else "success")
    return redirect(url_for(".manage_bilaterals", slug=slug))


def _removed_message(removed: setup.SlotRemoved) -> str:
    if not removed.preferences_dropped:
        return _("The slot is removed.")
    message = ngettext(
        "The slot is removed. %(num)d request had preferred it: that preference is dropped.",
        "The slot is removed. %(num)d requests had preferred it: those preferences are dropped.",
        removed.preferences_dropped,
    )
    if removed.left_without_slot:
        message += " " + ngettext(
            "%(num)d of them has no preferred slot left: it cannot be placed until other slots are proposed.",
            "%(num)d of them have no preferred slot left: they cannot be placed until other slots are proposed.",
            removed.left_without_slot,
        )
    return message


@bp.post("/forums/<slug>/manage/bilaterals/place")
@login_required
def place_bilaterals(slug: str):
    forum = load_managed_forum(slug)
    if ConfirmForm().validate_on_submit():
        try:
            outcome = services.place_accepted(current_user, forum)
        except Refused as refusal:
            refusals.flashed(refusal)
        else:
            flash(_allocation_message(outcome), "warning" if outcome.without_place or outcome.held_back else "success")
    return redirect(url_for(".manage_bilaterals", slug=slug))


def _allocation_message(outcome: services.AllocationOutcome) -> str:
    message = _(
        "Placed: %(placed)d. Still without a place: %(left)d.",
        placed=len(outcome.placed),
        left=len(outcome.without_place),
    )
    if outcome.held_back:
        message += " " + ngettext(
            "%(num)d bilateral was not placed because a delegation no longer takes part or a participant was "
            "withdrawn.",
            "%(num)d bilaterals were not placed because a delegation no longer takes part or a participant was "
            "withdrawn.",
            len(outcome.held_back),
        )
    return message
