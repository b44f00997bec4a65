"""Visa invitation letters: a focal point asks for one for an accredited member whose identity
data is complete; an organiser with the accreditation role issues or refuses it, and may
revoke it later. An embassy checks a letter on the verification page with the reference and
the code printed on it.

Issuing copies what the letter says of the person (so it reads the same later), numbers it in
its forum's sequence (``ISEF3-V-0001``, under a lock on the forum's row, the reference unique
across the site), draws a random code kept only as its SHA-256, and makes the PDF once, kept in
the file store's "letters" folder: the code cannot be printed again, so neither can the letter.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import current_app, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import contains_eager

from planner import counters, storage
from planner.accounts.models import User
from planner.accounts.permissions import handles_accreditation, is_focal_point, require_accreditation_role
from planner.accreditation import letter_pdf
from planner.accreditation.identity import details_of
from planner.accreditation.models import IdentityDetails, IdentityDocumentKind, VisaLetter, VisaLetterStatus
from planner.accreditation.stored_files import put_until_rolled_back
from planner.accreditation.verification import code_hash, new_code
from planner.audit.services import record
from planner.db import table_of, utcnow
from planner.delegations.models import Delegation, DelegationFocalPoint, DelegationMember, NominationStatus, Person
from planner.delegations.names import delegation_name
from planner.extensions import db
from planner.forums.models import Forum
from planner.forums.services import lock_forum, require_not_archived
from planner.labels import label
from planner.mail.services import queue_email, written_in
from planner.refusals import NotAllowed, Refused
from planner.statements.rendering import find_font
from planner.validators import display_name

#: Letters and digits nobody mistakes for one another when typing them from paper (no 0/O, 1/I/L).
#: The file store's folder of issued letters (the purge empties it with the forum's data).
LETTERS_FOLDER = "letters"
REASON_MAX = 1000
LIVE = {VisaLetterStatus.REQUESTED, VisaLetterStatus.ISSUED}


class VisaLetterError(Refused):
    """A request, decision or download the rules refuse, with a message for the person."""


def reference_for(forum: Forum, sequence: int) -> str:
    return f"{forum.slug.upper()}-V-{sequence:04d}"


# --- what a letter needs --------------------------------------------------------------------


def missing_for_letter(member: DelegationMember, identity: IdentityDetails | None) -> list[str]:
    """What the letter needs of the member's identity data and lacks, in words."""
    forum = member.delegation.forum
    if identity is None:
        return [_("the identity data as in the passport")]
    missing = []
    if not (identity.passport_family_name.strip() or identity.passport_given_names.strip()):
        missing.append(_("the name as in the passport"))
    if not identity.nationality:
        missing.append(_("the nationality"))
    if identity.document_kind is not IdentityDocumentKind.PASSPORT:
        missing.append(_("a passport (the identity document given is not one)"))
    elif not (identity.document_number or "").strip():
        missing.append(_("the passport number"))
    if identity.document_expires_on is None:
        missing.append(_("the passport's expiry date"))
    elif identity.document_expires_on < forum.last_day:
        missing.append(_("a passport valid until the end of the forum"))
    return missing


def _require_letter_ready(member: DelegationMember) -> IdentityDetails:
    name = member.person.name
    if member.status is not NominationStatus.ACCREDITED:
        raise VisaLetterError(_("A visa letter is only for accredited members: %(name)s is not accredited.", name=name))
    identity = details_of(member)
    missing = missing_for_letter(member, identity)
    if missing:
        raise VisaLetterError(
            _(
                "A visa letter for %(name)s needs identity data that is missing: %(missing)s.",
                name=name,
                missing=_(", ").join(missing),
            )
        )
    assert identity is not None
    return identity


def name_as_in_passport(identity: IdentityDetails, person: Person) -> str:
    """The passport's names in the order the person's name is shown, with their Latin letters
    where the passport has them apart."""
    name = display_name(
        identity.passport_given_names.strip(), identity.passport_family_name.strip(), person.family_name_first
    )
    transcription = identity.latin_transcription.strip()
    if transcription and transcription != name:
        name = f"{name} ({transcription})"
    return name[:400]


def last_digits(number: str) -> str:
    """The passport number's last characters the verification page shows: 4, or 3 of a short one."""
    number = "".join(number.split())
    return number[-4:] if len(number) >= 8 else number[-3:]


