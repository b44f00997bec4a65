"""Which language a page is in: the reader's choice, else their account's, else their browser's.

The choice comes, in this order, from ``?lang=`` (the links in ``hreflang`` use it), the
``planner_language`` cookie the language switch sets, the signed-in account's language (the one
its email is written in), and ``Accept-Language``; it is always one of ``LANGUAGES``.
"""

from __future__ import annotations

from urllib.parse import urlencode

from flask import Flask, current_app, has_request_context, request
from flask_login import current_user

#: Set by the language switch, for a year.
LANGUAGE_COOKIE = "planner_language"
#: Each language's name in itself, as the switch shows it.
NAMES = {"en": "English", "ja": "日本語"}


def offered() -> list[str]:
    return list(current_app.config["LANGUAGES"])


def is_offered(code: object) -> bool:
    return isinstance(code, str) and code in offered()


def select_locale() -> str | None:
    """The reader's language; the default outside requests (the CLI)."""
    if not has_request_context():
        return None
    for choice in (request.args.get("lang"), request.cookies.get(LANGUAGE_COOKIE)):
        if is_offered(choice):
            return choice
    if current_user and current_user.is_authenticated and is_offered(current_user.language):
        return current_user.language
    return request.accept_languages.best_match(offered())


def alternate_url(code: str) -> str:
    """This page in another language, for ``hreflang`` links: its path with ``lang=``."""
    arguments = [(name, value) for name, value in request.args.items(multi=True) if name != "lang"]
    return f"{request.path}?{urlencode([*arguments, ('lang', code)])}"


def switch_choices() -> list[tuple[str, str]]:
    """The languages the switch offers, each named in itself."""
    return [(code, NAMES.get(code, code)) for code in offered()]


def register(app: Flask) -> None:
    app.jinja_env.globals.update(
        alternate_url=alternate_url, language_choices=switch_choices, language_cookie=LANGUAGE_COOKIE
    )
