"""Migrations build the schema on an empty database, and it matches the models."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator

import flask_migrate
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Column, Integer, MetaData, Table, create_engine, inspect, select, text

from planner import create_app
from planner.db import UTCDateTime
from planner.extensions import db
from planner.reminders.models import DeadlineKind, DeadlineReminder, DeadlineReminderSent, Reminder, ReminderSent
from planner.statements.search import include_name
from tests.conftest import TEST_DATABASE_URL
from tests.factories import make_delegation, make_event, make_forum, make_user


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgresql)])
def empty_database_url(request, tmp_path) -> Iterator[str]:
    if request.param == "sqlite":
        yield "sqlite:///" + str(tmp_path / "migrated.sqlite3")
        return
    # A schema of our own inside the test database is an empty database to Alembic.
    schema = f"migration_{uuid.uuid4().hex[:12]}"
    admin = create_engine(TEST_DATABASE_URL)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield f"{TEST_DATABASE_URL}?options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.mark.commits
def test_upgrade_builds_the_models_schema_without_drift(empty_database_url):
    app = create_app({"ENV": "testing", "SQLALCHEMY_DATABASE_URI": empty_database_url})
    with app.app_context():
        flask_migrate.upgrade()
        with db.engine.connect() as connection:
            # The search index of outcome documents is SQLite's FTS5 or a PostgreSQL-only index.
            context = MigrationContext.configure(connection, opts={"include_name": include_name})
            differences = compare_metadata(context, db.metadata)
            tables = set(inspect(connection).get_table_names())
        assert differences == []
        assert {table.name for table in db.metadata.sorted_tables} <= tables

        flask_migrate.downgrade(revision="base")
        with db.engine.connect() as connection:
            assert set(inspect(connection).get_table_names()) <= {"alembic_version"}
        db.engine.dispose()


@pytest.mark.commits
def test_existing_accounts_and_people_keep_their_name_as_the_given_name(empty_database_url):
    app = create_app({"ENV": "testing", "SQLALCHEMY_DATABASE_URI": empty_database_url})
    with app.app_context():
        flask_migrate.upgrade(revision="cbda304e50ff")  # the last one before names in two parts
        with db.engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO users (email, name, password_hash, is_admin, language, created_at) "
                    "VALUES ('yui@example.org', '佐藤 結衣', 'x', false, 'ja', CURRENT_TIMESTAMP)"
                )
            )
            connection.execute(
                text(
                    "INSERT INTO people (name, organisation, is_demo, created_at) "
                    "VALUES ('Aiko Tanaka', '', false, CURRENT_TIMESTAMP)"
                )
            )
        flask_migrate.upgrade()
        with db.engine.connect() as connection:
            row = connection.execute(text("SELECT name, given_name, family_name, family_name_first FROM users")).one()
            person = connection.execute(
                text("SELECT name, given_name, family_name, family_name_first FROM people")
            ).one()
        assert tuple(row) == ("佐藤 結衣", "佐藤 結衣", "", False)
        assert tuple(person) == ("Aiko Tanaka", "Aiko Tanaka", "", False)
        flask_migrate.downgrade(revision="base")
        db.engine.dispose()


@pytest.mark.commits
def test_reminders_sent_keep_the_time_they_were_sent_for(empty_database_url):
    """Rows from before the times were kept are for the current start or deadline; one whose
    deadline was cleared since, for the latest deadline it can have been sent for."""
    app = create_app({"ENV": "testing", "SQLALCHEMY_DATABASE_URI": empty_database_url})
    queued = dt.datetime(2018, 1, 20, 8, tzinfo=dt.UTC)
    with app.app_context():
        flask_migrate.upgrade(revision="c21b0b1c2d3e")  # the last one before
        forum = make_forum(nominations_close_at=dt.datetime(2018, 1, 31, 8, tzinfo=dt.UTC))
        event = make_event(forum)
        user = make_user()
        delegation = make_delegation(forum)
        reminder = Reminder(event_id=event.id, minutes_before=24 * 60)
        nominations = DeadlineReminder(
            forum_id=forum.id, deadline=DeadlineKind.NOMINATIONS, minutes_before=14 * 24 * 60
        )
        credentials = DeadlineReminder(forum_id=forum.id, deadline=DeadlineKind.CREDENTIALS, minutes_before=60)
        db.session.add_all([reminder, nominations, credentials])
        db.session.flush()
        old_sent = Table(
            "reminders_sent",
            MetaData(),
            Column("reminder_id", Integer),
            Column("user_id", Integer),
            Column("queued_at", UTCDateTime),
        )
        old_deadline_sent = Table(
            "deadline_reminders_sent",
            MetaData(),
            Column("reminder_id", Integer),
            Column("delegation_id", Integer),
            Column("user_id", Integer),
            Column("queued_at", UTCDateTime),
        )
        db.session.execute(old_sent.insert().values(reminder_id=reminder.id, user_id=user.id, queued_at=queued))
        db.session.execute(
            old_deadline_sent.insert(),
            [
                dict(reminder_id=r.id, delegation_id=delegation.id, user_id=user.id, queued_at=queued)
                for r in (nominations, credentials)  # credentials letters: due once, cleared since
            ],
        )
        starts, ids = event.starts_at, {"nominations": nominations.id, "credentials": credentials.id}
        delegation_id = delegation.id
        db.session.commit()
        db.session.remove()

        flask_migrate.upgrade()
        assert db.session.scalars(select(ReminderSent.event_starts_at)).all() == [starts]
        deadlines = db.session.execute(select(DeadlineReminderSent.reminder_id, DeadlineReminderSent.deadline_at))
        assert dict(deadlines.all()) == {
            ids["nominations"]: dt.datetime(2018, 1, 31, 8, tzinfo=dt.UTC),
            ids["credentials"]: queued + dt.timedelta(hours=1),
        }
        # Sent again for a new start and a new deadline; going back keeps the latest of each.
        (sent,) = db.session.scalars(select(ReminderSent))
        again = queued + dt.timedelta(days=1)
        db.session.add(
            ReminderSent(
                reminder_id=sent.reminder_id,
                user_id=sent.user_id,
                event_starts_at=starts + dt.timedelta(hours=1),
                queued_at=again,
            )
        )
        db.session.add(
            DeadlineReminderSent(
                reminder_id=ids["nominations"],
                delegation_id=delegation_id,
                user_id=sent.user_id,
                deadline_at=dt.datetime(2018, 2, 1, 8, tzinfo=dt.UTC),
                queued_at=again,
            )
        )
        db.session.commit()
        db.session.remove()
        flask_migrate.downgrade(revision="c21b0b1c2d3e")
        with db.engine.connect() as connection:
            assert connection.execute(text("SELECT count(*) FROM reminders_sent")).scalar() == 1
            assert connection.execute(text("SELECT count(*) FROM deadline_reminders_sent")).scalar() == 2
        flask_migrate.downgrade(revision="base")
        db.engine.dispose()


@pytest.mark.commits
def test_certificates_can_be_revoked_and_issued_again_and_going_back_drops_the_revoked(empty_database_url):
    """Certificates from before stand (not revoked); a revoked one and the one issued again
    after it are two rows for one person and event. Going back, the revoked are deleted, so that
    none verifies as genuine again and one certificate a person and event is left."""
    app = create_app({"ENV": "testing", "SQLALCHEMY_DATABASE_URI": empty_database_url})
    columns = (
        "event_id, user_id, reference, sequence, code_salt, code_hash, language, name, affiliation, "
        "forum_name, event_title, first_day, last_day, issued_at"
    )

    def certificate(event_id: int, user_id: int, number: int) -> str:
        return (
            f"INSERT INTO certificates ({columns}) VALUES ({event_id}, {user_id}, 'ISEF2-C-000{number}', {number}, "
            f"'salt', 'hash', 'en', 'Amy Stone', '', 'ISEF2', 'Student ISEF', '2018-03-02', '2018-03-03', "
            "CURRENT_TIMESTAMP)"
        )

    with app.app_context():
        flask_migrate.upgrade(revision="c23a0b1c2d3e")  # the last one before
        event_id, user_id = make_event(make_forum()).id, make_user().id
        db.session.commit()
        db.session.remove()
        with db.engine.begin() as connection:
            connection.execute(text(certificate(event_id, user_id, 1)))
        flask_migrate.upgrade()
        with db.engine.begin() as connection:
            assert connection.execute(text("SELECT revoked_at, revocation_reason FROM certificates")).one() == (
                None,
                None,
            )
            connection.execute(
                text("UPDATE certificates SET revoked_at = CURRENT_TIMESTAMP, revocation_reason = 'Wrong person.'")
            )
            connection.execute(text(certificate(event_id, user_id, 2)))  # issued again, which the index allows
        flask_migrate.downgrade(revision="c23a0b1c2d3e")
        with db.engine.connect() as connection:
            assert connection.execute(text("SELECT reference FROM certificates")).scalars().all() == ["ISEF2-C-0002"]
        flask_migrate.downgrade(revision="base")
        db.engine.dispose()
