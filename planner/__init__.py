"""planner: plans international ministerial forums."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from flask import Flask
from flask_babel import lazy_gettext as _l
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter, Map, UnicodeConverter

# Every domain's models, so that metadata (and migrations) see all tables.
import planner.models  # noqa: F401
import planner.schedule.versions  # noqa: F401  (keeps Forum.schedule_version current)
import planner.statements.search  # noqa: F401  (the search index's DDL and PostgreSQL index)
import planner.webhooks.events  # noqa: F401  (queues webhook deliveries with the changes they tell of)

# Not ``db``: the package's attribute ``planner.db`` is the module planner/db.py.
from planner import crypto, extensions, formatting, security, storage, translated, web
from planner.accounts import views as account_views
from planner.accounts.cli import create_admin_command
from planner.accreditation import file_views as accreditation_file_views  # noqa: F401  (views.bp)
from planner.accreditation import views as accreditation_views
from planner.accreditation import visa_views as accreditation_visa_views  # noqa: F401  (views.bp)
from planner.accreditation.cli import (
    new_identity_key_command,
    purge_personal_data_command,
    rotate_identity_keys_command,
)
from planner.announcements import views as announcement_views
from planner.announcements.mailing import announcement_context
from planner.api import authenticated_views as api_authenticated_views  # noqa: F401  (views.bp)
from planner.api import token_views as api_token_views
from planner.api import views as api_views
from planner.audit import views as audit_views
from planner.badges import arrival_views as badge_arrival_views  # noqa: F401  (views.bp)
from planner.badges import scanner_views as badge_scanner_views  # noqa: F401  (views.bp)
from planner.badges import views as badge_views
from planner.badges import zone_views as badge_zone_views  # noqa: F401  (views.bp)
from planner.badges.cli import print_badges_command
from planner.bilaterals import manage_views as bilateral_manage_views  # noqa: F401  (views.bp)
from planner.bilaterals import views as bilateral_views
from planner.calendar import links as calendar_links  # noqa: F401  (template helpers)
from planner.calendar import views as calendar_views
from planner.certificates import views as certificate_views
from planner.config import ConfigError, load_config
from planner.db import MAX_ID
from planner.delegations import carry_over_views as delegation_carry_over_views  # noqa: F401
from planner.delegations import invitation_views as delegation_invitation_views  # noqa: F401
from planner.delegations import manage_views as delegation_manage_views  # noqa: F401
from planner.delegations import participant_views  # noqa: F401
from planner.delegations import views as delegation_views
from planner.demo.cli import seed_demo_command, seed_synthetic_command
from planner.extensions import babel, cache, csrf, limiter, login_manager, migrate
from planner.forums import manage_views as forum_manage_views  # noqa: F401
from planner.forums import series_views as forum_series_views  # noqa: F401
from planner.forums import views as forum_views
from planner.mail import services as mail_services
from planner.mail import views as mail_views
from planner.mail.cli import add_round_task, send_mail_command, send_test_mail_command
from planner.offline import views as offline_views
from planner.offline.cli import export_site_command
from planner.plenary import inscription_views as plenary_inscription_views  # noqa: F401  (views.bp)
from planner.plenary import views as plenary_views
from planner.registration import (
    consent_views,  # noqa: F401
    rules_views,  # noqa: F401
)
from planner.registration import manage_views as registration_manage_views  # noqa: F401
from planner.registration import views as registration_views
from planner.registration.cli import send_consent_reminders_command
from planner.reminders import views as reminder_views
from planner.reminders.cli import send_mail_round, send_reminders_command
from planner.schedule import format_views as schedule_format_views  # noqa: F401  (views.bp)
from planner.schedule import manage_views as schedule_manage_views  # noqa: F401
from planner.schedule import views as schedule_views
from planner.schedule.cli import export_programme_command, import_programme_command
from planner.seating import views as seating_views
from planner.site import languages
from planner.site import views as site_views
from planner.statements import manage_views as statement_manage_views  # noqa: F401
from planner.statements import views as statement_views
from planner.webhooks import views as webhook_views
from planner.webhooks.cli import send_webhooks_command

PROJECT_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

__all__ = ["ConfigError", "create_app"]


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app; ``config`` overrides every other source (tests use it)."""
    app = Flask(
        __name__,
        # PLANNER_INSTANCE_PATH moves instance/ (its config.py and SQLite file) elsewhere.
        instance_path=os.environ.get("PLANNER_INSTANCE_PATH") or os.path.join(PROJECT_ROOT, "instance"),
        instance_relative_config=True,
        template_folder=os.path.join(PROJECT_ROOT, "templates"),
        static_folder=os.path.join(PROJECT_ROOT, "static"),
    )
    load_config(app, config)
    # Ids in URLs fit the database's INTEGER: a larger number is a 404, not a 500.
    app.url_map.converters["int"] = DatabaseIdConverter
    # Names in URLs (slugs, event codes, tokens) with control characters match no route: a 404,
    # not PostgreSQL refusing a NUL in a query.
    app.url_map.converters["default"] = app.url_map.converters["string"] = PrintableConverter
    trust_proxies(app)
    register_extensions(app)
    register_blueprints(app)
    register_template_helpers(app)
    register_commands(app)
    return app


