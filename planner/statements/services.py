"""The rules of the record: who may see and change what, and when a text stops changing.

Services flush and never commit; the caller (a view, the CLI, the demo loader) commits.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from flask_babel import gettext as _
from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

from planner.accounts.permissions import focal_point_delegations, is_admin, is_organiser, require_organiser
from planner.audit.services import record
from planner.delegations.models import Delegation, DelegationFocalPoint, DelegationKind
from planner.extensions import cache, db
from planner.forums.models import Event, Forum, ForumOrganiser
from planner.forums.services import require_not_archived
from planner.labels import label
from planner.refusals import Refused
from planner.statements import diffing, search
from planner.statements.models import (
    NATIONAL_KINDS,
    OPEN_STATUSES,
    Corrigendum,
    CorrigendumVersion,
    DocumentKind,
    DocumentReference,
    DocumentStatus,
    DocumentVersion,
    Endorsement,
    EndorsementKind,
    OutcomeDocument,
    Relation,
)
from planner.translated import GivenTranslations, language_name, merged

if TYPE_CHECKING:
    from planner.accounts.models import User

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")

# Which status may follow which; adoption itself goes through ``adopt``.
TRANSITIONS = {
    DocumentStatus.DRAFT: {DocumentStatus.NEGOTIATION, DocumentStatus.WITHDRAWN},
    DocumentStatus.NEGOTIATION: {DocumentStatus.DRAFT, DocumentStatus.WITHDRAWN},
    DocumentStatus.ADOPTED: {DocumentStatus.SUPERSEDED, DocumentStatus.WITHDRAWN},
    DocumentStatus.SUPERSEDED: set(),
    DocumentStatus.WITHDRAWN: set(),
}


class StatementError(Refused):
    """A change the record's rules refuse; the message says why, for the user."""


class TextFrozen(StatementError):
    pass


# --- who sees what -------------------------------------------------------------------------


def may_see_drafts(user: User | None, forum: Forum) -> bool:
    """Drafts are for the forum's organisers and its delegations' focal points only."""
    return is_organiser(user, forum) or bool(focal_point_delegations(user, forum))


def may_see(user: User | None, document: OutcomeDocument) -> bool:
    """Public documents (``OutcomeDocument.is_public``) are everyone's; the rest are for those
    who see drafts."""
    return document.is_public or may_see_drafts(user, document.forum)


def draft_forum_ids(user: User | None) -> list[int] | None:
    """The forums whose drafts ``user`` may find by search; None: all (administrators)."""
    if is_admin(user):
        return None
    if user is None or not getattr(user, "is_authenticated", False):
        return []
    organised = select(ForumOrganiser.forum_id).where(ForumOrganiser.user_id == user.id)
    spoken_for = (
        select(Delegation.forum_id)
        .join(DelegationFocalPoint, DelegationFocalPoint.delegation_id == Delegation.id)
        .where(DelegationFocalPoint.user_id == user.id)
    )
    return sorted(set(db.session.scalars(organised.union(spoken_for))))


def documents_of(forum: Forum, user: User | None) -> list[OutcomeDocument]:
    query = select(OutcomeDocument).where(OutcomeDocument.forum_id == forum.id)
    if not may_see_drafts(user, forum):
        query = query.where(OutcomeDocument.is_public)
    return list(db.session.scalars(query.order_by(OutcomeDocument.adopted_on, OutcomeDocument.title)))


def archive() -> list[OutcomeDocument]:
    """Every adopted document of every forum, newest forum first: outcomes only, as national
    statements speak for one delegation (they are on their forum's page, in search and the API)."""
    return list(
        db.session.scalars(
            select(OutcomeDocument)
            .join(OutcomeDocument.forum)
            .options(selectinload(OutcomeDocument.forum))
            .where(OutcomeDocument.is_public, OutcomeDocument.kind.not_in(NATIONAL_KINDS))
            .order_by(Forum.first_day.desc(), OutcomeDocument.adopted_on, OutcomeDocument.title)
        )
    )