# --- asking ---------------------------------------------------------------------------------


def live_letter(member: DelegationMember) -> VisaLetter | None:
    return db.session.scalar(
        select(VisaLetter).where(
            VisaLetter.delegation_id == member.delegation_id,
            VisaLetter.person_id == member.person_id,
            VisaLetter.status.in_(LIVE),
        )
    )


def request_letter(actor: User, member: DelegationMember) -> VisaLetter:
    """Ask for a letter for an accredited member whose identity data the letter needs is
    there: the delegation's focal points (or the accreditation role). One live letter
    (requested or issued) a member at a time."""
    delegation = member.delegation
    if not (is_focal_point(actor, delegation) or handles_accreditation(actor, delegation.forum)):
        raise NotAllowed(
            _("Only the focal points of %(delegation)s can ask for its visa letters.", delegation=delegation.name)
        )
    require_not_archived(delegation.forum)
    _require_letter_ready(member)
    already = VisaLetterError(_("%(name)s has a visa letter requested or issued already.", name=member.person.name))
    if live_letter(member) is not None:
        raise already
    letter = VisaLetter(delegation_id=member.delegation_id, person_id=member.person_id, requested_by_id=actor.id)
    try:
        with db.session.begin_nested():
            db.session.add(letter)
            db.session.flush()
    except IntegrityError:
        raise already from None  # asked for at this very moment by someone else
    record(
        actor,
        "visa_letter.requested",
        forum_id=delegation.forum_id,
        target=("visa_letter", letter.id),
        summary=_(
            "Visa letter asked for %(name)s (%(delegation)s)", name=member.person.name, delegation=delegation.name
        ),
        after={"status": VisaLetterStatus.REQUESTED.value},
    )
    return letter


# --- deciding -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Issued:
    letter: VisaLetter
    code: str  # printed on the PDF; not kept anywhere else


def _move(letter: VisaLetter, from_status: VisaLetterStatus, to: VisaLetterStatus, message: str) -> None:
    """Of two organisers deciding at once, one wins; the other is told."""
    visa_letters = table_of(VisaLetter)
    if not counters.move_status(visa_letters.c.id == letter.id, visa_letters.c.status, {from_status}, to):
        db.session.refresh(letter)
        raise VisaLetterError(message)
    db.session.refresh(letter)


def _next_sequence(forum: Forum) -> int:
    """The forum's next number. The forum is locked first, so two approvals at once take two
    numbers; the unique reference backs it up."""
    lock_forum(forum)
    highest = db.session.scalar(
        select(func.max(VisaLetter.sequence))
        .join(Delegation, Delegation.id == VisaLetter.delegation_id)
        .where(Delegation.forum_id == forum.id)
    )
    return (highest or 0) + 1


def approve(actor: User, letter: VisaLetter) -> Issued:
    """Issue a requested letter: its text copied from the identity data as it is now, its
    reference and code, and its PDF made once and stored."""
    member = letter.member
    delegation = member.delegation
    forum = delegation.forum
    require_accreditation_role(actor, forum)
    require_not_archived(forum)
    if letter.status is not VisaLetterStatus.REQUESTED:
        raise VisaLetterError(_("Only a requested visa letter can be approved."))
    identity = _require_letter_ready(member)
    _move(
        letter, VisaLetterStatus.REQUESTED, VisaLetterStatus.ISSUED, _("Only a requested visa letter can be approved.")
    )
    sequence = _next_sequence(forum)
    code = new_code()
    number = "".join((identity.document_number or "").split())
    letter.sequence = sequence
    letter.reference = reference_for(forum, sequence)
    letter.code_hash = code_hash(code)
    letter.decided_by_id = actor.id
    letter.name_as_in_passport = name_as_in_passport(identity, member.person)
    letter.nationality = identity.nationality
    letter.passport_number = number
    letter.passport_last_digits = last_digits(number)
    letter.issued_on = utcnow().astimezone(forum.zone).date()
    # The letter is written in the forum's first language, as the host writes to embassies.
    with force_locale(forum.first_language):
        letter.function = (member.function or label(member.role))[:200]
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError:
        raise VisaLetterError(
            _("Another letter took this number at the same moment. Please approve it again.")
        ) from None
    with force_locale(forum.first_language):
        content = letter_pdf.content(
            forum,
            letter,
            delegation_name(delegation, forum.first_language),
            code,
            url_for("accreditation.verify_visa_letter", _external=True),
        )
    data = letter_pdf.pdf_bytes(content, find_font(current_app.config.get("STATEMENTS_PDF_FONT")))
    letter.storage_key = put_until_rolled_back(LETTERS_FOLDER, data, "pdf")
    db.session.flush()
    record(
        actor,
        "visa_letter.issued",
        forum_id=forum.id,
        target=("visa_letter", letter.id),
        summary=_("Visa letter %(reference)s issued for %(name)s", reference=letter.reference, name=member.person.name),
        before={"status": VisaLetterStatus.REQUESTED.value},
        after={"status": VisaLetterStatus.ISSUED.value, "reference": letter.reference},
    )
    _tell_focal_points(
        letter, "accreditation/visa_letter_issued", lambda: _("Visa letter issued: %(name)s", name=member.person.name)
    )
    return Issued(letter, code)


