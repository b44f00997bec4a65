"""Announcements: previewing an audience, sending a message to it, and the record of what was sent.

Sending stores the announcement once and writes one outbox message per recipient in a few
bulk statements, with no template rendered in the request: the sender renders each one in the
recipient's language from the stored announcement (``mailing``). The outbox's unique
(announcement, address) and its leases make each person get it once.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, cast

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import CursorResult, String, Subquery, and_, case, func, insert, literal, or_, select
from sqlalchemy import cast as cast_
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from planner.accounts.models import User
from planner.accounts.permissions import require_organiser
from planner.announcements.audiences import (
    PREVIEW_NAMES,
    Audience,
    Recipient,
    audience_query,
    count_of,
    recipients_of,
    summary,
)
from planner.announcements.models import Announcement, AnnouncementRecipient
from planner.audit.services import record
from planner.db import table_of
from planner.extensions import db
from planner.forums.models import Forum
from planner.mail.models import OutboxMessage, OutboxStatus
from planner.mail.services import message_values, remember_queued
from planner.refusals import Refused
from planner.translated import Translations
from planner.validators import LONG_TEXT

SUBJECT_MAX = 200
BODY_MAX = LONG_TEXT
#: Up to this many recipients, the messages are also tried right after the request (as all
#: mail is); a larger audience is left to ``flask send-mail`` so the request never waits on it.
PROMPT_LIMIT = 100
#: How many announcements a forum's list shows, and recipients an announcement's page.
LIST_LIMIT = 200
RECIPIENTS_SHOWN = 1000
TEMPLATE = "announcement"


class AnnouncementRefused(Refused):
    """An announcement the rules refuse: no text, a subject on two lines, nobody to send to."""


class AlreadySent(AnnouncementRefused):
    """The form was posted before (a double click): its announcement went, once."""

    def __init__(self, announcement: Announcement) -> None:
        super().__init__(_("This announcement was sent already, once: the form was posted twice."))
        self.announcement = announcement


def new_form_key() -> str:
    """The key a new announcement form carries, so that posting it twice sends it once."""
    return secrets.token_urlsafe(24)


def _sent_from(form_key: str) -> Announcement | None:
    return db.session.scalar(select(Announcement).where(Announcement.form_key == form_key))


@dataclass(frozen=True)
class Preview:
    count: int
    first: list[Recipient]


def preview(organiser: User, forum: Forum, audience: Audience) -> Preview:
    """How many people ``audience`` reaches and the first of them by name."""
    require_organiser(organiser, forum)
    found = recipients_of(forum, audience)
    return Preview(len(found), found[:PREVIEW_NAMES])


def _checked_subject(text: str, field: str) -> str:
    text = text.strip()
    if not text:
        raise AnnouncementRefused(_("Give the announcement a subject."), field=field)
    # Any line separator (U+2028 too): the mail header could not be written, nor the mail sent.
    if len(text.splitlines()) > 1 or len(text) > SUBJECT_MAX:
        raise AnnouncementRefused(
            _("Keep the subject to one line of %(max)d characters.", max=SUBJECT_MAX), field=field
        )
    return text


def _checked_body(text: str, field: str) -> str:
    text = text.strip()
    if not text:
        raise AnnouncementRefused(_("Write the announcement's text."), field=field)
    if len(text) > BODY_MAX:
        raise AnnouncementRefused(_("Keep the text to %(max)d characters.", max=BODY_MAX), field=field)
    return text


def _checked_translations(forum: Forum, given: Mapping[str, Mapping[str, str]]) -> Translations:
    """The other languages' subject and text: both or neither for each language."""
    kept: Translations = {}
    for language in forum.other_languages:
        texts = given.get(language, {})
        subject, body = (texts.get("subject") or "").strip(), (texts.get("body") or "").strip()
        if not subject and not body:
            continue  # that language's readers get the first language's text
        kept[language] = {
            "subject": _checked_subject(subject, f"subject_{language}"),
            "body": _checked_body(body, f"body_{language}"),
        }
    return kept


