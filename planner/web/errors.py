"""Error pages: every HTTP error, and refusals no view put on a form (a 403 with the reason
for a permission refusal, a 409 for any other)."""

from __future__ import annotations

import json

from flask import Flask, render_template, request
from flask_babel import gettext as _
from werkzeug.exceptions import Conflict, Forbidden, HTTPException
from werkzeug.wrappers import Response

from planner.refusals import NotAllowed, Refused


def http_error(error: HTTPException) -> Response:
    titles = {
        400: _("Bad request"),
        403: _("Not allowed"),
        409: _("Not possible"),
        404: _("Page not found"),
        405: _("Method not allowed"),
        413: _("Too much data"),
        429: _("Too many attempts"),
        500: _("Server error"),
        503: _("Service unavailable"),
    }
    messages = {
        404: _("We could not find the page you asked for. It may have moved, or the address may be mistyped."),
        405: _("This page cannot be used that way."),
        413: _("What you sent is larger than planner accepts. Please shorten it and try again."),
        429: _("Too many attempts in a short time. Please wait a few minutes and try again."),
        500: _("Something went wrong on our side. Please try again in a moment."),
    }
    title = titles.get(error.code or 500, error.name)
    # Werkzeug's stock descriptions are English only; the views' own ones are translated.
    message = error.description
    if message == type(error).description:
        message = messages.get(error.code or 500, message)
    response = error.get_response()
    if request.path.startswith(API_PREFIX):
        return _json_error(response, error.code or 500, str(message))
    if error.code == 400 and "CSRF" in str(message):
        message = _("The form had expired or did not come from planner. Please go back, reload it and try again.")
    response.data = render_template("site/error.html", title=title, message=message, code=error.code)
    response.content_type = "text/html; charset=utf-8"
    return response


#: Where answers are JSON, errors included: {"error": reason, "status": code, "details": []}.
API_PREFIX = "/api/v1/"


def _json_error(response: Response, code: int, message: str) -> Response:
    if response.mimetype == "application/json":  # an answer the API made itself (planner.api.http.fail)
        return response
    response.set_data(json.dumps({"error": message, "status": code, "details": []}, ensure_ascii=False))
    response.content_type = "application/json"
    response.headers["Cache-Control"] = "private, no-store"
    return response


def permission_refused(refusal: NotAllowed) -> Response:
    return http_error(Forbidden(description=str(refusal) or _("Your role does not allow this.")))


def refused(refusal: Refused) -> Response:
    return http_error(Conflict(description=str(refusal)))


def init_app(app: Flask) -> None:
    app.register_error_handler(HTTPException, http_error)
    app.register_error_handler(NotAllowed, permission_refused)
    app.register_error_handler(Refused, refused)
