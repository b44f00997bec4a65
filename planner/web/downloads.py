"""Files as answers: named for saving, typed, never sniffed into something else, and kept out
of shared caches (and the browser's) when they hold anything personal."""

from __future__ import annotations

import re

from flask import Response


def safe_file_name(text: str) -> str:
    """``text`` with everything but ASCII letters, digits, dots, hyphens and underscores as
    hyphens: a name every browser saves as given, with nothing to escape in the header."""
    return re.sub(r"[^A-Za-z0-9._-]", "-", text)


def file_answer(
    data: bytes | str,
    mimetype: str,
    filename: str,
    *,
    inline: bool = False,
    private: bool = True,
    sandboxed: bool = False,
) -> Response:
    """``data`` to save as ``filename`` (planner's own ASCII name), or to show (``inline``).
    ``private``: personal data, for no cache at all; ``sandboxed``: a file someone uploaded,
    which must never run as a page of this site."""
    response = Response(data, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'{"inline" if inline else "attachment"}; filename="{filename}"'
    response.headers["X-Content-Type-Options"] = "nosniff"
    if private:
        response.headers["Cache-Control"] = "private, no-store"
    if sandboxed:
        response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
