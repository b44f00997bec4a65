"""Delegates apply to events, see and cancel their registrations, and keep an agenda."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from planner.db import writes_late
from planner.delegations.models import Delegation
from planner.extensions import db
from planner.forums.models import Event, EventKind
from planner.registration import agenda, bp, guardians, services
from planner.registration.eligibility import RegistrationRefused
from planner.registration.forms import application_form, application_from, delegation_choices
from planner.registration.models import Registration, RegistrationMode, RegistrationStatus
from planner.schedule.models import Session
from planner.translated import localized
from planner.web import refusals
from planner.web.loaders import event_or_404, load_forum


@bp.route("/forums/<slug>/events/<code>/register", methods=["GET", "POST"])
@login_required
@writes_late  # seats and rows are taken by conditional statements (registration/seats.py)
def apply(slug: str, code: str):
    context = services.application_context(slug, code, current_user)
    if context is None:
        event_or_404(load_forum(slug), code)  # raises the 404 that names what is unknown
        raise AssertionError("event_or_404 returned for an unknown event")
    event, policy, questions, existing = context.event, context.policy, context.questions, context.registration
    if policy is None or policy.mode is RegistrationMode.NOMINATION:
        abort(404, description=_("This event does not take online registrations."))
    # A closed event shows why instead of a form nobody can send (409 to a form sent anyway).
    closed = services.closed_because(policy) if existing is None or existing.status not in services.ACTIVE else None
    if closed:
        return render_template(
            "registration/apply.html", event=event, forum=event.forum, policy=policy, existing=existing, closed=closed
        ), 409 if request.method == "POST" else 200
    form = application_form(policy, questions, asks_delegation=event.kind is not EventKind.STUDENT)
    refusal = None
    if form.validate_on_submit():
        try:
            registration = services.apply(
                current_user, event, application_from(form, questions), questions=questions, existing=existing
            )
        except RegistrationRefused as error:
            refusal = refusals.undone(error)
        else:
            # /me tells the outcome from the stored registration rather than a flashed
            # message: the session cookie stays as it is, so a rush of applicants does not
            # pay for rewriting it twice (here, and on /me to take the message out).
            return redirect(url_for(".my_registrations", applied=registration.id))
    status = 422 if form.errors or refusal else 200
    if "delegation" in form:
        form.delegation.choices = delegation_choices(
            list(
                db.session.scalars(
                    select(Delegation)
                    .where(Delegation.forum_id == event.forum_id)
                    .order_by(func.lower(Delegation.name))
                )
            )
        )
    return render_template(
        "registration/apply.html",
        event=event,
        forum=event.forum,
        policy=policy,
        form=form,
        existing=existing,
        refusal=refusal,
        consent_days=current_app.config["CONSENT_DAYS"],
    ), status


@bp.get("/me")
@login_required
def my_registrations():
    registrations = db.session.scalars(
        select(Registration)
        .where(Registration.user_id == current_user.id)
        .options(joinedload(Registration.event).joinedload(Event.forum))
        .order_by(Registration.applied_at.desc())
    ).all()
    applied = request.args.get("applied", type=int)
    notice = next((_applied_notice(r) for r in registrations if r.id == applied), None)
    confirmed = {r.event_id for r in registrations if r.status is RegistrationStatus.CONFIRMED}
    picked = agenda.sessions_of(current_user)
    picked_ids = {s.id for s in picked}
    return render_template(
        "registration/me.html",
        registrations=registrations,
        agenda=picked,
        clashes=agenda.clashes(picked),
        offered=[s for s in agenda.offered_sessions(confirmed) if s.id not in picked_ids],
        action_form=FlaskForm(),
        notice=notice,
        consent_deadline=guardians.deadline_of,
    )


def _applied_notice(registration: Registration) -> str | None:
    """What became of the application ``registration`` just made, while it still stands."""
    event, status = localized(registration.event, "title"), registration.status
    if status is RegistrationStatus.CONFIRMED:
        return _("You are registered for %(event)s: your place is confirmed.", event=event)
    if status is RegistrationStatus.PENDING:
        return _("Your application for %(event)s is received; the organisers will decide.", event=event)
    if status is RegistrationStatus.WAITLISTED:
        return _("%(event)s is full: you are on the waiting list.", event=event)
    if status is RegistrationStatus.AWAITING_CONSENT:
        return _(
            "Your application for %(event)s is received. As you are under %(age)d, we have emailed %(guardian)s "
            "a link to give consent; your application goes on once they do.",
            event=event,
            age=registration.event.forum.age_of_majority,
            guardian=registration.guardian_name,
        )
    return None


@bp.post("/me/registrations/<int:registration_id>/cancel")
@login_required
def cancel(registration_id: int):
    registration = db.session.get(Registration, registration_id)
    if registration is None or registration.user_id != current_user.id:
        abort(404, description=_("You have no such registration."))
    try:
        services.cancel_own(current_user, registration)
    except services.RegistrationError as error:
        abort(409, description=str(error))
    flash(_("Your registration for %(event)s is cancelled.", event=localized(registration.event, "title")), "success")
    return redirect(url_for(".my_registrations"))


@bp.post("/me/agenda/<int:session_id>")
@login_required
def add_to_agenda(session_id: int):
    session = db.session.get(Session, session_id)
    if session is None:
        abort(404, description=_("There is no public session with this number."))
    try:
        agenda.add(current_user, session)
    except agenda.AgendaError as error:
        abort(403, description=str(error))
    return redirect(url_for(".my_registrations") + "#agenda")


@bp.post("/me/agenda/<int:session_id>/remove")
@login_required
def remove_from_agenda(session_id: int):
    agenda.remove(current_user, session_id)
    return redirect(url_for(".my_registrations") + "#agenda")
