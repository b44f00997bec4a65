"""The webhook sender: POSTs due deliveries, signed, and records what became of them.

Like the mail sender it owns its transactions, on a session of its own: each delivery is
claimed by a conditional UPDATE committed before it is sent (two senders never send the same
one), then its outcome is recorded. Delivery is at least once: a sender that dies between
sending and recording sends it again once its lease runs out, with the same ``Planner-Delivery``
id for the receiver to recognise it.

A 2xx answer delivers; anything else (another status, a redirect, a refused or timed-out
connection, an unsafe address) is retried after 1, 5, 15 and 30 minutes, then hourly, until
a day after the delivery was queued; then it has failed, with the last error kept.

Only https is sent to, and never to an address on a private, loopback or link-local network
(unless ``WEBHOOKS_ALLOW_PRIVATE_ADDRESSES``): the host is resolved and checked, and the
connection made to the address checked, so a name cannot be pointed elsewhere in between.
"""

from __future__ import annotations

import datetime as dt
import http.client
import ipaddress
import logging
import socket
import ssl
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, cast
from urllib.parse import urlsplit

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import ColumnElement, CursorResult, delete, or_, select, update
from sqlalchemy.orm import Session

from planner.db import running_clock, table_of
from planner.extensions import db
from planner.webhooks import signing
from planner.webhooks.models import DeliveryStatus, WebhookDelivery, WebhookEndpoint

logger = logging.getLogger(__name__)

USER_AGENT = "planner-webhooks"
#: Waits after the 1st, 2nd ... failure; hourly after the last of them.
RETRY_DELAYS = tuple(dt.timedelta(minutes=m) for m in (1, 5, 15, 30))
LONGEST_RETRY = dt.timedelta(hours=1)
#: How long a delivery is tried after it was queued.
GIVE_UP_AFTER = dt.timedelta(hours=24)
# Far longer than one attempt (its timeout); a crashed sender's claim expires after it.
LEASE = dt.timedelta(minutes=5)
MAX_URL_LENGTH = 500


@dataclass
class DeliveryReport:
    delivered: int = 0
    retrying: int = 0  # failed this time; tried again after a back-off
    failed: int = 0  # given up on
    skipped: int = 0  # another sender holds it, or its endpoint failed earlier in the round


# The target --------------------------------------------------------------------------------


class UnsafeTarget(ValueError):
    """A URL planner will not send to, with the reason."""


