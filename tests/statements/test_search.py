"""Search finds words, phrases and Japanese text on whichever database the suite runs on
(SQLite FTS5 by default, PostgreSQL with PLANNER_TEST_DATABASE_URL), and shows only what the
reader may see, with escaped snippets."""

import datetime as dt
import re

import pytest
from sqlalchemy import delete, text

from planner.extensions import db
from planner.forums.models import Forum
from planner.statements import services
from planner.statements.search import parse_query, search, tokens
from tests.factories import committed, current
from tests.statements.helpers import draft

STATEMENT = """Participants recognised that space exploration is an important challenge.

They took note of the Global Exploration Roadmap and of the <Tokyo Principles> & more.

第2回国際宇宙探査フォーラムは東京で開かれた。"""


# Search is called directly, in the test's own app context.
pytestmark = pytest.mark.usefixtures("app_context")


@pytest.fixture
def world(app, world):
    """The record's world (tests/statements/conftest.py) with two adopted documents and a draft."""
    with committed(app):
        organiser, forum = current(world.organiser), current(world.forum)
        adopted = draft(organiser, forum, text=STATEMENT)
        services.adopt(organiser, adopted, on=dt.date(2018, 3, 3))
        draft(
            organiser,
            forum,
            slug="secret-draft",
            title="Draft on lunar gateway",
            text="The lunar gateway draft: ゲートウェイ計画。",
        )
        draft(
            organiser,
            forum,
            slug="other",
            title="Chair's summary",
            text="Exploration of the roadmap was discussed; the global picture too.",
        )
        services.adopt(organiser, services.find_document(forum, "other"), on=dt.date(2018, 3, 3))
    return world


def slugs(query: str, **kw) -> list[str]:
    return [hit.document.slug for hit in search(query, **kw)]


def test_all_words_must_occur_in_any_order(world):
    assert set(slugs("roadmap exploration")) == {"joint-statement", "other"}
    assert slugs("roadmap challenge") == ["joint-statement"]
    assert slugs("ROADMAP Challenge") == ["joint-statement"]
    assert slugs("nothing-like-this") == []


def test_a_phrase_must_occur_as_written(world):
    assert slugs('"global exploration roadmap"') == ["joint-statement"]
    assert slugs('"roadmap exploration"') == []


def test_japanese_words_and_phrases(world):
    assert slugs("宇宙探査") == ["joint-statement"]
    assert slugs("東京") == ["joint-statement"]
    assert slugs("宇宙 東京") == ["joint-statement"]
    assert slugs('"探査フォーラム"') == ["joint-statement"]
    assert slugs("探査東京") == []  # the characters exist, but not in this order
    assert slugs("第2回") == ["joint-statement"]


def test_full_width_letters_find_half_width_text(world):
    assert slugs("ＲＯＡＤＭＡＰ　ｃｈａｌｌｅｎｇｅ") == ["joint-statement"]


def test_drafts_are_found_only_by_those_who_may_see_them(world):
    assert slugs("lunar gateway") == []
    assert slugs("ゲートウェイ") == []
    assert slugs("lunar gateway", draft_forum_ids=[world.forum.id]) == ["secret-draft"]
    assert slugs("ゲートウェイ", draft_forum_ids=None) == ["secret-draft"]
    assert slugs("lunar gateway", draft_forum_ids=[world.other_forum.id]) == []


def test_snippets_are_escaped_with_only_highlights(world):
    [hit] = search('"tokyo principles"')
    html = str(hit.snippet)
    assert "<mark>Tokyo Principles</mark>" in html
    assert "&lt;" in html and "&amp;" in html
    assert html.replace("<mark>", "").replace("</mark>", "").count("<") == 0
    [hit] = search("宇宙探査")
    assert "国際<mark>宇宙探査</mark>フォーラム" in str(hit.snippet)


