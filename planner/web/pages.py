"""How views answer with a page."""

from __future__ import annotations

from typing import Any

from flask import render_template, request


def form_page(template: str, **context: Any) -> tuple[str, int]:
    """A form page: 200 on a GET; 422 on a POST that comes back to it, having saved nothing."""
    return render_template(template, **context), 422 if request.method == "POST" else 200