def _is_private(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return not address.is_global or address.is_multicast


def check_url(url: str) -> tuple[str, int]:
    """The host and port of an https URL fit to be an endpoint, or ``UnsafeTarget``."""
    if len(url) > MAX_URL_LENGTH:
        raise UnsafeTarget(_("Keep the address to %(max)d characters.", max=MAX_URL_LENGTH))
    if any(c.isspace() or ord(c) < 32 or ord(c) == 127 for c in url):
        raise UnsafeTarget(_("An address has no spaces or line breaks."))
    try:
        parts = urlsplit(url)
        port = parts.port or 443
    except ValueError:
        raise UnsafeTarget(_("This is not a web address.")) from None
    if parts.scheme.lower() != "https":
        if parts.scheme.lower() == "http":
            raise UnsafeTarget(_("Webhooks are sent over https only: the address must begin with https://."))
        raise UnsafeTarget(_("This is not a web address: it must begin with https://."))
    if not parts.hostname:
        raise UnsafeTarget(_("This is not a web address: it names no host."))
    if parts.username is not None or parts.password is not None:
        raise UnsafeTarget(_("Leave the user name and password out of the address; deliveries are signed instead."))
    return parts.hostname, port


def resolve(host: str, port: int, allow_private: bool) -> str:
    """The address to connect to for ``host``: every address it resolves to must be public
    (unless ``allow_private``), or ``UnsafeTarget`` says why."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        raise UnsafeTarget(_("planner cannot find the host %(host)s.", host=host)) from None
    addresses = [str(info[4][0]) for info in infos]
    if not addresses:
        raise UnsafeTarget(_("planner cannot find the host %(host)s.", host=host))
    if not allow_private and any(_is_private(ipaddress.ip_address(a.split("%")[0])) for a in addresses):
        raise UnsafeTarget(
            _(
                "%(host)s is on a private, loopback or link-local network: webhooks go to public addresses only.",
                host=host,
            )
        )
    return addresses[0]


def check_target(url: str, allow_private: bool | None = None) -> str:
    """``check_url`` and ``resolve`` together: the address to connect to."""
    if allow_private is None:
        allow_private = bool(current_app.config.get("WEBHOOKS_ALLOW_PRIVATE_ADDRESSES"))
    host, port = check_url(url)
    return resolve(host, port, allow_private)


class _PinnedConnection(http.client.HTTPSConnection):
    """HTTPS to ``host`` (its name for SNI and the certificate) at an address checked before."""

    def __init__(self, host: str, port: int, address: str, context: ssl.SSLContext, timeout: float) -> None:
        super().__init__(host, port, context=context, timeout=timeout)
        self._address = address
        self._tls = context

    def connect(self) -> None:
        raw = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._tls.wrap_socket(raw, server_hostname=self.host)


def tls_context() -> ssl.SSLContext:
    """The system's trusted CAs, and WEBHOOKS_CA_FILE's too when set."""
    context = ssl.create_default_context()
    ca_file = current_app.config.get("WEBHOOKS_CA_FILE")
    if ca_file:
        context.load_verify_locations(cafile=ca_file)
    return context


@dataclass(frozen=True)
class Outcome:
    status_code: int | None
    error: str  # empty when delivered

    @property
    def delivered(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


def post(url: str, body: bytes, headers: Mapping[str, str], context: ssl.SSLContext, timeout: float) -> Outcome:
    """One attempt: POST ``body`` to ``url``; what came of it (redirects are not followed)."""
    try:
        address = check_target(url)
        parts = urlsplit(url)
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        connection = _PinnedConnection(parts.hostname or "", parts.port or 443, address, context, timeout)
        try:
            connection.request("POST", target, body=body, headers=dict(headers))
            response = connection.getresponse()
            response.read(64 * 1024)  # the answer itself is not kept
        finally:
            connection.close()
    except UnsafeTarget as refusal:
        return Outcome(None, f"refused: {refusal}")
    except (OSError, http.client.HTTPException) as error:
        return Outcome(None, f"{type(error).__name__}: {error}"[:500])
    if 200 <= response.status < 300:
        return Outcome(response.status, "")
    return Outcome(response.status, f"HTTP {response.status} {response.reason}"[:500])


# Delivering --------------------------------------------------------------------------------


def retry_delay(attempts: int) -> dt.timedelta:
    """The wait after the ``attempts``-th failure."""
    return RETRY_DELAYS[attempts - 1] if attempts <= len(RETRY_DELAYS) else LONGEST_RETRY


def deliver_due(now: dt.datetime | None = None, limit: int = 50) -> DeliveryReport:
    """Send up to ``limit`` pending deliveries due at ``now`` (to active endpoints) whose lease
    is free, oldest first, after forgetting the old ones. Commits on its own session (see the
    module docstring)."""
    clock = running_clock(now)
    forget_old(clock())
    return _deliver(_due(clock(), limit), clock)


def forget_old(now: dt.datetime) -> int:
    """Delete deliveries delivered or given up on more than ``WEBHOOKS_KEEP_DAYS`` (30) days
    ago: their bodies hold registrants' names and addresses, kept only as long as the page
    that lists them is of use. Pending ones are never deleted."""
    kept = dt.timedelta(days=int(current_app.config.get("WEBHOOKS_KEEP_DAYS", 30)))
    with db.engine.begin() as connection:
        result = connection.execute(
            delete(table_of(WebhookDelivery)).where(
                WebhookDelivery.status.in_((DeliveryStatus.DELIVERED, DeliveryStatus.FAILED)),
                WebhookDelivery.created_at < now - kept,
            )
        )
    return result.rowcount or 0


def _claimable(now: dt.datetime) -> ColumnElement[bool]:
    return (
        (WebhookDelivery.status == DeliveryStatus.PENDING)
        & (WebhookDelivery.next_attempt_at <= now)
        & or_(WebhookDelivery.claimed_until.is_(None), WebhookDelivery.claimed_until < now)
    )


def _due(now: dt.datetime, limit: int) -> list[tuple[int, int]]:
    """(delivery id, endpoint id) of the due deliveries; a paused endpoint's wait."""
    with db.engine.connect() as connection:
        query = (
            select(WebhookDelivery.id, WebhookDelivery.endpoint_id)
            .join(WebhookEndpoint, WebhookEndpoint.id == WebhookDelivery.endpoint_id)
            .where(_claimable(now), WebhookEndpoint.is_active.is_(True))
            .order_by(WebhookDelivery.next_attempt_at, WebhookDelivery.id)
            .limit(limit)
        )
        return [(row[0], row[1]) for row in connection.execute(query)]


def _deliver(due: Sequence[tuple[int, int]], clock: Callable[[], dt.datetime]) -> DeliveryReport:
    report = DeliveryReport()
    if not due:
        return report
    context = tls_context()
    timeout = float(current_app.config.get("WEBHOOKS_TIMEOUT", 10))
    unreachable: set[int] = set()
    with Session(db.engine, expire_on_commit=False) as session:
        for delivery_id, endpoint_id in due:
            if endpoint_id in unreachable:
                report.skipped += 1  # it did not answer a moment ago: left due for the next round
                continue
            now = clock()
            lease = now + LEASE
            with session.begin():
                claim = update(WebhookDelivery).where(WebhookDelivery.id == delivery_id, _claimable(now))
                # An UPDATE's result is a CursorResult; Session.execute is typed to return any Result.
                result = cast(
                    CursorResult[Any],
                    session.execute(claim.values(claimed_until=lease).execution_options(synchronize_session=False)),
                )
                claimed = result.rowcount == 1
                delivery = session.get(WebhookDelivery, delivery_id, populate_existing=True) if claimed else None
                endpoint = session.get(WebhookEndpoint, endpoint_id) if delivery is not None else None
                url, secret = (endpoint.url, endpoint.secret) if endpoint is not None else ("", "")
            if delivery is None:
                report.skipped += 1
                continue
            body = delivery.body.encode()
            sent_at = clock()
            headers = {
                "Content-Type": "application/json",
                "User-Agent": USER_AGENT,
                "Planner-Event": delivery.event,
                "Planner-Delivery": delivery.delivery_id,
                signing.HEADER: signing.header(secret, int(sent_at.timestamp()), body),
            }
            outcome = post(url, body, headers, context, timeout)
            if outcome.delivered:
                _record(session, delivery, lease, outcome, status=DeliveryStatus.DELIVERED, delivered_at=clock())
                report.delivered += 1
                continue
            if outcome.status_code is None:
                unreachable.add(endpoint_id)
            if _record_failure(session, delivery, lease, outcome, clock()):
                report.failed += 1
            else:
                report.retrying += 1
    return report


def _record_failure(
    session: Session, delivery: WebhookDelivery, lease: dt.datetime, outcome: Outcome, now: dt.datetime
) -> bool:
    """Count the attempt; retry after a back-off, or give up (True) a day after it was queued."""
    attempts = delivery.attempts + 1
    # The error names the host at most: the body (personal data) is never logged.
    logger.warning("webhook delivery %s: attempt %d failed: %s", delivery.delivery_id, attempts, outcome.error)
    deadline = delivery.created_at + GIVE_UP_AFTER
    if now >= deadline:
        _record(session, delivery, lease, outcome, status=DeliveryStatus.FAILED)
        return True
    # The last try falls on the deadline itself.
    _record(session, delivery, lease, outcome, next_attempt_at=min(now + retry_delay(attempts), deadline))
    return False


def _record(session: Session, delivery: WebhookDelivery, lease: dt.datetime, outcome: Outcome, **values: Any) -> None:
    """Store an outcome and release the lease, only if the lease is still ours."""
    with session.begin():
        # An UPDATE's result is a CursorResult; Session.execute is typed to return any Result.
        result = cast(
            CursorResult[Any],
            session.execute(
                update(WebhookDelivery)
                .where(WebhookDelivery.id == delivery.id, WebhookDelivery.claimed_until == lease)
                .values(
                    attempts=delivery.attempts + 1,
                    claimed_until=None,
                    last_status_code=outcome.status_code,
                    last_error=outcome.error,
                    **values,
                )
                .execution_options(synchronize_session=False)
            ),
        )
    if result.rowcount != 1:
        # Our lease ran out and another sender took over; its outcome wins.
        logger.warning("webhook delivery %s: lease lost before its outcome was recorded", delivery.delivery_id)
