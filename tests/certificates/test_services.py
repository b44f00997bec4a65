"""Sending an event's certificates in one step: one certificate and one message a person
present, in their language, never twice; nobody present, or everyone served, is refused."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from planner.certificates.models import Certificate
from planner.delegations.models import Person
from planner.extensions import db
from planner.forums.models import ForumStatus
from planner.mail.models import OutboxMessage
from planner.registration.models import Registration, RegistrationStatus
from tests.accounts.helpers import link_in, mails_to
from tests.badges.helpers import DURING
from tests.certificates.helpers import ATTENDANCE, check_in, pdf_text
from tests.conftest import sign_in
from tests.factories import committed, current, make_user


@pytest.fixture
def organiser_client(app, scene):
    client = app.test_client()
    sign_in(client, scene.organiser)
    return client


def send(client, code: str) -> str:
    answer = client.post(ATTENDANCE.format(code=code).removesuffix("/attendance") + "/certificates")
    assert answer.status_code == 302
    return client.get(answer.location).get_data(as_text=True)


def certificates(app) -> list[Certificate]:
    with app.app_context():
        found = db.session.scalars(select(Certificate).order_by(Certificate.id)).all()
        db.session.expunge_all()
        return list(found)


def outbox_size(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(OutboxMessage))


def delegate_email(app, badge) -> str:
    with app.app_context():
        return db.session.get_one(Person, badge.person_id).email


def test_everyone_present_gets_one_certificate_and_one_message(app, scene, organiser_client):
    with committed(app):
        check_in(scene.delegate, scene.plenary, DURING)
    # Jean Dupont did not come: no certificate for him.
    organiser_client.post(
        ATTENDANCE.format(code="MIN") + "/present", data={"attendee": f"person-{scene.other_delegate.person_id}"}
    )
    organiser_client.post(
        ATTENDANCE.format(code="MIN") + "/absent", data={"attendee": f"person-{scene.other_delegate.person_id}"}
    )
    page = send(organiser_client, "MIN")
    assert "1 certificate is issued." in page
    (issued,) = certificates(app)
    assert issued.reference == "ISEF2-C-0001"
    assert (issued.name, issued.affiliation, issued.event_title) == ("Aiko Tanaka", "Japan", "Test event")
    assert (issued.first_day, issued.last_day) == (dt.date(2018, 3, 3), dt.date(2018, 3, 3))
    assert issued.language == "en"  # no account has her address: the forum's first language
    (message,) = mails_to(app, delegate_email(app, scene.delegate))
    assert message.subject == "Your certificate of attendance: Test event"
    assert "ISEF2-C-0001" in message.text_body
    assert link_in(message) == "/me/certificates"
    assert mails_to(app, delegate_email(app, scene.other_delegate)) == []


def test_a_second_press_sends_nothing_twice_and_only_to_the_newly_present(app, scene, organiser_client):
    url = ATTENDANCE.format(code="S-ISEF")
    organiser_client.post(url + "/present", data={"attendee": f"user-{scene.student.id}"})
    assert "1 certificate is issued." in send(organiser_client, "S-ISEF")
    before = outbox_size(app)
    again = send(organiser_client, "S-ISEF")
    assert "Everyone present at S-ISEF has their certificate already: nothing was sent." in again
    assert outbox_size(app) == before and len(certificates(app)) == 1
    with committed(app):
        late = make_user(name="Late Comer")
        db.session.add(
            Registration(event_id=scene.student_event.id, user_id=late.id, status=RegistrationStatus.CONFIRMED)
        )
    organiser_client.post(url + "/present", data={"attendee": f"user-{late.id}"})
    assert "1 certificate is issued." in send(organiser_client, "S-ISEF")
    assert [c.reference for c in certificates(app)] == ["ISEF2-C-0001", "ISEF2-C-0002"]
    assert len(mails_to(app, "yui@example.jp")) == 1
    assert len(mails_to(app, late.email)) == 1


def test_the_message_and_the_certificate_are_in_the_persons_language(app, scene, organiser_client):
    organiser_client.post(ATTENDANCE.format(code="S-ISEF") + "/present", data={"attendee": f"user-{scene.student.id}"})
    send(organiser_client, "S-ISEF")
    (issued,) = certificates(app)
    assert (issued.language, issued.name, issued.event_title) == ("ja", "佐藤 結衣", "学生宇宙探査フォーラム")
    (message,) = mails_to(app, "yui@example.jp")
    assert "学生宇宙探査フォーラム" in message.subject


def test_a_delegate_with_an_account_gets_the_accounts_language(app, scene, organiser_client):
    with committed(app):
        make_user(email=delegate_email(app, scene.delegate), language="ja")
        check_in(scene.delegate, scene.plenary, DURING)
    send(organiser_client, "MIN")
    assert certificates(app)[0].language == "ja"


def test_nobody_present_is_refused_and_nothing_is_sent(app, scene, organiser_client):
    page = send(organiser_client, "MIN")
    assert "Nobody has attended MIN yet: no one has checked in or been marked present." in page
    assert certificates(app) == [] and outbox_size(app) == 0


def test_someone_without_an_address_is_issued_one_and_the_organiser_told(app, scene, organiser_client):
    with committed(app):
        db.session.get_one(Person, scene.delegate.person_id).email = None
        check_in(scene.delegate, scene.plenary, DURING)
    page = send(organiser_client, "MIN")
    assert "Nobody could be emailed for Aiko Tanaka (no address is known)" in page
    (issued,) = certificates(app)
    assert outbox_size(app) == 0
    # The organisers hand it over: their copy is on the list.
    link = f"/forums/isef2/manage/events/MIN/certificates/{issued.id}/certificate.pdf"
    assert f'href="{link}"' in page
    copy = organiser_client.get(link)
    assert copy.status_code == 200 and "Aiko Tanaka" in pdf_text(copy.data)
    # Only through its own event's page.
    assert organiser_client.get(link.replace("/MIN/", "/S-ISEF/")).status_code == 404


def test_sending_without_a_token_from_the_page_sends_nothing(app, scene, organiser_client):
    with committed(app):
        check_in(scene.delegate, scene.plenary, DURING)
    app.config["WTF_CSRF_ENABLED"] = True
    answer = organiser_client.post("/forums/isef2/manage/events/MIN/certificates", data={"csrf_token": "forged"})
    assert answer.status_code == 400
    assert certificates(app) == [] and outbox_size(app) == 0


def test_only_the_forums_organisers_send(app, scene):
    with committed(app):
        check_in(scene.delegate, scene.plenary, DURING)
        delegate = make_user()
    client = app.test_client()
    sign_in(client, delegate)
    assert client.post("/forums/isef2/manage/events/MIN/certificates").status_code == 403
    assert certificates(app) == []


def test_an_archived_forum_issues_no_more_certificates(app, scene, organiser_client):
    with committed(app):
        check_in(scene.delegate, scene.plenary, DURING)
        current(scene.forum).status = ForumStatus.ARCHIVED
    page = send(organiser_client, "MIN")
    assert "is archived" in page
    assert certificates(app) == [] and outbox_size(app) == 0
