"""The certificates' pages, with people present, marks and certificates on them, follow the
structural accessibility rules of tests/schedule/structure.py and name themselves."""

from __future__ import annotations

import re

import pytest
from flask_babel import force_locale, gettext

from tests.badges.helpers import DURING
from tests.certificates.helpers import ATTENDANCE, check_in
from tests.certificates.test_certificate_pdf import issue
from tests.conftest import sign_in
from tests.factories import committed
from tests.schedule.structure import problems, title_of


@pytest.fixture
def people(app, scene):
    with committed(app):
        check_in(scene.delegate, scene.plenary, DURING)
    issue(app, scene, scene.student)
    return scene


@pytest.mark.parametrize(
    ("who", "path", "title"),
    [
        ("organiser", ATTENDANCE.format(code="MIN"), "Attendance and certificates: Test event"),
        ("organiser", ATTENDANCE.format(code="S-ISEF"), "Attendance and certificates: Student ISEF"),
        ("student", "/me/certificates", "Your certificates of attendance"),
        ("student", "/certificates/verify", "Verify a certificate of attendance"),
        ("student", "/certificates/verify?reference=ISEF2-C-0001&code=WRONG", "Verify a certificate of attendance"),
    ],
)
def test_every_certificates_page_has_a_structure_a_screen_reader_can_follow(app, people, who, path, title):
    client = app.test_client()
    sign_in(client, people.organiser if who == "organiser" else people.student)
    page = client.get(path)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert problems(html) == []
    # Each page in its reader's language: the student reads planner in Japanese.
    language = re.search(r'<html lang="([^"]+)"', html).group(1)
    with app.test_request_context(), force_locale(language):
        assert title_of(html).startswith(gettext(title))
