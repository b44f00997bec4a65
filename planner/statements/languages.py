"""Language versions of a document: the joint statement in English and in Japanese are
documents of their own, each in its language, linked through the first of them
(``version_of``); each says whether it is an authentic text or a translation."""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask_babel import gettext as _
from sqlalchemy import or_, select

from planner.extensions import db
from planner.statements import services
from planner.statements.models import DocumentKind, OutcomeDocument
from planner.translated import GivenTranslations, language_name, own_name

if TYPE_CHECKING:
    from planner.accounts.models import User
    from planner.forums.models import Forum


def group_of(document: OutcomeDocument) -> int:
    """The id of the first document of its language versions (its own when it has none)."""
    return document.version_of_id or document.id


def language_versions(user: User | None, document: OutcomeDocument) -> list[OutcomeDocument]:
    """The document's other language versions that ``user`` may see, by language."""
    if document.id is None:
        return []
    root = group_of(document)
    others = db.session.scalars(
        select(OutcomeDocument)
        .where(
            or_(OutcomeDocument.id == root, OutcomeDocument.version_of_id == root),
            OutcomeDocument.id != document.id,
        )
        .order_by(OutcomeDocument.language, OutcomeDocument.id)
    )
    return [d for d in others if services.may_see(user, d)]


def add_language_version(
    user: User,
    forum: Forum,
    version_of: OutcomeDocument,
    *,
    kind: DocumentKind,
    title: str,
    slug: str,
    text: str,
    language: str,
    is_authentic: bool,
    note: str = "",
    is_summary: bool = False,
    translations: GivenTranslations | None = None,
) -> OutcomeDocument:
    """A new document that is ``version_of`` in another language: of the same forum, in a
    language none of its versions is in yet."""
    if version_of.forum_id != forum.id:
        raise services.StatementError(_("Choose a document of %(forum)s.", forum=forum.name), "version_of")
    root = db.session.get(OutcomeDocument, group_of(version_of))
    assert root is not None, "the first of a document's versions exists while the others point to it"
    taken = {root.language} | set(
        db.session.scalars(select(OutcomeDocument.language).where(OutcomeDocument.version_of_id == root.id))
    )
    if language in taken:
        raise services.StatementError(
            _(
                "“%(title)s” already has a version in %(language)s.",
                title=root.title,
                language=language_name(language),
            ),
            "language",
        )
    document = services.create_document(
        user,
        forum,
        kind=kind,
        title=title,
        slug=slug,
        text=text,
        language=language,
        note=note,
        is_summary=is_summary,
        translations=translations,
    )
    document.version_of_id, document.is_authentic = root.id, is_authentic
    db.session.flush()
    services.log(
        user,
        "language_version",
        document,
        _("Version in %(language)s of “%(title)s”", language=own_name(language), title=root.title),
        after={"version_of": root.slug, "authentic": is_authentic},
    )
    return document
