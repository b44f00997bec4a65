"""Revoking a certificate issued by mistake (someone marked present wrongly, the wrong person):
from the attendance page, with a reason; the verification page then says it was revoked and
when, its holder can no longer download it, and a mark behind a certificate still standing is
not taken back."""

from __future__ import annotations

import html

import pytest
from sqlalchemy import select

from planner.audit.models import AuditEntry
from planner.certificates import verification
from planner.certificates.models import AttendanceMark, Certificate
from planner.extensions import db
from planner.forums.models import ForumStatus
from tests.badges.helpers import DURING
from tests.certificates.helpers import ATTENDANCE, check_in
from tests.certificates.test_certificate_pdf import issue
from tests.conftest import sign_in
from tests.factories import committed, current, make_event, make_forum, make_organiser

SEND = "/forums/isef2/manage/events/{code}/certificates"
REVOKE = "/forums/isef2/manage/events/{code}/certificates/{id}/revoke"
REASON = "Marked present by mistake: she was at the other session."


@pytest.fixture
def organiser_client(app, scene):
    client = app.test_client()
    sign_in(client, scene.organiser)
    return client


@pytest.fixture
def issued(app, scene) -> tuple[int, str]:
    """The student's certificate of S-ISEF, ISEF2-C-0001 (she was marked present): its id and code."""
    return issue(app, scene, scene.student)


def revoke(client, certificate_id: int, reason: str = REASON, code: str = "S-ISEF"):
    answer = client.post(REVOKE.format(code=code, id=certificate_id), data={"reason": reason})
    return answer, html.unescape(answer.get_data(as_text=True))


def stored(app) -> list[Certificate]:
    with app.app_context():
        found = list(db.session.scalars(select(Certificate).order_by(Certificate.id)))
        db.session.expunge_all()
        return found


def audit_actions(app) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))


def test_an_organiser_revokes_a_certificate_with_a_reason(app, scene, organiser_client, issued):
    certificate_id, _code = issued
    answer, _page = revoke(organiser_client, certificate_id)
    assert answer.status_code == 302
    page = html.unescape(organiser_client.get(answer.location).get_data(as_text=True))
    assert "Certificate ISEF2-C-0001 is revoked." in page
    assert "ISEF2-C-0001 revoked on" in page
    assert "Certificate ISEF2-C-0001 of 佐藤 結衣 (PDF)" not in page  # no organisers' copy of it
    (certificate,) = stored(app)
    assert certificate.revoked_at is not None
    assert certificate.revoked_by_id == scene.organiser.id
    assert certificate.revocation_reason == REASON
    with app.app_context():
        entry = db.session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc())).first()
        assert entry is not None
        assert entry.action == "certificate.revoked"
        assert (entry.target_type, entry.target_id) == ("certificate", str(certificate_id))
        written = f"{entry.summary} {entry.before} {entry.after}"
    assert "ISEF2-C-0001" in written
    # Nothing personal beyond the reference: not the name, not the reason typed.
    assert "結衣" not in written and "mistake" not in written


@pytest.mark.parametrize(
    ("reason", "message"),
    [
        ("", "Say why the certificate is revoked."),
        ("   ", "Say why the certificate is revoked."),
        ("x" * 501, "Say why in at most 500 characters."),
        ("wrong\x07person", "Remove control characters or characters that could not be read."),
    ],
)
def test_a_revocation_without_a_good_reason_is_refused_and_nothing_is_written(
    app, scene, organiser_client, issued, reason, message
):
    answer, page = revoke(organiser_client, issued[0], reason)
    assert answer.status_code == 422
    assert message in page
    assert stored(app)[0].revoked_at is None
    assert "certificate.revoked" not in audit_actions(app)


def test_a_reason_of_500_characters_is_enough(app, scene, organiser_client, issued):
    answer, _page = revoke(organiser_client, issued[0], "x" * 500)
    assert answer.status_code == 302
    assert stored(app)[0].revocation_reason == "x" * 500


def test_a_certificate_is_revoked_once(app, scene, organiser_client, issued):
    assert revoke(organiser_client, issued[0])[0].status_code == 302
    answer, page = revoke(organiser_client, issued[0], "Again.")
    assert answer.status_code == 422
    assert "Certificate ISEF2-C-0001 is revoked already." in page
    assert stored(app)[0].revocation_reason == REASON
    assert audit_actions(app).count("certificate.revoked") == 1


def test_another_events_or_forums_certificate_is_a_404_that_says_so(app, scene, organiser_client, issued):
    answer, page = revoke(organiser_client, issued[0], code="MIN")
    assert answer.status_code == 404
    assert "MIN has no such certificate." in page
    answer, page = revoke(organiser_client, 999_999)
    assert answer.status_code == 404
    with committed(app):
        elsewhere = make_forum(slug="elsewhere")
        make_event(elsewhere, "S-ISEF")
        other = make_organiser(elsewhere)
    client = app.test_client()
    sign_in(client, other)
    answer = client.post(
        f"/forums/elsewhere/manage/events/S-ISEF/certificates/{issued[0]}/revoke", data={"reason": "x"}
    )
    assert answer.status_code == 404
    assert "S-ISEF has no such certificate." in html.unescape(answer.get_data(as_text=True))
    # ISEF2's own page is not theirs either.
    assert client.post(REVOKE.format(code="S-ISEF", id=issued[0]), data={"reason": "x"}).status_code == 403
    assert stored(app)[0].revoked_at is None


def test_an_archived_forums_certificates_stay_as_they_are(app, scene, organiser_client, issued):
    with committed(app):
        current(scene.forum).status = ForumStatus.ARCHIVED
    answer, page = revoke(organiser_client, issued[0])
    assert answer.status_code == 422
    assert "is archived" in page
    assert stored(app)[0].revoked_at is None


