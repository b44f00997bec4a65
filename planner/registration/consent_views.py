"""A guardian answers a minor's application through the link we emailed (no account needed)."""

from __future__ import annotations

from flask import abort, render_template

from planner.registration import bp, consent
from planner.registration.forms import ConsentForm


@bp.route("/consent/<token>", methods=["GET", "POST"])
def guardian_consent(token: str):
    try:
        asked = consent.application_for_link(token)
    except consent.ConsentLinkInvalid as refusal:
        abort(400, description=str(refusal))
    form = ConsentForm()
    if form.validate_on_submit():
        decision = consent.Decision(form.decision.data)
        try:
            registration = consent.decide(token, decision)
        except consent.ConsentLinkInvalid as refusal:
            abort(400, description=str(refusal))
        return render_template("registration/consent_recorded.html", registration=registration, decision=decision)
    return render_template(
        "registration/consent.html",
        asked=asked,
        registration=asked.registration,
        event=asked.registration.event,
        forum=asked.registration.event.forum,
        form=form,
    ), 422 if form.errors else 200
