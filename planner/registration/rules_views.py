"""Organisers set an event's registration rules and questions (services in rules.py)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from planner.forums.models import Event
from planner.registration import bp, rules, services
from planner.registration.rules_forms import (
    QUESTION_TEXTS,
    QuestionForm,
    RulesForm,
    question_form,
    rules_form_data,
    rules_from,
)
from planner.translated import translations_from
from planner.validators import lines
from planner.web import refusals
from planner.web.loaders import event_or_404, load_managed_forum


def load_managed_event(slug: str, code: str) -> Event:
    """The event, if the signed-in user organises its forum; 404 or 403 otherwise."""
    return event_or_404(load_managed_forum(slug), code)


def _question_form(event: Event) -> type[QuestionForm]:
    return question_form(event.forum.other_languages)


def _rules_page(event: Event, rules_form: RulesForm | None = None, question_form: QuestionForm | None = None):
    policy = services.policy_of(event)
    # formdata=None: a form that was not the one sent shows what is stored, not the request.
    rules_form = rules_form or RulesForm(
        formdata=None,
        prefix="rules",
        zone=event.forum.zone,
        data=rules_form_data(rules.rules_of(policy), event.forum.zone),
    )
    question_form = question_form or _question_form(event)(formdata=None, prefix="question")
    status = 422 if rules_form.errors or question_form.errors else 200
    return render_template(
        "registration/rules.html",
        event=event,
        forum=event.forum,
        policy=policy,
        questions=services.questions_of(event),
        rules_form=rules_form,
        question_form=question_form,
    ), status


def _back_to_rules(event: Event, anchor: str = ""):
    return redirect(url_for(".edit_rules", slug=event.forum.slug, code=event.code) + anchor)


@bp.route("/forums/<slug>/manage/events/<code>/rules", methods=["GET", "POST"])
@login_required
def edit_rules(slug: str, code: str):
    event = load_managed_event(slug, code)
    if request.method == "GET":
        return _rules_page(event)
    form = RulesForm(prefix="rules", zone=event.forum.zone)
    if form.validate_on_submit():
        try:
            rules.set_rules(current_user, event, rules_from(form))
        except rules.RulesError as refusal:
            refusals.on_form(form, refusal)
        else:
            flash(_("The registration rules of %(event)s are saved.", event=event.code), "success")
            return _back_to_rules(event)
    return _rules_page(event, rules_form=form)


@bp.post("/forums/<slug>/manage/events/<code>/rules/questions")
@login_required
def add_question(slug: str, code: str):
    event = load_managed_event(slug, code)
    form = _question_form(event)(prefix="question")
    if form.validate_on_submit():
        try:
            rules.add_question(
                current_user,
                event,
                label=form.label.data,
                kind=form.kind.data,
                choices=lines(form.choices.data),
                required=form.required.data,
                translations=translations_from(form, QUESTION_TEXTS, event.forum.other_languages),
            )
        except rules.RulesError as refusal:
            refusals.on_form(form, refusal)
        else:
            flash(_("The question is added."), "success")
            return _back_to_rules(event, "#questions")
    return _rules_page(event, question_form=form)


@bp.post("/forums/<slug>/manage/events/<code>/rules/questions/<int:question_id>/remove")
@login_required
def remove_question(slug: str, code: str, question_id: int):
    event = load_managed_event(slug, code)
    try:
        removed = rules.remove_question(current_user, event, question_id).label
    except rules.QuestionNotFound as refusal:
        abort(404, description=str(refusal))
    flash(_("The question “%(label)s” is removed; answers already given are kept.", label=removed), "success")
    return _back_to_rules(event, "#questions")
