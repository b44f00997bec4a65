"""Certificates' pages: the organisers' list of who attended an event, where they mark people
present and send the certificates; a person's own certificates and their PDF; and the public
verification page whose address each certificate prints (rules in ``attendance`` and
``services``, the PDF in ``certificate_pdf``)."""

from __future__ import annotations

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required

from planner.certificates import attendance, bp, services, verification
from planner.certificates.forms import AttendeeForm, RevokeCertificateForm, SendCertificatesForm, VerificationForm
from planner.certificates.models import Certificate
from planner.extensions import db, limiter
from planner.forums.models import Event
from planner.forums.services import ForumArchived
from planner.web import refusals
from planner.web.downloads import file_answer, safe_file_name
from planner.web.loaders import event_or_404, load_managed_forum
from planner.web.pages import verification_page

#: A school checks a few certificates at a time; guessing a code (31^10 of them) stays hopeless.
VERIFICATION_LIMIT = "20 per minute; 200 per hour"


def _managed_event(slug: str, code: str) -> Event:
    return event_or_404(load_managed_forum(slug), code)


def _attendance_page(event: Event, problem: str | None = None):
    everyone = attendance.attendees(current_user, event)
    page = render_template(
        "certificates/attendance.html",
        forum=event.forum,
        event=event,
        attendees=everyone,
        present=sum(1 for a in everyone if a.present),
        waiting=sum(1 for a in everyone if a.present and a.certificate is None),
        send_form=SendCertificatesForm(formdata=None),
        problem=problem,
    )
    response = Response(page, status=422 if problem else 200)
    response.headers["Cache-Control"] = "private, no-store"  # names of participants
    return response


@bp.get("/forums/<slug>/manage/events/<code>/attendance")
@login_required
def attendance_page(slug: str, code: str):
    return _attendance_page(_managed_event(slug, code))


def _change_mark(slug: str, code: str, *, present: bool):
    event = _managed_event(slug, code)
    form = AttendeeForm()
    if not form.validate_on_submit():
        problem = " ".join(str(error) for error in form.attendee.errors)
        return _attendance_page(event, problem=problem or _("Choose a participant from the list."))
    try:
        if present:
            attendee = attendance.mark_present(current_user, event, form.attendee.data or "")
        else:
            attendee = attendance.unmark_present(current_user, event, form.attendee.data or "")
    except (attendance.AttendanceError, ForumArchived) as refusal:
        return _attendance_page(event, problem=refusals.undone(refusal))
    if present:
        flash(_("%(name)s is marked present.", name=attendee.name), "success")
    else:
        flash(_("%(name)s is no longer marked present.", name=attendee.name), "success")
    return redirect(url_for(".attendance_page", slug=slug, code=event.code) + f"#{attendee.key}")


@bp.post("/forums/<slug>/manage/events/<code>/attendance/present")
@login_required
def mark_present(slug: str, code: str):
    return _change_mark(slug, code, present=True)


@bp.post("/forums/<slug>/manage/events/<code>/attendance/absent")
@login_required
def unmark_present(slug: str, code: str):
    return _change_mark(slug, code, present=False)


@bp.post("/forums/<slug>/manage/events/<code>/certificates")
@login_required
def send_certificates(slug: str, code: str):
    event = _managed_event(slug, code)
    if SendCertificatesForm().validate_on_submit():
        try:
            sent = services.send_certificates(current_user, event)
        except (services.CertificateError, attendance.AttendanceError, ForumArchived) as refusal:
            refusals.flashed(refusal)
        else:
            count = len(sent.issued)
            flash(ngettext("%(num)d certificate is issued.", "%(num)d certificates are issued.", count), "success")
            if sent.without_address:
                flash(
                    _(
                        "Nobody could be emailed for %(names)s (no address is known): download their "
                        "certificates from the list below to hand them over.",
                        names=_(", ").join(sent.without_address),
                    ),
                    "info",
                )
    return redirect(url_for(".attendance_page", slug=slug, code=event.code))


def _certificate_of(event: Event, certificate_id: int) -> Certificate:
    certificate = db.session.get(Certificate, certificate_id)
    if certificate is None or certificate.event_id != event.id:
        abort(404, description=_("%(event)s has no such certificate.", event=event.code))
    return certificate


@bp.get("/forums/<slug>/manage/events/<code>/certificates/<int:certificate_id>/certificate.pdf")
@login_required
def event_certificate_pdf(slug: str, code: str, certificate_id: int):
    """An organiser's copy, to hand to someone without an address (or a printer)."""
    event = _managed_event(slug, code)
    certificate = _certificate_of(event, certificate_id)
    data = services.pdf_of(certificate)  # a revoked one: a 409 with the reason
    return file_answer(data, "application/pdf", safe_file_name(certificate.reference) + ".pdf")


@bp.post("/forums/<slug>/manage/events/<code>/certificates/<int:certificate_id>/revoke")
@login_required
def revoke_certificate(slug: str, code: str, certificate_id: int):
    """Revoke a certificate issued by mistake, from the attendance page, saying why."""
    event = _managed_event(slug, code)
    certificate = _certificate_of(event, certificate_id)
    form = RevokeCertificateForm()
    if not form.validate_on_submit():
        problem = " ".join(str(error) for error in form.reason.errors)
        return _attendance_page(event, problem=problem or _("Say why the certificate is revoked."))
    try:
        services.revoke(current_user, certificate, form.reason.data or "")
    except (services.CertificateError, ForumArchived) as refusal:
        return _attendance_page(event, problem=refusals.undone(refusal))
    flash(_("Certificate %(reference)s is revoked.", reference=certificate.reference), "success")
    anchor = f"user-{certificate.user_id}" if certificate.user_id is not None else f"person-{certificate.person_id}"
    return redirect(url_for(".attendance_page", slug=slug, code=event.code) + f"#{anchor}")


@bp.get("/me/certificates")
@login_required
def my_certificates():
    response = Response(render_template("certificates/mine.html", certificates=services.certificates_of(current_user)))
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.get("/me/certificates/<int:certificate_id>/certificate.pdf")
@login_required
def certificate_pdf(certificate_id: int):
    certificate = services.certificate_of(current_user, certificate_id)
    if certificate is None:
        abort(404, description=_("You have no such certificate."))
    data = services.pdf_of(certificate)  # a refusal (revoked, or the key changed): a 409 with the reason
    return file_answer(data, "application/pdf", safe_file_name(certificate.reference) + ".pdf")


@bp.get("/certificates/verify")
@limiter.limit(VERIFICATION_LIMIT)
def verify_certificate():
    """Public: a school checks a certificate with its reference and code (typed, or from a link)."""
    asked = "reference" in request.args or "code" in request.args
    form = VerificationForm(request.args if asked else None)
    result = None
    checked = asked and form.validate()
    if checked:
        result = verification.verify(form.reference.data or "", form.code.data or "")
    page = render_template("certificates/verify.html", form=form, checked=checked, result=result)
    return verification_page(page, refused=asked and not checked)
