"""Pages for members' photos and delegations' credentials letters, and the only way their files
leave planner: views that check who asks, answer with the file's type, ``nosniff`` and no
caching, and put every download in the audit log (rules in ``photos`` and ``credentials``)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from planner.accounts.permissions import handles_accreditation
from planner.accreditation import bp, credentials, photos
from planner.accreditation.file_forms import (
    CredentialsLetterForm,
    CredentialsRequiredForm,
    PhotoForm,
    RemovePhotoForm,
    ReturnLetterForm,
    VerifyLetterForm,
)
from planner.accreditation.models import CredentialsLetter, CredentialsStatus
from planner.delegations.models import Delegation, DelegationMember
from planner.extensions import db
from planner.forums.services import ForumArchived
from planner.web import refusals
from planner.web.downloads import file_answer
from planner.web.loaders import load_delegation, load_managed_forum, load_member

# Room for the form's other fields and the multipart framing around the file.
_FRAMING = 64 * 1024


def _upload_limits() -> dict[str, tuple[int, str]]:
    return {
        "accreditation.member_photo": (
            photos.MAX_BYTES + _FRAMING,
            _("The photo is larger than %(size)d MB. Send a smaller one.", size=photos.MAX_BYTES // 2**20),
        ),
        "accreditation.credentials": (
            credentials.MAX_BYTES + _FRAMING,
            _("The letter is larger than %(size)d MB. Send a smaller PDF.", size=credentials.MAX_BYTES // 2**20),
        ),
    }


@bp.url_value_preprocessor
def _limit_uploads(endpoint: str | None, values: dict | None) -> None:
    """Uploads may be larger than the site's request limit (MAX_CONTENT_LENGTH), up to their
    own. This runs before every before_request hook (the CSRF check reads the form), and a body
    announced as larger is refused before any of it is read."""
    if request.method != "POST" or endpoint is None or endpoint not in _upload_limits():
        return
    limit, message = _upload_limits()[endpoint]
    request.max_content_length = limit
    if request.content_length is not None and request.content_length > limit:
        abort(413, description=message)


def _file(data: bytes, mimetype: str, filename: str, *, attachment: bool) -> Response:
    """A stored file as an answer: only this type, never cached, never run as a page."""
    return file_answer(data, mimetype, filename, inline=not attachment, sandboxed=True)


# Photos -----------------------------------------------------------------------------------------


def _photo_page(member: DelegationMember, form: PhotoForm | None = None, status: int = 200):
    delegation = member.delegation
    if form is None:
        form = PhotoForm(prefix="photo", formdata=None)
    return render_template(
        "accreditation/photo.html",
        forum=delegation.forum,
        delegation=delegation,
        member=member,
        photo=photos.photo_of(member),
        form=form,
        remove_form=RemovePhotoForm(prefix="remove", formdata=None),
        may_upload=member.status in photos.HOLDING_PHOTO and not delegation.forum.is_archived,
    ), status


@bp.route("/forums/<slug>/delegations/<int:delegation_id>/members/<int:person_id>/photo", methods=["GET", "POST"])
@login_required
def member_photo(slug: str, delegation_id: int, person_id: int):
    member = load_member(load_delegation(slug, delegation_id), person_id)
    if request.method == "GET":
        return _photo_page(member)
    form = PhotoForm(prefix="photo")
    if form.validate_on_submit():
        crop = photos.Crop(shift_x=form.shift_x.data, shift_y=form.shift_y.data, zoom=form.zoom.data)
        try:
            photos.upload_photo(current_user, member, form.photo.data.read(photos.MAX_BYTES + 1), crop)
        except (photos.PhotoRefused, ForumArchived) as refusal:
            refusals.on_form(form, refusal, "photo")
        else:
            flash(_("The photo of %(name)s is saved.", name=member.person.name), "success")
            return redirect(url_for(".member_photo", slug=slug, delegation_id=delegation_id, person_id=person_id))
    return _photo_page(member, form, 422)


@bp.post("/forums/<slug>/delegations/<int:delegation_id>/members/<int:person_id>/photo/remove")
@login_required
def remove_member_photo(slug: str, delegation_id: int, person_id: int):
    member = load_member(load_delegation(slug, delegation_id), person_id)
    form = RemovePhotoForm(prefix="remove")
    if form.validate_on_submit():
        try:
            photos.remove_photo(current_user, member)
        except (photos.PhotoRefused, ForumArchived) as refusal:
            refusals.flashed(refusal)
        else:
            flash(_("The photo of %(name)s is removed.", name=member.person.name), "success")
    return redirect(url_for(".member_photo", slug=slug, delegation_id=delegation_id, person_id=person_id))


@bp.get("/forums/<slug>/delegations/<int:delegation_id>/members/<int:person_id>/photo.jpg")
@login_required
def member_photo_file(slug: str, delegation_id: int, person_id: int):
    member = load_member(load_delegation(slug, delegation_id), person_id)
    data = photos.photo_for_download(current_user, member)
    if data is None:
        abort(404, description=_("%(name)s has no photo.", name=member.person.name))
    return _file(data, "image/jpeg", f"photo-{delegation_id}-{person_id}.jpg", attachment=False)


# Credentials letters ----------------------------------------------------------------------------


def _credentials_page(
    delegation: Delegation,
    upload_form: CredentialsLetterForm | None = None,
    return_form: ReturnLetterForm | None = None,
    status: int = 200,
):
    letters = credentials.letters_of(delegation)
    return render_template(
        "accreditation/credentials.html",
        forum=delegation.forum,
        delegation=delegation,
        letters=letters,
        newest=letters[0] if letters else None,
        statuses=CredentialsStatus,
        upload_form=upload_form or CredentialsLetterForm(prefix="letter", formdata=None),
        return_form=return_form or ReturnLetterForm(prefix="return", formdata=None),
        verify_form=VerifyLetterForm(prefix="verify", formdata=None),
        decides=handles_accreditation(current_user, delegation.forum),
        problem=credentials.credentials_problem(delegation),
    ), status


@bp.route("/forums/<slug>/delegations/<int:delegation_id>/credentials", methods=["GET", "POST"], endpoint="credentials")
@login_required
def credentials_page(slug: str, delegation_id: int):
    delegation = load_delegation(slug, delegation_id)
    if request.method == "GET":
        return _credentials_page(delegation)
    form = CredentialsLetterForm(prefix="letter")
    if form.validate_on_submit():
        upload = form.letter.data
        try:
            credentials.upload_letter(
                current_user, delegation, upload.read(credentials.MAX_BYTES + 1), upload.filename or ""
            )
        except (credentials.CredentialsRefused, ForumArchived) as refusal:
            refusals.on_form(form, refusal, "letter")
        else:
            flash(
                _("The credentials letter of %(delegation)s is sent to the secretariat.", delegation=delegation.name),
                "success",
            )
            return redirect(url_for(".credentials", slug=slug, delegation_id=delegation_id))
    return _credentials_page(delegation, upload_form=form, status=422)


def _letter(delegation: Delegation, letter_id: int) -> CredentialsLetter:
    letter = db.session.get(CredentialsLetter, letter_id)
    if letter is None or letter.delegation_id != delegation.id:
        abort(404, description=_("%(delegation)s has no such credentials letter.", delegation=delegation.name))
    return letter


def _deciding(slug: str, delegation_id: int) -> Delegation:
    """The delegation, for an organiser who handles accreditation; 403 for others."""
    delegation = load_delegation(slug, delegation_id, organisers_only=True)
    if not handles_accreditation(current_user, delegation.forum):
        abort(
            403,
            description=_(
                "Only organisers of %(forum)s who handle accreditation can do this.", forum=delegation.forum.name
            ),
        )
    return delegation


@bp.get("/forums/<slug>/delegations/<int:delegation_id>/credentials/<int:letter_id>/letter.pdf")
@login_required
def credentials_letter_file(slug: str, delegation_id: int, letter_id: int):
    delegation = load_delegation(slug, delegation_id)
    letter = _letter(delegation, letter_id)
    data = credentials.letter_for_download(current_user, letter)
    if data is None:
        abort(404, description=_("This letter was removed with the forum's personal data."))
    return _file(data, "application/pdf", f"credentials-{delegation_id}-{letter_id}.pdf", attachment=True)


@bp.post("/forums/<slug>/delegations/<int:delegation_id>/credentials/<int:letter_id>/verify")
@login_required
def verify_credentials(slug: str, delegation_id: int, letter_id: int):
    delegation = _deciding(slug, delegation_id)
    letter = _letter(delegation, letter_id)
    if VerifyLetterForm(prefix="verify").validate_on_submit():
        try:
            credentials.verify_letter(current_user, letter)
        except (credentials.CredentialsRefused, ForumArchived) as refusal:
            refusals.flashed(refusal)
        else:
            flash(_("The credentials letter of %(delegation)s is verified.", delegation=delegation.name), "success")
    return redirect(url_for(".credentials", slug=slug, delegation_id=delegation_id))


@bp.post("/forums/<slug>/delegations/<int:delegation_id>/credentials/<int:letter_id>/return")
@login_required
def return_credentials(slug: str, delegation_id: int, letter_id: int):
    delegation = _deciding(slug, delegation_id)
    letter = _letter(delegation, letter_id)
    form = ReturnLetterForm(prefix="return")
    if form.validate_on_submit():
        try:
            credentials.return_letter(current_user, letter, form.reason.data or "")
        except (credentials.CredentialsRefused, ForumArchived) as refusal:
            refusals.on_form(form, refusal, "reason")
        else:
            flash(
                _(
                    "The credentials letter of %(delegation)s is returned; its focal points are told why.",
                    delegation=delegation.name,
                ),
                "success",
            )
            return redirect(url_for(".credentials", slug=slug, delegation_id=delegation_id))
    return _credentials_page(delegation, return_form=form, status=422)


def _overview_page(slug: str, form: CredentialsRequiredForm | None = None, status: int = 200):
    forum = load_managed_forum(slug)
    if form is None:
        form = CredentialsRequiredForm(prefix="setting", formdata=None, required=forum.credentials_required)
    return render_template(
        "accreditation/credentials_overview.html",
        forum=forum,
        rows=credentials.credentials_overview(forum),
        statuses=CredentialsStatus,
        form=form,
        may_set=handles_accreditation(current_user, forum),
    ), status


@bp.get("/forums/<slug>/manage/credentials")
@login_required
def credentials_overview(slug: str):
    return _overview_page(slug)


@bp.post("/forums/<slug>/manage/credentials")
@login_required
def credentials_setting(slug: str):
    forum = load_managed_forum(slug)  # others than the accreditation role: the service's 403
    form = CredentialsRequiredForm(prefix="setting")
    if form.validate_on_submit():
        try:
            changed = credentials.set_credentials_required(current_user, forum, form.required.data)
        except ForumArchived as refusal:
            refusals.on_form(form, refusal)
        else:
            if changed:
                flash(_("The accreditation setting of %(forum)s is saved.", forum=forum.name), "success")
            return redirect(url_for(".credentials_overview", slug=slug))
    return _overview_page(slug, form, 422)
