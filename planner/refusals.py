"""Refusals: what a rule says when it will not do what was asked. Every domain raises its own
subclasses; the web layer turns them into a form error, a flashed message or a 4xx."""

from __future__ import annotations


class Refused(Exception):
    """An operation the rules refuse. The message is for the person; ``field`` names the form
    field it is about, if any."""

    def __init__(self, message: str = "", field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class NotAllowed(Refused):
    """The acting user's role does not allow this: a 403 with the message as its reason."""
