"""A person's own certificates: the link on /me, the list, the PDF, and nobody else's."""

from __future__ import annotations

import html
import re

from planner.accounts.models import User
from planner.db import utcnow
from planner.delegations.models import Person
from planner.extensions import db
from planner.registration.models import Registration, RegistrationStatus
from tests.accounts.helpers import link_in, mails_to
from tests.badges.helpers import DURING
from tests.certificates.helpers import ATTENDANCE, check_in, pdf_text
from tests.certificates.test_certificate_pdf import issue
from tests.conftest import sign_in
from tests.factories import committed, make_user


def page_of(app, user, path: str = "/me/certificates"):
    client = app.test_client()
    sign_in(client, user)
    answer = client.get(path)
    return answer, html.unescape(answer.get_data(as_text=True))


def test_me_links_to_the_certificates_and_they_are_listed_there(app, scene):
    _answer, me = page_of(app, scene.student, "/me")
    assert 'href="/me/certificates"' in me
    certificate_id, _code = issue(app, scene, scene.student)
    answer, page = page_of(app, scene.student)
    assert answer.status_code == 200
    assert answer.headers["Cache-Control"] == "private, no-store"
    assert "学生宇宙探査フォーラム" in page and "ISEF2-C-0001" in page
    assert f'href="/me/certificates/{certificate_id}/certificate.pdf"' in page


def test_someone_without_certificates_is_told_when_they_come(app, scene):
    _answer, page = page_of(app, make_user_committed(app))
    assert "You have no certificate of attendance yet." in page


def make_user_committed(app):
    with committed(app):
        return make_user()


def test_nobody_else_downloads_a_certificate(app, scene):
    certificate_id, _code = issue(app, scene, scene.student)
    answer, page = page_of(app, make_user_committed(app), f"/me/certificates/{certificate_id}/certificate.pdf")
    assert answer.status_code == 404
    assert "You have no such certificate." in page
    organiser, _page = page_of(app, scene.organiser, f"/me/certificates/{certificate_id}/certificate.pdf")
    assert organiser.status_code == 404


def test_a_delegate_finds_theirs_once_their_account_has_shown_it_holds_their_address(app, scene):
    client = app.test_client()
    sign_in(client, scene.organiser)
    with committed(app):
        check_in(scene.delegate, scene.plenary, DURING)
        email = db.session.get_one(Person, scene.delegate.person_id).email
        delegate = make_user(email=email, verified=False)
    client.post("/forums/isef2/manage/events/MIN/certificates")
    assert "ISEF2-C-0001" not in page_of(app, delegate)[1]
    with committed(app):
        db.session.get_one(User, delegate.id).email_verified_at = utcnow()
    assert "ISEF2-C-0001" in page_of(app, delegate)[1]


def test_from_the_organisers_button_to_the_schools_check(app, scene):
    """The journey: an organiser marks a student present and sends; the student follows the
    mail's link, downloads the PDF; the school, signed out, types what the PDF prints."""
    with committed(app):
        student = make_user(name="Amy Stone", email="amy@example.org")
        db.session.add(
            Registration(event_id=scene.student_event.id, user_id=student.id, status=RegistrationStatus.CONFIRMED)
        )
    organiser = app.test_client()
    sign_in(organiser, scene.organiser)
    organiser.post(ATTENDANCE.format(code="S-ISEF") + "/present", data={"attendee": f"user-{student.id}"})
    organiser.post("/forums/isef2/manage/events/S-ISEF/certificates")
    (message,) = mails_to(app, "amy@example.org")
    browser = app.test_client()
    sign_in(browser, student)
    page = browser.get(link_in(message)).get_data(as_text=True)
    pdf_link = re.search(r'href="(/me/certificates/\d+/certificate\.pdf)"', page).group(1)
    text = pdf_text(browser.get(pdf_link).data)
    reference = re.search(r"Reference: (\S+)", text).group(1)
    code = re.search(r"Verification code: (\S+)", text).group(1)
    school = app.test_client()
    checked = html.unescape(
        school.get("/certificates/verify", query_string={"reference": reference, "code": code}).get_data(as_text=True)
    )
    assert "This certificate is genuine" in checked and "Amy Stone" in checked and "Student ISEF" in checked
