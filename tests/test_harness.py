"""The test harness itself (tests/conftest.py): a test's writes are rolled back after it,
requests inside it still commit and roll back as for real, each request has its own session
and ``g``, and what would escape the test's transaction is reported."""

from __future__ import annotations

import threading

import pytest
from flask import g
from jinja2 import DictLoader
from sqlalchemy import func, select, text

from planner.extensions import db, limiter
from planner.forums.models import Forum
from planner.mail import services as mail_services
from planner.mail.services import queue_email
from tests.conftest import _settings_restored, _test_transaction
from tests.factories import make_forum


def forums() -> list[str]:
    return list(db.session.scalars(select(Forum.slug).order_by(Forum.slug)))


def test_what_a_test_commits_is_gone_after_it_and_was_never_committed(shared_app):
    with shared_app.app_context():
        engine = db.engine
    with _test_transaction(shared_app, engine) as transaction:
        with shared_app.app_context():
            make_forum(slug="kept")
            db.session.commit()
        with shared_app.app_context():  # another session sees the commit, as another request would
            assert forums() == ["kept"]
            make_forum(slug="dropped")
            db.session.rollback()
        with shared_app.app_context():
            assert forums() == ["kept"]
        # Outside the test's transaction nothing was committed at all.
        with engine.connect() as other:
            assert other.scalar(select(func.count()).select_from(Forum)) == 0
    assert transaction.problems == ["A second connection was taken from the pool (db.engine used directly)."]
    with shared_app.app_context():
        assert forums() == []


@pytest.mark.app_config()
def test_each_request_gets_its_own_session_and_g(app):
    sessions, remembered = [], []

    @app.post("/probe/<slug>")
    def probe(slug: str) -> str:
        sessions.append(db.session())
        remembered.append(getattr(g, "probe", None))
        g.probe = slug
        make_forum(slug=slug)
        if slug == "refused":
            db.session.rollback()
            return "rolled back", 422
        db.session.commit()
        return ",".join(forums())

    client = app.test_client()
    assert client.post("/probe/first").text == "first"
    assert client.post("/probe/refused").status_code == 422
    assert client.post("/probe/second").text == "first,second"
    assert sessions[0] is not sessions[1] is not sessions[2] and sessions[0] is not sessions[2]
    assert remembered == [None, None, None]


@pytest.mark.app_config()
def test_mail_is_handed_to_prompt_delivery_when_a_request_commits_and_not_when_it_rolls_back(app):
    """planner.mail.services listens for db.session's after_commit, which a savepoint's
    release fires as a commit would (mode "off": handed over, not sent)."""

    @app.post("/mail/<outcome>")
    def mail(outcome: str) -> dict:
        message_id = queue_email("a@example.org", "hello", subject="Hi", address="a@example.org").id
        if outcome == "commit":
            db.session.commit()
        else:
            db.session.rollback()
        return {"message": message_id, "handed_over": g.get(mail_services._COMMITTED, [])}

    client = app.test_client()
    committed = client.post("/mail/commit").json
    assert committed["handed_over"] == [committed["message"]]
    assert client.post("/mail/rollback").json["handed_over"] == []


def test_a_session_used_from_another_thread_is_refused_and_reported(shared_app):
    with shared_app.app_context():
        engine = db.engine
    errors = []

    def elsewhere() -> None:
        with shared_app.app_context():
            try:
                forums()
            except RuntimeError as error:
                errors.append(str(error))

    with _test_transaction(shared_app, engine) as transaction:
        thread = threading.Thread(target=elsewhere)
        thread.start()
        thread.join(timeout=10)
    assert errors == ["db.session used from another thread during a rolled-back test"]
    assert transaction.problems == ["db.session was used from another thread than the test's."]


def test_a_request_inside_the_app_context_fixture_is_refused(app_context, client):
    with pytest.raises(RuntimeError, match="would share its session and g"):
        client.get("/healthz")


@pytest.mark.app_config()
def test_queries_are_counted_as_the_app_sends_them_for_real(app, client, count_queries):
    @app.get("/one-query")
    def one_query() -> str:
        db.session.execute(text("SELECT 1"))
        return "done"

    with count_queries() as counter:
        assert client.get("/one-query").status_code == 200
    with app.app_context():
        begin = ["BEGIN"] if db.engine.dialect.name == "sqlite" else []
    assert counter.statements == begin + ["SELECT 1"]


def test_what_a_test_changes_of_the_shared_app_is_put_back(shared_app):
    loader = shared_app.jinja_env.loader
    with _settings_restored(shared_app):
        shared_app.config["WTF_CSRF_ENABLED"] = True
        shared_app.config["SOMETHING_NEW"] = 1
        shared_app.jinja_env.loader = DictLoader({})
        limiter.enabled = True  # as another app's start-up leaves it
    assert shared_app.config["WTF_CSRF_ENABLED"] is False and "SOMETHING_NEW" not in shared_app.config
    assert shared_app.jinja_env.loader is loader
    assert limiter.enabled is False


@pytest.mark.commits
def test_a_committing_test_commits_for_real(app):
    with app.app_context():
        make_forum(slug="real")
        db.session.commit()
        with db.engine.connect() as other:
            assert other.scalar(select(Forum.slug)) == "real"
