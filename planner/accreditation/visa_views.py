"""Visa invitation letters' pages: a delegation's letters, where its focal points ask for them
and download them; the organisers' register, where the accreditation role approves, refuses and
revokes them and sets the letterhead; and the public verification page embassies open (rules in
``visa_letters``, the PDF in ``letter_pdf``)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from planner.accounts.permissions import handles_accreditation, is_focal_point
from planner.accreditation import bp, verification, visa_letters
from planner.accreditation.models import VisaLetter, VisaLetterStatus
from planner.accreditation.visa_forms import (
    ApproveForm,
    DecisionReasonForm,
    LetterheadForm,
    VerificationForm,
    VisaLetterRequestForm,
)
from planner.delegations.models import Delegation, DelegationMember, NominationStatus
from planner.extensions import db, limiter
from planner.forums.models import Forum
from planner.forums.services import ForumArchived
from planner.web import refusals
from planner.web.downloads import file_answer, safe_file_name
from planner.web.loaders import delegation_or_404, load_forum
from planner.web.pages import form_page, verification_page

#: An embassy checks a few letters at a time; guessing a code (31^10 of them) stays hopeless.
VERIFICATION_LIMIT = "20 per minute; 200 per hour"


def _delegation_for_letters(slug: str, delegation_id: int) -> Delegation:
    """The delegation, if the signed-in user is one of its focal points or handles accreditation."""
    forum = load_forum(slug)
    delegation = delegation_or_404(forum, delegation_id)
    if not (is_focal_point(current_user, delegation) or handles_accreditation(current_user, forum)):
        abort(
            403,
            description=_(
                "Only the focal points of %(delegation)s and the organisers of %(forum)s who handle accreditation "
                "can see its visa letters.",
                delegation=delegation.name,
                forum=forum.name,
            ),
        )
    return delegation


def _accreditation_forum(slug: str) -> Forum:
    forum = load_forum(slug)
    if not handles_accreditation(current_user, forum):
        abort(
            403,
            description=_("Only organisers of %(forum)s who handle accreditation can do this.", forum=forum.name),
        )
    return forum


def _letter_of(forum: Forum, letter_id: int) -> VisaLetter:
    letter = db.session.get(VisaLetter, letter_id)
    if letter is None or letter.member.delegation.forum_id != forum.id:
        abort(404, description=_("%(forum)s has no such visa letter.", forum=forum.name))
    return letter


@bp.get("/forums/<slug>/delegations/<int:delegation_id>/visa-letters")
@login_required
def delegation_visa_letters(slug: str, delegation_id: int):
    delegation = _delegation_for_letters(slug, delegation_id)
    members = visa_letters.members_for_letters(delegation)
    return render_template(
        "accreditation/delegation_visa_letters.html",
        forum=delegation.forum,
        delegation=delegation,
        members=members,
        letters=visa_letters.letters_of(delegation),
        missing=visa_letters.missing_by_member(delegation, members),
        accredited=NominationStatus.ACCREDITED,
        live=visa_letters.LIVE,
        issued=VisaLetterStatus.ISSUED,
        form=VisaLetterRequestForm(),
    )


@bp.post("/forums/<slug>/delegations/<int:delegation_id>/members/<int:person_id>/visa-letter")
@login_required
def request_visa_letter(slug: str, delegation_id: int, person_id: int):
    delegation = _delegation_for_letters(slug, delegation_id)
    member = db.session.get(DelegationMember, (delegation.id, person_id))
    if member is None:
        abort(404, description=_("%(delegation)s has no such member.", delegation=delegation.name))
    if VisaLetterRequestForm().validate_on_submit():
        try:
            visa_letters.request_letter(current_user, member)
        except (visa_letters.VisaLetterError, ForumArchived) as refusal:
            refusals.flashed(refusal)
        else:
            flash(_("A visa letter for %(name)s is requested.", name=member.person.name), "success")
    return redirect(url_for(".delegation_visa_letters", slug=slug, delegation_id=delegation_id))


def _register_page(forum: Forum, letterhead_form: LetterheadForm | None = None):
    if letterhead_form is None:
        letterhead_form = LetterheadForm(
            prefix="letterhead",
            formdata=None,
            letterhead_name=forum.letterhead_name,
            letterhead_address=forum.letterhead_address,
        )
    return render_template(
        "accreditation/visa_register.html",
        forum=forum,
        letters=visa_letters.register(current_user, forum),
        letterhead_form=letterhead_form,
        approve_form=ApproveForm(),
        requested=VisaLetterStatus.REQUESTED,
        issued=VisaLetterStatus.ISSUED,
    ), 422 if letterhead_form.errors else 200


@bp.get("/forums/<slug>/manage/visa-letters")
@login_required
def visa_letter_register(slug: str):
    return _register_page(_accreditation_forum(slug))


@bp.post("/forums/<slug>/manage/visa-letters/letterhead")
@login_required
def visa_letterhead(slug: str):
    forum = _accreditation_forum(slug)
    form = LetterheadForm(prefix="letterhead")
    if form.validate_on_submit():
        if visa_letters.set_letterhead(
            current_user, forum, form.letterhead_name.data or "", form.letterhead_address.data or ""
        ):
            flash(_("The letterhead of visa letters is saved."), "success")
        return redirect(url_for(".visa_letter_register", slug=slug))
    return _register_page(forum, letterhead_form=form)


@bp.post("/forums/<slug>/manage/visa-letters/<int:letter_id>/approve")
@login_required
def approve_visa_letter(slug: str, letter_id: int):
    forum = _accreditation_forum(slug)
    letter = _letter_of(forum, letter_id)
    if ApproveForm().validate_on_submit():
        try:
            issued = visa_letters.approve(current_user, letter)
        except (visa_letters.VisaLetterError, ForumArchived) as refusal:
            refusals.flashed(refusal)
        else:
            flash(_("Visa letter %(reference)s is issued.", reference=issued.letter.reference), "success")
    return redirect(url_for(".visa_letter_register", slug=slug))


def _decision_page(slug: str, letter_id: int, *, revoking: bool):
    forum = _accreditation_forum(slug)
    letter = _letter_of(forum, letter_id)
    form = DecisionReasonForm()
    if form.validate_on_submit():
        try:
            if revoking:
                visa_letters.revoke(current_user, letter, form.reason.data or "")
            else:
                visa_letters.refuse(current_user, letter, form.reason.data or "")
        except (visa_letters.VisaLetterError, ForumArchived) as refusal:
            refusals.on_form(form, refusal, "reason")
        else:
            if revoking:
                flash(_("Visa letter %(reference)s is revoked.", reference=letter.reference), "success")
            else:
                flash(_("The visa letter for %(name)s is refused.", name=letter.member.person.name), "success")
            return redirect(url_for(".visa_letter_register", slug=slug))
    if revoking:
        heading = _("Revoke visa letter %(reference)s", reference=letter.reference or "—")
    else:
        heading = _("Refuse the visa letter for %(name)s", name=letter.member.person.name)
    return form_page(
        "accreditation/visa_decision.html", forum=forum, letter=letter, form=form, revoking=revoking, heading=heading
    )


@bp.route("/forums/<slug>/manage/visa-letters/<int:letter_id>/refuse", methods=["GET", "POST"])
@login_required
def refuse_visa_letter(slug: str, letter_id: int):
    return _decision_page(slug, letter_id, revoking=False)


@bp.route("/forums/<slug>/manage/visa-letters/<int:letter_id>/revoke", methods=["GET", "POST"])
@login_required
def revoke_visa_letter(slug: str, letter_id: int):
    return _decision_page(slug, letter_id, revoking=True)


@bp.get("/forums/<slug>/visa-letters/<int:letter_id>/letter.pdf")
@login_required
def download_visa_letter(slug: str, letter_id: int):
    forum = load_forum(slug)
    letter = _letter_of(forum, letter_id)
    # Others get the refusal's 403, and a letter not issued (or purged) a 409, each with the reason.
    data = visa_letters.download(current_user, letter)
    # A passport number: private, for no cache at all.
    return file_answer(data, "application/pdf", safe_file_name(letter.reference or "visa-letter") + ".pdf")


@bp.get("/letters/verify")
@limiter.limit(VERIFICATION_LIMIT)
def verify_visa_letter():
    """Public: an embassy checks a letter with its reference and code (typed, or from a link)."""
    asked = "reference" in request.args or "code" in request.args
    form = VerificationForm(request.args if asked else None)
    result = None
    checked = asked and form.validate()
    if checked:
        result = verification.verify(form.reference.data or "", form.code.data or "")
    page = render_template("accreditation/verify.html", form=form, checked=checked, result=result)
    return verification_page(page, refused=asked and not checked)
