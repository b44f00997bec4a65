"""A webhook receiver for the tests: HTTPS on 127.0.0.1 with a self-signed certificate,
in a thread; it checks every delivery's signature as a receiver is told to."""

from __future__ import annotations

import datetime as dt
import ipaddress
import json
import ssl
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from planner.webhooks.signing import verify


def make_certificate(directory: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 and localhost, and its key: (cert, key) files."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "planner test receiver")])
    now = dt.datetime.now(dt.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1")), x509.DNSName("localhost")]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = directory / "receiver.pem", directory / "receiver.key"
    cert_file.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return cert_file, key_file


@dataclass
class Received:
    event: str
    delivery: str
    body: dict[str, Any]
    headers: dict[str, str]
    verified: bool


@dataclass
class Receiver:
    url: str
    secret: str = ""
    # What it answers; a test sets 503, or None to hang up without an answer, for one that is down.
    status: int | None = 200
    # The receiver's clock, in Unix seconds (the sender signs with the clock it is given).
    clock: Callable[[], float] = time.time
    received: list[Received] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def events(self) -> list[str]:
        with self.lock:
            return [r.event for r in self.received]

    def of(self, event: str) -> list[Received]:
        with self.lock:
            return [r for r in self.received if r.event == event]


@contextmanager
def running_receiver(directory: Path) -> Iterator[tuple[Receiver, Path]]:
    """A receiver listening on https://127.0.0.1:<port>/hooks, and its certificate file (the
    CA to trust)."""
    cert_file, key_file = make_certificate(directory)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_file, key_file)
    holder: list[Receiver] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 (http.server's name)
            receiver = holder[0]
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            verified = verify(receiver.secret, self.headers.get("Planner-Signature", ""), body, receiver.clock())
            status = receiver.status
            if status is None:
                self.close_connection = True  # hung up: no answer at all
                return
            if status < 300:
                with receiver.lock:
                    receiver.received.append(
                        Received(
                            self.headers.get("Planner-Event", ""),
                            self.headers.get("Planner-Delivery", ""),
                            json.loads(body),
                            dict(self.headers.items()),
                            verified,
                        )
                    )
            self.send_response(status if verified else 401)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    server.socket = context.wrap_socket(server.socket, server_side=True)
    holder.append(Receiver(url=f"https://127.0.0.1:{server.server_port}/hooks"))
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield holder[0], cert_file
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
