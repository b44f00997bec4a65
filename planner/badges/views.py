"""The organisers' badges page: issuing, printing, reprinting and revoking badges, and the
forum's badge keys."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response

from planner.badges import bp, issuing, print_runs, signing
from planner.badges.badge_forms import (
    HandIssueForm,
    IssueBadgesForm,
    ReprintForm,
    RetireKeyForm,
    RevokeForm,
    RotateKeyForm,
)
from planner.badges.models import Badge
from planner.badges.printing import LAYOUTS
from planner.extensions import db
from planner.forums.models import Forum
from planner.forums.services import ForumArchived
from planner.refusals import Refused
from planner.statements.rendering import find_font
from planner.translated import localized
from planner.web import refusals
from planner.web.downloads import file_answer, safe_file_name
from planner.web.loaders import event_or_404, load_managed_forum
from planner.web.pages import form_page


def _issue_form(forum: Forum, submitted: bool = False) -> IssueBadgesForm:
    form = IssueBadgesForm(prefix="issue") if submitted else IssueBadgesForm(prefix="issue", formdata=None)
    form.event.choices = [(0, _("Everyone"))] + [(event.id, localized(event, "title")) for event in forum.events]
    return form


def _page(forum: Forum, **forms: object) -> tuple[str, int]:
    badges = issuing.badges_of(forum)
    return form_page(
        "badges/badges.html",
        forum=forum,
        badges=badges,
        lapsed=issuing.lapsed_badge_ids(forum.id),
        waiting=len(issuing.holders_without_badge(forum)),
        keys=signing.keys_of(forum),
        signed=signing.badges_signed_with(forum),
        issue_form=forms.get("issue_form") or _issue_form(forum),
        hand_form=forms.get("hand_form") or HandIssueForm(prefix="hand", formdata=None),
        revoke_form=RevokeForm(prefix="revoke", formdata=None),
        reprint_form=ReprintForm(prefix="reprint", formdata=None),
        rotate_form=RotateKeyForm(prefix="rotate", formdata=None),
        retire_form=RetireKeyForm(prefix="retire", formdata=None),
    )


def _badge(forum: Forum, badge_id: int) -> Badge:
    badge = db.session.get(Badge, badge_id)
    if badge is None or badge.forum_id != forum.id:
        abort(404, description=_("%(forum)s has no such badge.", forum=forum.name))
    return badge


def _back(forum: Forum) -> Response:
    return redirect(url_for("badges.badges", slug=forum.slug))


def _refused(forum: Forum, form: FlaskForm) -> tuple[str, int]:
    """A row's form sent wrong: the page again (422) with what was wrong at its top."""
    for errors in form.errors.values():
        for error in errors:
            flash(str(error), "error")
    return _page(forum)


@bp.get("/forums/<slug>/manage/badges")
@login_required
def badges(slug: str):
    return _page(load_managed_forum(slug))


@bp.post("/forums/<slug>/manage/badges/issue")
@login_required
def issue_badges(slug: str):
    forum = load_managed_forum(slug)
    form = _issue_form(forum, submitted=True)
    if not form.validate_on_submit():
        return _page(forum, issue_form=form)
    event = next((event for event in forum.events if event.id == form.event.data), None)
    try:
        issued = issuing.issue_missing(current_user, forum, event)
    except ForumArchived as refusal:
        refusals.on_form(form, refusal)
        return _page(forum, issue_form=form)
    if issued:
        flash(_("%(count)d badges issued.", count=len(issued)), "success")
    else:
        flash(_("Everyone who should have a badge has one."), "info")
    return _back(forum)


@bp.post("/forums/<slug>/manage/badges/by-hand")
@login_required
def issue_badge_by_hand(slug: str):
    forum = load_managed_forum(slug)
    form = HandIssueForm(prefix="hand")
    if not form.validate_on_submit():
        return _page(forum, hand_form=form)
    try:
        badge = issuing.issue_by_hand(
            current_user,
            forum,
            category=form.category.data,
            name=form.name.data or "",
            affiliation=form.affiliation.data or "",
            function=form.function.data or "",
        )
    except Refused as refusal:
        refusals.on_form(form, refusal)
        return _page(forum, hand_form=form)
    flash(_("Badge %(number)s issued to %(name)s.", number=badge.printed_number, name=badge.name), "success")
    return _back(forum)


