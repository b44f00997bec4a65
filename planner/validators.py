"""Checks and text helpers shared by forms and services: what every entry point means by
an email address, printable text, a person's name, a list typed one item a line and a
session's languages."""

from __future__ import annotations

import re
from collections.abc import Sequence

from babel import Locale
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import DateTimeLocalField, Field, Form
from wtforms.validators import ValidationError

# One address: no spaces, control characters (PostgreSQL refuses NUL) or list separators.
EMAIL_PATTERN = re.compile(r"^[^@\s,;<>\x00-\x1f\x7f]+@[^@\s,;<>\x00-\x1f\x7f]+\.[^@\s,;<>\x00-\x1f\x7f]+$")


def email_address(form: Form, field: Field) -> None:
    field.data = (field.data or "").strip()
    if len(field.data) > 320 or not EMAIL_PATTERN.match(field.data):
        raise ValidationError(_l("Enter an email address like name@example.org."))


def has_control_characters(text: str, lines: bool = False) -> bool:
    """Control characters (DEL too) or the replacement character of bytes that could not be
    read; with ``lines``, line breaks and tabs are fine. What services refuse in typed text."""
    allowed = "\r\n\t" if lines else ""
    return any((ord(c) < 32 and c not in allowed) or ord(c) == 127 or c == "\ufffd" for c in text)


def printable(form: Form, field: Field) -> None:
    if field.data and any(ord(c) < 32 or c == "\ufffd" for c in field.data):
        raise ValidationError(_l("Remove control characters or characters that could not be read."))


def printable_lines(form: Form, field: Field) -> None:
    """Like ``printable``, for text of several lines (line breaks and tabs are fine)."""
    if field.data and any((ord(c) < 32 and c not in "\r\n\t") or c == "\ufffd" for c in field.data):
        raise ValidationError(_l("Remove control characters or characters that could not be read."))


# A person's name ------------------------------------------------------------------------------

#: The longest name shown: given and family name with the space between them.
NAME_MAX = 200


#: Hiragana, katakana, the long-vowel and iteration marks and spaces: a reading of a Japanese name.
KANA = re.compile(r"[\u3041-\u3096\u309d\u309e\u30a1-\u30fa\u30fc-\u30fe\u3000 ・]+")


def stripped(value: str | None) -> str | None:
    """A form filter: spaces typed around a value are not part of it."""
    return value.strip() if isinstance(value, str) else value


def display_name(given_name: str, family_name: str, family_name_first: bool) -> str:
    """The one way a person's name is put together for display (accounts and delegation
    members alike): both parts as typed, in the order the person chose ("Sato Yui" or
    "Yui Sato"); a part left empty is left out."""
    parts = [family_name, given_name] if family_name_first else [given_name, family_name]
    return " ".join(part for part in parts if part)


def name_problem(given_name: str, family_name: str) -> str | None:
    """What is wrong with a person's name as given and family name, if anything: the given name
    is needed (a family name alone is not enough), both are printable, and together they fit."""
    if not given_name.strip():
        return _("Enter a given name.")
    if any(ord(c) < 32 or c == "\ufffd" for c in given_name + family_name):
        return _("Remove control characters or characters that could not be read.")
    if len(given_name) + len(family_name) + (1 if family_name else 0) > NAME_MAX:
        return _("The given and family name are too long together: use at most %(num)d characters.", num=NAME_MAX)
    return None


def fits_with_given_name(form: Form, field: Field) -> None:
    """On a family name field: with the form's given name and the space between them, the
    name must fit (each part is checked for length and printable text on its own)."""
    given = form["given_name"]
    if given.data and not given.errors and len(given.data) + len(field.data or "") + 1 > NAME_MAX:
        raise ValidationError(
            _l("The given and family name are too long together: use at most %(num)d characters.", num=NAME_MAX)
        )


def lines(text: str | None) -> list[str]:
    """The non-blank lines of a text box, stripped: one item a line."""
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


# Longer than any programme's text; keeps a pasted document out of the database.
LONG_TEXT = 20_000

# A wall-clock time typed into a form, in the forum's timezone (see formatting.to_utc).
LOCAL_TIME = "%Y-%m-%dT%H:%M"
TIME_MESSAGE = _l("Enter a date and time like 2018-03-03T09:00.")


def plausible_year(form: Form, field: DateTimeLocalField) -> None:
    """Years far off are typing mistakes (and year 1 cannot even be moved to UTC)."""
    if field.data and not 1900 <= field.data.year <= 2200:
        raise ValidationError(_l("Enter a year between 1900 and 2200."))


# A session's languages ----------------------------------------------------------------------

#: ISO 639-1 codes (two letters) that Babel can name in every language planner speaks.
LANGUAGE_CODES: frozenset[str] = frozenset(
    code for code in map(str, Locale("en").languages) if len(code) == 2 and code.isalpha()
)
#: Interpretation offered into at most this many languages (the UN's six official ones, say).
MAX_INTERPRETATIONS = 6


def language_codes(text: str) -> list[str]:
    """Codes written in one cell or line, separated by ``;`` or ``,``: lowered, repeats dropped."""
    return list(dict.fromkeys(c.strip().lower() for c in re.split(r"[;,]", text) if c.strip()))


def language_problems(spoken: str | None, interpretation: Sequence[str]) -> list[tuple[str, str]]:
    """What is wrong with a session's language and interpretation, as (``"language"`` or
    ``"interpretation"``, message): codes must be ISO 639-1, at most MAX_INTERPRETATIONS
    languages, interpretation only from a language spoken and never into it."""
    problems = []
    if spoken and spoken not in LANGUAGE_CODES:
        problems.append(
            (
                "language",
                _("%(code)s is not a language code; use an ISO 639-1 code such as en or ja.", code=spoken[:16]),
            )
        )
    # Three unknown codes say enough; a forged form could send thousands.
    for code in [c for c in interpretation if c not in LANGUAGE_CODES][:3]:
        problems.append(
            (
                "interpretation",
                _("%(code)s is not a language code; use an ISO 639-1 code such as en or ja.", code=code[:16]),
            )
        )
    if len(interpretation) > MAX_INTERPRETATIONS:
        problems.append(
            ("interpretation", _("Choose at most %(num)d languages for interpretation.", num=MAX_INTERPRETATIONS))
        )
    if interpretation and not spoken:
        problems.append(("interpretation", _("Choose the language spoken too: interpretation is offered from it.")))
    if spoken and spoken in interpretation:
        problems.append(
            (
                "interpretation",
                _(
                    "%(language)s is the language spoken; choose only the languages interpreted into.",
                    language=(get_locale() or Locale("en")).languages.get(spoken, spoken),
                ),
            )
        )
    return problems
