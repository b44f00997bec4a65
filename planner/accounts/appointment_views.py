"""The organisers' page of a forum: who organises it and who speaks for each delegation."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import func, select
from wtforms import SelectChoice

from planner.accounts import appointments, bp, forms
from planner.accounts.permissions import NotAllowed, require_organiser
from planner.delegations.models import Delegation
from planner.extensions import db
from planner.forums.models import Forum
from planner.forums.views import load_forum


def load_managed_forum(slug: str) -> Forum:
    """The forum, if the signed-in user organises it; 404 or 403 otherwise."""
    forum = load_forum(slug)
    try:
        require_organiser(current_user, forum)
    except NotAllowed:
        abort(403, description=_("Only organisers of %(forum)s can do this.", forum=forum.name))
    return forum


def _focal_point_form(forum: Forum) -> forms.AppointFocalPointForm:
    form = forms.AppointFocalPointForm(prefix="focal")
    form.delegation.choices = [SelectChoice(d.id, d.name) for d in db.session.scalars(
        select(Delegation).where(Delegation.forum_id == forum.id).order_by(func.lower(Delegation.name))
    )]
    return form


def _manage_page(forum: Forum, organiser_form=None, focal_form=None):
    organiser_form = organiser_form or forms.AppointOrganiserForm(prefix="organiser")
    focal_form = focal_form or _focal_point_form(forum)
    status = 422 if organiser_form.errors or focal_form.errors else 200
    return render_template(
        "accounts/manage.html", forum=forum, organisers=appointments.organisers(forum),
        focal_points=appointments.focal_points(forum), organiser_form=organiser_form, focal_form=focal_form,
    ), status


@bp.get("/forums/<slug>/manage/")
@login_required
def manage(slug: str):
    return _manage_page(load_managed_forum(slug))


@bp.post("/forums/<slug>/manage/organisers")
@login_required
def appoint_organiser(slug: str):
    forum = load_managed_forum(slug)
    form = forms.AppointOrganiserForm(prefix="organiser")
    if form.validate_on_submit():
        try:
            appointment = appointments.appoint_organiser(current_user, forum, form.email.data)
        except appointments.AppointmentError as refusal:
            form.email.errors = [str(refusal)]
        else:
            db.session.commit()
            flash(_("%(name)s is now an organiser.", name=appointment.user.name), "success")
            return redirect(url_for(".manage", slug=forum.slug))
    return _manage_page(forum, organiser_form=form)


@bp.post("/forums/<slug>/manage/organisers/<int:user_id>/remove")
@login_required
def remove_organiser(slug: str, user_id: int):
    forum = load_managed_forum(slug)
    try:
        appointments.remove_organiser(current_user, forum, user_id)
    except appointments.AppointmentError as refusal:
        abort(404, description=str(refusal))
    db.session.commit()
    flash(_("The organiser was removed."), "success")
    return redirect(url_for(".manage", slug=forum.slug))


@bp.post("/forums/<slug>/manage/focal-points")
@login_required
def appoint_focal_point(slug: str):
    forum = load_managed_forum(slug)
    form = _focal_point_form(forum)
    if form.validate_on_submit():
        try:
            appointments.appoint_focal_point(current_user, forum, form.delegation.data, form.email.data)
        except appointments.AppointmentError as refusal:
            form.email.errors = [str(refusal)]
        else:
            db.session.commit()
            flash(_("The focal point was appointed."), "success")
            return redirect(url_for(".manage", slug=forum.slug))
    return _manage_page(forum, focal_form=form)


@bp.post("/forums/<slug>/manage/focal-points/<int:delegation_id>/<int:user_id>/remove")
@login_required
def remove_focal_point(slug: str, delegation_id: int, user_id: int):
    forum = load_managed_forum(slug)
    try:
        appointments.remove_focal_point(current_user, forum, delegation_id, user_id)
    except appointments.AppointmentError as refusal:
        abort(404, description=str(refusal))
    db.session.commit()
    flash(_("The focal point was removed."), "success")
    return redirect(url_for(".manage", slug=forum.slug))
