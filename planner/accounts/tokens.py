"""Signed, expiring links for email verification, password reset and email change.

Each token carries a fingerprint of the state it may change, so it stops working once
used: a reset token names the current password hash, a verification token the address.
"""

from __future__ import annotations

import hashlib
from typing import Any

from flask import current_app
from itsdangerous import BadSignature, URLSafeTimedSerializer

VERIFY_EMAIL = "verify-email"
RESET_PASSWORD = "reset-password"
CHANGE_EMAIL = "change-email"

MAX_AGE = {
    VERIFY_EMAIL: 3 * 24 * 3600,
    RESET_PASSWORD: 3600,
    CHANGE_EMAIL: 24 * 3600,
}


class InvalidToken(Exception):
    """The link is malformed, tampered with, expired or already used."""


def fingerprint(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()[:16]


def _serializer(purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=f"planner-{purpose}")


def make_token(purpose: str, payload: dict[str, Any]) -> str:
    return _serializer(purpose).dumps(payload)


def read_token(purpose: str, token: str) -> dict[str, Any]:
    if len(token) > 1000:
        raise InvalidToken
    try:
        payload = _serializer(purpose).loads(token, max_age=MAX_AGE[purpose])
    except BadSignature:  # includes SignatureExpired
        raise InvalidToken from None
    if not isinstance(payload, dict):
        raise InvalidToken
    return payload
