"""Talking to the mail server: settings from the app config, MIME building, one reused connection.

Nothing here touches the database; ``planner.mail.services`` decides what to send and records
what happened.
"""

from __future__ import annotations

import datetime as dt
import email.policy
import functools
import os
import re
import smtplib
import ssl
import sys
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr, parsedate_to_datetime
from types import TracebackType
from typing import Any

from planner.config import ConfigError
from planner.mail.models import OutboxMessage

# 7-bit output (base64/quoted-printable bodies, RFC 2047 headers) reaches every server,
# even one without 8BITMIME; CRLF line ends are what SMTP expects.
MIME_POLICY = email.policy.SMTP.clone(cte_type="7bit")
DEFAULT_SENDER = "planner <noreply@localhost>"


@functools.lru_cache(maxsize=8)
def sender_address(sender: str | None) -> str:
    """The bare address of MAIL_DEFAULT_SENDER (``None``: the default sender's)."""
    return parseaddr(sender or DEFAULT_SENDER)[1] or "noreply@localhost"


def sender_domain(sender: str | None) -> str:
    """The domain of the sender address, used on the right of every Message-ID."""
    return sender_address(sender).rpartition("@")[2] or "localhost"


@dataclass(frozen=True)
class MailSettings:
    server: str
    port: int
    use_tls: bool
    use_ssl: bool
    username: str | None
    password: str | None
    sender: str
    timeout: float
    max_attempts: int
    # The console transport's folder of .eml files (None: print only).
    console_directory: str | None = None

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> MailSettings:
        """Read MAIL_* at call time, so a test may change them after ``create_app``."""
        use_ssl = bool(config.get("MAIL_USE_SSL", False))
        settings = cls(
            server=config.get("MAIL_SERVER") or "localhost",
            # 465 is the SMTPS port; an SSL set-up without a port means that one.
            port=int(config.get("MAIL_PORT") or (465 if use_ssl else 25)),
            use_tls=bool(config.get("MAIL_USE_TLS", False)),
            use_ssl=use_ssl,
            username=config.get("MAIL_USERNAME") or None,
            password=config.get("MAIL_PASSWORD") or None,
            sender=config.get("MAIL_DEFAULT_SENDER") or DEFAULT_SENDER,
            timeout=float(config.get("MAIL_TIMEOUT") or 10),
            max_attempts=int(config.get("MAIL_MAX_ATTEMPTS") or 10),
            console_directory=config.get("MAIL_CONSOLE_DIRECTORY") or None,
        )
        if settings.use_tls and settings.use_ssl:
            raise ConfigError("MAIL_USE_TLS (STARTTLS) and MAIL_USE_SSL exclude each other; set one")
        if settings.max_attempts < 1:
            raise ConfigError("MAIL_MAX_ATTEMPTS must be at least 1")
        return settings


def split_content_type(content_type: str) -> tuple[str, str, dict[str, str]]:
    """'text/calendar; method=REQUEST' -> ('text', 'calendar', {'method': 'REQUEST'})."""
    probe = EmailMessage()
    probe["Content-Type"] = content_type
    params = dict(probe["Content-Type"].params)
    params.pop("charset", None)  # the body is always sent as UTF-8
    return probe.get_content_maintype(), probe.get_content_subtype(), params


def build_mime(message: OutboxMessage, sender: str, rendered: Mapping[str, Any] | None = None) -> EmailMessage:
    """The message as MIME: text/plain, its HTML alternative, and the extra part if any.
    ``rendered``: the bodies of a message rendered only now (``render_later``).

    A calendar part travels as one more alternative (iMIP, RFC 6047: how calendar clients
    recognise an invitation) and once more as ``invite.ics`` (``application/ics``, with the
    same ``method``); any other text part is attached.
    """
    mime = EmailMessage(policy=MIME_POLICY)
    mime["From"] = sender
    mime["To"] = message.to_address
    if message.reply_to:
        mime["Reply-To"] = message.reply_to
    mime["Subject"] = message.subject
    mime["Message-ID"] = message.message_id
    # The moment the message was written, like its Message-ID the same on every retry.
    mime["Date"] = format_datetime(message.created_at.astimezone(dt.UTC))
    # RFC 3834: tells vacation responders not to answer.
    mime["Auto-Submitted"] = "auto-generated"
    rendered = rendered or {}
    text_body = rendered.get("text_body", message.text_body)
    html_body = rendered.get("html_body", message.html_body)
    mime.set_content(text_body, subtype="plain", charset="utf-8")
    if html_body is not None:
        mime.add_alternative(html_body, subtype="html", charset="utf-8")
    if message.attachment_content_type and message.attachment_body is not None:
        _, subtype, params = split_content_type(message.attachment_content_type)
        if subtype == "calendar":
            mime.add_alternative(message.attachment_body, subtype=subtype, charset="utf-8", params=params)
            # The same invitation as a file, for the mail apps (Gmail, Outlook) whose users
            # look for one to open; the alternative above stays what iMIP clients read.
            mime.add_attachment(
                message.attachment_body.encode(),
                maintype="application",
                subtype="ics",
                filename="invite.ics",
                params=params,
            )
        else:
            mime.add_attachment(
                message.attachment_body,
                subtype=subtype,
                charset="utf-8",
                params=params,
                filename=f"attachment.{subtype}",
            )
    return mime


