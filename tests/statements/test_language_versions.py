"""A document's title in the forum's languages, and its language versions: the joint
statement in English and in Japanese, linked, one marked as the authentic text."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from planner.extensions import db
from planner.statements import languages, services
from planner.statements.models import DocumentKind, OutcomeDocument
from tests.conftest import sign_in
from tests.factories import committed, current
from tests.statements.helpers import draft

BASE = "/forums/isef2/statements"


def adopted(user, forum, **kw):  # noqa: ANN001, ANN003, ANN201
    document = draft(user, forum, **kw)
    services.adopt(user, document, on=dt.date(2018, 3, 3), event=None, place="Tokyo")
    return document


def test_the_text_download_and_page_carry_the_japanese_title_for_a_japanese_reader(app, client, world):
    with committed(app):
        current(world.forum).languages = ["en", "ja"]
        adopted(world.organiser, current(world.forum), translations={"ja": {"title": "ISEF2共同声明"}})
    text = client.get(f"{BASE}/joint-statement/download/txt?lang=ja").get_data(as_text=True)
    assert text.startswith("ISEF2共同声明\n")
    assert (
        client.get(f"{BASE}/joint-statement/download/txt?lang=en")
        .get_data(as_text=True)
        .startswith("ISEF2 Joint Statement\n")
    )
    page = client.get(f"{BASE}/joint-statement?lang=ja").get_data(as_text=True)
    assert '<h1 lang="ja">ISEF2共同声明</h1>' in page


def test_a_japanese_version_links_both_ways_and_says_which_is_authentic(app, client, world):
    with committed(app):
        forum = current(world.forum)
        english = adopted(world.organiser, forum)
        japanese = languages.add_language_version(
            current(world.organiser),
            forum,
            english,
            kind=DocumentKind.JOINT_STATEMENT,
            title="ISEF2共同声明",
            slug="joint-statement-ja",
            text="第1段落。",
            language="ja",
            is_authentic=False,
        )
        services.adopt(current(world.organiser), japanese, on=dt.date(2018, 3, 3), event=None, place="東京")
    page = client.get(f"{BASE}/joint-statement").get_data(as_text=True)
    assert f'href="{BASE}/joint-statement-ja" lang="ja" hreflang="ja">日本語</a>' in page
    assert "Also in:" in page and "English: an authentic text" in page
    other = client.get(f"{BASE}/joint-statement-ja").get_data(as_text=True)
    assert (
        f'href="{BASE}/joint-statement" lang="en" hreflang="en">English</a> <span class="meta">(authentic text)'
        in other
    )
    assert "日本語: a translation, not an authentic text" in other


def test_the_organiser_drafts_a_language_version_and_a_second_one_in_that_language_is_refused(app, client, world):
    with committed(app):
        english = draft(world.organiser, current(world.forum))
    sign_in(client, world.organiser)
    data = {
        "kind": "joint_statement",
        "title": "ISEF2共同声明",
        "slug": "joint-statement-ja",
        "language": "ja",
        "version_of": str(english.id),
        "is_authentic": "y",
        "text": "第1段落。",
    }
    assert client.post("/forums/isef2/manage/statements/new", data=data).status_code == 302
    again = client.post("/forums/isef2/manage/statements/new", data={**data, "slug": "joint-statement-ja2"})
    assert again.status_code == 422
    assert "“ISEF2 Joint Statement” already has a version in Japanese." in again.get_data(as_text=True)
    with app.app_context():
        version = db.session.scalar(select(OutcomeDocument).where(OutcomeDocument.slug == "joint-statement-ja"))
        assert (version.version_of_id, version.is_authentic, version.language) == (english.id, True, "ja")
        assert db.session.scalar(select(OutcomeDocument).where(OutcomeDocument.slug == "joint-statement-ja2")) is None


def test_a_drafts_language_version_stays_hidden_from_the_public(app, client, world):
    with committed(app):
        forum = current(world.forum)
        english = adopted(world.organiser, forum)
        languages.add_language_version(
            current(world.organiser),
            forum,
            english,
            kind=DocumentKind.JOINT_STATEMENT,
            title="ISEF2共同声明",
            slug="joint-statement-ja",
            text="第1段落。",
            language="ja",
            is_authentic=True,
        )
    assert "Also in:" not in client.get(f"{BASE}/joint-statement").get_data(as_text=True)
