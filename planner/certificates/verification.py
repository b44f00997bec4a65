"""A certificate's code, and what the public verification page confirms with it.

The code is printed like a visa letter's (``accreditation.verification``: letters and digits
nobody mistakes, typed back in any case) and kept only as its SHA-256. So that the PDF need not
be made for everyone at once when the organisers send the certificates, it is made when
downloaded, its code derived again from the certificate's random salt with the site's secret
key (HMAC-SHA256): the database alone (a copied backup) gives no code.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import select

from planner.accreditation.verification import CODE_ALPHABET, CODE_LENGTH, code_hash
from planner.certificates.models import Certificate
from planner.extensions import db

__all__ = ["CODE_LENGTH", "Confirmed", "code_for", "code_hash", "new_salt", "verify"]


def new_salt() -> str:
    return secrets.token_hex(16)


def code_for(salt: str) -> str:
    """The code printed on the certificate with this salt."""
    key = current_app.config["SECRET_KEY"]
    key = key if isinstance(key, bytes) else str(key).encode()
    number = int.from_bytes(hmac.new(key, b"certificate code\x00" + salt.encode(), hashlib.sha256).digest())
    letters = []
    for _ in range(CODE_LENGTH):
        number, index = divmod(number, len(CODE_ALPHABET))
        letters.append(CODE_ALPHABET[index])
    return "".join(letters)


@dataclass(frozen=True)
class Confirmed:
    """All the verification page tells: what the certificate says, nothing more."""

    reference: str
    name: str
    forum_name: str
    event_title: str
    first_day: dt.date
    last_day: dt.date
    language: str
    revoked_on: dt.date | None  # in the forum's timezone; why is the organisers' to know


def verify(reference: str, code: str) -> Confirmed | None:
    """The certificate with this reference and code, or None: a wrong reference and a wrong
    code answer alike (and take the same comparison)."""
    reference = reference.strip().upper()
    given = code_hash(code)
    certificate = None
    if reference and len(reference) <= 80:
        certificate = db.session.scalar(select(Certificate).where(Certificate.reference == reference))
    stored = certificate.code_hash if certificate is not None else "0" * 64
    if not hmac.compare_digest(stored, given) or certificate is None:
        return None
    return Confirmed(
        certificate.reference,
        certificate.name,
        certificate.forum_name,
        certificate.event_title,
        certificate.first_day,
        certificate.last_day,
        certificate.language,
        certificate.revoked_on,
    )
