"""National statements: what one delegation said in a plenary session, kept in the record of
statements beside the forum's joint outcomes but never taken for one of them. It is public
once delivered (the record's ``adopted_on`` is the day it was delivered, and its text is frozen
like an adopted one's), so only a public session's are kept; it takes no endorsements and is
shown as "delivered". It stays public only while its session is (``OutcomeDocument.is_public``):
a session made closed later takes it out of the public record, reopening it brings it back."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from flask_babel import gettext as _
from sqlalchemy import func, select

from planner.accounts.permissions import is_focal_point, is_organiser
from planner.extensions import db
from planner.forums.services import require_not_archived
from planner.refusals import NotAllowed
from planner.statements import search
from planner.statements.models import NATIONAL_KINDS, DocumentKind, DocumentStatus, DocumentVersion, OutcomeDocument
from planner.statements.services import StatementError, find_document, log

if TYPE_CHECKING:
    from planner.accounts.models import User
    from planner.delegations.models import Delegation
    from planner.schedule.models import Session

TITLE_MAX = 300
TEXT_MAX = 100_000


def unpublished_reason(session: Session) -> str | None:
    """Why no statement delivered in ``session`` can be kept, or None. The record is public, so a
    closed session's statements stay out of it: what is said behind closed doors is not published."""
    if not session.is_public:
        return _(
            "%(session)s is a closed session: statements delivered in it are not published in the record "
            "of statements.",
            session=session.title,
        )
    return None


def delivered_in(session: Session) -> int:
    """How many national statements were delivered in ``session`` (one query): what closing it
    takes out of the public record."""
    return (
        db.session.scalar(
            select(func.count(OutcomeDocument.id)).where(
                OutcomeDocument.session_id == session.id, OutcomeDocument.kind.in_(NATIONAL_KINDS)
            )
        )
        or 0
    )


def record_national_statement(
    user: User,
    *,
    session: Session,
    delegation: Delegation,
    slug: str,
    title: str,
    text: str,
    language: str,
    delivered_on: dt.date,
) -> OutcomeDocument:
    """Keep the text a delegation delivered in ``session``: its focal points and the forum's
    organisers may, unless the session is closed (``unpublished_reason``). The slug is the
    permalink, unique in the forum."""
    forum = delegation.forum
    if not (is_organiser(user, forum) or is_focal_point(user, delegation)):
        raise NotAllowed(
            _("Only the focal points of %(delegation)s and the organisers can do this.", delegation=delegation.name)
        )
    require_not_archived(forum)
    reason = unpublished_reason(session)
    if reason is not None:
        raise StatementError(reason)
    title, text = title.strip(), text.strip()
    if not title or len(title) > TITLE_MAX:
        raise StatementError(
            _("Give the statement a title of at most %(num)d characters.", num=TITLE_MAX), field="title"
        )
    if not text or len(text) > TEXT_MAX:
        raise StatementError(_("Paste the text delivered, at most %(num)d characters.", num=TEXT_MAX), field="text")
    if find_document(forum, slug) is not None:
        raise StatementError(_("%(forum)s already has a document at this address.", forum=forum.name))
    document = OutcomeDocument(
        forum_id=forum.id,
        kind=DocumentKind.NATIONAL_STATEMENT,
        title=title,
        slug=slug,
        language=language,
        status=DocumentStatus.ADOPTED,
        adopted_on=delivered_on,
        adopted_version=1,
        adopted_by_event_id=session.event_id,
        session_id=session.id,
        delegation_id=delegation.id,
    )
    document.forum = forum
    db.session.add(document)
    document.versions.append(DocumentVersion(number=1, text=text, note="", author_id=user.id))
    db.session.flush()
    search.index_document(document)
    log(
        user,
        "national_statement",
        document,
        title,
        after={"slug": slug, "session_id": session.id, "delegation": delegation.name},
    )
    return document
