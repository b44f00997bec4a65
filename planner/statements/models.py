"""Outcome documents of a forum, their versions, corrigenda, references and endorsements."""

from __future__ import annotations

import datetime as dt
import enum
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, ColumnElement, Date, ForeignKey, String, Text, UniqueConstraint, and_, or_, true
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, declared_attr, mapped_column, relationship

from planner.db import Base, UTCDateTime, utcnow
from planner.enums import enum_column_type
from planner.translated import Translations, translations_column

if TYPE_CHECKING:
    from planner.accounts.models import User
    from planner.delegations.models import Delegation
    from planner.forums.models import Event, Forum
    from planner.schedule.models import Session


class DocumentKind(enum.StrEnum):
    JOINT_STATEMENT = "joint_statement"
    PRINCIPLES = "principles"
    TERMS_OF_REFERENCE = "terms_of_reference"
    CHAIRS_SUMMARY = "chairs_summary"
    SIDE_EVENT_REPORT = "side_event_report"
    # What one delegation said in a plenary (the speakers' list keeps it): not a joint outcome.
    NATIONAL_STATEMENT = "national_statement"


#: Kinds that speak for one delegation, not for the forum: no endorsements, "delivered", not "adopted".
NATIONAL_KINDS = frozenset({DocumentKind.NATIONAL_STATEMENT})


class DocumentStatus(enum.StrEnum):
    DRAFT = "draft"
    NEGOTIATION = "under_negotiation"
    ADOPTED = "adopted"
    SUPERSEDED = "superseded"
    WITHDRAWN = "withdrawn"


#: Statuses whose text may still change: everything before adoption.
OPEN_STATUSES = frozenset({DocumentStatus.DRAFT, DocumentStatus.NEGOTIATION})


class Relation(enum.StrEnum):
    TAKES_NOTE_OF = "takes_note_of"
    WELCOMES = "welcomes"
    RECOGNISES = "recognises"
    SUPERSEDES = "supersedes"


class EndorsementKind(enum.StrEnum):
    ENDORSED = "endorsed"
    JOINED = "joined"
    TOOK_NOTE = "took_note"
    WELCOMED = "welcomed"


