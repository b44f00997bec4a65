"""The supported deployment: gunicorn with docs/deployment/gunicorn.conf.py (behind a proxy that
buffers request bodies, docs/deployment/nginx.conf). A client that sends its body slowly must
not hold up everyone else."""

from __future__ import annotations

import http.client
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from planner import PROJECT_ROOT, create_app
from planner.crypto import new_key
from planner.extensions import db

CONFIG = Path(PROJECT_ROOT) / "docs" / "deployment" / "gunicorn.conf.py"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until_serving(port: int, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise AssertionError(f"gunicorn exited with {server.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.1)
    raise AssertionError("gunicorn did not start within 20 s")


@pytest.fixture
def gunicorn_with_the_shipped_settings(tmp_path: Path) -> Iterator[int]:
    url = f"sqlite:///{tmp_path}/planner.sqlite3"
    with create_app({"ENV": "testing", "SQLALCHEMY_DATABASE_URI": url}).app_context():
        db.create_all()
    port = free_port()
    environment = {
        **os.environ,
        "DATABASE_URL": url,
        "PLANNER_SECRET_KEY": "deployment-test-" + "x" * 32,
        "PLANNER_IDENTITY_KEYS": new_key(),
        "PLANNER_INSTANCE_PATH": str(tmp_path),
    }
    # One worker, so that a held worker would show; the threads are the shipped default.
    command = [sys.executable, "-m", "gunicorn", "-c", str(CONFIG), "--workers", "1", "--bind", f"127.0.0.1:{port}"]
    server = subprocess.Popen(
        [*command, "--access-logfile", "/dev/null", "wsgi:app"],
        cwd=PROJECT_ROOT,
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_until_serving(port, server)
        yield port
    finally:
        server.terminate()
        server.wait(timeout=30)


def slow_client(port: int) -> socket.socket:
    """A client that announces a form and sends the first bytes of it, then nothing."""
    client = socket.create_connection(("127.0.0.1", port))
    client.sendall(
        b"POST /login HTTP/1.1\r\nHost: planner\r\nContent-Type: application/x-www-form-urlencoded\r\n"
        b"Content-Length: 100000\r\n\r\nemail=slow"
    )
    return client


def healthz(port: int) -> tuple[int, float]:
    started = time.perf_counter()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=40)
    connection.request("GET", "/healthz")
    response = connection.getresponse()
    response.read()
    connection.close()
    return response.status, time.perf_counter() - started


def test_slow_request_bodies_do_not_hold_up_other_requests(gunicorn_with_the_shipped_settings):
    port = gunicorn_with_the_shipped_settings
    assert healthz(port)[0] == 200  # the worker's first request sets up what later ones reuse
    slow = [slow_client(port) for _ in range(3)]
    try:
        time.sleep(0.5)  # they are inside the worker now, waiting for their bodies
        for _ in range(5):
            status, seconds = healthz(port)
            assert status == 200
            assert seconds < 1.0  # a held sync worker answers after gunicorn's 30 s timeout
    finally:
        for client in slow:
            client.close()


def test_the_shipped_settings_use_threaded_workers():
    settings: dict[str, object] = {}
    exec(compile(CONFIG.read_text(), str(CONFIG), "exec"), settings)  # noqa: S102 (our own file)
    assert settings["worker_class"] == "gthread"
    assert isinstance(settings["threads"], int) and settings["threads"] >= 4
    assert settings["timeout"] == 30