def send_announcement(
    organiser: User,
    forum: Forum,
    audience: Audience,
    *,
    subject: str,
    body: str,
    translations: Mapping[str, Mapping[str, str]] | None = None,
    form_key: str,
) -> Announcement:
    """Queue the announcement to everyone in ``audience``, once each, in their language, with
    replies to the organiser's address. Refused when the text is missing or nobody is in it.

    Two INSERT ... SELECT statements write the recipients and their messages in the database,
    so queueing to thousands costs what queueing to a few does. A ``form_key`` already sent
    from raises ``AlreadySent`` and queues nothing more."""
    require_organiser(organiser, forum)
    if (earlier := _sent_from(form_key)) is not None:
        raise AlreadySent(earlier)
    announcement = Announcement(
        forum_id=forum.id,
        sender_id=organiser.id,
        sender_name=organiser.name,
        reply_to=organiser.email,
        subject=_checked_subject(subject, "subject"),
        body=_checked_body(body, "body"),
        translations=_checked_translations(forum, translations or {}),
        audience_kind=audience.kind,
        audience=audience.as_args(),
        audience_summary=summary(forum, audience),
        form_key=form_key,
    )
    announcement.recipient_count = count_of(forum, audience)
    if announcement.recipient_count == 0:
        raise AnnouncementRefused(_("Nobody is in this audience: nothing was sent. Choose others."))
    try:
        with db.session.begin_nested():
            db.session.add(announcement)
    except IntegrityError:
        # The same form, posted at the same moment, was sent by the other request.
        if (earlier := _sent_from(form_key)) is None:
            raise
        raise AlreadySent(earlier) from None
    written = _insert_recipients(announcement, audience_query(forum, audience).subquery())
    if written != announcement.recipient_count:  # the audience changed since it was counted
        announcement.recipient_count = written
        db.session.flush()
    _insert_messages(forum, announcement)
    record(
        organiser,
        "announcement.sent",
        forum_id=forum.id,
        target=("announcement", announcement.id),
        summary=ngettext(
            "%(subject)s, to %(num)d person",
            "%(subject)s, to %(num)d people",
            announcement.recipient_count,
            subject=announcement.subject,
        ),
        after={"audience": announcement.audience, "recipients": announcement.recipient_count},
    )
    return announcement


def _insert_recipients(announcement: Announcement, audience: Subquery) -> int:
    email, name, language, user_id = audience.c
    rows = select(literal(announcement.id), email, name, language, user_id)
    columns = ["announcement_id", "email", "name", "language", "user_id"]
    statement = insert(table_of(AnnouncementRecipient)).from_select(columns, rows)
    # An INSERT's rowcount is kept only when asked for (PostgreSQL's driver gives it late).
    result = db.session.execute(statement.execution_options(preserve_rowcount=True))
    return cast(CursorResult[Any], result).rowcount


def _insert_messages(forum: Forum, announcement: Announcement) -> None:
    """One outbox message per recipient, rendered when sent (``mailing``): the row
    ``message_values`` makes, with each recipient's address, language, subject and Message-ID."""
    # Checked by the outbox's own rules once; only the columns below differ from row to row.
    first = message_values(
        announcement.reply_to, TEMPLATE, subject=announcement.subject, forum_id=forum.id, render_later=True
    )
    first.update(announcement_id=announcement.id, reply_to=announcement.reply_to)
    outbox = table_of(OutboxMessage)
    recipient = table_of(AnnouncementRecipient)
    subjects = {language: texts["subject"] for language, texts in announcement.translations.items()}
    # The Message-ID's left part: this announcement, a secret of its own, the recipient.
    local, _at, domain = first["message_id"].strip("<>").partition("@")
    per_row: dict[str, Any] = {
        "to_address": recipient.c.email,
        "language": recipient.c.language,
        "subject": case(subjects, value=recipient.c.language, else_=announcement.subject)
        if subjects
        else literal(announcement.subject),
        "message_id": literal(f"<{local}.") + cast_(recipient.c.id, String) + literal(f"@{domain}>"),
    }
    columns = [name for name, value in first.items() if value is not None or name in per_row]
    rows = select(
        *(per_row[name] if name in per_row else literal(first[name], outbox.c[name].type) for name in columns)
    ).where(recipient.c.announcement_id == announcement.id)
    db.session.execute(insert(outbox).from_select(columns, rows))
    if announcement.recipient_count <= PROMPT_LIMIT:
        for message_id in db.session.scalars(select(outbox.c.id).where(outbox.c.announcement_id == announcement.id)):
            remember_queued(message_id)