class OutcomeDocument(Base):
    __tablename__ = "outcome_documents"
    __table_args__ = (
        UniqueConstraint("forum_id", "slug"),
        CheckConstraint("slug <> ''", name="slug_not_empty"),
        CheckConstraint("title <> ''", name="title_not_empty"),
        # Adopted and superseded documents say when they were adopted, and by which version.
        CheckConstraint(
            "status NOT IN ('adopted', 'superseded') OR (adopted_on IS NOT NULL AND adopted_version IS NOT NULL)",
            name="adoption_recorded",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    forum_id: Mapped[int] = mapped_column(ForeignKey("forums.id", ondelete="CASCADE"), index=True)
    kind: Mapped[DocumentKind] = mapped_column(enum_column_type(DocumentKind, "document_kind"))
    title: Mapped[str] = mapped_column(String(300))
    # Part of the permalink: never changes once the document exists.
    slug: Mapped[str] = mapped_column(String(100))
    language: Mapped[str] = mapped_column(String(16), default="en")
    status: Mapped[DocumentStatus] = mapped_column(
        enum_column_type(DocumentStatus, "document_status"), default=DocumentStatus.DRAFT
    )
    # A text that summarises a public report instead of quoting the official wording.
    is_summary: Mapped[bool] = mapped_column(default=False)
    adopted_by_event_id: Mapped[int | None] = mapped_column(ForeignKey("events.id", ondelete="SET NULL"), index=True)
    adopted_on: Mapped[dt.date | None] = mapped_column(Date)
    adopted_place: Mapped[str] = mapped_column(String(200), default="")
    # The version that was adopted; the text is immutable from then on.
    adopted_version: Mapped[int | None]
    # The title in the forum's other languages, for lists shown in them.
    translations: Mapped[Translations] = translations_column()
    # Language versions: the joint statement in English and in Japanese are documents of their
    # own, each in its ``language``, pointing to the first of them; ``is_authentic`` marks the
    # text that is authoritative (one, or several equally).
    version_of_id: Mapped[int | None] = mapped_column(
        ForeignKey("outcome_documents.id", ondelete="SET NULL"), index=True
    )
    is_authentic: Mapped[bool] = mapped_column(default=True, server_default=true())
    # A national statement: the plenary session it was delivered in and the delegation that delivered it.
    session_id: Mapped[int | None] = mapped_column(ForeignKey("sessions.id", ondelete="SET NULL"), index=True)
    delegation_id: Mapped[int | None] = mapped_column(ForeignKey("delegations.id", ondelete="SET NULL"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    forum: Mapped[Forum] = relationship()
    version_of: Mapped[OutcomeDocument | None] = relationship(remote_side=[id])
    adopted_by_event: Mapped[Event | None] = relationship()
    session: Mapped[Session | None] = relationship()
    delegation: Mapped[Delegation | None] = relationship()
    versions: Mapped[list[DocumentVersion]] = relationship(
        back_populates="document", cascade="all, delete-orphan", order_by="DocumentVersion.number"
    )
    corrigenda: Mapped[list[Corrigendum]] = relationship(
        back_populates="document", cascade="all, delete-orphan", order_by="Corrigendum.number"
    )
    references: Mapped[list[DocumentReference]] = relationship(
        back_populates="document",
        cascade="all, delete-orphan",
        order_by="DocumentReference.id",
        foreign_keys="DocumentReference.document_id",
    )
    endorsements: Mapped[list[Endorsement]] = relationship(
        back_populates="document", cascade="all, delete-orphan", order_by="Endorsement.endorsed_on"
    )

    @hybrid_property
    def is_public(self) -> bool:
        """Public from adoption on, whatever happens to it later; drafts never are. A national
        statement is public only while the session it was delivered in is (made closed later,
        or gone, it leaves the public record; reopened, it is back). Every public reader
        selects with this, in Python or as SQL (``OutcomeDocument.is_public``)."""
        if self.adopted_on is None:
            return False
        return not self.is_national or (self.session is not None and self.session.is_public)

    @is_public.inplace.expression
    @classmethod
    def _is_public_expression(cls) -> ColumnElement[bool]:
        # One EXISTS on the session's primary key: the same number of queries for any list.
        return and_(
            cls.adopted_on.is_not(None),
            or_(cls.kind.not_in(NATIONAL_KINDS), cls.session.has(is_public=True)),
        )

    @property
    def is_national(self) -> bool:
        """A delegation's own statement, delivered in a session: not an outcome of the forum."""
        return self.kind in NATIONAL_KINDS

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def latest(self) -> DocumentVersion | None:
        return self.versions[-1] if self.versions else None

    def __repr__(self) -> str:
        return f"<OutcomeDocument {self.slug}>"


def numbered_within(parent: str) -> tuple[UniqueConstraint, CheckConstraint]:
    """Table arguments of rows numbered 1, 2, ... within their ``parent`` column."""
    return UniqueConstraint(parent, "number"), CheckConstraint("number >= 1", name="number_positive")


class TextVersion:
    """What every version of a text holds, a document's or a corrigendum's: its number, the
    Markdown, the author's note, who wrote it and when. Versions are only ever added."""

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[int]
    text: Mapped[str] = mapped_column(Text)
    note: Mapped[str] = mapped_column(String(500), default="")
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    @declared_attr
    def author(cls) -> Mapped[User | None]:
        return relationship()


class DocumentVersion(TextVersion, Base):
    """One state of a document's text."""

    __tablename__ = "document_versions"
    __table_args__ = numbered_within("document_id")

    document_id: Mapped[int] = mapped_column(ForeignKey("outcome_documents.id", ondelete="CASCADE"))

    document: Mapped[OutcomeDocument] = relationship(back_populates="versions")


class Corrigendum(Base):
    """A correction issued after adoption; its text is versioned like a draft's."""

    __tablename__ = "corrigenda"
    __table_args__ = numbered_within("document_id")

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("outcome_documents.id", ondelete="CASCADE"))
    number: Mapped[int]
    issued_on: Mapped[dt.date] = mapped_column(Date)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    document: Mapped[OutcomeDocument] = relationship(back_populates="corrigenda")
    versions: Mapped[list[CorrigendumVersion]] = relationship(
        back_populates="corrigendum", cascade="all, delete-orphan", order_by="CorrigendumVersion.number"
    )

    @property
    def latest(self) -> CorrigendumVersion:
        return self.versions[-1]


class CorrigendumVersion(TextVersion, Base):
    """One state of a corrigendum's text."""

    __tablename__ = "corrigendum_versions"
    __table_args__ = numbered_within("corrigendum_id")

    corrigendum_id: Mapped[int] = mapped_column(ForeignKey("corrigenda.id", ondelete="CASCADE"))

    corrigendum: Mapped[Corrigendum] = relationship(back_populates="versions")


class DocumentReference(Base):
    """``document`` takes note of, welcomes, recognises or supersedes another document: one of
    any forum's, or an outside one known by its title (the Global Exploration Roadmap)."""

    __tablename__ = "document_references"
    __table_args__ = (
        CheckConstraint(
            "(target_id IS NOT NULL AND outside_title IS NULL) OR (target_id IS NULL AND outside_title IS NOT NULL)",
            name="one_target",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("outcome_documents.id", ondelete="CASCADE"), index=True)
    relation: Mapped[Relation] = mapped_column(enum_column_type(Relation, "document_relation"))
    target_id: Mapped[int | None] = mapped_column(ForeignKey("outcome_documents.id", ondelete="CASCADE"), index=True)
    outside_title: Mapped[str | None] = mapped_column(String(300))
    outside_url: Mapped[str] = mapped_column(String(500), default="")

    document: Mapped[OutcomeDocument] = relationship(back_populates="references", foreign_keys=[document_id])
    target: Mapped[OutcomeDocument | None] = relationship(foreign_keys=[target_id])


class Endorsement(Base):
    """A delegation of the document's forum endorsed, joined, took note of or welcomed it."""

    __tablename__ = "endorsements"

    document_id: Mapped[int] = mapped_column(ForeignKey("outcome_documents.id", ondelete="CASCADE"), primary_key=True)
    delegation_id: Mapped[int] = mapped_column(
        ForeignKey("delegations.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    kind: Mapped[EndorsementKind] = mapped_column(enum_column_type(EndorsementKind, "endorsement_kind"))
    endorsed_on: Mapped[dt.date] = mapped_column(Date)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    recorded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    document: Mapped[OutcomeDocument] = relationship(back_populates="endorsements")
    delegation: Mapped[Delegation] = relationship()


class SearchEntry(Base):
    """What search reads for one public or draft document: the plain text for snippets and
    ``terms``, the same text with Japanese and Chinese runs cut into overlapping pairs of
    characters, which both databases' full-text indexes read (see search.py)."""

    __tablename__ = "statement_search_entries"

    document_id: Mapped[int] = mapped_column(ForeignKey("outcome_documents.id", ondelete="CASCADE"), primary_key=True)
    title: Mapped[str] = mapped_column(Text)
    body: Mapped[str] = mapped_column(Text)
    terms: Mapped[str] = mapped_column(Text)
