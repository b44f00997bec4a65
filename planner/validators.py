"""Checks and text helpers shared by forms and services: what every entry point means by
an email address, printable text and a list typed one item a line."""

from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l
from wtforms import DateTimeLocalField, Field, Form
from wtforms.validators import ValidationError

# One address: no spaces, control characters (PostgreSQL refuses NUL) or list separators.
EMAIL_PATTERN = re.compile(r"^[^@\s,;<>\x00-\x1f\x7f]+@[^@\s,;<>\x00-\x1f\x7f]+\.[^@\s,;<>\x00-\x1f\x7f]+$")


def email_address(form: Form, field: Field) -> None:
    field.data = (field.data or "").strip()
    if len(field.data) > 320 or not EMAIL_PATTERN.match(field.data):
        raise ValidationError(_l("Enter an email address like name@example.org."))


def printable(form: Form, field: Field) -> None:
    if field.data and any(ord(c) < 32 or c == "\ufffd" for c in field.data):
        raise ValidationError(_l("Remove control characters or characters that could not be read."))


def printable_lines(form: Form, field: Field) -> None:
    """Like ``printable``, for text of several lines (line breaks and tabs are fine)."""
    if field.data and any((ord(c) < 32 and c not in "\r\n\t") or c == "\ufffd" for c in field.data):
        raise ValidationError(_l("Remove control characters or characters that could not be read."))


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
