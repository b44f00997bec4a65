"""The one commit point: a request's changes are kept only when its answer is not an error."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.typing import ResponseReturnValue
from sqlalchemy import select

from planner.accounts.models import User
from planner.extensions import db
from planner.refusals import NotAllowed, Refused
from planner.web import transactions
from tests.factories import make_user

DOMAIN = "@unit-of-work.example.org"
# Routes are added to an app of the test's own, before its first request.
pytestmark = pytest.mark.app_config()


@pytest.fixture
def unit_app(app: Flask) -> Flask:
    """The test's own app (``app_config()``, below), with a route that writes a user and then
    answers as told."""

    @app.post("/unit/<outcome>")
    def write(outcome: str) -> ResponseReturnValue:
        make_user(email=outcome + DOMAIN)
        if outcome == "refused":
            raise Refused("This cannot be done.")
        if outcome == "forbidden":
            raise NotAllowed("Only organisers can do this.")
        if outcome == "crash":
            raise RuntimeError("a bug")
        if outcome == "dry-run":
            transactions.discard()
            return "what would happen", 200
        return ("", 302, {"Location": "/"}) if outcome == "redirect" else ("unprocessable", 422)

    return app


def stored(app: Flask) -> set[str]:
    with app.app_context():
        emails = db.session.scalars(select(User.email).where(User.email.like("%" + DOMAIN))).all()
        db.session.remove()
    return {e.removesuffix(DOMAIN) for e in emails}


@pytest.mark.parametrize(
    ("outcome", "status", "kept"),
    [
        ("redirect", 302, True),
        ("form-error", 422, False),
        ("refused", 409, False),
        ("forbidden", 403, False),
        ("dry-run", 200, False),
    ],
)
def test_changes_are_kept_only_when_the_answer_is_not_an_error(unit_app, outcome, status, kept):
    response = unit_app.test_client().post(f"/unit/{outcome}")
    assert response.status_code == status
    assert (outcome in stored(unit_app)) is kept


def test_a_refusal_no_view_handles_answers_with_its_reason(unit_app):
    forbidden = unit_app.test_client().post("/unit/forbidden")
    refused = unit_app.test_client().post("/unit/refused")
    assert "Only organisers can do this." in forbidden.get_data(as_text=True)
    assert "This cannot be done." in refused.get_data(as_text=True)


def test_an_exception_rolls_back(unit_app):
    unit_app.config["PROPAGATE_EXCEPTIONS"] = False
    assert unit_app.test_client().post("/unit/crash").status_code == 500
    assert stored(unit_app) == set()


def test_a_commit_that_fails_is_a_server_error_not_a_success(unit_app, monkeypatch):
    unit_app.config["PROPAGATE_EXCEPTIONS"] = False

    def refuse_to_commit() -> None:
        raise RuntimeError("the database went away")

    monkeypatch.setattr(db.session, "commit", refuse_to_commit)
    assert unit_app.test_client().post("/unit/redirect").status_code == 500
