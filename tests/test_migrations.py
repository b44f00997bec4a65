"""Migrations build the schema on an empty database, and it matches the models."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import flask_migrate
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect, text

from planner import create_app
from planner.extensions import db
from planner.statements.search import include_name
from tests.conftest import TEST_DATABASE_URL


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
