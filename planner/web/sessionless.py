"""Answers that are the same for everyone: the session cookie is neither read nor written.

Flask sends ``Vary: Cookie`` once anything looks at the session during a request, and
Flask-Login's after-request hook always looks. A public calendar feed is the same whoever
asks, so its answer must not vary on the cookie (shared caches would keep one copy per
visitor) nor renew it. Views mark themselves with ``sessionless``; error answers keep the
cookie, since an error page shows who is signed in.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from flask import Flask, Response, g
from flask.sessions import SecureCookieSessionInterface, SessionMixin

_SESSIONLESS = "planner_sessionless"


def sessionless(view: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        g.setdefault(_SESSIONLESS, True)
        return view(*args, **kwargs)

    return wrapped


class SessionInterface(SecureCookieSessionInterface):
    def save_session(self, app: Flask, session: SessionMixin, response: Response) -> None:
        if g.get(_SESSIONLESS) and response.status_code < 400:
            return
        super().save_session(app, session, response)


def init_app(app: Flask) -> None:
    app.session_interface = SessionInterface()
