"""Encryption at rest of the most sensitive personal data (passport and ID numbers, dates of
birth): Fernet tokens (AES-128-CBC with HMAC-SHA256, from the ``cryptography`` library) in
ordinary text columns, through the ``EncryptedText`` column type.

The keys come from ``IDENTITY_KEYS`` (``PLANNER_IDENTITY_KEYS``: Fernet keys separated by
commas, the newest first). New values are encrypted with the first; every key still reads, so
a key is rotated by putting a new one first and running ``flask --app planner rotate-identity-keys``,
which re-encrypts every value with it; the old key can then go. Production refuses to start
without a key; development keeps one in ``instance/identity.key``, made on first start.
"""

from __future__ import annotations

import hashlib
import os
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from flask import Flask, current_app
from sqlalchemy import Text
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

from planner.config import ConfigError

EXTENSION = "planner_identity_keys"
#: For tests only (several apps of one test run read the same rows); never accepted in production.
TESTING_KEY = "cGxhbm5lci10ZXN0aW5nLWtleS1ub3Qtc2VjcmV0ISE="


class UnreadableValue(Exception):
    """A stored value no configured key opens: the key it was written with is gone."""


def new_key() -> str:
    return Fernet.generate_key().decode()


def _parse_keys(value: Any) -> list[str]:
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    if isinstance(value, list | tuple):
        return [str(part).strip() for part in value if str(part).strip()]
    return []


def _development_key(app: Flask) -> str:
    """The key ``make run`` uses, kept in the instance folder (never in the repository)."""
    path = os.path.join(app.instance_path, "identity.key")
    if not os.path.exists(path):
        os.makedirs(app.instance_path, exist_ok=True)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as file:
            file.write(new_key())
    with open(path, encoding="ascii") as file:
        return file.read().strip()


def init_app(app: Flask) -> None:
    keys = _parse_keys(app.config.get("IDENTITY_KEYS"))
    env = app.config["ENV"]
    if not keys:
        if env == "production":
            raise ConfigError(
                "PLANNER_IDENTITY_KEYS must be set in production: identity data is encrypted with it "
                "(make one with: python -c 'from cryptography.fernet import Fernet; "
                "print(Fernet.generate_key().decode())')"
            )
        keys = [TESTING_KEY] if app.testing else [_development_key(app)]
    try:
        fernets = [Fernet(key.encode()) for key in keys]
    except (ValueError, TypeError) as error:
        raise ConfigError(
            "PLANNER_IDENTITY_KEYS holds a value that is not a Fernet key (32 bytes, url-safe base64)"
        ) from error
    if env == "production" and TESTING_KEY in keys:
        raise ConfigError("PLANNER_IDENTITY_KEYS holds the testing key; set a secret one in production")
    app.config["IDENTITY_KEYS"] = keys
    app.extensions[EXTENSION] = MultiFernet(fernets)


def keys() -> MultiFernet:
    return current_app.extensions[EXTENSION]


def encrypt(text: str) -> str:
    return keys().encrypt(text.encode()).decode("ascii")


def decrypt(token: str) -> str:
    try:
        return keys().decrypt(token.encode("ascii")).decode()
    except InvalidToken as error:
        raise UnreadableValue("no configured identity key opens this value") from error


def rotate(token: str) -> str:
    """The same value encrypted with the newest key."""
    try:
        return keys().rotate(token.encode("ascii")).decode("ascii")
    except InvalidToken as error:
        raise UnreadableValue("no configured identity key opens this value") from error


class EncryptedText(TypeDecorator[str]):
    """A text column holding a Fernet token; Python sees the clear text."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: str | None, dialect: Dialect) -> str | None:
        return None if value is None else encrypt(value)

    def process_result_value(self, value: str | None, dialect: Dialect) -> str | None:
        return None if value is None else decrypt(value)


def secret_digest(secret: str) -> str:
    """What planner keeps of a random secret handed out in a cookie or a link (a session key,
    an invitation): its SHA-256, hex, so that a copy of the database opens nothing."""
    return hashlib.sha256(secret.encode()).hexdigest()


def masked(text: str | None, visible: int = 3) -> str:
    """``•••••123``: the last characters only, for readers who may not see the whole."""
    if not text:
        return ""
    shown = text[-visible:] if len(text) > visible + 2 else ""
    return "•" * max(len(text) - len(shown), 4) + shown
