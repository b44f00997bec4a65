"""Swapping the app's identity keys inside a test, as a restart with another
PLANNER_IDENTITY_KEYS would."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from flask import Flask

from planner import crypto


@contextmanager
def identity_keys(app: Flask, *keys: str) -> Iterator[None]:
    """The app reads and writes with ``keys`` (the first encrypts) until the block ends."""
    saved = app.extensions[crypto.EXTENSION], app.config["IDENTITY_KEYS"]
    app.config["IDENTITY_KEYS"] = list(keys)
    crypto.init_app(app)
    try:
        yield
    finally:
        app.extensions[crypto.EXTENSION], app.config["IDENTITY_KEYS"] = saved
