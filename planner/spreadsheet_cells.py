"""CSV cells spreadsheets show as typed. A text starting like a formula (OWASP "CSV injection")
is written with a leading apostrophe, which spreadsheets hide, and read back without it: every
CSV planner writes and reads (registrations, the programme, the invitation list, the list of
participants, arrivals) goes through here."""

from __future__ import annotations

#: Spreadsheets run cells starting with these as formulas.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def cell(value: object) -> str | int:
    """``value`` for a CSV writer: numbers as they are, None as an empty cell, and a text that
    would run as a formula behind an apostrophe."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def typed(value: str | None) -> str:
    """A cell read from a CSV file, stripped, without the apostrophe ``cell`` put before it."""
    text = (value or "").strip()
    return text[1:] if text.startswith("'") and text[1:2] in FORMULA_STARTS else text