def _checked_reason(reason: str) -> str:
    reason = reason.strip()
    if not reason:
        raise VisaLetterError(_("Say why, for the focal points."), field="reason")
    if len(reason) > REASON_MAX:
        raise VisaLetterError(_("Say why in at most %(max)d characters.", max=REASON_MAX), field="reason")
    return reason


def refuse(actor: User, letter: VisaLetter, reason: str) -> None:
    """Refuse a requested letter, saying why; the focal points may ask again."""
    member = letter.member
    forum = member.delegation.forum
    require_accreditation_role(actor, forum)
    require_not_archived(forum)
    reason = _checked_reason(reason)
    _move(
        letter, VisaLetterStatus.REQUESTED, VisaLetterStatus.REFUSED, _("Only a requested visa letter can be refused.")
    )
    letter.reason, letter.decided_by_id = reason, actor.id
    db.session.flush()
    record(
        actor,
        "visa_letter.refused",
        forum_id=forum.id,
        target=("visa_letter", letter.id),
        summary=_("Visa letter for %(name)s refused", name=member.person.name),
        before={"status": VisaLetterStatus.REQUESTED.value},
        after={"status": VisaLetterStatus.REFUSED.value, "reason": reason},
    )
    _tell_focal_points(
        letter, "accreditation/visa_letter_refused", lambda: _("Visa letter refused: %(name)s", name=member.person.name)
    )


def revoke(actor: User, letter: VisaLetter, reason: str) -> None:
    """Withdraw an issued letter, saying why: the verification page then says it is revoked."""
    member = letter.member
    forum = member.delegation.forum
    require_accreditation_role(actor, forum)
    require_not_archived(forum)
    reason = _checked_reason(reason)
    _move(letter, VisaLetterStatus.ISSUED, VisaLetterStatus.REVOKED, _("Only an issued visa letter can be revoked."))
    letter.reason, letter.decided_by_id = reason, actor.id
    db.session.flush()
    record(
        actor,
        "visa_letter.revoked",
        forum_id=forum.id,
        target=("visa_letter", letter.id),
        summary=_("Visa letter %(reference)s revoked", reference=letter.reference),
        before={"status": VisaLetterStatus.ISSUED.value},
        after={"status": VisaLetterStatus.REVOKED.value, "reason": reason},
    )
    _tell_focal_points(
        letter, "accreditation/visa_letter_revoked", lambda: _("Visa letter revoked: %(name)s", name=member.person.name)
    )


def _tell_focal_points(letter: VisaLetter, template: str, subject: Any) -> None:
    """Mail each focal point of the delegation in their own language."""
    member = letter.member
    delegation = member.delegation
    focal_points = db.session.scalars(
        select(User)
        .join(DelegationFocalPoint, DelegationFocalPoint.user_id == User.id)
        .where(DelegationFocalPoint.delegation_id == delegation.id, User.deleted_at.is_(None))
        .order_by(User.id)
    )
    for user in focal_points:
        with written_in(user.language):
            queue_email(
                user.email,
                template,
                subject=subject(),
                forum_id=delegation.forum_id,
                name=user.name,
                member=member.person.name,
                delegation=delegation_name(delegation),
                forum=delegation.forum.name,
                reference=letter.reference or "",
                reason=letter.reason,
                link=url_for(
                    "accreditation.delegation_visa_letters",
                    slug=delegation.forum.slug,
                    delegation_id=delegation.id,
                    _external=True,
                ),
            )


