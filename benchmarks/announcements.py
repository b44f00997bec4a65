"""Announcements: queueing one to 5,000 people in one request, and the sender's rate.

In one run, on a fresh temporary SQLite file (or the database named by DATABASE_URL, which
must hold no forum ``announce``):

(a) through gunicorn (two sync workers): an organiser's POST of the announcement form to
    every registration of a forum of ``--people`` (5,000) confirmed registrants, CSRF token
    included, timed; and single GETs of ``/healthz`` on the same server just before and
    after (their median). ``queue_s`` is the POST's time, ``queue_ratio`` its ratio to a
    /healthz request's (target: the POST answers 302 within a second); then the database is
    read back: one announcement, one outbox message and one recipient row per person.
(b) ``sender_rate``: ``deliver_due`` in this process sending ``--send`` (2,000) of those
    messages to a local aiosmtpd server (127.0.0.1) that counts them: messages per second,
    each rendered from the stored announcement in its recipient's language.

The organiser's cookie is made as ``benchmarks/registration_rush.py`` makes its delegates':
a server-side session in the database, its key and the CSRF token in a session signed with
the SECRET_KEY gunicorn is given.

Usage, from the project root:
    .venv/bin/python benchmarks/announcements.py [--people 5000] [--send 2000]
The last line printed is one JSON object with the results.
"""

from __future__ import annotations

import argparse
import datetime as dt
import re
import secrets
import statistics
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from serving import (
    HOST,
    BenchmarkError,
    bench_database_url,
    database_name,
    free_port,
    gunicorn,
    request,
    run,
    upgrade_schema,
)

SLUG = "announce"
EMAIL_DOMAIN = "announce.bench"
HEALTHZ_REQUESTS = 20
CSRF_INPUT = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
FORM_KEY_INPUT = re.compile(r'name="form_key" type="hidden" value="([^"]+)"')
PAGE = f"/forums/{SLUG}/manage/announcements/new"


def seed(database_url: str, secret_key: str, people: int) -> str:
    """The forum (English and Japanese), its event, ``people`` confirmed registrants (every
    other one Japanese) and a signed-in organiser; the organiser's session cookie."""
    from flask import session
    from sqlalchemy import insert, select
    from werkzeug.security import generate_password_hash

    from planner import create_app
    from planner.accounts import sessions
    from planner.accounts.models import AccountSession, User
    from planner.crypto import secret_digest
    from planner.extensions import db
    from planner.forums.models import Event, EventKind, Forum, ForumOrganiser
    from planner.registration.models import Registration, RegistrationStatus

    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": secret_key})
    print(f"Creating {people} registrants...", flush=True)
    now = dt.datetime.now(dt.UTC)
    first_day = dt.date.today() + dt.timedelta(days=60)
    token = secrets.token_urlsafe(24)
    with app.app_context():
        if db.session.scalar(select(Forum.id).where(Forum.slug == SLUG)) is not None:
            raise BenchmarkError(f"the database already holds a forum {SLUG!r}: use an empty one")
        forum = Forum(
            slug=SLUG,
            name="Announce",
            title="Announcements benchmark",
            host_city="Tokyo",
            host_country="JP",
            timezone="Asia/Tokyo",
            first_day=first_day,
            last_day=first_day + dt.timedelta(days=2),
            languages=["en", "ja"],
        )
        event = Event(
            forum=forum,
            kind=EventKind.SIDE_EVENT,
            code="MAIN",
            title="Main",
            starts_at=dt.datetime.combine(first_day, dt.time(9), tzinfo=dt.UTC),
            ends_at=dt.datetime.combine(first_day, dt.time(18), tzinfo=dt.UTC),
        )
        password_hash = generate_password_hash(secrets.token_urlsafe(16))
        organiser = User(
            email=f"organiser@{EMAIL_DOMAIN}",
            name="Organiser",
            given_name="Organiser",
            password_hash=password_hash,
            email_verified_at=now,
        )
        db.session.add_all([forum, event, organiser])
        db.session.flush()
        db.session.add(ForumOrganiser(forum_id=forum.id, user_id=organiser.id))
        db.session.execute(
            insert(User),
            [
                {
                    "email": f"person{n}@{EMAIL_DOMAIN}",
                    "name": f"Person {n}",
                    "password_hash": password_hash,
                    "language": "ja" if n % 2 else "en",
                    "email_verified_at": now,
                    "created_at": now,
                }
                for n in range(people)
            ],
        )
        ids = db.session.scalars(select(User.id).where(User.email.like(f"person%@{EMAIL_DOMAIN}"))).all()
        db.session.execute(
            insert(Registration),
            [
                {"event_id": event.id, "user_id": user_id, "status": RegistrationStatus.CONFIRMED, "applied_at": now}
                for user_id in ids
            ],
        )
        db.session.add(AccountSession(user_id=organiser.id, key_hash=secret_digest(token), created_at=now))
        db.session.commit()
        db.engine.dispose()
    serializer = app.session_interface.get_signing_serializer(app)
    assert serializer is not None
    with app.test_request_context(environ_base={"REMOTE_ADDR": HOST}):
        session.update(sessions.cookie_values(token))
        session["_id"] = app.login_manager._session_identifier_generator()  # type: ignore[attr-defined]
        return serializer.dumps(dict(session))


def healthz_seconds(port: int) -> list[float]:
    times = []
    for _ in range(HEALTHZ_REQUESTS):
        started = time.perf_counter()
        response, _ = request(port, "/healthz")
        times.append(time.perf_counter() - started)
        if response.status != 200:
            raise BenchmarkError(f"/healthz answered {response.status}")
    return times


