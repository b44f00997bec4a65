"""The signature of a webhook delivery, and how a receiver checks it.

Every attempt carries ``Planner-Signature: t=<unix seconds>,v1=<hex>``, where the hex is
HMAC-SHA256 keyed with the endpoint's secret (its UTF-8 bytes) over ``"<t>." + body``. The
timestamp is the attempt's, so a receiver refuses a replayed old request: ``verify`` accepts a
signature at most ``tolerance`` seconds away from its clock.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

HEADER = "Planner-Signature"
TOLERANCE = 300


def new_secret() -> str:
    """A fresh signing secret: 32 random bytes, URL-safe text."""
    return "whsec_" + secrets.token_urlsafe(32)


def signature(secret: str, timestamp: int, body: bytes) -> str:
    return hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()


def header(secret: str, timestamp: int, body: bytes) -> str:
    """The ``Planner-Signature`` value of ``body`` sent at ``timestamp`` (unix seconds)."""
    return f"t={timestamp},v1={signature(secret, timestamp, body)}"


def verify(secret: str, header: str, body: bytes, now: float, tolerance: int = TOLERANCE) -> bool:
    """Whether ``header`` (a ``Planner-Signature`` value) signs ``body`` with ``secret`` and was made within
    ``tolerance`` seconds of ``now`` (unix seconds). Several ``v1`` values may be given (one
    matching is enough); anything malformed is simply not verified."""
    timestamp: int | None = None
    candidates: list[str] = []
    for part in header.split(","):
        key, _, value = part.strip().partition("=")
        if key == "t" and value.isdigit():
            timestamp = int(value)
        elif key == "v1":
            candidates.append(value)
    if timestamp is None or not candidates or abs(now - timestamp) > tolerance:
        return False
    expected = signature(secret, timestamp, body)
    return any(hmac.compare_digest(expected, candidate) for candidate in candidates)
