"""Full-text search over outcome documents: one service, two databases.

Both databases index ``SearchEntry.terms``: the title and text, case-folded, with every run of
Japanese or Chinese characters cut into overlapping pairs ("宇宙探査" -> "宇宙 宙探 探査"),
because neither SQLite's unicode61 tokenizer nor PostgreSQL's 'simple' configuration splits
words that are written without spaces. A query is cut the same way and asked for as phrases,
so "宇宙探査" finds exactly the documents that contain those four characters in a row.

SQLite: an FTS5 table over ``statement_search_entries`` (external content), kept in step by
triggers on that table. PostgreSQL: a stored generated column ``to_tsvector('simple', terms)``
with a GIN index.
Snippets are cut here from the stored plain text: escaped HTML, with only <mark> added.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup, escape
from sqlalchemy import DDL, Row, column, event, false, func, literal_column, or_, select, table
from sqlalchemy import text as sql_text
from sqlalchemy.orm import selectinload
from sqlalchemy.sql.elements import ColumnClause, ColumnElement

from planner.extensions import db
from planner.statements.models import OutcomeDocument, SearchEntry
from planner.statements.rendering import plain_text

FTS_TABLE = "statement_search_fts"
VECTOR_INDEX = "ix_statement_search_entries_vector"
MAX_TERMS = 12
PAGE_SIZE = 20
#: How many matching documents, the newest first, are ranked to choose the best PAGE_SIZE.
CANDIDATES = 200

# Han, kana (with the prolonged-sound mark and iteration marks): scripts written without spaces.
_CJK = "\u3005\u3006\u3040-\u309f\u30a0-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
# Letters and digits next to CJK characters ("第2回") form their own token; "_" separates, as in both databases.
_TOKEN = re.compile(rf"[{_CJK}]+|[^\W_{_CJK}]+")
_CJK_RUN = re.compile(rf"[{_CJK}]+")
_QUERY_PART = re.compile(r'"([^"]*)"|(\S+)')

# --- schema: created with the tables (tests) and by the migration -------------------------

SQLITE_DDL = (
    f"CREATE VIRTUAL TABLE IF NOT EXISTS {FTS_TABLE} USING fts5("
    "terms, content='statement_search_entries', content_rowid='document_id')",
    f"CREATE TRIGGER IF NOT EXISTS {FTS_TABLE}_insert AFTER INSERT ON statement_search_entries BEGIN "
    f"INSERT INTO {FTS_TABLE}(rowid, terms) VALUES (new.document_id, new.terms); END",
    f"CREATE TRIGGER IF NOT EXISTS {FTS_TABLE}_delete AFTER DELETE ON statement_search_entries BEGIN "
    f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, terms) VALUES ('delete', old.document_id, old.terms); END",
    f"CREATE TRIGGER IF NOT EXISTS {FTS_TABLE}_update AFTER UPDATE ON statement_search_entries BEGIN "
    f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, terms) VALUES ('delete', old.document_id, old.terms); "
    f"INSERT INTO {FTS_TABLE}(rowid, terms) VALUES (new.document_id, new.terms); END",
)
SQLITE_DROP = f"DROP TABLE IF EXISTS {FTS_TABLE}"

# PostgreSQL keeps the vector in a stored generated column: ranking and phrase checks then
# read it instead of parsing the text again for every matching row. lz4 (migration c5d8e2a7f013)
# decompresses faster than the default pglz.
VECTOR_COLUMN = "vector"
POSTGRESQL_DDL = (
    f"ALTER TABLE statement_search_entries ADD COLUMN {VECTOR_COLUMN} tsvector COMPRESSION lz4 "
    "GENERATED ALWAYS AS (to_tsvector('simple'::regconfig, terms)) STORED",
    f"CREATE INDEX {VECTOR_INDEX} ON statement_search_entries USING gin ({VECTOR_COLUMN})",
)
_vector: ColumnClause[Any] = literal_column(f"statement_search_entries.{VECTOR_COLUMN}")

for statement in POSTGRESQL_DDL:
    event.listen(SearchEntry.__table__, "after_create", DDL(statement).execute_if(dialect="postgresql"))

for statement in SQLITE_DDL:
    event.listen(SearchEntry.__table__, "after_create", DDL(statement).execute_if(dialect="sqlite"))
event.listen(SearchEntry.__table__, "before_drop", DDL(SQLITE_DROP).execute_if(dialect="sqlite"))


def is_search_table(name: str | None) -> bool:
    """The FTS5 table and its shadow tables, which no model maps (migrations leave them be)."""
    return bool(name) and name.startswith(FTS_TABLE)  # type: ignore[union-attr]


def include_name(name: str | None, type_: str, parent_names: dict) -> bool:
    """For Alembic: the search index is no model's, and the migration creates it by hand
    (SQLite's FTS5 tables, PostgreSQL's vector column and its index)."""
    if type_ == "table":
        return not is_search_table(name)
    if type_ == "column" and parent_names.get("table_name") == "statement_search_entries":
        return name != VECTOR_COLUMN
    return not (type_ == "index" and name == VECTOR_INDEX)


# --- turning text into terms --------------------------------------------------------------


def normalise(text: str) -> str:
    # NFKC folds full-width letters and half-width kana into their usual forms.
    return unicodedata.normalize("NFKC", text).casefold()


def _pairs(run: str) -> list[str]:
    if len(run) == 1:
        return [run]
    return [run[i : i + 2] for i in range(len(run) - 1)]


def tokens(text: str) -> list[str]:
    """The tokens both indexes see, in order."""
    out: list[str] = []
    for match in _TOKEN.finditer(normalise(text)):
        word = match.group()
        out.extend(_pairs(word) if _CJK_RUN.fullmatch(word) else [word])
    return out


def index_terms(*texts: str) -> str:
    return "\n".join(" ".join(tokens(text)) for text in texts)


@dataclass(frozen=True)
class Term:
    """One thing a query asks for: a word, a phrase in quotes or a run of CJK characters."""

    text: str  # as typed (normalised), for snippets
    tokens: tuple[str, ...]

    @property
    def is_prefix(self) -> bool:
        # A lone CJK character ("回" of "第2回") is indexed only inside pairs ("回国"), so the
        # last token is asked for as the start of a token; elsewhere a lone one is a run of its own.
        last = self.tokens[-1]
        return len(last) == 1 and bool(_CJK_RUN.fullmatch(last))


def parse_query(query: str) -> list[Term]:
    """Words must all occur; "quoted words" must occur together, in that order."""
    terms: list[Term] = []
    for phrase, word in _QUERY_PART.findall(query or ""):
        text = normalise(phrase or word).strip()
        found = tuple(tokens(text))
        if found:
            terms.append(Term(text=text, tokens=found))
    return terms[:MAX_TERMS]


def _fts5_query(terms: Iterable[Term]) -> str:
    return " AND ".join(f'"{" ".join(term.tokens)}"' + ("*" if term.is_prefix else "") for term in terms)


def _tsquery_text(terms: Iterable[Term]) -> str:
    # Tokens hold only letters and digits, so quoting them is enough to make them literal.
    return " & ".join(
        "(" + " <-> ".join(f"'{token}'" for token in term.tokens) + (":*" if term.is_prefix else "") + ")"
        for term in terms
    )


# --- keeping entries in step ----------------------------------------------------------------


def index_document(document: OutcomeDocument) -> None:
    """Store what search reads for ``document``: its title, latest text and corrigenda."""
    texts = [document.latest.text if document.latest else ""]
    texts += [c.latest.text for c in document.corrigenda if c.versions]
    body = plain_text("\n\n".join(texts))
    entry = db.session.get(SearchEntry, document.id)
    if entry is None:
        entry = SearchEntry(document_id=document.id)
        db.session.add(entry)
    entry.title, entry.body, entry.terms = document.title, body, index_terms(document.title, body)
    db.session.flush()


# --- searching --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Hit:
    document: OutcomeDocument
    snippet: Markup


def search(query: str, *, draft_forum_ids: Iterable[int] | None = (), limit: int = PAGE_SIZE) -> list[Hit]:
    """Documents matching ``query``, best first: public ones, and drafts of the forums in
    ``draft_forum_ids`` (None: of every forum, for administrators)."""
    terms = parse_query(query)
    if not terms:
        return []
    visible: ColumnElement = OutcomeDocument.is_public.expression
    if draft_forum_ids is None:
        visible = OutcomeDocument.id.is_not(None)
    else:
        ids = list(draft_forum_ids)
        visible = or_(visible, OutcomeDocument.forum_id.in_(ids) if ids else false())
    if db.session.get_bind().dialect.name == "postgresql":
        rows = _postgresql_rows(terms, visible, limit)
    else:
        rows = _sqlite_rows(terms, visible, limit)
    return [Hit(document=doc, snippet=snippet(body, terms)) for doc, body in rows]


def _ranked(candidates, order, limit: int) -> Sequence[Row[OutcomeDocument, str]]:  # noqa: ANN001
    """The best ``limit`` of ``candidates`` by ``order``, with their forums and stored text."""
    return db.session.execute(
        select(OutcomeDocument, SearchEntry.body)
        .options(selectinload(OutcomeDocument.forum))
        .join(candidates, candidates.c.document_id == OutcomeDocument.id)
        .join(SearchEntry, SearchEntry.document_id == OutcomeDocument.id)
        .order_by(order, OutcomeDocument.id)
        .limit(limit)
    ).all()


def _postgresql_rows(terms: list[Term], visible: ColumnElement, limit: int) -> Sequence[Row[OutcomeDocument, str]]:
    """The CANDIDATES newest matches, then ``ts_rank`` on those only. Ranking reads and
    decompresses each row's vector; the GIN index alone tells which rows have all the words
    (a phrase's word order still needs the row's positions, read newest first until enough match)."""
    tsquery = func.to_tsquery(literal_column("'simple'::regconfig"), _tsquery_text(terms))
    candidates = (
        select(SearchEntry.document_id)
        .join(OutcomeDocument, OutcomeDocument.id == SearchEntry.document_id)
        .where(_vector.op("@@")(tsquery), visible)
        .order_by(SearchEntry.document_id.desc())
        .limit(CANDIDATES)
        .subquery()
    )
    # A sequential scan, which the planner prefers when a word is in most documents, would
    # decompress every row's vector just to test it. SET LOCAL ends with the transaction (or its
    # rollback); RESET gives the rest of the request the usual plans.
    db.session.execute(sql_text("SET LOCAL enable_seqscan = off"))
    rows = _ranked(candidates, func.ts_rank(_vector, tsquery).desc(), limit)
    db.session.execute(sql_text("RESET enable_seqscan"))
    return rows


def _sqlite_rows(terms: list[Term], visible: ColumnElement, limit: int) -> Sequence[Row[OutcomeDocument, str]]:
    """FTS5 hands the matches out newest first; bm25 is computed for the CANDIDATES newest."""
    fts = table(FTS_TABLE, column("rowid"), column("rank"))
    candidates = (
        select(fts.c.rowid.label("document_id"), fts.c.rank.label("rank"))
        .join(OutcomeDocument, OutcomeDocument.id == fts.c.rowid)
        .where(literal_column(FTS_TABLE).op("MATCH")(_fts5_query(terms)), visible)
        .order_by(fts.c.rowid.desc())
        .limit(CANDIDATES)
        .subquery()
    )
    return _ranked(candidates, candidates.c.rank, limit)  # bm25: lower is better


def _pattern(term: Term) -> str:
    # Words of a phrase may be separated by any spaces or punctuation in the text itself.
    parts = [re.escape(t) for t in _TOKEN.findall(term.text)]
    return r"[\W_]*".join(parts)


def snippet(body: str, terms: list[Term], width: int = 240) -> Markup:
    """A window of ``body`` around the first match, escaped, with every match in <mark>."""
    text = unicodedata.normalize("NFKC", body)
    patterns = [p for p in (_pattern(t) for t in terms) if p]
    if not patterns:
        return Markup(escape(text[:width]))
    finder = re.compile("|".join(f"(?:{p})" for p in sorted(patterns, key=len, reverse=True)), re.I)
    first = finder.search(text)
    start = max(0, (first.start() if first else 0) - width // 3)
    end = min(len(text), start + width)
    window = text[start:end]
    out, position = [], 0
    for match in finder.finditer(window):
        out.append(escape(window[position : match.start()]))
        out.append(Markup("<mark>%s</mark>") % match.group())
        position = match.end()
    out.append(escape(window[position:]))
    prefix, suffix = ("… " if start > 0 else ""), (" …" if end < len(text) else "")
    return Markup(prefix) + Markup("").join(out) + Markup(suffix)
