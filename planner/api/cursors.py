"""Cursors: where the next page of a list starts, as an opaque text.

A cursor names the list it belongs to and the last item given (keyset pagination), so a
page never repeats or skips an item when others are added meanwhile, and reading page
1,000 costs what page 1 does. They are base64url of ``kind:value:value``; anything else,
or a cursor of another list, is refused with ``BadCursor`` (a 400 that says so).
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import re

_SAFE_ID = 2**31 - 1
_NUMBER = re.compile(r"[0-9]{1,19}")


class BadCursor(ValueError):
    """Not a cursor this list gave."""


def _encode(kind: str, *values: int) -> str:
    text = ":".join([kind, *(str(value) for value in values)])
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def _decode(cursor: str, kind: str, count: int) -> list[int]:
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode("ascii")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise BadCursor(cursor) from None
    parts = text.split(":")
    if len(parts) != count + 1 or parts[0] != kind or not all(_NUMBER.fullmatch(part) for part in parts[1:]):
        raise BadCursor(cursor)
    return [int(part) for part in parts[1:]]


def of_id(item_id: int, kind: str) -> str:
    return _encode(kind, item_id)


def read_id(cursor: str, kind: str) -> int:
    (item_id,) = _decode(cursor, kind, 1)
    if item_id > _SAFE_ID:
        raise BadCursor(cursor)
    return item_id


def pair(first: int, second: int, kind: str) -> str:
    return _encode(kind, first, second)


def read_pair(cursor: str, kind: str) -> tuple[int, int]:
    first, second = _decode(cursor, kind, 2)
    if first > _SAFE_ID or second > _SAFE_ID:
        raise BadCursor(cursor)
    return first, second


def time_and_id(moment: dt.datetime, item_id: int, kind: str) -> str:
    """A moment to the microsecond (as UTC microseconds since the epoch) and an id."""
    utc = moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)
    micros = (utc - dt.datetime(1970, 1, 1, tzinfo=dt.UTC)) // dt.timedelta(microseconds=1)
    return _encode(kind, micros, item_id)


def read_time_and_id(cursor: str, kind: str) -> tuple[dt.datetime, int]:
    micros, item_id = _decode(cursor, kind, 2)
    if item_id > _SAFE_ID:
        raise BadCursor(cursor)
    try:
        moment = dt.datetime(1970, 1, 1, tzinfo=dt.UTC) + dt.timedelta(microseconds=micros)
    except OverflowError:
        raise BadCursor(cursor) from None
    return moment, item_id
