"""What every benchmark shares: planner under gunicorn on 127.0.0.1, and a timed GET loop.

Imported by the scripts beside it (run as ``python benchmarks/<name>.py``). Loops are
bounded in count and time, and traffic goes to this machine only.
"""
from __future__ import annotations

import http.client
import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
WORKERS = 2
WARM_UP_REQUESTS = 20
MAX_REQUESTS_PER_THREAD = 1_000_000  # a bound; the deadline stops the loop first


class BenchmarkError(Exception):
    """Something went wrong; the message says what."""


def run_flask(args: list[str], env: dict[str, str]) -> None:
    """Run ``flask --app planner ARGS`` and fail with its output if it does not succeed."""
    command = [sys.executable, "-m", "flask", "--app", "planner", *args]
    result = subprocess.run(command, check=False, cwd=ROOT, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        raise BenchmarkError(f"`flask {' '.join(args)}` failed:\n{result.stdout}{result.stderr}")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def get_status(port: int, path: str, timeout: float = 10.0) -> int:
    """GET ``path`` on a new connection (sync workers close it anyway); the status."""
    connection = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        response.read()
        return response.status
    finally:
        connection.close()


def start_gunicorn(env: dict[str, str], port: int, log_path: Path) -> subprocess.Popen[bytes]:
    """``gunicorn -w 2 wsgi:app`` with ``env`` added to this environment, logging to ``log_path``."""
    command = [sys.executable, "-m", "gunicorn", "-w", str(WORKERS), "-b", f"{HOST}:{port}", "wsgi:app"]
    # A session of its own: Ctrl-C reaches only the script, which then stops gunicorn
    # itself (a SIGINT to the workers mid-request would look like failed requests).
    with log_path.open("wb") as log:
        return subprocess.Popen(command, cwd=ROOT, env={**os.environ, **env}, stdout=log,
                                stderr=subprocess.STDOUT, start_new_session=True)


def stop(server: subprocess.Popen[bytes]) -> None:
    server.terminate()
    try:
        server.wait(timeout=15)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


def wait_until_healthy(server: subprocess.Popen[bytes], port: int, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise BenchmarkError(f"gunicorn exited with status {server.returncode} while starting")
        try:
            if get_status(port, "/healthz", timeout=2.0) == 200:
                return
        except OSError:
            pass  # not listening yet
        time.sleep(0.2)
    raise BenchmarkError(f"/healthz did not answer 200 within {timeout:.0f} s")


def measure(port: int, path: str, seconds: float, concurrency: int) -> tuple[int, float]:
    """(requests, requests per second) for GET ``path`` from ``concurrency`` threads;
    every answer must be 200."""
    for _ in range(WARM_UP_REQUESTS):
        if (status := get_status(port, path)) != 200:
            raise BenchmarkError(f"{path} answered {status} during warm-up, not 200")
    counts = [0] * concurrency
    failures: list[str] = []
    stop_all = threading.Event()

    def client(index: int, deadline: float) -> None:
        for _ in range(MAX_REQUESTS_PER_THREAD):
            if stop_all.is_set() or time.monotonic() >= deadline:
                break
            try:
                status = get_status(port, path)
            except OSError as error:
                failures.append(f"{path}: {error!r}")
                stop_all.set()
                break
            if status != 200:
                failures.append(f"{path} answered {status}, not 200")
                stop_all.set()
                break
            counts[index] += 1

    started = time.monotonic()
    threads = [threading.Thread(target=client, args=(n, started + seconds), daemon=True) for n in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    if failures:
        raise BenchmarkError(failures[0])
    return sum(counts), sum(counts) / elapsed
