"""The outbox's operations: queue a message with the change that causes it, deliver what is due.

Queueing follows the house rule (add, flush, never commit): the message is committed or rolled
back together with the caller's change, so mail is neither lost nor sent for a change that did
not happen. Delivery is the exception: the sender owns its transactions and is the one place
in planner that commits outbox rows, on a session of its own, so it never commits (or waits
on) anything its caller has pending.

Delivery is at least once: a sender that dies between sending and recording leaves a message
that is sent again once its lease runs out; the stable Message-ID lets mail clients spot that.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import logging
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from email.utils import make_msgid
from typing import Any, cast

from flask import Flask, current_app, g, has_request_context, render_template
from flask_babel import force_locale, get_locale
from jinja2 import TemplateNotFound
from sqlalchemy import ColumnElement, CursorResult, event, insert, or_, select, update
from sqlalchemy.orm import Session, SessionTransaction, make_transient_to_detached

from planner.config import ConfigError
from planner.db import running_clock, table_of, utcnow
from planner.extensions import db
from planner.mail.models import OutboxMessage, OutboxStatus
from planner.mail.smtp import (
    MailSettings,
    ServerUnavailable,
    build_mime,
    is_permanent,
    open_connection,
    sender_domain,
    split_content_type,
)

logger = logging.getLogger(__name__)

PROMPT_MODES = ("thread", "inline", "off")
FIRST_RETRY = dt.timedelta(minutes=1)
LONGEST_RETRY = dt.timedelta(hours=6)
# Long enough for one message over a slow server; a crashed sender's claim expires after it.
MIN_LEASE = dt.timedelta(minutes=5)

_QUEUED = "planner.mail.queued"  # session.info: ids flushed in the current transaction
_COMMITTED = "planner_mail_committed"  # flask.g: ids committed during this request


@dataclass
class DeliveryReport:
    sent: int = 0
    retrying: int = 0  # failed this time; tried again after a back-off
    failed: int = 0  # given up on
    skipped: int = 0  # another sender holds it, or the server was down before its turn


def queue_email(
    to: str,
    template: str,
    *,
    subject: str,
    forum_id: int | None = None,
    attachment: tuple[str, str] | None = None,
    render_later: bool = False,
    not_before: dt.datetime | None = None,
    **context: Any,
) -> OutboxMessage:
    """Add a pending message rendered from ``templates/mail/<template>.txt`` (and ``.html``
    when that exists) to the caller's transaction; it is sent only if the caller commits.

    ``render_later``: store the template, the context (plain JSON values only) and the
    current language, and render when sending; for mail queued on busy paths (a rush of
    registrations), whose requests should not pay for templating.

    ``attachment`` is ``(content_type, text)``, e.g. ``('text/calendar; method=REQUEST', ics)``.
    Addresses and subjects with line breaks are refused: they would smuggle in headers.
    ``not_before``: the message waits until then (the prompt attempt leaves it to the worker).
    """
    values = message_values(
        to, template, subject=subject, forum_id=forum_id, attachment=attachment, render_later=render_later, **context
    )
    if not_before is not None:
        values["next_attempt_at"] = max(values["next_attempt_at"], not_before)
    db.session.flush()  # what the message refers to (its forum) is written first
    message = OutboxMessage(id=insert_message(values), **values)
    # The row is complete as given: it enters the session as it is, without being read back.
    make_transient_to_detached(message)
    db.session.add(message)
    return message


@contextmanager
def written_in(language: str | None) -> Iterator[None]:
    """Queue mail in the language of the person it goes to: every message queued inside, its
    subject (which callers translate) and its bodies, are written in ``language``, or in the
    current one when that is unknown or not offered. Mail rendered later keeps it too."""
    if language and language in current_app.config["LANGUAGES"]:
        with force_locale(language):
            yield
    else:
        yield


def message_values(
    to: str,
    template: str,
    *,
    subject: str,
    forum_id: int | None = None,
    attachment: tuple[str, str] | None = None,
    render_later: bool = False,
    **context: Any,
) -> dict[str, Any]:
    """The outbox row ``queue_email`` writes, checked as it checks it, for a caller that
    writes it itself (``insert_message``, or a statement that does more)."""
    to = to.strip()
    if not to or "@" not in to or any(c in to for c in "\r\n,;<>") or len(to) > 320:
        raise ValueError(f"not a single email address: {to!r}")
    subject = _checked_subject(subject)
    _check_attachment(attachment)
    if render_later:
        try:
            json.dumps(context)
        except TypeError as error:
            raise ValueError(f"mail rendered later needs a plain JSON context: {error}") from None
        bodies: dict[str, Any] = dict(
            text_body="", html_body=None, template=template, context=context, language=str(get_locale() or "en")
        )
    else:
        bodies = dict(
            text_body=render_template(f"mail/{template}.txt", **context),
            html_body=_render_optional(f"mail/{template}.html", context),
        )
    now = utcnow()
    return dict(
        to_address=to,
        subject=subject,
        **{"html_body": None, "template": None, "context": None, "language": None, **bodies},
        attachment_content_type=attachment[0] if attachment else None,
        attachment_body=attachment[1] if attachment else None,
        forum_id=forum_id,
        status=OutboxStatus.PENDING,
        attempts=0,
        next_attempt_at=now,
        claimed_until=None,
        last_error="",
        sent_at=None,
        created_at=now,
        message_id=make_msgid(domain=sender_domain(current_app.config.get("MAIL_DEFAULT_SENDER"))),
    )


def message_variant(
    values: dict[str, Any], template: str, *, subject: str, attachment: tuple[str, str] | None = None
) -> dict[str, Any]:
    """``message_values``' row for the same person and moment with another template,
    subject and attachment: of two messages one of which will be written, e.g. by the
    outcome of an application. Its context is the same; so is its Message-ID, as only one
    of them ever exists."""
    if values["template"] is None:
        raise ValueError("only a message rendered later has variants")
    _check_attachment(attachment)
    return {
        **values,
        "subject": _checked_subject(subject),
        "template": template,
        "attachment_content_type": attachment[0] if attachment else None,
        "attachment_body": attachment[1] if attachment else None,
    }


def _checked_subject(subject: str) -> str:
    subject = subject.strip()
    if not subject or "\r" in subject or "\n" in subject or len(subject) > 300:
        raise ValueError(f"a subject must be one line of 1 to 300 characters: {subject!r}")
    # The other characters that end a line for the mail library (U+2028, U+0085...) come in
    # with titles pasted from documents; in a header they would stop the mail from being sent.
    return " ".join(part.strip() for part in subject.splitlines())


def _check_attachment(attachment: tuple[str, str] | None) -> None:
    if attachment is not None and _main_type(attachment[0]) != "text":
        raise ValueError(f"only text parts can be attached: {attachment[0]!r}")


def insert_message(values: dict[str, Any]) -> int:
    """Write ``message_values``' row with one INSERT, without the unit of work (mail is
    queued on the busiest paths); the new id, sent right after the commit like all mail."""
    message_id = db.session.execute(_INSERT_MESSAGE, values).scalar_one()
    remember_queued(message_id)
    return message_id


def remember_queued(message_id: int) -> None:
    """Send message ``message_id``, written in the current transaction, once it commits
    (MAIL_PROMPT_DELIVERY)."""
    db.session.info.setdefault(_QUEUED, []).append(message_id)


_INSERT_MESSAGE = insert(table_of(OutboxMessage)).returning(table_of(OutboxMessage).c.id)


@functools.lru_cache(maxsize=16)
def _main_type(content_type: str) -> str:
    return split_content_type(content_type)[0]


#: template -> what it reads at send time from the row (see ``load_context_for``).
_context_loaders: dict[str, Callable[[OutboxMessage], dict[str, Any]]] = {}


def load_context_for(template: str, loader: Callable[[OutboxMessage], dict[str, Any]]) -> None:
    """Render ``template``'s messages with what ``loader`` reads for each at send time (in
    the message's language), added to its stored context: for mail to thousands whose text
    is stored once (an announcement), not copied into every row."""
    _context_loaders[template] = loader


def render_stored(message: OutboxMessage) -> dict[str, Any]:
    """The bodies of a message queued with ``render_later``, in its language."""
    context = message.context or {}
    loader = _context_loaders.get(message.template or "")
    with force_locale(message.language or "en"):
        if loader is not None:
            context = {**context, **loader(message)}
        return {
            "text_body": render_template(f"mail/{message.template}.txt", **context),
            "html_body": _render_optional(f"mail/{message.template}.html", context),
        }


def _render_optional(name: str, context: dict[str, Any]) -> str | None:
    try:
        template = current_app.jinja_env.get_template(name)
    except TemplateNotFound as missing:
        if missing.name != name:
            raise  # an existing template that includes a missing one is a bug, not "no HTML"
        return None
    return render_template(template, **context)


def undelivered(forum_id: int | None = None, limit: int = 500) -> list[OutboxMessage]:
    """Pending and failed messages, newest first; of one forum, or of all when ``forum_id`` is None."""
    query = select(OutboxMessage).where(OutboxMessage.status.in_([OutboxStatus.PENDING, OutboxStatus.FAILED]))
    if forum_id is not None:
        query = query.where(OutboxMessage.forum_id == forum_id)
    query = query.order_by(OutboxMessage.created_at.desc(), OutboxMessage.id.desc()).limit(limit)
    return list(db.session.scalars(query))


def retry_delay(attempts: int) -> dt.timedelta:
    """Back-off after the ``attempts``-th failure: 1 min, 2, 4, 8 ... at most 6 hours."""
    return min(FIRST_RETRY * 2 ** min(attempts - 1, 20), LONGEST_RETRY)


def deliver_due(now: dt.datetime | None = None, limit: int = 100) -> DeliveryReport:
    """Send up to ``limit`` pending messages due at ``now`` whose lease is free, oldest first.

    Each message is claimed by a conditional UPDATE committed before it is sent, so two
    senders never send the same message. Commits on its own session (see the module docstring).
    """
    clock = running_clock(now)
    return _deliver(_due_ids(clock(), limit), clock)


def deliver_queued_now(ids: Iterable[int]) -> DeliveryReport:
    """Try the given messages right away (the prompt attempt); any not due or claimed are skipped."""
    return _deliver(sorted(set(ids)), utcnow)


def _claimable(now: dt.datetime) -> ColumnElement[bool]:
    return (
        (OutboxMessage.status == OutboxStatus.PENDING)
        & (OutboxMessage.next_attempt_at <= now)
        & or_(OutboxMessage.claimed_until.is_(None), OutboxMessage.claimed_until < now)
    )


def _due_ids(now: dt.datetime, limit: int) -> list[int]:
    with db.engine.connect() as connection:
        query = (
            select(OutboxMessage.id)
            .where(_claimable(now))
            .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
            .limit(limit)
        )
        return list(connection.scalars(query))


def _deliver(ids: Sequence[int], clock: Callable[[], dt.datetime]) -> DeliveryReport:
    settings = MailSettings.from_config(current_app.config)
    lease_length = max(MIN_LEASE, dt.timedelta(seconds=10 * settings.timeout))
    report = DeliveryReport()
    with Session(db.engine, expire_on_commit=False) as session, open_connection(settings) as smtp:
        for position, message_id in enumerate(ids):
            now = clock()
            lease = now + lease_length
            with session.begin():
                claim = update(OutboxMessage).where(OutboxMessage.id == message_id, _claimable(now))
                # An UPDATE's result is a CursorResult; Session.execute is typed to return any Result.
                result = cast(
                    CursorResult[Any],
                    session.execute(claim.values(claimed_until=lease).execution_options(synchronize_session=False)),
                )
                claimed = result.rowcount == 1
                message = session.get(OutboxMessage, message_id, populate_existing=True) if claimed else None
            if message is None:
                report.skipped += 1
                continue
            try:
                rendered = render_stored(message) if message.template and not message.text_body else {}
                smtp.send(build_mime(message, settings.sender, rendered))
            except ServerUnavailable as error:
                gave_up = _record_failure(session, message, lease, str(error), False, settings, clock())
                _count_failure(report, gave_up)
                # The server is down: leave the rest due for the next run, untouched.
                report.skipped += len(ids) - position - 1
                break
            except Exception as error:  # noqa: BLE001 - one bad message must not stop the batch
                text = f"{type(error).__name__}: {error}"
                gave_up = _record_failure(session, message, lease, text, is_permanent(error), settings, clock())
                _count_failure(report, gave_up)
            else:
                # The record keeps what was sent, rendered bodies included.
                _record(session, message, lease, status=OutboxStatus.SENT, sent_at=clock(), **rendered)
                report.sent += 1
    return report


def _record_failure(
    session: Session,
    message: OutboxMessage,
    lease: dt.datetime,
    error: str,
    permanent: bool,
    settings: MailSettings,
    now: dt.datetime,
) -> bool:
    """Count the attempt; retry after a back-off, or give up (True) after MAIL_MAX_ATTEMPTS."""
    attempts = message.attempts + 1
    logger.warning("mail %s to %s: attempt %d failed: %s", message.id, message.to_address, attempts, error)
    if permanent or attempts >= settings.max_attempts:
        _record(session, message, lease, status=OutboxStatus.FAILED, last_error=error)
        return True
    _record(session, message, lease, last_error=error, next_attempt_at=now + retry_delay(attempts))
    return False


def _count_failure(report: DeliveryReport, gave_up: bool) -> None:
    if gave_up:
        report.failed += 1
    else:
        report.retrying += 1


def _record(session: Session, message: OutboxMessage, lease: dt.datetime, **values: Any) -> None:
    """Store an outcome and release the lease, only if the lease is still ours."""
    with session.begin():
        # An UPDATE's result is a CursorResult; Session.execute is typed to return any Result.
        result = cast(
            CursorResult[Any],
            session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.id == message.id, OutboxMessage.claimed_until == lease)
                .values(attempts=message.attempts + 1, claimed_until=None, **values)
                .execution_options(synchronize_session=False)
            ),
        )
    if result.rowcount != 1:
        # Our lease ran out and another sender took over; its outcome wins.
        logger.warning("mail %s: lease lost before its outcome was recorded", message.id)


# The prompt attempt ------------------------------------------------------------------------


def init_app(app: Flask) -> None:
    """After a request commits queued mail, try to send it at once (MAIL_PROMPT_DELIVERY):
    'thread' (default) in the background, 'inline' before the response, 'off' leaves it to
    ``flask send-mail``. Test apps default to 'off': they send only when a test asks.
    A failed prompt attempt leaves the message pending; the request never fails because of it.
    """
    mode = app.config.setdefault("MAIL_PROMPT_DELIVERY", "off" if app.testing else "thread")
    if mode not in PROMPT_MODES:
        raise ConfigError(f"MAIL_PROMPT_DELIVERY must be one of {', '.join(PROMPT_MODES)}, not {mode!r}")
    MailSettings.from_config(app.config)  # report a bad MAIL_* set-up at start-up
    if "planner.mail" not in app.extensions:  # calling it twice must not send twice
        app.extensions["planner.mail"] = True
        app.teardown_request(_deliver_committed)
    # db.session is shared by every app; listen once, and each listener checks its app.
    for name, listener in (("after_commit", _remember_committed), ("after_transaction_end", _forget)):
        if not event.contains(db.session, name, listener):
            event.listen(db.session, name, listener)


def _remember_committed(session: Session) -> None:
    ids = session.info.pop(_QUEUED, None)
    # Outside requests (CLI, scripts) the worker or the command itself sends the mail.
    if ids and has_request_context() and "planner.mail" in current_app.extensions:
        g.setdefault(_COMMITTED, []).extend(ids)


def _forget(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:  # the outermost transaction ended: rolled back or closed
        session.info.pop(_QUEUED, None)


def _deliver_committed(error: BaseException | None) -> None:
    ids = g.pop(_COMMITTED, None)
    mode = current_app.config.get("MAIL_PROMPT_DELIVERY")
    if not ids or mode == "off":
        return
    # The request is over: end its session now (not later, at app-context teardown), since
    # a transaction it reopened after committing would hold SQLite's write lock.
    db.session.remove()
    if mode == "inline":
        _attempt(ids)
        return
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    threading.Thread(target=_attempt_in_thread, args=(app, ids), name="planner-mail", daemon=True).start()


def _attempt_in_thread(app: Flask, ids: list[int]) -> None:
    with app.app_context():
        _attempt(ids)


def _attempt(ids: list[int]) -> None:
    try:
        deliver_queued_now(ids)
    except Exception:  # noqa: BLE001 - the worker retries; the user's request must not fail
        logger.exception("prompt delivery of mail %s failed; left for the worker", ids)
