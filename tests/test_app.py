"""The app factory and where configuration comes from."""

import subprocess
import sys

import pytest

from planner import ConfigError, create_app
from planner.config import DEVELOPMENT_SECRET_KEY, normalise_database_url
from planner.crypto import TESTING_KEY, new_key


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch, tmp_path):
    for name in ("DATABASE_URL", "PLANNER_ENV", "PLANNER_SECRET_KEY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("PLANNER_INSTANCE_PATH", str(tmp_path / "instance"))


def test_default_database_is_sqlite_in_instance_folder(tmp_path):
    app = create_app()
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "sqlite:///" + str(tmp_path / "instance" / "planner.sqlite3")
    assert app.config["SECRET_KEY"] == DEVELOPMENT_SECRET_KEY


def test_mapping_given_to_create_app_wins_over_environment(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "sqlite:////tmp/from-env.sqlite3")
    app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite:////tmp/from-mapping.sqlite3", "ENV": "testing"})
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "sqlite:////tmp/from-mapping.sqlite3"
    assert app.testing


def test_instance_config_then_planner_environment_variables(monkeypatch, tmp_path):
    instance = tmp_path / "instance"
    instance.mkdir()
    (instance / "config.py").write_text("SECRET_KEY = 'from-instance'\nLANGUAGES = ['en', 'ja']\n")
    assert create_app().config["SECRET_KEY"] == "from-instance"
    monkeypatch.setenv("PLANNER_SECRET_KEY", "from-environment")
    app = create_app()
    assert app.config["SECRET_KEY"] == "from-environment"
    assert app.config["LANGUAGES"] == ["en", "ja"]


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("postgres://u:p@db:5432/planner", "postgresql+psycopg://u:p@db:5432/planner"),
        ("postgresql://postgres@127.0.0.1/test", "postgresql+psycopg://postgres@127.0.0.1/test"),
        ("postgresql+psycopg://postgres@127.0.0.1/test", "postgresql+psycopg://postgres@127.0.0.1/test"),
        ("sqlite:////srv/planner.sqlite3", "sqlite:////srv/planner.sqlite3"),
    ],
)
def test_database_url_gets_the_supported_driver(monkeypatch, given, expected):
    monkeypatch.setenv("DATABASE_URL", given)
    assert create_app().config["SQLALCHEMY_DATABASE_URI"] == expected


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("not a url", "is not a database URL"),
        ("mysql://root@localhost/planner", "'mysql' is not supported"),
        ("postgresql://postgres@localhost", "names no PostgreSQL database"),
    ],
)
def test_bad_database_url_is_refused_with_a_reason(url, reason):
    with pytest.raises(ConfigError) as raised:
        normalise_database_url(url)
    assert reason in raised.value.message


def test_production_requires_a_real_secret_key(monkeypatch):
    monkeypatch.setenv("PLANNER_ENV", "production")
    with pytest.raises(ConfigError, match="PLANNER_SECRET_KEY must be set"):
        create_app()
    monkeypatch.setenv("PLANNER_SECRET_KEY", DEVELOPMENT_SECRET_KEY)
    with pytest.raises(ConfigError, match="development key"):
        create_app()
    monkeypatch.setenv("PLANNER_SECRET_KEY", "a" * 64)
    with pytest.raises(ConfigError, match="PLANNER_IDENTITY_KEYS must be set in production"):
        create_app()
    monkeypatch.setenv("PLANNER_IDENTITY_KEYS", TESTING_KEY)
    with pytest.raises(ConfigError, match="testing key"):
        create_app()
    monkeypatch.setenv("PLANNER_IDENTITY_KEYS", "not a key")
    with pytest.raises(ConfigError, match="not a Fernet key"):
        create_app()
    monkeypatch.setenv("PLANNER_IDENTITY_KEYS", f"{new_key()}, {new_key()}")
    assert create_app().config["ENV"] == "production"


def test_unknown_environment_is_refused(monkeypatch):
    monkeypatch.setenv("PLANNER_ENV", "staging")
    with pytest.raises(ConfigError, match="PLANNER_ENV must be one of"):
        create_app()


@pytest.mark.parametrize(
    ("environment", "message"),
    [
        ({"DATABASE_URL": "mysql://root@localhost/x"}, "database 'mysql' is not supported"),
        ({"PLANNER_ENV": "production"}, "PLANNER_SECRET_KEY must be set in production"),
    ],
)
def test_start_up_failure_is_one_line_not_a_traceback(tmp_path, environment, message):
    env = {"PATH": "/usr/bin:/bin", "PLANNER_INSTANCE_PATH": str(tmp_path), **environment}
    result = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "planner", "routes"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    [line] = result.stderr.strip().splitlines()
    assert line.startswith("planner: configuration error: ")
    assert message in line
