"""Japanese and mixed-script text in the longest field planner has: accepted up to its limit,
refused past it with the reason and the text kept on the form."""

from __future__ import annotations

from sqlalchemy import select

from planner.extensions import db
from planner.statements.models import OutcomeDocument
from tests.conftest import sign_in
from tests.statements.test_pages import create

JAPANESE = "国際宇宙探査に関する東京原則。"  # 15 characters, 9 bytes each once form-encoded
MIXED = "第2回 ISEF2 · Σ Exploration 🚀 — "


def test_the_longest_japanese_statement_the_form_accepts_is_stored_whole(app, client, world):
    sign_in(client, world.organiser)
    text = (MIXED + JAPANESE * 14_000)[:200_000]
    response = create(client, text=text, title="共同声明 / Joint statement 🚀")
    assert response.status_code == 302
    with app.app_context():
        document = db.session.scalar(select(OutcomeDocument).where(OutcomeDocument.slug == "joint-statement"))
        assert document.title == "共同声明 / Joint statement 🚀"
        assert document.latest.text == text.replace("\r\n", "\n").strip()


def test_japanese_text_past_the_limit_is_refused_with_the_reason_and_kept(app, client, world):
    sign_in(client, world.organiser)
    text = JAPANESE * 13_334  # 200,010 characters
    response = create(client, text=text)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "200000" in page or "200,000" in page
    assert JAPANESE * 100 in page  # what was typed is still on the form
    with app.app_context():
        assert db.session.scalar(select(OutcomeDocument).where(OutcomeDocument.slug == "joint-statement")) is None
