"""What every domain's views share: loading what a URL names, the unit of work, refusals as
answers, error pages."""

from __future__ import annotations

from flask import Flask

from planner.web import errors, sessionless, transactions, unavailable


def init_app(app: Flask) -> None:
    errors.init_app(app)
    sessionless.init_app(app)
    unavailable.init_app(app)
    transactions.init_app(app)
