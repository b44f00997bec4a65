"""The public verification page the certificate prints: a school checks the reference and code
and learns the name, the event and its dates, nothing more; a wrong code answers as an unknown
reference does."""

from __future__ import annotations

import html

import pytest

from planner.certificates import forms, verification
from planner.extensions import db
from planner.registration.models import Registration, RegistrationStatus
from tests.certificates.test_certificate_pdf import issue
from tests.factories import committed, make_user

VERIFY = "/certificates/verify"


@pytest.fixture
def issued(app, scene):
    with committed(app):
        student = make_user(email="amy@example.org", name="Amy Stone")
        db.session.add(
            Registration(
                event_id=scene.student_event.id,
                user_id=student.id,
                status=RegistrationStatus.CONFIRMED,
                organisation="Tokyo Metropolitan High School",
            )
        )
    return issue(app, scene, student)[1]


def check(client, reference: str, code: str):
    answer = client.get(VERIFY, query_string={"reference": reference, "code": code})
    return answer, html.unescape(answer.get_data(as_text=True))


def test_the_right_code_confirms_the_name_the_event_and_its_dates(client, issued):
    answer, page = check(client, "ISEF2-C-0001", issued)
    assert answer.status_code == 200
    assert "This certificate is genuine: it was issued by the organisers of ISEF2." in page
    for shown in ("ISEF2-C-0001", "Amy Stone", "Student ISEF", "Mar 2\u2009–\u20093, 2018"):
        assert shown in page
    # Nothing more: not the address, not the school.
    assert "amy@example.org" not in page and "Tokyo Metropolitan High School" not in page
    assert answer.headers["X-Robots-Tag"] == "noindex, nofollow"
    assert answer.headers["Referrer-Policy"] == "no-referrer"
    assert answer.headers["Cache-Control"] == "no-store"


def test_the_code_is_typed_back_in_any_case_with_spaces_and_hyphens(client, issued):
    typed = f"{issued[:5].lower()}-{issued[5:]} "
    _answer, page = check(client, " isef2-c-0001 ", typed)
    assert "This certificate is genuine" in page


def test_a_wrong_code_answers_as_an_unknown_reference_does(client, issued):
    wrong = "A" * 10 if issued != "A" * 10 else "B" * 10
    wrong_code, wrong_page = check(client, "ISEF2-C-0001", wrong)
    unknown, unknown_page = check(client, "ISEF2-C-9999", issued)
    assert wrong_code.status_code == unknown.status_code == 200
    message = "No certificate matches this reference and verification code."
    assert message in wrong_page and message in unknown_page
    assert "Amy Stone" not in wrong_page
    assert wrong_page.replace("ISEF2-C-0001", "ISEF2-C-9999").replace(wrong, issued) == unknown_page


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"reference": "", "code": "ABCDEFGHJK"}, "Enter the certificate's reference."),
        ({"reference": "ISEF2-C-0001", "code": ""}, "Enter the verification code."),
        ({"reference": "X" * 81, "code": "ABCDEFGHJK"}, "Field cannot be longer than 80 characters."),
        ({"reference": "ISEF2-C-\x000001", "code": "ABCDEFGHJK"}, "Remove control characters"),
        ({"reference": "ISEF2-C-0001", "code": "ABC\x00DEFGHJK"}, "Remove control characters"),
    ],
)
def test_a_form_half_filled_in_says_what_is_missing(client, issued, query, message):
    answer = client.get(VERIFY, query_string=query)
    assert answer.status_code == 422
    page = html.unescape(answer.get_data(as_text=True))
    assert message in page and "This certificate is genuine" not in page


def test_the_page_without_a_question_is_a_form(client):
    answer = client.get(VERIFY)
    assert answer.status_code == 200
    assert "Enter the reference and the verification code printed on the certificate." in answer.get_data(as_text=True)


def test_codes_are_the_sites_own_and_the_form_knows_their_length(app):
    assert forms.CODE_LENGTH == verification.CODE_LENGTH
    with app.app_context():
        one, other = verification.code_for("salt-1"), verification.code_for("salt-2")
        assert len(one) == verification.CODE_LENGTH and one != other
        assert verification.code_for("salt-1") == one
        app.config["SECRET_KEY"] = "another-secret-key"
        assert verification.code_for("salt-1") != one
