"""The checks a member's identity data must pass, shared by the identity page and every other
entry point: lengths, printable text, real and plausible dates (born after 1900, a document
valid past the forum's last day), document numbers and phone numbers, nationalities from ISO
3166-1, a Latin transcription in Latin letters; and the fields a forum may require."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass

from flask_babel import format_date
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString

from planner.accreditation.models import IdentityDocumentKind
from planner.delegations.models import MemberRole, RepresentationLevel
from planner.formatting import country_codes
from planner.forums.models import Forum
from planner.refusals import Refused
from planner.validators import has_control_characters

#: The fields a forum may require before a member is accredited, as the settings page names them.
REQUIRABLE: dict[str, LazyString] = {
    "passport_family_name": _l("Family name as in the passport"),
    "passport_given_names": _l("Given names as in the passport"),
    "latin_transcription": _l("Latin transcription, where the passport name is in another script"),
    "honorific": _l("Title or honorific"),
    "nationality": _l("Nationality"),
    "date_of_birth": _l("Date of birth"),
    "document_number": _l("Passport or identity card number"),
    "document_expires_on": _l("Expiry date of the document"),
    "phone": _l("Phone number"),
}

PASSPORT_NAME_MAX = 200  # IdentityDetails.passport_family_name and the others
HONORIFIC_MAX = 60
PHONE_MAX = 40
NEEDS_MAX = 1000
EARLIEST_BIRTH = dt.date(1900, 1, 1)
#: The longest a passport or identity card is issued for, with some margin (some cards are for life).
LONGEST_VALIDITY_YEARS = 30
#: Many countries give a visa only on a passport valid this long after the stay.
VISA_VALIDITY_DAYS = 183
DOCUMENT_NUMBER = re.compile(r"^[A-Z0-9]{5,20}$")
PHONE = re.compile(r"^\+?[0-9 ]+$")
# Besides letters: what Latin transcriptions of names hold (O'Neill, Jean-Luc, St. John).
_LATIN_PUNCTUATION = set(" -'.,")


class IdentityRefused(Refused):
    """Identity data that does not pass its checks: every problem, by field."""

    def __init__(self, problems: Mapping[str, str]) -> None:
        first_field, first = next(iter(problems.items()))
        super().__init__(first, field=first_field)
        self.problems = dict(problems)


@dataclass
class IdentityData:
    """What the identity page sends. ``date_of_birth`` and ``document_number`` are None when
    left empty; with ``keep_secrets`` (a reader who sees them masked) that keeps what is stored."""

    passport_family_name: str = ""
    passport_given_names: str = ""
    family_name_first: bool = False
    latin_transcription: str = ""
    honorific: str = ""
    role: MemberRole = MemberRole.MEMBER
    level: RepresentationLevel = RepresentationLevel.OTHER
    nationality: str | None = None
    date_of_birth: dt.date | None = None
    document_kind: IdentityDocumentKind = IdentityDocumentKind.PASSPORT
    document_number: str | None = None
    document_expires_on: dt.date | None = None
    phone: str = ""
    dietary_needs: str = ""
    accessibility_needs: str = ""
    listed_publicly: bool = False


# Checks -------------------------------------------------------------------------------------


def is_latin(text: str) -> bool:
    """Letters of the Latin script only (accents allowed), with the punctuation of names."""
    return all(c in _LATIN_PUNCTUATION or (c.isalpha() and unicodedata.name(c, "").startswith("LATIN")) for c in text)


def _text_problem(value: str, maximum: int, *, lines: bool = False) -> str | None:
    if len(value) > maximum:
        return _("Use at most %(max)d characters.", max=maximum)
    if has_control_characters(value, lines):
        return _("Remove control characters or characters that could not be read.")
    return None


def normalised(data: IdentityData) -> IdentityData:
    """Surrounding spaces gone, the document number in capitals, the nationality an upper-case code."""
    strip = {
        name: getattr(data, name).strip()
        for name in (
            "passport_family_name",
            "passport_given_names",
            "latin_transcription",
            "honorific",
            "phone",
            "dietary_needs",
            "accessibility_needs",
        )
    }
    number = (data.document_number or "").strip().upper() or None
    nationality = (data.nationality or "").strip().upper() or None
    return IdentityData(**{**data.__dict__, **strip, "document_number": number, "nationality": nationality})


def problems(data: IdentityData, forum: Forum, today: dt.date) -> tuple[dict[str, str], list[str]]:
    """What is wrong with ``data`` (by field, a message each) and what merely deserves a
    warning. ``data`` is normalised."""
    found: dict[str, str] = {}
    warnings: list[str] = []
    for name, maximum, lines in (
        ("passport_family_name", PASSPORT_NAME_MAX, False),
        ("passport_given_names", PASSPORT_NAME_MAX, False),
        ("latin_transcription", PASSPORT_NAME_MAX, False),
        ("honorific", HONORIFIC_MAX, False),
        ("dietary_needs", NEEDS_MAX, True),
        ("accessibility_needs", NEEDS_MAX, True),
    ):
        problem = _text_problem(getattr(data, name), maximum, lines=lines)
        if problem:
            found[name] = problem
    if "latin_transcription" not in found and data.latin_transcription and not is_latin(data.latin_transcription):
        found["latin_transcription"] = _(
            "Write the transcription in Latin letters, as in the passport's machine-readable line."
        )
    if data.nationality is not None and data.nationality not in country_codes():
        found["nationality"] = _("Choose a country from the list.")
    if data.date_of_birth is not None:
        if data.date_of_birth >= today:
            found["date_of_birth"] = _("The date of birth must be in the past.")
        elif data.date_of_birth < EARLIEST_BIRTH:
            found["date_of_birth"] = _("Enter a date of birth in 1900 or later.")
    if data.document_number is not None and not DOCUMENT_NUMBER.match(data.document_number):
        found["document_number"] = _(
            "Enter the number as printed in the document: 5 to 20 letters and digits, without spaces or dashes."
        )
    expires = data.document_expires_on
    if expires is not None:
        if expires <= forum.last_day:
            found["document_expires_on"] = _(
                "This document expires on %(expires)s, before the forum ends on %(last_day)s: "
                "it must still be valid then. Give the details of a valid document.",
                expires=format_date(expires, "long"),
                last_day=format_date(forum.last_day, "long"),
            )
        elif expires.year > today.year + LONGEST_VALIDITY_YEARS:
            found["document_expires_on"] = _("Check the expiry date: documents are not valid that long.")
        elif expires < forum.last_day + dt.timedelta(days=VISA_VALIDITY_DAYS):
            warnings.append(
                _(
                    "The document expires less than six months after the forum: many countries give a visa "
                    "only on a passport valid six months beyond the stay."
                )
            )
    phone = data.phone
    if phone:
        if len(phone) > PHONE_MAX:
            found["phone"] = _("Use at most %(max)d characters.", max=PHONE_MAX)
        elif not PHONE.match(phone) or sum(c.isdigit() for c in phone) < 5:
            found["phone"] = _(
                "Enter the phone number with digits and spaces only, starting with + and the country code."
            )
    return found, warnings