def test_revoking_without_a_token_from_the_page_revokes_nothing(app, scene, organiser_client, issued):
    app.config["WTF_CSRF_ENABLED"] = True
    answer = organiser_client.post(REVOKE.format(code="S-ISEF", id=issued[0]), data={"reason": REASON})
    assert answer.status_code == 400
    assert stored(app)[0].revoked_at is None


def test_the_verification_page_says_a_revoked_certificate_was_revoked_and_when(
    app, scene, client, organiser_client, issued
):
    certificate_id, code = issued
    revoke(organiser_client, certificate_id)
    answer = client.get("/certificates/verify", query_string={"reference": "ISEF2-C-0001", "code": code})
    assert answer.status_code == 200
    page = html.unescape(answer.get_data(as_text=True))
    revoked_on = stored(app)[0].revoked_at.astimezone(scene.forum.zone)
    assert f"This certificate was revoked on {revoked_on:%B} {revoked_on.day}, {revoked_on:%Y}" in page
    assert "it is no longer valid" in page
    assert "genuine" not in page
    assert "mistake" not in page  # the reason is the organisers'
    with app.test_request_context():
        confirmed = verification.verify("ISEF2-C-0001", code)
        assert confirmed is not None and confirmed.revoked_on == revoked_on.date()


def test_the_holder_sees_it_revoked_and_can_no_longer_download_it(app, scene, organiser_client, issued):
    certificate_id, _code = issued
    revoke(organiser_client, certificate_id)
    client = app.test_client()
    sign_in(client, scene.student)
    page = html.unescape(client.get("/me/certificates").get_data(as_text=True))
    assert "ISEF2-C-0001" in page
    assert "に取り消されました。現在は無効です。" in page  # "Revoked on …", in the student's Japanese
    assert f"/me/certificates/{certificate_id}/certificate.pdf" not in page
    # As a visa letter that is no longer issued: a 409 with the reason.
    answer = client.get(f"/me/certificates/{certificate_id}/certificate.pdf")
    assert answer.status_code == 409
    assert "証明書ISEF2-C-0001は取り消されたため、ダウンロードできません。" in answer.get_data(as_text=True)
    copy = organiser_client.get(f"/forums/isef2/manage/events/S-ISEF/certificates/{certificate_id}/certificate.pdf")
    assert copy.status_code == 409


def test_a_mark_behind_a_certificate_is_not_taken_back_until_it_is_revoked(app, scene, organiser_client, issued):
    key = f"user-{scene.student.id}"
    answer = organiser_client.post(ATTENDANCE.format(code="S-ISEF") + "/absent", data={"attendee": key})
    assert answer.status_code == 422
    assert "佐藤 結衣 holds certificate ISEF2-C-0001 of S-ISEF: revoke the certificate first." in html.unescape(
        answer.get_data(as_text=True)
    )
    with app.app_context():
        assert db.session.scalars(select(AttendanceMark)).all() != []
    revoke(organiser_client, issued[0])
    answer = organiser_client.post(ATTENDANCE.format(code="S-ISEF") + "/absent", data={"attendee": key})
    assert answer.status_code == 302
    # Sending again does not issue to her: she is no longer present.
    page = html.unescape(organiser_client.get(ATTENDANCE.format(code="S-ISEF")).get_data(as_text=True))
    assert "0 people attended." in page
    organiser_client.post(SEND.format(code="S-ISEF"))
    assert len(stored(app)) == 1


def test_a_mark_of_someone_also_checked_in_may_be_taken_back(app, scene, organiser_client):
    """The check-in at the doors still stands behind the certificate."""
    with committed(app):
        check_in(scene.delegate, scene.plenary, DURING)
    key = f"person-{scene.delegate.person_id}"
    organiser_client.post(ATTENDANCE.format(code="MIN") + "/present", data={"attendee": key})
    organiser_client.post(SEND.format(code="MIN"))
    assert len(stored(app)) == 1
    answer = organiser_client.post(ATTENDANCE.format(code="MIN") + "/absent", data={"attendee": key})
    assert answer.status_code == 302


def test_someone_still_present_gets_a_new_certificate_after_a_revocation(app, scene, organiser_client, issued):
    """Revoked because it was wrong (a name mistyped at registration): sending again issues a
    new one with a new number and a new code; the old one stays revoked."""
    old_id, old_code = issued
    revoke(organiser_client, old_id)
    page = html.unescape(organiser_client.get(ATTENDANCE.format(code="S-ISEF")).get_data(as_text=True))
    assert "1 of them has no certificate yet." in page
    answer = organiser_client.post(SEND.format(code="S-ISEF"))
    assert answer.status_code == 302
    old, new = stored(app)
    assert old.revoked_at is not None and new.revoked_at is None
    assert new.reference == "ISEF2-C-0002" and new.user_id == old.user_id
    with app.test_request_context():
        new_code = verification.code_for(new.code_salt)
        assert verification.verify("ISEF2-C-0001", old_code).revoked_on is not None
        assert verification.verify("ISEF2-C-0002", new_code).revoked_on is None
    assert new_code != old_code
    client = app.test_client()
    sign_in(client, scene.student)
    assert client.get(f"/me/certificates/{new.id}/certificate.pdf").status_code == 200
    # The new one stands: the mark is not taken back either.
    answer = organiser_client.post(
        ATTENDANCE.format(code="S-ISEF") + "/absent", data={"attendee": f"user-{scene.student.id}"}
    )
    assert answer.status_code == 422
