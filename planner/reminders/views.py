"""The organisers' reminders page (``/forums/<slug>/manage/reminders``): reminders before each
event, the forum's deadlines for focal points and the reminders before them. The rules are
``services``; queueing what is due is ``sending`` (run by ``send-mail`` and ``send-reminders``)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from flask_wtf import FlaskForm

from planner.db import current_time
from planner.forums.models import Forum
from planner.forums.services import events_of
from planner.refusals import Refused
from planner.reminders import bp, services
from planner.reminders.forms import (
    DEADLINE_LABELS,
    REMINDER_TEXTS,
    DeadlineReminderForm,
    DeadlinesForm,
    ReminderForm,
    details_form,
    reminder_form,
)
from planner.reminders.models import DeadlineKind, Reminder
from planner.translated import localized, translation_data, translations_from
from planner.web import refusals
from planner.web.loaders import load_managed_forum
from planner.web.pages import form_page


def _reminder_form(forum: Forum, **kwargs) -> ReminderForm:  # noqa: ANN003
    events = [(e.code, f"{e.code} · {localized(e, 'title')}") for e in events_of(forum)]
    return reminder_form(forum.other_languages)(events=events, **kwargs)


def _deadlines_form(forum: Forum) -> DeadlinesForm:
    data = DeadlinesForm.shown_times(
        forum.zone, nominations_close_at=forum.nominations_close_at, credentials_due_at=forum.credentials_due_at
    )
    return DeadlinesForm(formdata=None, data=data, prefix="deadlines", zone=forum.zone)


def _page(
    forum: Forum,
    reminder: ReminderForm | None = None,
    deadlines: DeadlinesForm | None = None,
    deadline_reminder: DeadlineReminderForm | None = None,
) -> tuple[str, int]:
    forms: dict[str, FlaskForm] = dict(
        reminder_form=reminder or _reminder_form(forum, formdata=None, prefix="reminder"),
        deadlines_form=deadlines or _deadlines_form(forum),
        deadline_reminder_form=deadline_reminder or DeadlineReminderForm(formdata=None, prefix="deadline_reminder"),
    )
    page = render_template(
        "reminders/manage.html",
        forum=forum,
        reminders=services.reminders_of(forum),
        deadline_reminders=services.deadline_reminders_of(forum),
        deadlines=services.shown_deadlines(forum),
        deadline_labels=DEADLINE_LABELS,
        offset_text=services.offset_text,
        now=current_time(),
        **forms,
    )
    return page, 422 if any(form.errors for form in forms.values()) else 200


@bp.get("/forums/<slug>/manage/reminders")
@login_required
def manage_reminders(slug: str):
    return _page(load_managed_forum(slug))


@bp.post("/forums/<slug>/manage/reminders")
@login_required
def add_reminder(slug: str):
    forum = load_managed_forum(slug)
    form = _reminder_form(forum, prefix="reminder")
    if form.validate_on_submit():
        event = next(e for e in events_of(forum) if e.code == form.event.data)  # a valid choice
        try:
            services.add_reminder(
                current_user,
                forum,
                event,
                minutes_before=form.minutes_before,
                details=form.details.data or "",
                translations=translations_from(form, REMINDER_TEXTS, forum.other_languages),
                now=current_time(),
            )
        except Refused as refusal:
            refusals.on_form(form, refusal)
        else:
            flash(
                _(
                    "%(event)s has a reminder %(offset)s before it starts.",
                    event=event.code,
                    offset=services.offset_text(form.minutes_before),
                ),
                "success",
            )
            return redirect(url_for(".manage_reminders", slug=forum.slug))
    return _page(forum, reminder=form)


def _reminder_or_404(forum: Forum, reminder_id: int) -> Reminder:
    reminder = services.reminder_of(forum, reminder_id)
    if reminder is None:
        abort(404, description=_("%(forum)s has no reminder with the number %(id)d.", forum=forum.name, id=reminder_id))
    return reminder


@bp.route("/forums/<slug>/manage/reminders/<int:reminder_id>/edit", methods=["GET", "POST"])
@login_required
def edit_reminder(slug: str, reminder_id: int):
    forum = load_managed_forum(slug)
    reminder = _reminder_or_404(forum, reminder_id)
    form_class = details_form(forum.other_languages)
    # Only a GET shows the stored values: an empty POST must fail, not save them again.
    if request.method == "GET":
        data = {"details": reminder.details, **translation_data(reminder, REMINDER_TEXTS, forum.other_languages)}
        form = form_class(formdata=None, data=data)
    else:
        form = form_class()
    if form.validate_on_submit():
        try:
            services.edit_details(
                current_user,
                forum,
                reminder,
                details=form.details.data or "",
                translations=translations_from(form, REMINDER_TEXTS, forum.other_languages),
            )
        except Refused as refusal:
            refusals.on_form(form, refusal)
        else:
            flash(_("The reminder's details are saved."), "success")
            return redirect(url_for(".manage_reminders", slug=forum.slug))
    return form_page(
        "reminders/edit.html",
        forum=forum,
        form=form,
        reminder=reminder,
        offset=services.offset_text(reminder.minutes_before),
    )


@bp.post("/forums/<slug>/manage/reminders/<int:reminder_id>/delete")
@login_required
def delete_reminder(slug: str, reminder_id: int):
    forum = load_managed_forum(slug)
    reminder = _reminder_or_404(forum, reminder_id)
    code = reminder.event.code
    services.remove_reminder(current_user, forum, reminder)
    flash(_("The reminder before %(event)s is deleted.", event=code), "success")
    return redirect(url_for(".manage_reminders", slug=forum.slug))


@bp.post("/forums/<slug>/manage/reminders/deadlines")
@login_required
def set_deadlines(slug: str):
    forum = load_managed_forum(slug)
    form = DeadlinesForm(prefix="deadlines", zone=forum.zone)
    if form.validate_on_submit():
        try:
            services.set_deadlines(
                current_user,
                forum,
                nominations_close_at=form.wall_clock("nominations_close_at"),
                credentials_due_at=form.wall_clock("credentials_due_at"),
            )
        except Refused as refusal:
            refusals.on_form(form, refusal)
        else:
            flash(_("The deadlines are saved."), "success")
            return redirect(url_for(".manage_reminders", slug=forum.slug))
    return _page(forum, deadlines=form)


@bp.post("/forums/<slug>/manage/reminders/deadline-reminders")
@login_required
def add_deadline_reminder(slug: str):
    forum = load_managed_forum(slug)
    form = DeadlineReminderForm(prefix="deadline_reminder")
    if form.validate_on_submit():
        kind = DeadlineKind(form.deadline.data)
        try:
            services.add_deadline_reminder(
                current_user, forum, deadline=kind, minutes_before=form.minutes_before, now=current_time()
            )
        except Refused as refusal:
            refusals.on_form(form, refusal)
        else:
            flash(
                _(
                    "Focal points behind on it are reminded %(offset)s before: %(deadline)s.",
                    offset=services.offset_text(form.minutes_before),
                    deadline=DEADLINE_LABELS[kind],
                ),
                "success",
            )
            return redirect(url_for(".manage_reminders", slug=forum.slug))
    return _page(forum, deadline_reminder=form)


@bp.post("/forums/<slug>/manage/reminders/deadline-reminders/<int:deadline_reminder_id>/delete")
@login_required
def delete_deadline_reminder(slug: str, deadline_reminder_id: int):
    forum = load_managed_forum(slug)
    reminder = services.deadline_reminder_of(forum, deadline_reminder_id)
    if reminder is None:
        abort(
            404,
            description=_(
                "%(forum)s has no deadline reminder with the number %(id)d.", forum=forum.name, id=deadline_reminder_id
            ),
        )
    services.remove_deadline_reminder(current_user, forum, reminder)
    flash(_("The deadline reminder is deleted."), "success")
    return redirect(url_for(".manage_reminders", slug=forum.slug))
