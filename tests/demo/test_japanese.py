"""The demo forums speak English and Japanese; seed-demo gives a database loaded before
them its Japanese, once."""

from __future__ import annotations

from sqlalchemy import select, update

from planner.demo.japanese import JAPANESE
from planner.extensions import db
from planner.forums.models import Event, Forum
from planner.schedule.models import Session


def test_isef2_in_japanese_and_a_second_seed_changes_nothing(app, client):
    runner = app.test_cli_runner()
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    with app.app_context():
        forum = db.session.scalar(select(Forum).where(Forum.slug == "isef2"))
        assert forum.languages == ["en", "ja"]
        assert forum.translations["ja"]["title"] == "第2回国際宇宙探査フォーラム"
        events = {e.code: e.translations["ja"]["title"] for e in forum.events}
        assert events == {
            "MINISTERIAL": "閣僚級会合",
            "Y-ISEF": "Y-ISEF 若手専門家会合",
            "I-ISEF": "I-ISEF 産業界会合",
            "S-ISEF": "S-ISEF 高校生会合",
        }
        sessions = db.session.scalars(select(Session)).all()
        assert all(s.translations["ja"]["title"] == JAPANESE[s.title] for s in sessions)
        before = {s.id: s.translations for s in sessions}
    second = runner.invoke(args=["seed-demo"])
    assert "Japanese" not in second.output
    with app.app_context():
        assert {s.id: s.translations for s in db.session.scalars(select(Session))} == before
    page = client.get("/forums/isef2/?lang=ja").get_data(as_text=True)
    assert "第2回国際宇宙探査フォーラム" in page and "閣僚級会合" in page


def test_a_database_loaded_before_gets_the_japanese_and_keeps_what_organisers_typed(app):
    runner = app.test_cli_runner()
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    with app.app_context():
        # As a database loaded before the demo spoke Japanese, with one title an organiser typed.
        db.session.execute(update(Forum).values(languages=["en"], translations={}))
        db.session.execute(update(Event).values(translations={}))
        db.session.execute(update(Session).values(translations={}))
        ministerial = db.session.scalar(
            select(Event).join(Forum).where(Forum.slug == "isef2", Event.code == "MINISTERIAL")
        )
        ministerial.translations = {"ja": {"title": "閣僚会合（主催者の訳）"}}
        db.session.commit()
    result = runner.invoke(args=["seed-demo"])
    assert "Japanese titles and descriptions" in result.output
    with app.app_context():
        forum = db.session.scalar(select(Forum).where(Forum.slug == "isef2"))
        assert forum.languages == ["en", "ja"]
        assert forum.translations["ja"]["title"] == "第2回国際宇宙探査フォーラム"
        ministerial = db.session.scalar(
            select(Event).join(Forum).where(Forum.slug == "isef2", Event.code == "MINISTERIAL")
        )
        assert ministerial.translations["ja"]["title"] == "閣僚会合（主催者の訳）"
    assert "Japanese" not in runner.invoke(args=["seed-demo"]).output