def find_document(forum: Forum, slug: str) -> OutcomeDocument | None:
    return db.session.scalar(
        select(OutcomeDocument).where(OutcomeDocument.forum_id == forum.id, OutcomeDocument.slug == slug)
    )


def version_of(document: OutcomeDocument, number: int) -> DocumentVersion | None:
    return next((v for v in document.versions if v.number == number), None)


def visible_versions(user: User | None, document: OutcomeDocument) -> list[DocumentVersion]:
    """Everyone sees the adopted text; the drafts before it stay with those who see drafts."""
    if may_see_drafts(user, document.forum):
        return list(document.versions)
    return [v for v in document.versions if document.adopted_version and v.number >= document.adopted_version]


def comparison(before: DocumentVersion, after: DocumentVersion) -> list[diffing.Block]:
    """The differences between two versions of a document, computed once per pair: versions
    are only ever added, and the key also holds a hash of both texts, so an entry can never
    describe texts that are not these (a reused id after a deletion, a text fixed by hand)."""
    texts = hashlib.sha256(before.text.encode() + b"\0" + after.text.encode()).hexdigest()[:32]
    # The format number changes with Block, whose pickled entries a shared cache keeps across deploys.
    key = f"statement-diff:1:{before.document_id}:{before.id}:{after.id}:{texts}"
    blocks = cache.get(key)
    if blocks is None:
        blocks = diffing.compare(before.text, after.text)
        cache.set(key, blocks)
    return blocks


def current_text(document: OutcomeDocument) -> str:
    return document.latest.text if document.latest else ""


# --- drafting ----------------------------------------------------------------------------


def log(user: User, action: str, document: OutcomeDocument, summary: str, **changes) -> None:
    record(
        user,
        f"statement.{action}",
        forum_id=document.forum_id,
        target=("outcome_document", document.id),
        summary=summary,
        **changes,
    )


def create_document(
    user: User,
    forum: Forum,
    *,
    kind: DocumentKind,
    title: str,
    slug: str,
    text: str,
    language: str = "en",
    note: str = "",
    is_summary: bool = False,
    translations: GivenTranslations | None = None,
) -> OutcomeDocument:
    """Organisers draft documents; the slug is the permalink and unique in the forum. The
    title may come in the forum's other languages too, for lists shown in them."""
    require_organiser(user, forum)
    if not SLUG.match(slug):
        raise StatementError(_("Use lower-case letters, digits and single hyphens only."))
    if find_document(forum, slug) is not None:
        raise StatementError(_("%(forum)s already has a document at this address.", forum=forum.name))
    for other in translations or {}:
        if other not in forum.other_languages:
            raise StatementError(
                _(
                    "%(forum)s is not written in %(language)s; add the language to the forum first.",
                    forum=forum.name,
                    language=language_name(other),
                )
            )
    document = OutcomeDocument(
        forum_id=forum.id,
        kind=kind,
        title=title.strip(),
        slug=slug,
        language=language,
        is_summary=is_summary,
        status=DocumentStatus.DRAFT,
        translations=merged({}, translations or {}),
    )
    document.forum = forum
    db.session.add(document)
    document.versions.append(DocumentVersion(number=1, text=text, note=note or "", author_id=user.id))
    db.session.flush()
    search.index_document(document)
    log(user, "create", document, title, after={"slug": slug, "kind": kind.value})
    return document


def revise(user: User, document: OutcomeDocument, text: str, note: str = "") -> DocumentVersion:
    """Every edit of a draft is a new version; an adopted text never changes again."""
    require_organiser(user, document.forum)
    if not document.is_open:
        raise TextFrozen(
            _(
                "This document is %(status)s: its text can no longer change. Issue a corrigendum to correct it.",
                status=label(document.status),
            )
        )
    latest = document.latest
    if latest is not None and latest.text == text:
        raise StatementError(_("The text is the same as version %(number)d.", number=latest.number))
    version = DocumentVersion(number=(latest.number if latest else 0) + 1, text=text, note=note, author_id=user.id)
    document.versions.append(version)
    db.session.flush()
    search.index_document(document)
    log(user, "revise", document, _("Version %(number)d", number=version.number), after={"note": note})
    return version