# The record --------------------------------------------------------------------------------


@dataclass
class Delivery:
    sent: int = 0
    pending: int = 0
    failed: int = 0


def deliveries(ids: Iterable[int]) -> dict[int, Delivery]:
    """How far each announcement's messages got, from the outbox's rows: one query."""
    found: dict[int, Delivery] = {}
    wanted = list(ids)
    if not wanted:
        return found
    for announcement_id, status, count in db.session.execute(
        select(OutboxMessage.announcement_id, OutboxMessage.status, func.count())
        .where(OutboxMessage.announcement_id.in_(wanted))
        .group_by(OutboxMessage.announcement_id, OutboxMessage.status)
    ):
        if announcement_id is None:  # not asked for; the IN above leaves none
            continue
        delivery = found.setdefault(announcement_id, Delivery())
        setattr(delivery, str(status.value), count)
    return found


def announcements_of(organiser: User, forum: Forum, limit: int = LIST_LIMIT) -> list[Announcement]:
    """The forum's announcements, newest first."""
    require_organiser(organiser, forum)
    return list(
        db.session.scalars(
            select(Announcement)
            .where(Announcement.forum_id == forum.id)
            .order_by(Announcement.sent_at.desc(), Announcement.id.desc())
            .limit(limit)
        )
    )


def announcement_of(organiser: User, forum: Forum, announcement_id: int) -> Announcement | None:
    """The forum's announcement with this id; None for another forum's or none."""
    require_organiser(organiser, forum)
    announcement = db.session.get(Announcement, announcement_id)
    return announcement if announcement is not None and announcement.forum_id == forum.id else None


def recipients_with_outcome(
    announcement: Announcement, limit: int = RECIPIENTS_SHOWN
) -> list[tuple[AnnouncementRecipient, OutboxStatus | None]]:
    """Its recipients by name with where their message stands (None: no longer in the outbox)."""
    rows = db.session.execute(
        select(AnnouncementRecipient, OutboxMessage.status)
        .outerjoin(
            OutboxMessage,
            and_(
                OutboxMessage.announcement_id == AnnouncementRecipient.announcement_id,
                OutboxMessage.to_address == AnnouncementRecipient.email,
            ),
        )
        .where(AnnouncementRecipient.announcement_id == announcement.id)
        .order_by(func.lower(AnnouncementRecipient.name), AnnouncementRecipient.email)
        .limit(limit)
    )
    return [(recipient, status) for recipient, status in rows]


def sent_to(user: User, limit: int = LIST_LIMIT) -> list[Announcement]:
    """The announcements sent to this person's account or address, newest first."""
    reached = select(AnnouncementRecipient.announcement_id).where(
        or_(AnnouncementRecipient.user_id == user.id, AnnouncementRecipient.email == user.email)
    )
    return list(
        db.session.scalars(
            select(Announcement)
            .where(Announcement.id.in_(reached))
            .options(joinedload(Announcement.forum))
            .order_by(Announcement.sent_at.desc(), Announcement.id.desc())
            .limit(limit)
        )
    )
