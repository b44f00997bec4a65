"""Who is calling the authenticated API: the token in the Authorization header, the forum it
may act in for a scope, and the ``Idempotency-Key`` of its writes.

The API reads no cookie: a call is its token's, or anonymous. A missing, malformed, unknown,
expired or revoked token is a 401 that says which; a token without the scope, or not for the
forum, or whose account no longer holds the role there, a 403 that says so.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from flask import Response, g, request
from flask_babel import gettext as _

from planner.api import idempotency
from planner.api.http import answer, error, fail
from planner.api.models import ApiToken, Scope
from planner.api.tokens import TokenRejected, authenticate, permits
from planner.forums.models import Forum
from planner.web.loaders import load_forum


def with_token(view: Callable[..., Any]) -> Callable[..., Any]:
    """The view runs only for a valid token (``current_token()``); otherwise a 401, before
    anything of the request is read."""

    @functools.wraps(view)
    def checked(*args: Any, **kwargs: Any) -> Any:
        try:
            g.api_token = authenticate(request.headers.get("Authorization"))
        except TokenRejected as rejection:
            return error(401, str(rejection))
        return view(*args, **kwargs)

    return checked


def current_token() -> ApiToken:
    token: ApiToken = g.api_token
    return token


def forum_for(slug: str, scope: Scope) -> Forum:
    """The forum the URL names, if the token may use ``scope`` there (404 for no forum)."""
    forum = load_forum(slug)
    if not permits(current_token(), scope, forum):
        message = _(
            "This token may not do this at %(forum)s: it needs the scope %(scope)s there (%(what)s), and its owner "
            "the role that scope needs.",
            forum=forum.name,
            scope=scope.value,
            what=scope.label,
        )
        fail(403, message)
    return forum


def idempotent(view: Callable[..., Response]) -> Callable[..., Response]:
    """Honours ``Idempotency-Key``: the first answer (below 400) is kept with the write, in its
    transaction, and given again to the same request with the same key."""

    @functools.wraps(view)
    def once(*args: Any, **kwargs: Any) -> Response:
        key = request.headers.get("Idempotency-Key")
        if key is None:
            return view(*args, **kwargs)
        if not idempotency.valid_key(key):
            return error(400, _("The Idempotency-Key must be 1 to 200 printable characters without spaces."))
        digest = idempotency.request_hash(request.method, request.path, request.get_data(cache=True))
        try:
            claimed = idempotency.claim(current_token(), key, request.method, request.path, digest)
        except idempotency.KeyRefused as refusal:
            if str(refusal) == "reused":
                return error(422, _("This Idempotency-Key was already used for another request."))
            return error(409, _("A request with this Idempotency-Key is still being answered. Try again."))
        if isinstance(claimed, idempotency.Replay):
            replayed = answer(claimed.body.encode(), claimed.status, private=True)
            replayed.headers["Idempotent-Replayed"] = "true"
            return replayed
        response = view(*args, **kwargs)
        idempotency.fill(claimed, response.status_code, response.get_data(as_text=True))
        return response

    return once
