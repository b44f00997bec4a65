"""Slowing down password guessing without locking the owner out.

Failed sign-ins are counted per address, apart for each browser the account has signed in
from before (a signed "known browser" cookie, set at each successful sign-in) and together for
all the others. Someone guessing from browsers the account does not know meets growing
waits (5 failures in 15 minutes, 10 in an hour, 20 in a day); the owner, in a browser they
have used, keeps a count of their own and signs in as usual. An owner on a new browser who
meets the wait has the password reset link, which always works and signs them in.

Sign-ups are counted per network address, sized for a school class or a conference room
behind one address (60 in 10 minutes), and per email address typed (3 an hour: each one
mails the address's owner).

The counts live in the rate limiter's storage (``RATELIMIT_STORAGE_URI``): shared between
processes only when that is Redis (production start-up warns otherwise).
"""

from __future__ import annotations

import datetime as dt
import math
import secrets
import time

from flask import current_app
from itsdangerous import BadSignature, URLSafeTimedSerializer
from limits import RateLimitItem, parse_many
from werkzeug.wrappers import Response

from planner.accounts.tokens import fingerprint
from planner.extensions import limiter

#: The cookie that marks a browser the account has signed in from.
KNOWN_BROWSER_COOKIE = "planner_browser"
KNOWN_BROWSER_LIFETIME = dt.timedelta(days=365)
_SALT = "planner.known-browser"

#: Failures from browsers the account does not know: growing waits.
UNKNOWN_BROWSERS = parse_many("5 per 15 minutes; 10 per hour; 20 per day")
#: Failures from one browser the account knows: its own count, which nobody else can use up.
KNOWN_BROWSER = parse_many("5 per 15 minutes; 20 per day")
#: Sign-ups from one network address: a whole room may share it.
SIGN_UPS_PER_NETWORK = parse_many("60 per 10 minutes")
#: Sign-ups naming one email address.
SIGN_UPS_PER_EMAIL = parse_many("3 per hour")


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=_SALT)


def known_browser_of(cookie: str | None, email: str) -> str | None:
    """The id of the browser whose cookie this is, if that browser has signed in with the
    address ``email`` before (and not over a year ago)."""
    if not cookie or len(cookie) > 500:
        return None
    try:
        value = _serializer().loads(cookie, max_age=int(KNOWN_BROWSER_LIFETIME.total_seconds()))
    except BadSignature:
        return None
    if (
        not isinstance(value, dict)
        or value.get("address") != fingerprint(email)
        or not isinstance(value.get("browser"), str)
    ):
        return None
    return value["browser"]


def remember_browser(response: Response, email: str, browser: str | None) -> None:
    """Mark the browser as known to the address it signed in with (renewing the mark it has).
    The cookie holds a fingerprint of the address, not the address."""
    value = _serializer().dumps({"address": fingerprint(email), "browser": browser or secrets.token_urlsafe(16)})
    response.set_cookie(
        KNOWN_BROWSER_COOKIE,
        value,
        max_age=int(KNOWN_BROWSER_LIFETIME.total_seconds()),
        secure=current_app.config["SESSION_COOKIE_SECURE"],
        httponly=True,
        samesite="Lax",
    )


def _limits_for(email: str, browser: str | None) -> tuple[list[RateLimitItem], tuple[str, ...]]:
    if browser is None:
        return UNKNOWN_BROWSERS, ("sign-in", email)
    return KNOWN_BROWSER, ("sign-in", email, browser)


def wait_before_trying(email: str, browser: str | None) -> int:
    """Seconds to wait before this browser may try a password for ``email`` again; 0 if now."""
    if not limiter.enabled:
        return 0
    items, keys = _limits_for(email, browser)
    return _wait(items, keys)


def _wait(items: list[RateLimitItem], keys: tuple[str, ...]) -> int:
    waits = [
        math.ceil(limiter.limiter.get_window_stats(item, *keys).reset_time - time.time())
        for item in items
        if not limiter.limiter.test(item, *keys)
    ]
    return max(waits, default=0)


def failed(email: str, browser: str | None) -> None:
    if not limiter.enabled:
        return
    items, keys = _limits_for(email, browser)
    for item in items:
        limiter.limiter.hit(item, *keys)


def forgive(email: str, browser: str | None = None) -> None:
    """Forget the failures that count against this browser (or, without one, against the
    browsers the account does not know: after a password reset)."""
    if not limiter.enabled:
        return
    items, keys = _limits_for(email, browser)
    for item in items:
        limiter.limiter.clear(item, *keys)


def sign_up_wait(network: str, email: str) -> tuple[int, str | None]:
    """Seconds before another sign-up from ``network`` naming ``email`` is taken (0 if now),
    and which count is full: "network" or "email"."""
    if not limiter.enabled:
        return 0, None
    for which, items, keys in (
        ("email", SIGN_UPS_PER_EMAIL, ("sign-up-email", email)),
        ("network", SIGN_UPS_PER_NETWORK, ("sign-up-network", network)),
    ):
        if which == "email" and not email:
            continue
        wait = _wait(items, keys)
        if wait > 0:
            return wait, which
    return 0, None


def signing_up(network: str, email: str | None) -> None:
    """Count a sign-up sent from ``network``, and against ``email`` when it was valid (only
    then is a message mailed to it)."""
    if not limiter.enabled:
        return
    for item in SIGN_UPS_PER_NETWORK:
        limiter.limiter.hit(item, "sign-up-network", network)
    if email:
        for item in SIGN_UPS_PER_EMAIL:
            limiter.limiter.hit(item, "sign-up-email", email)