def set_status(user: User, document: OutcomeDocument, status: DocumentStatus) -> None:
    """Drafts go to negotiation and back or are withdrawn; adopted ones are superseded or withdrawn."""
    require_organiser(user, document.forum)
    if status is DocumentStatus.ADOPTED:
        raise StatementError(_("Give the adoption date to adopt a document."))
    if status not in TRANSITIONS[document.status]:
        raise StatementError(
            _("A document that is %(now)s cannot become %(then)s.", now=label(document.status), then=label(status))
        )
    before = document.status
    document.status = status
    db.session.flush()
    log(user, "status", document, label(status), before={"status": before.value}, after={"status": status.value})


def adopt(user: User, document: OutcomeDocument, *, on: dt.date, event: Event | None = None, place: str = "") -> None:
    """Adoption freezes the latest version and makes the document public."""
    require_organiser(user, document.forum)
    if document.status not in OPEN_STATUSES:
        raise StatementError(_("Only a draft or a text under negotiation can be adopted."))
    if event is not None and event.forum_id != document.forum_id:
        raise StatementError(_("Choose an event of %(forum)s.", forum=document.forum.name))
    if document.latest is None:
        raise StatementError(_("A document without text cannot be adopted."))
    document.status = DocumentStatus.ADOPTED
    document.adopted_on, document.adopted_by_event, document.adopted_place = on, event, place.strip()
    document.adopted_version = document.latest.number
    db.session.flush()
    log(
        user,
        "adopt",
        document,
        on.isoformat(),
        after={"version": document.adopted_version, "event": event.code if event else None},
    )


# --- corrigenda --------------------------------------------------------------------------


def issue_corrigendum(user: User, document: OutcomeDocument, text: str, *, on: dt.date, note: str = "") -> Corrigendum:
    """Corrections of an adopted text are corrigenda beside it, never edits of it."""
    require_organiser(user, document.forum)
    if document.adopted_on is None:
        raise StatementError(_("Only an adopted document takes a corrigendum; edit the draft instead."))
    number = max((c.number for c in document.corrigenda), default=0) + 1
    corrigendum = Corrigendum(number=number, issued_on=on)
    corrigendum.versions.append(CorrigendumVersion(number=1, text=text, note=note, author_id=user.id))
    document.corrigenda.append(corrigendum)
    db.session.flush()
    search.index_document(document)
    log(user, "corrigendum", document, _("Corrigendum %(number)d", number=number), after={"note": note})
    return corrigendum


def revise_corrigendum(user: User, corrigendum: Corrigendum, text: str, note: str = "") -> CorrigendumVersion:
    document = corrigendum.document
    require_organiser(user, document.forum)
    if corrigendum.latest.text == text:
        raise StatementError(_("The text is the same as version %(number)d.", number=corrigendum.latest.number))
    version = CorrigendumVersion(number=corrigendum.latest.number + 1, text=text, note=note, author_id=user.id)
    corrigendum.versions.append(version)
    db.session.flush()
    search.index_document(document)
    log(
        user,
        "corrigendum.revise",
        document,
        _("Corrigendum %(number)d, version %(version)d", number=corrigendum.number, version=version.number),
        after={"note": note},
    )
    return version


def is_web_address(text: str) -> bool:
    """An http(s) address with a host; not ``javascript:`` and the like, nor what
    ``urlsplit`` cannot read (``http://[::1``)."""
    try:
        parts = urlsplit(text.strip())
    except ValueError:
        return False
    return parts.scheme.lower() in {"http", "https"} and bool(parts.netloc)


# --- references and endorsements -----------------------------------------------------------