# --- the PDF --------------------------------------------------------------------------------


def may_download(user: User | None, letter: VisaLetter) -> bool:
    delegation = letter.member.delegation
    return handles_accreditation(user, delegation.forum) or is_focal_point(user, delegation)


def download(actor: User, letter: VisaLetter) -> bytes:
    """The issued letter's PDF, as made when it was issued; every download is audited."""
    if not may_download(actor, letter):
        raise NotAllowed(
            _(
                "Only the focal points of %(delegation)s and the organisers who handle accreditation can download "
                "its visa letters.",
                delegation=letter.member.delegation.name,
            )
        )
    if letter.status is not VisaLetterStatus.ISSUED:
        raise VisaLetterError(
            _("This visa letter is not issued (its status is “%(status)s”).", status=label(letter.status))
        )
    try:
        if letter.storage_key is None:
            raise storage.MissingFile("purged")
        data = storage.file_store().get(letter.storage_key)
    except storage.MissingFile:
        raise VisaLetterError(
            _("This letter's PDF is no longer kept: the forum's personal data was removed.")
        ) from None
    record(
        actor,
        "visa_letter.downloaded",
        forum_id=letter.member.delegation.forum_id,
        target=("visa_letter", letter.id),
        summary=_("Visa letter %(reference)s downloaded", reference=letter.reference),
    )
    return data


# --- the register and the delegation's letters ----------------------------------------------


def register(actor: User, forum: Forum) -> list[VisaLetter]:
    """Every letter of the forum, the newest request first."""
    require_accreditation_role(actor, forum)
    return list(
        db.session.scalars(
            select(VisaLetter)
            .join(VisaLetter.member)
            .join(DelegationMember.person)
            .join(DelegationMember.delegation)
            .options(
                contains_eager(VisaLetter.member).contains_eager(DelegationMember.person),
                contains_eager(VisaLetter.member).contains_eager(DelegationMember.delegation),
            )
            .where(Delegation.forum_id == forum.id)
            .order_by(VisaLetter.requested_at.desc(), VisaLetter.id.desc())
        )
    )


def members_for_letters(delegation: Delegation) -> list[DelegationMember]:
    """The delegation's members, accredited first, then by name."""
    members = db.session.scalars(
        select(DelegationMember)
        .join(DelegationMember.person)
        .options(contains_eager(DelegationMember.person))
        .where(DelegationMember.delegation_id == delegation.id)
        .order_by(Person.name)
    )
    return sorted(members, key=lambda m: m.status is not NominationStatus.ACCREDITED)


def missing_by_member(delegation: Delegation, members: list[DelegationMember]) -> dict[int, list[str]]:
    """What each accredited member's letter would lack, in one query for the identity data."""
    identities = {
        identity.person_id: identity
        for identity in db.session.scalars(
            select(IdentityDetails).where(IdentityDetails.delegation_id == delegation.id)
        )
    }
    return {
        m.person_id: missing_for_letter(m, identities.get(m.person_id))
        for m in members
        if m.status is NominationStatus.ACCREDITED
    }


def letters_of(delegation: Delegation) -> dict[int, list[VisaLetter]]:
    """The delegation's letters by person, the newest first."""
    letters: dict[int, list[VisaLetter]] = {}
    for letter in db.session.scalars(
        select(VisaLetter)
        .where(VisaLetter.delegation_id == delegation.id)
        .order_by(VisaLetter.requested_at.desc(), VisaLetter.id.desc())
    ):
        letters.setdefault(letter.person_id, []).append(letter)
    return letters


def set_letterhead(actor: User, forum: Forum, name: str, address: str) -> bool:
    """The host's name and address letters are printed under; whether they changed."""
    require_accreditation_role(actor, forum)
    before = {"letterhead_name": forum.letterhead_name, "letterhead_address": forum.letterhead_address}
    after = {"letterhead_name": name.strip(), "letterhead_address": address.strip()}
    if before == after:
        return False
    forum.letterhead_name, forum.letterhead_address = after["letterhead_name"], after["letterhead_address"]
    db.session.flush()
    record(
        actor,
        "forum.letterhead_changed",
        forum_id=forum.id,
        target=("forum", forum.id),
        summary=_("Letterhead of visa letters changed"),
        before=before,
        after=after,
    )
    return True
