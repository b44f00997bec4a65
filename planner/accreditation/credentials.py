"""Credentials letters: the delegation's signed letter (a note verbale) naming who represents
it. A focal point uploads it as a PDF, checked to be one and nothing else: it starts with the
PDF header, pypdf reads it, it is not encrypted and carries no script, launch, embedded file or
form that runs. The organisers who handle accreditation verify it or return it with a reason.
A forum may require the delegation's newest letter to be verified before anyone is accredited:
``credentials_problem`` says what is missing, and a receiver of ``delegations.services.accrediting``
refuses the accreditation with it."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from flask import url_for
from flask_babel import gettext as _
from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject
from sqlalchemy import func, select

from planner.accounts import services as accounts
from planner.accounts.models import User
from planner.accounts.permissions import is_focal_point, is_organiser, require_accreditation_role
from planner.accreditation.models import CredentialsLetter, CredentialsStatus
from planner.accreditation.stored_files import put_until_rolled_back
from planner.audit.services import record
from planner.db import utcnow
from planner.delegations.models import Delegation, DelegationFocalPoint, DelegationMember
from planner.delegations.services import NominationError, accrediting
from planner.extensions import db
from planner.forums.models import Forum
from planner.forums.services import require_not_archived
from planner.mail.services import queue_email, written_in
from planner.refusals import NotAllowed, Refused
from planner.storage import MissingFile, file_store

MAX_BYTES = 10 * 2**20
MAX_PAGES = 50
MAX_OBJECTS = 100_000  # a letter has hundreds; past this the file is not a letter
REASON_MAX = 2000
_HEADER = re.compile(rb"%PDF-[12]\.[0-9]")
# After the last end-of-file marker only blank space: anything else is a second file (a ZIP,
# an HTML page) riding on the PDF.
_AFTER_THE_END = re.compile(rb"%%EOF[\s\x00]*\Z")
# Names of what runs or hides content; looked for in the raw bytes (names spelled with #xx
# escapes are decoded first) and again in every object pypdf reads, compressed ones too.
_ACTIVE_NAMES = ("JavaScript", "JS", "Launch", "EmbeddedFile", "EmbeddedFiles", "RichMedia", "XFA")
_ACTIVE_RAW = re.compile(rb"/(?:" + b"|".join(n.encode() for n in _ACTIVE_NAMES) + rb")(?![A-Za-z0-9#_.-])")
_NAME_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")
_MARKUP = re.compile(rb"<(?:script|html|svg|iframe|object|embed)[\s>/]", re.IGNORECASE)
_ACTIVE_KEYS = {f"/{name}" for name in _ACTIVE_NAMES}
_ACTIVE_ACTIONS = {"/JavaScript", "/Launch", "/SubmitForm", "/ImportData", "/RichMediaExecute", "/GoToE", "/Rendition"}


class CredentialsRefused(Refused):
    """A letter planner will not keep, or a decision the rules refuse, and why."""


class CredentialsMissing(NominationError):
    """Accreditation waits for the delegation's verified credentials letter."""


# The file ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CheckedLetter:
    pages: int


