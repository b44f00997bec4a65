"""The letter's PDF says what the embassy needs, on the forum's letterhead, Japanese included."""

from __future__ import annotations

from planner.accreditation import visa_letters
from planner.accreditation.models import IdentityDetails
from planner.extensions import db
from tests.accreditation.visa_helpers import PASSPORT, pdf_text
from tests.factories import committed, current


def issue(app, s, letters_store):
    with app.test_request_context():
        letter = visa_letters.request_letter(current(s.focal_point), current(s.member))
        issued = visa_letters.approve(current(s.accreditation), letter)
        db.session.commit()
        return issued.code, pdf_text(letters_store.get(issued.letter.storage_key))


def test_the_letter_says_who_is_invited_to_what_and_how_to_check_it(app, scene, letters_store):
    code, text = issue(app, scene, letters_store)
    flat = " ".join(text.split())
    for expected in (
        "Ministry of Education, Culture, Sports, Science and Technology",
        "Chiyoda-ku, Tokyo 100-8959",
        "To the Embassy or Consulate concerned",
        "ISEF3 (Third International Space Exploration Forum)",
        "Tokyo, Japan",
        "Mar 1 – 3, 2030",
        "YUI SATO",
        PASSPORT,
        "Minister of Education",
        "Japan",
        "Reference: ISEF3-V-0001",
        "http://localhost/letters/verify",
        f"Verification code: {code}",
    ):
        assert expected in flat, expected


def test_japanese_names_and_letterheads_print(app, scene, letters_store):
    with committed(app):
        identity = db.session.get_one(IdentityDetails, (scene.member.delegation_id, scene.member.person_id))
        identity.passport_family_name, identity.passport_given_names = "山田", "太郎"
        identity.latin_transcription = "YAMADA TARO"
        current(scene.person).family_name_first = True
        current(scene.forum).letterhead_name = "文部科学省"
    code, text = issue(app, scene, letters_store)
    flat = " ".join(text.split())
    assert "文部科学省" in flat
    assert "山田 太郎 (YAMADA TARO)" in flat
    assert "?" not in flat