class ServerUnavailable(Exception):
    """Connecting, STARTTLS or logging in failed: no message of this batch can go out now."""


def is_permanent(error: Exception) -> bool:
    """A 5xx answer about this message itself (no such mailbox, rejected content)."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return bool(error.recipients) and all(code >= 500 for code, _ in error.recipients.values())
    if isinstance(error, smtplib.SMTPDataError):
        return error.smtp_code >= 500
    return False


class SMTPConnection:
    """One SMTP connection, opened on first use and reused for a whole batch."""

    def __init__(self, settings: MailSettings) -> None:
        self.settings = settings
        self._smtp: smtplib.SMTP | None = None

    def __enter__(self) -> SMTPConnection:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None) -> None:
        self.close()

    def send(self, mime: EmailMessage) -> None:
        """Send one message; raises ServerUnavailable, or the smtplib error about this message."""
        if self._smtp is None:
            try:
                self._smtp = self._connect()
            except (OSError, smtplib.SMTPException) as error:
                raise ServerUnavailable(f"{type(error).__name__}: {error}") from error
        try:
            self._smtp.send_message(mime)
        except (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused, smtplib.SMTPDataError):
            raise  # smtplib has reset the transaction; the connection stays usable
        except BaseException:
            # State unknown (disconnected, timed out): the next message starts afresh.
            self.close()
            raise

    def close(self) -> None:
        smtp, self._smtp = self._smtp, None
        if smtp is None:
            return
        try:
            smtp.quit()
        except (OSError, smtplib.SMTPException):
            smtp.close()

    def _connect(self) -> smtplib.SMTP:
        s = self.settings
        smtp: smtplib.SMTP
        if s.use_ssl:
            smtp = smtplib.SMTP_SSL(s.server, s.port, timeout=s.timeout, context=ssl.create_default_context())
        else:
            smtp = smtplib.SMTP(s.server, s.port, timeout=s.timeout)
        try:
            if s.use_tls:
                smtp.starttls(context=ssl.create_default_context())
            if s.username:
                smtp.login(s.username, s.password or "")
        except BaseException:
            smtp.close()
            raise
        return smtp


#: MAIL_SERVER value that prints messages instead of sending them (the default in development).
CONSOLE = "console"


class ConsoleConnection:
    """Development transport: keeps each message whole as an ``.eml`` file (the MIME message
    as it would be sent: HTML, calendar invitation and attachments included, openable in any
    mail client) under MAIL_CONSOLE_DIRECTORY, prints its path, subject and text to standard
    error, and counts it as sent; so that someone trying planner with ``make run`` can follow
    its links and see every part of what a delegate would get."""

    def __init__(self, settings: MailSettings) -> None:
        self.settings = settings

    def __enter__(self) -> ConsoleConnection:
        return self

    def __exit__(self, *exc_info: object) -> None:
        return None

    def send(self, mime: EmailMessage) -> None:
        saved = save_eml(mime, self.settings.console_directory) if self.settings.console_directory else None
        body = mime.get_body(preferencelist=("plain",))
        text = body.get_content() if body is not None else ""
        where = f"Saved as: {saved}\n" if saved else ""
        sys.stderr.write(
            f"\n----- email (MAIL_SERVER=console) -----\nTo: {mime['To']}\nSubject: {mime['Subject']}\n"
            f"{where}Parts: {describe_parts(mime)}\n\n{text}\n----- end of email -----\n"
        )
        sys.stderr.flush()

    def close(self) -> None:
        return None


def describe_parts(mime: EmailMessage) -> str:
    """'text/plain, text/html, text/calendar; method=REQUEST': what a mail client would show."""
    names = []
    for part in mime.walk():
        if part.is_multipart():
            continue
        params = "".join(f"; {k}={v}" for k, v in (part.get_params() or [])[1:] if k != "charset")
        filename = part.get_filename()
        names.append(part.get_content_type() + params + (f" ({filename})" if filename else ""))
    return ", ".join(names)


def eml_name(mime: EmailMessage) -> str:
    """'20310512-083000-<Message-ID's left part>.eml': in the order messages were written, and
    the same on a retry, so a message sent again replaces its file instead of adding one."""
    written = parsedate_to_datetime(str(mime["Date"])).astimezone(dt.UTC)
    local_part = str(mime["Message-ID"]).strip("<> ").partition("@")[0]
    return f"{written:%Y%m%d-%H%M%S}-{re.sub(r'[^A-Za-z0-9.-]', '_', local_part)[:100]}.eml"


def save_eml(mime: EmailMessage, directory: str) -> str:
    """Write ``mime`` to ``directory`` as it would go over SMTP; returns the file's path.
    Written to a temporary file first, so a mail client never opens half a message."""
    os.makedirs(directory, exist_ok=True)
    path = os.path.join(directory, eml_name(mime))
    handle, temporary = tempfile.mkstemp(dir=directory, suffix=".part")
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(mime.as_bytes())
        os.replace(temporary, path)
    except BaseException:
        os.unlink(temporary)
        raise
    return path


def open_connection(settings: MailSettings) -> SMTPConnection | ConsoleConnection:
    return ConsoleConnection(settings) if settings.server == CONSOLE else SMTPConnection(settings)