@bp.post("/forums/<slug>/manage/badges/<int:badge_id>/reprint")
@login_required
def reprint_badge(slug: str, badge_id: int):
    forum = load_managed_forum(slug)
    badge = _badge(forum, badge_id)
    if ReprintForm(prefix="reprint").validate_on_submit():
        try:
            issuing.reprint(current_user, badge, forum)
        except Refused as refusal:
            refusals.flashed(refusal)
        else:
            flash(
                _(
                    "Badge %(number)s is now version %(version)d: print it again; the earlier one is refused.",
                    number=badge.printed_number,
                    version=badge.version,
                ),
                "success",
            )
    return _back(forum)


@bp.post("/forums/<slug>/manage/badges/<int:badge_id>/revoke")
@login_required
def revoke_badge(slug: str, badge_id: int):
    forum = load_managed_forum(slug)
    badge = _badge(forum, badge_id)
    form = RevokeForm(prefix="revoke")
    if not form.validate_on_submit():
        return _refused(forum, form)
    try:
        issuing.revoke(current_user, badge, forum, form.reason.data or "")
    except Refused as refusal:
        refusals.flashed(refusal)
    else:
        flash(
            _("Badge %(number)s is revoked: scanners refuse it from their next sync.", number=badge.printed_number),
            "success",
        )
    return _back(forum)


@bp.post("/forums/<slug>/manage/badges/keys")
@login_required
def rotate_badge_key(slug: str):
    forum = load_managed_forum(slug)
    if RotateKeyForm(prefix="rotate").validate_on_submit():
        signing.rotate(current_user, forum)
        flash(_("A new key signs the badges issued and reprinted from now on."), "success")
    return _back(forum)


@bp.post("/forums/<slug>/manage/badges/keys/<int:key_id>/retire")
@login_required
def retire_badge_key(slug: str, key_id: int):
    forum = load_managed_forum(slug)
    form = RetireKeyForm(prefix="retire")
    if not form.validate_on_submit():
        return _refused(forum, form)
    try:
        signing.retire(current_user, forum, key_id)
    except Refused as refusal:
        refusals.flashed(refusal)
    else:
        flash(_("The key is retired: reprint the badges it signed."), "success")
    return _back(forum)


def _layout() -> str:
    layout = request.args.get("layout", "a6")
    if layout not in LAYOUTS:
        abort(400, description=_("Choose the A6 or the ID-1 card layout."))
    return layout


def _font() -> str | None:
    return find_font(current_app.config.get("STATEMENTS_PDF_FONT"))


@bp.get("/forums/<slug>/manage/badges.pdf")
@login_required
def print_badges(slug: str):
    forum = load_managed_forum(slug)
    layout = _layout()
    code = request.args.get("event")
    event = event_or_404(forum, code) if code else None
    try:
        run = print_runs.print_run(current_user, forum, layout=layout, event=event, font_path=_font())
    except print_runs.PrintRefused as refusal:
        refusals.flashed(refusal)
        return _back(forum)
    name = safe_file_name(f"badges-{forum.slug}{'-' + event.code if event else ''}-{layout}.pdf")
    response = file_answer(run.pdf, "application/pdf", name)
    response.headers["X-Badges-Left-Out"] = str(run.left_out)
    return response


@bp.get("/forums/<slug>/manage/badges/<int:badge_id>/badge.pdf")
@login_required
def badge_file(slug: str, badge_id: int):
    forum = load_managed_forum(slug)
    badge = _badge(forum, badge_id)
    layout = _layout()
    try:
        data = print_runs.badge_pdf(current_user, forum, badge, layout, _font())
    except print_runs.PrintRefused as refusal:
        refusals.flashed(refusal)
        return _back(forum)
    return file_answer(data, "application/pdf", f"badge-{badge.printed_number}-v{badge.version}-{layout}.pdf")