def checked_pdf(data: bytes) -> CheckedLetter:
    """The upload, if it is a readable PDF and nothing but one; CredentialsRefused otherwise."""

    def refused(message: str) -> CredentialsRefused:
        return CredentialsRefused(message, field="letter")

    if not data:
        raise refused(_("The file is empty. Choose the signed letter as a PDF file."))
    if len(data) > MAX_BYTES:
        raise refused(_("The letter is larger than %(size)d MB. Send a smaller PDF.", size=MAX_BYTES // 2**20))
    not_a_pdf = refused(_("This file is not a PDF. Send the signed letter as a PDF file."))
    if not _HEADER.match(data):
        # Also a file that is something else first (an image, a web page) and a PDF after it.
        raise not_a_pdf
    if not _AFTER_THE_END.search(data[-4096:]):
        raise refused(_("This PDF has something else after its end. Save the letter again as a plain PDF."))
    active = refused(
        _(
            "This PDF contains scripts, actions or embedded files, which planner does not accept. "
            "Print the letter to a new PDF, or scan it, and send that."
        )
    )
    if _ACTIVE_RAW.search(_NAME_ESCAPE.sub(lambda m: bytes([int(m[1], 16)]), data)) or _MARKUP.search(data):
        raise active
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            raise refused(_("This PDF is protected with a password or encrypted. Send it without protection."))
        pages = len(reader.pages)
        for page in reader.pages:
            page.mediabox  # noqa: B018  (reading each page proves it is there)
        if _runs_something(reader):
            raise active
    except CredentialsRefused:
        raise
    except Exception:  # hostile files make pypdf raise many kinds
        raise refused(_("This PDF cannot be read. Save the letter again as a PDF and send that.")) from None
    if pages == 0:
        raise refused(_("This PDF has no pages."))
    if pages > MAX_PAGES:
        raise refused(_("A credentials letter has at most %(pages)d pages.", pages=MAX_PAGES))
    return CheckedLetter(pages)


def _runs_something(reader: PdfReader) -> bool:
    """Whether any object of the file is a script, an action that runs or opens something, or
    an embedded file; the opening action may only go to a page."""
    numbers: list[tuple[int, int]] = [(number, 0) for number in reader.xref_objStm]
    for generation, objects in reader.xref.items():
        numbers.extend((number, generation) for number in objects)
    if len(numbers) > MAX_OBJECTS:
        return True
    for number, generation in numbers:
        obj: Any = reader.get_object(IndirectObject(number, generation, reader))
        # An action may sit in a dictionary inside the object (a link's /A, a page's /AA),
        # where an object stream hides it from the raw bytes: every direct dictionary counts.
        for dictionary in _dictionaries_in(obj):
            if _is_active(dictionary):
                return True
    return False


def _dictionaries_in(obj: Any) -> Iterator[DictionaryObject]:
    """``obj`` and the dictionaries it holds directly (not through references: those are
    objects of their own, checked in turn), at any depth."""
    pending = [obj]
    while pending:
        item = pending.pop()
        if isinstance(item, DictionaryObject):
            yield item
            pending.extend(item.values())
        elif isinstance(item, ArrayObject):
            pending.extend(item)


def _is_active(obj: DictionaryObject) -> bool:
    if _ACTIVE_KEYS.intersection(obj.keys()) or obj.get("/S") in _ACTIVE_ACTIONS:
        return True
    opening = obj.get("/OpenAction")
    if opening is not None:
        opening = opening.get_object()
        if not isinstance(opening, ArrayObject) and not (
            isinstance(opening, DictionaryObject) and opening.get("/S") == "/GoTo"
        ):
            return True
    return False


# The rules --------------------------------------------------------------------------------------


def may_handle_letters(user: User | None, delegation: Delegation) -> bool:
    """The delegation's focal points and the forum's organisers send and read its letters."""
    return is_focal_point(user, delegation) or is_organiser(user, delegation.forum)


def _require_handling(user: User, delegation: Delegation) -> None:
    if not may_handle_letters(user, delegation):
        raise NotAllowed(
            _(
                "Only the focal points of %(delegation)s and the organisers of %(forum)s can do this.",
                delegation=delegation.name,
                forum=delegation.forum.name,
            )
        )


def letters_of(delegation: Delegation) -> list[CredentialsLetter]:
    """The delegation's letters, newest first: the first is the one that counts."""
    return list(
        db.session.scalars(
            select(CredentialsLetter)
            .where(CredentialsLetter.delegation_id == delegation.id)
            .order_by(CredentialsLetter.uploaded_at.desc(), CredentialsLetter.id.desc())
        )
    )


def newest_letter(delegation: Delegation) -> CredentialsLetter | None:
    letters = letters_of(delegation)
    return letters[0] if letters else None


def upload_letter(actor: User, delegation: Delegation, data: bytes, filename: str) -> CredentialsLetter:
    """Keep a new credentials letter for the delegation; it waits for the secretariat."""
    _require_handling(actor, delegation)
    require_not_archived(delegation.forum)
    checked_pdf(data)
    key = put_until_rolled_back("credentials", data, "pdf")
    letter = CredentialsLetter(
        delegation_id=delegation.id,
        storage_key=key,
        filename=_shown_name(filename),
        size=len(data),
        status=CredentialsStatus.SUBMITTED,
        uploaded_at=utcnow(),
        uploaded_by_id=actor.id,
    )
    db.session.add(letter)
    db.session.flush()
    record(
        actor,
        "credentials.uploaded",
        forum_id=delegation.forum_id,
        target=("credentials_letter", letter.id),
        summary=_("Credentials letter of %(delegation)s", delegation=delegation.name),
        after={"status": letter.status.value, "size": letter.size},
    )
    return letter


def _shown_name(filename: str) -> str:
    """The name the file had, to tell letters apart in the history (never used as a path or
    in a header): its last part, printable, at most 200 characters."""
    name = re.split(r"[\\/]", filename or "")[-1]
    name = "".join(ch for ch in name if ch.isprintable()).strip()
    return name[:200]


def _decidable(actor: User, letter: CredentialsLetter) -> Delegation:
    delegation = letter.delegation
    require_accreditation_role(actor, delegation.forum)
    require_not_archived(delegation.forum)
    newest = newest_letter(delegation)
    if newest is None or newest.id != letter.id:
        raise CredentialsRefused(
            _("A newer letter of %(delegation)s was sent: decide on that one.", delegation=delegation.name)
        )
    if letter.storage_key is None:
        raise CredentialsRefused(_("This letter was removed with the forum's personal data."))
    return delegation


def verify_letter(actor: User, letter: CredentialsLetter) -> None:
    """The secretariat has checked the letter: the delegation's credentials are in order."""
    delegation = _decidable(actor, letter)
    if letter.status is CredentialsStatus.VERIFIED:
        raise CredentialsRefused(_("This letter is verified already."))
    before = letter.status.value
    letter.status, letter.reason = CredentialsStatus.VERIFIED, ""
    letter.decided_at, letter.decided_by_id = utcnow(), actor.id
    db.session.flush()
    record(
        actor,
        "credentials.verified",
        forum_id=delegation.forum_id,
        target=("credentials_letter", letter.id),
        summary=_("Credentials letter of %(delegation)s", delegation=delegation.name),
        before={"status": before},
        after={"status": letter.status.value},
    )


def return_letter(actor: User, letter: CredentialsLetter, reason: str) -> None:
    """Ask the delegation for a new letter, saying why; its focal points are told by mail."""
    delegation = _decidable(actor, letter)
    reason = reason.strip()
    if not reason:
        raise CredentialsRefused(_("Say why the letter is returned."), field="reason")
    if len(reason) > REASON_MAX:
        raise CredentialsRefused(_("The reason is at most %(max)d characters.", max=REASON_MAX), field="reason")
    if letter.status is CredentialsStatus.RETURNED:
        raise CredentialsRefused(_("This letter is returned already."))
    before = letter.status.value
    letter.status, letter.reason = CredentialsStatus.RETURNED, reason
    letter.decided_at, letter.decided_by_id = utcnow(), actor.id
    db.session.flush()
    record(
        actor,
        "credentials.returned",
        forum_id=delegation.forum_id,
        target=("credentials_letter", letter.id),
        summary=_("Credentials letter of %(delegation)s", delegation=delegation.name),
        before={"status": before},
        after={"status": letter.status.value, "reason": reason},
    )
    forum = delegation.forum
    for user in _focal_point_users(delegation):
        with written_in(accounts.language_of(user.email) or user.language):
            queue_email(
                user.email,
                "accreditation/credentials_returned",
                subject=_("Credentials letter of %(delegation)s returned", delegation=delegation.name),
                forum_id=forum.id,
                forum=forum.name,
                delegation=delegation.name,
                reason=reason,
                link=url_for("accreditation.credentials", slug=forum.slug, delegation_id=delegation.id, _external=True),
            )


def _focal_point_users(delegation: Delegation) -> list[User]:
    return list(
        db.session.scalars(
            select(User)
            .join(DelegationFocalPoint, DelegationFocalPoint.user_id == User.id)
            .where(DelegationFocalPoint.delegation_id == delegation.id, User.deleted_at.is_(None))
            .order_by(User.id)
        )
    )


def letter_for_download(actor: User, letter: CredentialsLetter) -> bytes | None:
    """The letter's PDF for someone who may read it, recorded in the audit log; None once its
    file is gone (purged)."""
    delegation = letter.delegation
    _require_handling(actor, delegation)
    if letter.storage_key is None:
        return None
    try:
        data = file_store().get(letter.storage_key)
    except MissingFile:
        return None
    record(
        actor,
        "credentials.downloaded",
        forum_id=delegation.forum_id,
        target=("credentials_letter", letter.id),
        summary=_("Credentials letter of %(delegation)s", delegation=delegation.name),
    )
    return data


def set_credentials_required(actor: User, forum: Forum, required: bool) -> bool:
    """Whether accreditation waits for verified credentials; True when the setting changed.
    The accreditation role decides it, as it decides on the letters."""
    require_accreditation_role(actor, forum)
    require_not_archived(forum)
    if forum.credentials_required == required:
        return False
    forum.credentials_required = required
    db.session.flush()
    record(
        actor,
        "forum.credentials_required",
        forum_id=forum.id,
        target=("forum", forum.id),
        summary=forum.name,
        before={"credentials_required": not required},
        after={"credentials_required": required},
    )
    return True


@dataclass(frozen=True)
class DelegationCredentials:
    delegation: Delegation
    newest: CredentialsLetter | None
    letters: int


def credentials_overview(forum: Forum) -> list[DelegationCredentials]:
    """Every delegation of the forum with its newest letter and how many it sent."""
    delegations = list(
        db.session.scalars(
            select(Delegation).where(Delegation.forum_id == forum.id).order_by(func.lower(Delegation.name))
        )
    )
    letters = db.session.scalars(
        select(CredentialsLetter)
        .join(Delegation, Delegation.id == CredentialsLetter.delegation_id)
        .where(Delegation.forum_id == forum.id)
        .order_by(CredentialsLetter.uploaded_at, CredentialsLetter.id)
    )
    newest: dict[int, CredentialsLetter] = {}
    counts: dict[int, int] = {}
    for letter in letters:  # oldest first: the last one seen is the newest
        newest[letter.delegation_id] = letter
        counts[letter.delegation_id] = counts.get(letter.delegation_id, 0) + 1
    return [DelegationCredentials(d, newest.get(d.id), counts.get(d.id, 0)) for d in delegations]


# Accreditation ----------------------------------------------------------------------------------


def credentials_problem(delegation: Delegation) -> str | None:
    """Why the delegation's members cannot be accredited yet, when its forum requires verified
    credentials: the newest letter is missing, waits or was returned. None when nothing stops it."""
    if not delegation.forum.credentials_required:
        return None
    letter = newest_letter(delegation)
    if letter is None:
        return _(
            "%(forum)s accredits members once their delegation's credentials letter is verified, "
            "and %(delegation)s has sent none yet.",
            forum=delegation.forum.name,
            delegation=delegation.name,
        )
    if letter.status is CredentialsStatus.RETURNED:
        return _(
            "The credentials letter of %(delegation)s was returned; accreditation waits for a new one, verified.",
            delegation=delegation.name,
        )
    if letter.status is not CredentialsStatus.VERIFIED:
        return _(
            "The credentials letter of %(delegation)s is not verified yet; accreditation waits for it.",
            delegation=delegation.name,
        )
    return None


@accrediting.connect
def _credentials_first(member: DelegationMember, **_extra: object) -> None:
    problem = credentials_problem(member.delegation)
    if problem is not None:
        raise CredentialsMissing(problem)
