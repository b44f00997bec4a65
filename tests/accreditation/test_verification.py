"""The public verification page: an embassy learns whether a letter is valid, and no more."""

from __future__ import annotations

import pytest

from planner.accreditation import visa_letters
from planner.extensions import db, limiter
from tests.accreditation.visa_helpers import PASSPORT
from tests.factories import committed, current

NO_MATCH = "No letter matches this reference and verification code."


@pytest.fixture
def issued(app, scene):
    with app.test_request_context():
        letter = visa_letters.request_letter(current(scene.focal_point), current(scene.member))
        result = visa_letters.approve(current(scene.accreditation), letter)
        db.session.commit()
        return result.letter.id, result.letter.reference, result.code


def check(client, reference, code):
    return client.get("/letters/verify", query_string={"reference": reference, "code": code})


def test_a_valid_letter_shows_the_name_the_last_digits_and_the_forum(client, issued):
    _, reference, code = issued
    response = check(client, reference, code)
    page = " ".join(response.get_data(as_text=True).split())  # Babel's thin spaces as spaces
    assert response.status_code == 200
    assert "This letter is valid" in page
    assert "YUI SATO" in page and "4567" in page and "ISEF3" in page and "Mar 1 – 3, 2030" in page
    assert PASSPORT not in page and "Minister" not in page and "Japan" not in page
    assert response.headers["X-Robots-Tag"] == "noindex, nofollow"
    assert response.headers["Cache-Control"] == "no-store"
    assert '<meta name="robots" content="noindex, nofollow">' in page
    assert response.headers["Referrer-Policy"] == "no-referrer"


def test_the_code_can_be_typed_loosely(client, issued):
    _, reference, code = issued
    typed = f"{code[:5].lower()}-{code[5:].lower()}"
    assert "This letter is valid" in check(client, reference.lower(), typed).get_data(as_text=True)


def test_a_wrong_code_and_a_wrong_reference_answer_alike(client, issued):
    _, reference, code = issued
    wrong_code = check(client, reference, "AAAAAAAAAA")
    wrong_reference = check(client, "ISEF3-V-0099", code)
    for response in (wrong_code, wrong_reference):
        assert response.status_code == 200
        page = response.get_data(as_text=True)
        assert NO_MATCH in page and "YUI SATO" not in page
    assert wrong_code.get_data(as_text=True).replace("AAAAAAAAAA", "").count(NO_MATCH) == 1


def test_a_revoked_letter_says_so(app, client, scene, issued):
    letter_id, reference, code = issued
    with app.test_request_context():
        visa_letters.revoke(current(scene.accreditation), db.session.get_one(visa_letters.VisaLetter, letter_id), "No.")
        db.session.commit()
    page = check(client, reference, code).get_data(as_text=True)
    assert "This letter was revoked on" in page and "This letter is valid" not in page
    assert "No." not in page  # the reason is for the focal points


def test_a_requested_letter_verifies_nothing(app, client, scene):
    with committed(app):
        letter = visa_letters.VisaLetter(delegation_id=scene.member.delegation_id, person_id=scene.member.person_id)
        db.session.add(letter)
    assert NO_MATCH in check(client, "None", "x").get_data(as_text=True)


def test_the_form_and_its_errors(client):
    page = client.get("/letters/verify")
    assert page.status_code == 200 and 'name="reference"' in page.get_data(as_text=True)
    response = client.get("/letters/verify?reference=ISEF3-V-0001")
    assert response.status_code == 422 and "Enter the verification code." in response.get_data(as_text=True)


@pytest.mark.app_config(RATELIMIT_ENABLED=True)
def test_guessing_codes_meets_the_rate_limit(app):
    with app.app_context():
        limiter.reset()
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = "203.0.113.9"
    statuses = [check(client, "ISEF3-V-0001", "AAAAAAAAAA").status_code for _ in range(21)]
    assert statuses[:20] == [200] * 20 and statuses[20] == 429
