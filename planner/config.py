"""Configuration: defaults, then ``instance/config.py``, then ``PLANNER_*`` and
``DATABASE_URL`` from the environment, then the mapping given to ``create_app``.

Problems are reported as one line at start-up (``ConfigError``) instead of a
traceback from deep inside SQLAlchemy or a half-working app in production.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import logging
import os
from collections.abc import Mapping
from typing import Any

from flask import Flask
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

#: Used only outside production so that ``make run`` works without set-up.
DEVELOPMENT_SECRET_KEY = "planner-development-key-not-secret"

ENVIRONMENTS = ("development", "testing", "production")

# Drivers planner is built and tested against; anything else is refused early.
SUPPORTED_DRIVERS = {
    "sqlite": "sqlite",
    "sqlite+pysqlite": "sqlite",
    "postgresql": "postgresql+psycopg",
    "postgres": "postgresql+psycopg",
    "postgresql+psycopg": "postgresql+psycopg",
}


log = logging.getLogger(__name__)


class ConfigError(SystemExit):
    """A configuration problem; exits with a one-line message when unhandled."""

    def __init__(self, message: str) -> None:
        super().__init__(f"planner: configuration error: {message}")
        self.message = message


class DefaultConfig:
    ENV = "development"
    SECRET_KEY: str | None = None
    SQLALCHEMY_DATABASE_URI: str | None = None
    SQLALCHEMY_ENGINE_OPTIONS: dict[str, Any] = {}
    SQLALCHEMY_RECORD_QUERIES = False
    WTF_CSRF_TIME_LIMIT = None  # tokens live as long as the session cookie
    # Anything larger is refused with 413 before a form sees it. Sized for the longest field, a
    # statement's 200,000 characters: in Japanese each takes 9 bytes once form-encoded.
    MAX_CONTENT_LENGTH = 2 * 1024 * 1024
    MAX_FORM_MEMORY_SIZE = 2 * 1024 * 1024
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE: bool | None = None  # None: secure in production (served over https)
    # A signed-in session ends this long after signing in, or after this long without a request.
    SESSION_LIFETIME_HOURS = 12
    SESSION_IDLE_MINUTES = 120
    # Strict-Transport-Security on https answers in production (two years; 0 sends none).
    HSTS_MAX_AGE = 2 * 365 * 24 * 3600
    # Bounds on waiting for the database, in seconds (0: no bound). The statement timeout
    # applies on PostgreSQL; the busy timeout is how long SQLite waits for the writer's lock.
    DATABASE_CONNECT_TIMEOUT = 5
    DATABASE_STATEMENT_TIMEOUT = 20
    DATABASE_BUSY_TIMEOUT = 10
    # How long /healthz waits for the database before it answers 503.
    HEALTHZ_TIMEOUT = 0.8
    # A minor's application waits this long for the guardian's answer, keeping its seat; the
    # guardian is reminded once per CONSENT_REMINDER_DAYS (``flask send-consent-reminders``).
    CONSENT_DAYS = 7
    CONSENT_REMINDER_DAYS = 2
    # A focal point's invitation link works this long after it is sent (or sent again).
    FOCAL_POINT_INVITATION_DAYS = 14
    # Fernet keys for identity data at rest, newest first (planner/crypto.py); required in production.
    IDENTITY_KEYS: str | list[str] | None = None
    # Photos and credentials letters; None: instance/uploads (planner/storage.py).
    UPLOAD_DIRECTORY: str | None = None
    RATELIMIT_STORAGE_URI = "memory://"
    CACHE_TYPE = "SimpleCache"
    CACHE_DEFAULT_TIMEOUT = 24 * 3600  # entries are keyed on versions; this only frees memory
    CACHE_THRESHOLD = 2000
    # Seconds an agenda pick's or removal's invitation waits in the outbox, so that the
    # person's next change to the same session replaces it (0: sent at once).
    CALENDAR_AGENDA_MAIL_DELAY = 120
    # Webhooks (planner/webhooks/sender.py): may they go to private, loopback or link-local
    # addresses (None: only in testing)? A CA bundle to trust besides the system's; the
    # seconds an attempt may take.
    WEBHOOKS_ALLOW_PRIVATE_ADDRESSES: bool | None = None
    WEBHOOKS_CA_FILE: str | None = None
    WEBHOOKS_TIMEOUT = 10
    WEBHOOKS_KEEP_DAYS = 30  # deliveries done with are deleted after this many days (they hold names)
    PROXY_COUNT = 0  # reverse proxies in front of planner whose X-Forwarded-* headers to trust
    RATELIMIT_HEADERS_ENABLED = True
    LANGUAGES = ["en", "ja"]
    BABEL_DEFAULT_LOCALE = "en"
    BABEL_DEFAULT_TIMEZONE = "UTC"
    # Where translations live: the project's top-level ``translations/``.
    BABEL_TRANSLATION_DIRECTORIES = "translations"


def load_config(app: Flask, overrides: Mapping[str, Any] | None) -> None:
    """Fill ``app.config`` in precedence order and validate the result."""
    app.config.from_object(DefaultConfig)
    app.config.from_pyfile("config.py", silent=True)
    app.config.from_prefixed_env("PLANNER")
    if os.environ.get("DATABASE_URL"):
        app.config["SQLALCHEMY_DATABASE_URI"] = os.environ["DATABASE_URL"]
    if overrides:
        app.config.update(overrides)

    env = app.config["ENV"]
    if env not in ENVIRONMENTS:
        raise ConfigError(f"PLANNER_ENV must be one of {', '.join(ENVIRONMENTS)}, not {env!r}")
    app.testing = app.config.get("TESTING", False) or env == "testing"

    if not app.config.get("SECRET_KEY"):
        if env == "production":
            raise ConfigError(
                "PLANNER_SECRET_KEY must be set in production "
                "(for example: python -c 'import secrets; print(secrets.token_hex(32))')"
            )
        app.config["SECRET_KEY"] = DEVELOPMENT_SECRET_KEY
    elif env == "production" and app.config["SECRET_KEY"] == DEVELOPMENT_SECRET_KEY:
        raise ConfigError("PLANNER_SECRET_KEY is the development key; set a secret one in production")

    if env == "development" and not app.config.get("MAIL_SERVER"):
        app.config["MAIL_SERVER"] = "console"  # print mail; set PLANNER_MAIL_SERVER to send it
    # Where the console transport keeps each message whole, as an .eml file a mail client opens.
    app.config.setdefault("MAIL_CONSOLE_DIRECTORY", os.path.join(app.instance_path, "mail"))
    if app.config["WEBHOOKS_ALLOW_PRIVATE_ADDRESSES"] is None:
        app.config["WEBHOOKS_ALLOW_PRIVATE_ADDRESSES"] = env == "testing"
    if app.config["SESSION_COOKIE_SECURE"] is None:
        app.config["SESSION_COOKIE_SECURE"] = env == "production"

    for name in (
        "SESSION_LIFETIME_HOURS",
        "SESSION_IDLE_MINUTES",
        "CONSENT_DAYS",
        "CONSENT_REMINDER_DAYS",
        "FOCAL_POINT_INVITATION_DAYS",
    ):
        if not isinstance(app.config[name], int | float) or app.config[name] <= 0:
            raise ConfigError(f"PLANNER_{name} must be a positive number, not {app.config[name]!r}")
    # Flask refuses session cookies signed longer ago than this, whatever they hold.
    app.config["PERMANENT_SESSION_LIFETIME"] = dt.timedelta(hours=app.config["SESSION_LIFETIME_HOURS"])

    uri = app.config.get("SQLALCHEMY_DATABASE_URI")
    if not uri:
        os.makedirs(app.instance_path, exist_ok=True)
        uri = "sqlite:///" + os.path.join(app.instance_path, "planner.sqlite3")
    app.config["SQLALCHEMY_DATABASE_URI"] = normalise_database_url(uri)
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = engine_options(app.config)

    if env == "production" and str(app.config["RATELIMIT_STORAGE_URI"]).startswith("memory://"):
        log.warning(
            "planner: rate limits and sign-in throttling are counted in each process's memory "
            "(RATELIMIT_STORAGE_URI=memory://): with several workers each counts on its own. "
            "Set PLANNER_RATELIMIT_STORAGE_URI=redis://... to share them."
        )


def _seconds(config: Mapping[str, Any], name: str) -> float:
    value = config[name]
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise ConfigError(f"PLANNER_{name} must be a number of seconds (0 for no bound), not {value!r}")
    return float(value)


def engine_options(config: Mapping[str, Any]) -> dict[str, Any]:
    """SQLAlchemy's engine options with the bounds on waiting for the database; options the
    configuration sets itself win."""
    connect = _seconds(config, "DATABASE_CONNECT_TIMEOUT")
    statement = _seconds(config, "DATABASE_STATEMENT_TIMEOUT")
    busy = _seconds(config, "DATABASE_BUSY_TIMEOUT")
    given = dict(config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
    connect_args: dict[str, Any] = {}
    if config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        connect_args["timeout"] = busy  # SQLite's busy timeout, in seconds
    else:
        if connect:
            # libpq counts whole seconds, at least 2.
            connect_args["connect_timeout"] = max(2, round(connect))
            given.setdefault("pool_timeout", connect)  # waiting for a free connection of the pool
        if statement:
            # Added to the URL's own options (connect_args would replace them).
            options = make_url(config["SQLALCHEMY_DATABASE_URI"]).query.get("options") or ""
            if isinstance(options, tuple):
                options = " ".join(options)
            connect_args["options"] = f"{options} -c statement_timeout={round(statement * 1000)}".strip()
    given["connect_args"] = {**connect_args, **given.get("connect_args", {})}
    return given


def normalise_database_url(raw: str | URL) -> str:
    """Return ``raw`` with a supported driver, or raise ``ConfigError`` saying why not."""
    try:
        url = make_url(raw)
    except ArgumentError:
        raise ConfigError(
            f"DATABASE_URL {str(raw)!r} is not a database URL "
            "(expected sqlite:///path or postgresql://user@host:port/name)"
        ) from None
    driver = SUPPORTED_DRIVERS.get(url.drivername)
    if driver is None:
        raise ConfigError(f"database {url.drivername!r} is not supported; use sqlite or postgresql")
    if driver.startswith("postgresql"):
        if not url.database:
            raise ConfigError("DATABASE_URL names no PostgreSQL database")
        if importlib.util.find_spec("psycopg") is None:
            raise ConfigError("PostgreSQL needs psycopg 3: pip install 'psycopg[binary]'")
    return url.set(drivername=driver).render_as_string(hide_password=False)