def test_the_index_follows_revisions_and_corrigenda(world):
    organiser = current(world.organiser)
    forum = current(world.forum)
    secret = services.find_document(forum, "secret-draft")
    services.revise(organiser, secret, "Now about Mars sample return.", "rewrite")
    statement = services.find_document(forum, "joint-statement")
    services.issue_corrigendum(organiser, statement, "Read 'cislunar' for 'lunar'.", on=dt.date(2018, 3, 9))
    db.session.commit()
    assert slugs("ゲートウェイ", draft_forum_ids=None) == []  # gone from the text (the title keeps "gateway")
    assert slugs("mars sample", draft_forum_ids=None) == ["secret-draft"]
    assert slugs("cislunar") == ["joint-statement"]


def test_query_parsing_cuts_japanese_into_pairs():
    assert tokens("宇宙探査") == ["宇宙", "宙探", "探査"]
    [term] = parse_query("宇")
    assert term.is_prefix
    assert [t.tokens for t in parse_query('"a b" c')] == [("a", "b"), ("c",)]
    assert parse_query('"" ***') == []


@pytest.mark.parametrize("query", ["_", "__ roadmap", "'", "\\", "AND OR NOT", "NEAR(", "*", ":*", "!", '"a', "a&b|c"])
def test_odd_queries_never_fail(world, query):
    # Operators of FTS5 and tsquery are plain words here; punctuation alone asks for nothing.
    words = re.findall(r"[^\W_]+", query)
    assert slugs(query) == (slugs(" ".join(words)) if words else [])
    assert slugs("__ roadmap") == slugs("roadmap") != []


def test_the_index_stays_in_step_when_documents_go(world):
    forum = current(world.forum)
    db.session.delete(services.find_document(forum, "other"))
    db.session.commit()
    assert slugs("roadmap") == ["joint-statement"]
    # Deleting the forum takes its documents and their index entries along (foreign keys cascade).
    db.session.execute(delete(Forum).where(Forum.id == world.forum.id))
    db.session.commit()
    assert slugs("roadmap", draft_forum_ids=None) == []
    if db.session.get_bind().dialect.name == "sqlite":
        assert (
            db.session.scalar(
                text("SELECT count(*) FROM statement_search_fts WHERE statement_search_fts MATCH 'roadmap'")
            )
            == 0
        )
    else:
        assert db.session.scalar(text("SELECT count(*) FROM statement_search_entries")) == 0


@pytest.mark.postgresql
def test_postgresql_answers_from_the_gin_index(world):
    db.session.execute(text("SET LOCAL enable_seqscan = off"))
    plan = "\n".join(
        db.session.scalars(
            text(
                "EXPLAIN SELECT document_id FROM statement_search_entries "
                "WHERE vector @@ to_tsquery('simple'::regconfig, '''宇宙'' <-> ''宙探''')"
            )
        )
    )
    assert "ix_statement_search_entries_vector" in plan


def test_the_best_match_comes_first_and_many_matches_rank_only_the_newest(world, monkeypatch):
    from planner.statements import search as search_module

    organiser = current(world.organiser)
    forum = current(world.forum)
    # Oldest first: one that says "gateway" five times, then three that say it once.
    for n, times in enumerate([5, 1, 1, 1]):
        document = draft(
            organiser,
            forum,
            slug=f"gateway-{n}",
            title=f"Note {n}",
            text=" ".join(["The gateway."] * times + ["Other words."] * (6 - times)),
        )
        services.adopt(organiser, document, on=dt.date(2018, 3, 3))
    db.session.commit()
    assert slugs("gateway")[0] == "gateway-0"
    # Past CANDIDATES matches, the newest ones are ranked: the oldest is then not among them.
    monkeypatch.setattr(search_module, "CANDIDATES", 3)
    assert slugs("gateway") == ["gateway-1", "gateway-2", "gateway-3"]
    assert slugs("gateway", limit=2) == ["gateway-1", "gateway-2"]
