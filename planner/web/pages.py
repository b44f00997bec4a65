"""How views answer with a page."""

from __future__ import annotations

from typing import Any

from flask import Response, render_template, request


def form_page(template: str, **context: Any) -> tuple[str, int]:
    """A form page: 200 on a GET; 422 on a POST that comes back to it, having saved nothing."""
    return render_template(template, **context), 422 if request.method == "POST" else 200


def verification_page(page: str, refused: bool) -> Response:
    """A public check of a document's code (a visa letter's, a certificate's): the code may be
    in the address, so the page is never indexed, cached or passed on as a referrer; 422 when
    the form was refused."""
    response = Response(page, status=422 if refused else 200, mimetype="text/html")
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response
