"""The certificate people download from their page: read back with pypdf, it names the person
as registered, the event, its dates, the reference, the code and where to check it; a Japanese
certificate prints Japanese."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from planner.certificates import verification
from planner.certificates.models import Certificate
from planner.extensions import db
from planner.registration.models import Registration, RegistrationStatus
from tests.certificates.helpers import ATTENDANCE, pdf_text
from tests.conftest import sign_in
from tests.factories import committed, current, make_user


def issue(app, scene, user, code: str = "S-ISEF") -> tuple[int, str]:
    """Mark ``user`` present at the event and send its certificates; the certificate's id and code."""
    client = app.test_client()
    sign_in(client, scene.organiser)
    client.post(ATTENDANCE.format(code=code) + "/present", data={"attendee": f"user-{user.id}"})
    client.post(f"/forums/isef2/manage/events/{code}/certificates")
    with app.test_request_context():
        certificate = db.session.scalars(select(Certificate).where(Certificate.user_id == user.id)).one()
        return certificate.id, verification.code_for(certificate.code_salt)


def download(app, user, certificate_id: int):
    client = app.test_client()
    sign_in(client, user)
    return client.get(f"/me/certificates/{certificate_id}/certificate.pdf")


@pytest.fixture
def english_student(app, scene):
    with committed(app):
        student = make_user(email="amy@example.org")
        student.set_name("Amy", "Stone", False)
        db.session.add(
            Registration(event_id=scene.student_event.id, user_id=student.id, status=RegistrationStatus.CONFIRMED)
        )
        return student


def test_the_certificate_says_who_attended_what_when_and_how_to_check_it(app, scene, english_student):
    certificate_id, code = issue(app, scene, english_student)
    answer = download(app, english_student, certificate_id)
    assert answer.status_code == 200
    assert answer.mimetype == "application/pdf"
    assert answer.headers["Content-Disposition"] == 'attachment; filename="ISEF2-C-0001.pdf"'
    assert answer.headers["Cache-Control"] == "private, no-store"
    text = pdf_text(answer.data)
    for expected in (
        "ISEF2",
        "Certificate of attendance",
        "Amy Stone",
        "attended Student ISEF at ISEF2, held in Tokyo, Japan, Mar 2 – 3, 2018.",
        "Reference: ISEF2-C-0001",
        f"Verification code: {code}",
        "http://localhost/certificates/verify",
    ):
        assert expected in text, (expected, text)


def test_a_japanese_certificate_prints_the_name_in_its_order_and_japanese_dates(app, scene):
    certificate_id, code = issue(app, scene, scene.student)
    text = pdf_text(download(app, scene.student, certificate_id).data)
    assert "佐藤 結衣" in text  # family name first, as she gave it
    assert "学生宇宙探査フォーラム" in text.replace(" ", "")  # a Japanese line may break inside a word
    assert "2018年3月2日～3日" in text  # the event's dates as Japanese write them
    assert "ISEF2-C-0001" in text and code in text
    assert "?" not in text


def test_the_pdf_reads_the_same_later_whatever_the_event_becomes(app, scene, english_student):
    certificate_id, _code = issue(app, scene, english_student)
    first = pdf_text(download(app, english_student, certificate_id).data)
    with committed(app):
        current(scene.student_event).title = "Renamed event"
    assert pdf_text(download(app, english_student, certificate_id).data) == first


def test_a_certificate_whose_code_the_site_can_no_longer_make_is_not_printed(app, scene, english_student):
    certificate_id, _code = issue(app, scene, english_student)
    app.config["SECRET_KEY"] = "another-secret-key"
    answer = download(app, english_student, certificate_id)
    assert answer.status_code == 409
    assert "can no longer be printed with its code" in answer.get_data(as_text=True)