def queue_announcement(port: int, cookie: str, people: int) -> tuple[float, int]:
    """GET the form (its CSRF token), then POST it to every registration: (seconds, status)."""
    headers = {"Cookie": f"session={cookie}"}
    response, content = request(port, PAGE, headers=headers)
    page = content.decode(errors="replace")
    found, form_key = CSRF_INPUT.search(page), FORM_KEY_INPUT.search(page)
    if response.status != 200 or not found or not form_key:
        raise BenchmarkError(f"GET {PAGE} answered {response.status}, not the announcement form")
    cookie = _new_cookie(response) or cookie
    body = urlencode(
        {
            "csrf_token": found.group(1),
            "form_key": form_key.group(1),
            "audience": "registrations",
            "subject": "Buses on Friday",
            "body": "The buses leave the hotels at **8:00**.\n\n- Hotel A\n- Hotel B",
            "subject_ja": "金曜日のバス",
            "body_ja": "バスは**8時**にホテルを出ます。",
            "action": "send",
        }
    )
    started = time.perf_counter()
    response, _ = request(
        port,
        PAGE,
        method="POST",
        body=body,
        headers={"Cookie": f"session={cookie}", "Content-Type": "application/x-www-form-urlencoded"},
        timeout=60,
    )
    seconds = time.perf_counter() - started
    return seconds, response.status


def _new_cookie(response: Any) -> str | None:
    header = response.getheader("Set-Cookie") or ""
    found = re.match(r"session=([^;]+)", header)
    return found.group(1) if found else None


def read_back(database_url: str) -> dict[str, int]:
    from sqlalchemy import func, select

    from planner import create_app
    from planner.announcements.models import Announcement, AnnouncementRecipient
    from planner.extensions import db
    from planner.mail.models import OutboxMessage

    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url})
    with app.app_context():
        counts = {
            "announcements": db.session.scalar(select(func.count()).select_from(Announcement)) or 0,
            "recipients": db.session.scalar(select(func.count()).select_from(AnnouncementRecipient)) or 0,
            "outbox": db.session.scalar(
                select(func.count()).select_from(OutboxMessage).where(OutboxMessage.announcement_id.is_not(None))
            )
            or 0,
        }
        db.engine.dispose()
    return counts


class CountingHandler:
    def __init__(self) -> None:
        self.received = 0

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.received += 1
        return "250 Message accepted"


def sender_rate(database_url: str, send: int) -> tuple[float, int, int]:
    """(messages per second, sent, received by the server) for ``deliver_due`` sending ``send``."""
    from aiosmtpd.controller import Controller

    from planner import create_app
    from planner.extensions import db
    from planner.mail.services import deliver_due

    handler = CountingHandler()
    port = free_port()
    controller = Controller(handler, hostname=HOST, port=port, ready_timeout=30)
    controller.start()
    try:
        app = create_app(
            {
                "SQLALCHEMY_DATABASE_URI": database_url,
                "MAIL_SERVER": HOST,
                "MAIL_PORT": port,
                "MAIL_DEFAULT_SENDER": f"planner <noreply@{EMAIL_DOMAIN}>",
            }
        )
        with app.app_context():
            started = time.perf_counter()
            report = deliver_due(limit=send)
            seconds = time.perf_counter() - started
            db.engine.dispose()
    finally:
        controller.stop()
    return report.sent / seconds if seconds else 0.0, report.sent, handler.received


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--people", type=int, default=5000, help="registrants the announcement goes to (default 5000)")
    parser.add_argument("--send", type=int, default=2000, help="messages the sender sends, timed (default 2000)")
    args = parser.parse_args()
    if not 1 <= args.send <= args.people <= 100_000:
        parser.error("choose 1 <= --send <= --people <= 100000")

    def work(tmp: Path) -> dict[str, object]:
        database_url = bench_database_url(tmp)
        upgrade_schema(database_url)
        secret_key = secrets.token_hex(32)
        cookie = seed(database_url, secret_key, args.people)
        with gunicorn(database_url, tmp / "gunicorn.log", secret_key=secret_key) as port:
            before = healthz_seconds(port)
            queue_s, status = queue_announcement(port, cookie, args.people)
            after = healthz_seconds(port)
        healthz_s = statistics.median(before + after)
        print(
            f"queueing to {args.people}: {queue_s * 1000:.0f} ms (answer {status}); /healthz {healthz_s * 1000:.1f} ms"
        )
        if status != 302:
            raise BenchmarkError(f"the announcement's POST answered {status}, not 302")
        counts = read_back(database_url)
        print(f"stored: {counts}", flush=True)
        if counts != {"announcements": 1, "recipients": args.people, "outbox": args.people}:
            raise BenchmarkError(f"not one announcement, and one recipient and message per person: {counts}")
        rate, sent, received = sender_rate(database_url, args.send)
        print(f"sender: {sent} sent ({received} received) at {rate:.0f} messages/s", flush=True)
        if sent != args.send or received != sent:
            raise BenchmarkError(f"the sender sent {sent} and the server received {received}, not {args.send}")
        return {
            "people": args.people,
            "queue_s": round(queue_s, 4),
            "healthz_s": round(healthz_s, 5),
            "queue_ratio": round(queue_s / healthz_s, 1),
            "queue_within_a_second": queue_s < 1.0,
            "sender_messages_per_s": round(rate, 1),
            "sent": sent,
            "database": database_name(database_url),
        }

    return run(work)


if __name__ == "__main__":
    sys.exit(main())
