"""What an embassy can check of a visa letter, and the code that lets it: the code printed on
the letter is drawn from letters and digits that cannot be mistaken for one another, kept only
as its SHA-256, and typed back in any letter case with spaces or hyphens; a wrong reference and
a wrong code get the same answer."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from dataclasses import dataclass

from sqlalchemy import select

from planner.accreditation.models import VisaLetter, VisaLetterStatus
from planner.extensions import db
from planner.forums.models import Forum

CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 10


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalised_code(code: str) -> str:
    """As typed from paper: spaces and hyphens left out, any letter case."""
    return "".join(c for c in code.upper() if c not in " -\t")


def code_hash(code: str) -> str:
    return hashlib.sha256(normalised_code(code).encode()).hexdigest()


@dataclass(frozen=True)
class Verification:
    """All an embassy learns of a letter: nothing more."""

    name_as_in_passport: str
    passport_last_digits: str
    forum: Forum
    issued_on: dt.date
    revoked_on: dt.date | None


def verify(reference: str, code: str) -> Verification | None:
    """The letter with this reference and code, or None: a wrong reference and a wrong code
    answer alike. Requested and refused letters have no reference."""
    reference = reference.strip().upper()
    given = code_hash(code)
    letter = None
    if reference and len(reference) <= 80:
        letter = db.session.scalar(
            select(VisaLetter).where(
                VisaLetter.reference == reference,
                VisaLetter.status.in_((VisaLetterStatus.ISSUED, VisaLetterStatus.REVOKED)),
            )
        )
    stored = letter.code_hash if letter is not None and letter.code_hash else "0" * 64
    if not hmac.compare_digest(stored, given) or letter is None or letter.issued_on is None:
        return None
    forum = letter.member.delegation.forum
    revoked_on = None
    if letter.status is VisaLetterStatus.REVOKED and letter.decided_at is not None:
        revoked_on = letter.decided_at.astimezone(forum.zone).date()
    return Verification(letter.name_as_in_passport, letter.passport_last_digits, forum, letter.issued_on, revoked_on)