class DatabaseIdConverter(IntegerConverter):
    def __init__(self, map: Map, *args: Any, **kwargs: Any) -> None:  # noqa: A002 (Werkzeug's name)
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)


class PrintableConverter(UnicodeConverter):
    def __init__(self, map: Map, *args: Any, **kwargs: Any) -> None:  # noqa: A002 (Werkzeug's name)
        super().__init__(map, *args, **kwargs)
        self.regex = "[^/\x00-\x1f\x7f]" + self.regex.removeprefix("[^/]")


def trust_proxies(app: Flask) -> None:
    """Behind PLANNER_PROXY_COUNT reverse proxies, take the client's address and scheme
    from X-Forwarded-* (rate limits key on the address; https marks cookies Secure)."""
    count = int(app.config.get("PROXY_COUNT") or 0)
    if count > 0:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count, x_host=count)  # type: ignore[method-assign]


def register_extensions(app: Flask) -> None:
    crypto.init_app(app)  # before anything reads an encrypted column
    storage.init_app(app)
    extensions.db.init_app(app)
    migrate.init_app(app, extensions.db, directory=os.path.join(PROJECT_ROOT, "migrations"))
    csrf.init_app(app)
    translations = app.config["BABEL_TRANSLATION_DIRECTORIES"]
    if not os.path.isabs(translations):
        app.config["BABEL_TRANSLATION_DIRECTORIES"] = os.path.join(PROJECT_ROOT, translations)
    babel.init_app(app, locale_selector=languages.select_locale)
    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = _l("Please sign in to see this page.")
    login_manager.login_message_category = "info"
    limiter.init_app(app)
    cache.init_app(app)
    security.init_app(app)
    mail_services.init_app(app)
    # An announcement's text is stored once and read by the sender for each message.
    mail_services.load_context_for("announcement", announcement_context)
    # Last: its commit point then runs before every other hook that looks at the response.
    web.init_app(app)


BLUEPRINTS = (
    site_views,
    forum_views,
    schedule_views,
    account_views,
    audit_views,
    mail_views,
    registration_views,
    delegation_views,
    calendar_views,
    statement_views,
    accreditation_views,
    badge_views,
    api_views,
    api_token_views,
    webhook_views,
    offline_views,
    plenary_views,
    seating_views,
    announcement_views,
    reminder_views,
    certificate_views,
    bilateral_views,
)


def register_blueprints(app: Flask) -> None:
    # Each views module attaches its routes to its package's blueprint.
    for views in BLUEPRINTS:
        app.register_blueprint(views.bp)


def register_template_helpers(app: Flask) -> None:
    formatting.register(app)
    languages.register(app)
    translated.register(app)


def register_commands(app: Flask) -> None:
    for command in (
        create_admin_command,
        send_mail_command,
        send_test_mail_command,
        seed_demo_command,
        seed_synthetic_command,
        import_programme_command,
        export_programme_command,
        send_consent_reminders_command,
        purge_personal_data_command,
        new_identity_key_command,
        rotate_identity_keys_command,
        print_badges_command,
        send_webhooks_command,
        export_site_command,
        send_reminders_command,
    ):
        app.cli.add_command(command)
    add_round_task(app, send_mail_round)  # each round of send-mail queues due reminders