def add_reference(
    user: User,
    document: OutcomeDocument,
    relation: Relation,
    *,
    target: OutcomeDocument | None = None,
    outside_title: str = "",
    outside_url: str = "",
) -> DocumentReference:
    """A reference names a document of any forum, or an outside one by its title."""
    require_organiser(user, document.forum)
    outside_title = outside_title.strip()
    if (target is None) == (not outside_title):
        raise StatementError(_("Choose a document of a forum or give the title of an outside document, not both."))
    if outside_url and not is_web_address(outside_url):
        raise StatementError(_("Give an address that starts with https:// or http://."))
    if target is not None and target.id == document.id:
        raise StatementError(_("A document cannot refer to itself."))
    if target is not None and not (target.is_public or target.forum_id == document.forum_id):
        raise StatementError(_("That document is not public."))
    reference = DocumentReference(
        relation=relation, target=target, outside_title=outside_title or None, outside_url=outside_url.strip()
    )
    document.references.append(reference)
    db.session.flush()
    log(user, "reference", document, relation.value, after={"target": target.slug if target else outside_title})
    return reference


def record_endorsement(
    user: User, document: OutcomeDocument, delegation: Delegation, kind: EndorsementKind, on: dt.date
) -> Endorsement:
    """Only delegations of the document's own forum endorse it, only once it is adopted, and
    not once the forum is archived."""
    require_organiser(user, document.forum)
    require_not_archived(document.forum)
    if delegation.forum_id != document.forum_id:
        raise StatementError(
            _("%(delegation)s is not a delegation of %(forum)s.", delegation=delegation.name, forum=document.forum.name)
        )
    if document.is_national:
        raise StatementError(_("A national statement speaks for its delegation alone: it takes no endorsements."))
    if document.adopted_on is None:
        raise StatementError(_("Endorsements are recorded once the document is adopted."))
    endorsement = db.session.get(Endorsement, (document.id, delegation.id))
    before = {"kind": endorsement.kind.value, "on": endorsement.endorsed_on.isoformat()} if endorsement else None
    if endorsement is None:
        endorsement = Endorsement(document_id=document.id, delegation_id=delegation.id, kind=kind, endorsed_on=on)
        db.session.add(endorsement)
    endorsement.kind, endorsement.endorsed_on, endorsement.recorded_by_id = kind, on, user.id
    db.session.flush()
    db.session.refresh(document, ["endorsements"])
    log(user, "endorsement", document, delegation.name, before=before, after={"kind": kind.value, "on": on.isoformat()})
    return endorsement


def endorsements_across_forums(delegation: Delegation) -> list[Endorsement]:
    """The endorsements of this delegation and of the same country or organisation at other forums."""
    same = Delegation.id == delegation.id
    if delegation.kind is DelegationKind.COUNTRY and delegation.country_code:
        same = or_(same, Delegation.country_code == delegation.country_code)
    else:
        same = or_(
            same,
            (Delegation.kind == DelegationKind.ORGANISATION) & (func.lower(Delegation.name) == delegation.name.lower()),
        )
    return list(
        db.session.scalars(
            select(Endorsement)
            .join(Endorsement.delegation)
            .join(Endorsement.document)
            .options(
                selectinload(Endorsement.document).selectinload(OutcomeDocument.forum),
                selectinload(Endorsement.delegation),
            )
            .where(same, OutcomeDocument.is_public)
            .order_by(Endorsement.endorsed_on.desc(), OutcomeDocument.title)
        )
    )


def reference_targets(document: OutcomeDocument) -> list[OutcomeDocument]:
    """Documents ``document`` may refer to: public ones of any forum and its own forum's."""
    return list(
        db.session.scalars(
            select(OutcomeDocument)
            .join(OutcomeDocument.forum)
            .options(selectinload(OutcomeDocument.forum))
            .where(
                OutcomeDocument.id != document.id,
                or_(OutcomeDocument.is_public, OutcomeDocument.forum_id == document.forum_id),
            )
            .order_by(Forum.first_day.desc(), OutcomeDocument.title)
        )
    )
