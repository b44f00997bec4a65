"""A minor applies, their guardian is emailed a link and answers it without an account."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from itsdangerous import TimestampSigner
from sqlalchemy import select, update

from planner.audit.models import AuditEntry
from planner.db import utcnow
from planner.extensions import db
from planner.forums.models import EventKind
from planner.registration.models import Question, QuestionKind, Registration, RegistrationPolicy
from planner.registration.models import RegistrationStatus as Status
from tests.accounts.helpers import link_in, mails_to
from tests.conftest import sign_in
from tests.factories import Programme, committed, make_delegation, make_forum, make_policy, make_programme

APPLY = "/forums/isef3/events/S-ISEF/register"


@pytest.fixture
def setting(app) -> Programme:
    """ISEF3 in 2030 (first day 1 March) with S-ISEF, a students' event taking minors with a
    guardian's consent, two seats, no approval, one question; Yui is 16 there, Ken 25."""
    with committed(app):
        setting = make_programme(
            make_forum(slug="isef3", name="ISEF3", first_day=dt.date(2030, 3, 1), last_day=dt.date(2030, 3, 3)),
            code="S-ISEF",
            title="Student ISEF",
            kind=EventKind.STUDENT,
        )
        setting.add("policy", make_policy(setting.event, capacity=2, guardian_required=True))
        setting.add(
            "school",
            Question(event_id=setting.event.id, label="Your school", kind=QuestionKind.TEXT, required=True),
        )
        make_delegation(setting.forum, name="Japan")
        setting.person("student", name="Yui", email="yui@example.org")
        setting.person("adult", name="Ken", email="ken@example.org")
        setting.person("other_student", name="Mio", email="mio@example.org")
    return setting


def application(setting, born="2013-06-01", **overrides):
    data = {
        "date_of_birth": born,
        "country": "JP",
        "guardian_name": "Emi Sato",
        "guardian_email": "emi@example.org",
        f"q{setting.others['school'].id}": "Tokyo Metropolitan High School",
    }
    data.update(overrides)
    return data


def applied_as(app, setting, person="student", **overrides):
    client = app.test_client()
    sign_in(client, setting.people[person])
    response = client.post(APPLY, data=application(setting, **overrides))
    assert response.status_code == 302, response.get_data(as_text=True)
    return client


def registration_of(app, email):
    with app.app_context():
        found = db.session.scalar(select(Registration).join(Registration.user).filter_by(email=email))
        db.session.expunge_all()
        return found


def seats_taken(app, setting) -> int:
    with app.app_context():
        return db.session.get(RegistrationPolicy, setting.event.id).seats_taken


def guardian_link(app) -> str:
    *_, message = mails_to(app, "emi@example.org")
    return link_in(message)


def audit_actions(app) -> list[tuple[str, int | None]]:
    with app.app_context():
        return [(e.action, e.actor_id) for e in db.session.scalars(select(AuditEntry).order_by(AuditEntry.id))]


def test_a_minor_waits_for_consent_keeping_a_seat_and_the_guardian_is_emailed(app, setting):
    """Today the minor ticked 'my guardian consents' and was confirmed at once."""
    student = applied_as(app, setting)
    registration = registration_of(app, "yui@example.org")
    assert registration.status is Status.AWAITING_CONSENT
    assert (registration.guardian_name, registration.guardian_email) == ("Emi Sato", "emi@example.org")
    assert registration.seat_kept_for_consent and seats_taken(app, setting) == 1
    [to_guardian] = mails_to(app, "emi@example.org")
    assert to_guardian.subject == "Yui asks for your consent to take part in Student ISEF"
    assert "/consent/" in link_in(to_guardian)
    assert re.search(r"Please answer by \d{4}-\d\d-\d\d \d\d:\d\d \(Asia/Tokyo\)", to_guardian.text_body)
    assert [m.subject for m in mails_to(app, "yui@example.org")] == [
        "Your application for Student ISEF waits for your guardian's consent"
    ]
    page = student.get(f"/me?applied={registration.id}").get_data(as_text=True)
    assert "awaiting a guardian&#39;s consent" in page
    assert "we have emailed Emi Sato a link to give consent" in page
    assert "We emailed Emi Sato (emi@example.org) a link to give consent" in page


def test_the_guardian_sees_the_application_consents_and_it_is_confirmed(app, setting):
    student = applied_as(app, setting)
    guardian = app.test_client()  # no account, not signed in
    page = guardian.get(guardian_link(app)).get_data(as_text=True)
    assert "Consent for Yui to take part in Student ISEF" in page
    assert "Tokyo Metropolitan High School" in page and "2013-06-01" in page
    assert 'name="decision"' in page and "I give my consent" in page

    response = guardian.post(guardian_link(app), data={"decision": "give"})
    assert response.status_code == 200
    assert "you gave your consent for Yui to take part in Student ISEF" in response.get_data(as_text=True)
    registration = registration_of(app, "yui@example.org")
    assert registration.status is Status.CONFIRMED and registration.guardian_consent
    assert seats_taken(app, setting) == 1  # the kept seat, not a second one
    assert mails_to(app, "yui@example.org")[-1].subject == "Your place at Student ISEF is confirmed"
    assert ("registration.consent_given", None) in audit_actions(app)
    assert "confirmed" in student.get("/me").get_data(as_text=True)

    again = guardian.get(guardian_link(app))
    assert again.status_code == 400
    assert "was used already: consent was given" in again.get_data(as_text=True)


def test_consent_to_an_event_needing_approval_leaves_it_pending_without_a_seat(app, setting):
    with committed(app):
        db.session.execute(
            update(RegistrationPolicy).filter_by(event_id=setting.event.id).values(approval_required=True)
        )
    applied_as(app, setting)
    assert registration_of(app, "yui@example.org").status is Status.AWAITING_CONSENT
    assert seats_taken(app, setting) == 0
    app.test_client().post(guardian_link(app), data={"decision": "give"})
    assert registration_of(app, "yui@example.org").status is Status.PENDING
    assert seats_taken(app, setting) == 0
    assert mails_to(app, "yui@example.org")[-1].subject == "We received your application for Student ISEF"


def test_refusal_frees_the_seat_for_the_waiting_list_and_is_audited(app, setting):
    with committed(app):
        db.session.execute(update(RegistrationPolicy).filter_by(event_id=setting.event.id).values(capacity=1))
    applied_as(app, setting)
    applied_as(app, setting, "adult", born="2005-01-01")
    assert registration_of(app, "ken@example.org").status is Status.WAITLISTED

    response = app.test_client().post(guardian_link(app), data={"decision": "refuse"})
    assert response.status_code == 200 and "you did not give your consent" in response.get_data(as_text=True)
    assert registration_of(app, "yui@example.org").status is Status.CANCELLED
    assert registration_of(app, "ken@example.org").status is Status.CONFIRMED
    assert seats_taken(app, setting) == 1
    assert mails_to(app, "yui@example.org")[-1].subject == "Your guardian did not consent to Student ISEF"
    assert ("registration.consent_refused", None) in audit_actions(app)
    assert app.test_client().get(guardian_link(app)).status_code == 400


def test_adults_are_never_asked_for_a_guardian(app, setting):
    applied_as(app, setting, "adult", born="2005-01-01")  # 25, the guardian's fields filled in anyway
    registration = registration_of(app, "ken@example.org")
    assert registration.status is Status.CONFIRMED
    assert (registration.guardian_name, registration.guardian_email) == ("", "")
    assert mails_to(app, "emi@example.org") == []


def test_a_minor_without_a_guardian_is_told_what_to_give_and_nothing_is_stored(app, setting):
    client = app.test_client()
    sign_in(client, setting.people["student"])
    response = client.post(APPLY, data=application(setting, guardian_name="", guardian_email=""))
    assert response.status_code == 422
    assert "You are under 18 on 1 Mar 2030: give the name and email address of a parent or guardian" in (
        response.get_data(as_text=True)
    )
    response = client.post(APPLY, data=application(setting, guardian_email="not an address"))
    assert response.status_code == 422 and "Enter an email address like name@example.org." in response.get_data(
        as_text=True
    )
    response = client.post(APPLY, data=application(setting, guardian_email="YUI@example.org"))
    assert response.status_code == 422 and "not your own" in response.get_data(as_text=True)
    response = client.post(APPLY, data=application(setting, date_of_birth=""))
    assert response.status_code == 422
    assert registration_of(app, "yui@example.org") is None
    assert seats_taken(app, setting) == 0 and mails_to(app, "emi@example.org") == []


def test_the_forums_age_of_majority_decides(app, setting):
    with committed(app):
        setting.forum = db.session.merge(setting.forum)
        setting.forum.age_of_majority = 20
    applied_as(app, setting, "adult", born="2011-01-01")  # 19 on the first day
    assert registration_of(app, "ken@example.org").status is Status.AWAITING_CONSENT


def test_students_are_not_asked_for_a_delegation(app, setting):
    client = app.test_client()
    sign_in(client, setting.people["student"])
    page = client.get(APPLY).get_data(as_text=True)
    assert 'name="delegation"' not in page and "Your delegation" not in page
    assert "We email them a link showing this event and what you tell us here" in page
    assert "Your application waits 7 days for their answer, keeping your place meanwhile." in page


@pytest.mark.parametrize(
    "mangle, reason",
    [
        (lambda link: link[:-6], "This consent link is not valid"),
        (lambda link: link[:-3] + "abc", "This consent link is not valid"),
        (lambda link: "/consent/" + "x" * 1200, "This consent link is not valid"),
        (lambda link: "/consent/not-a-token", "This consent link is not valid"),
    ],
)
def test_a_tampered_link_is_a_400_with_the_reason(app, setting, mangle, reason):
    applied_as(app, setting)
    for method in ("get", "post"):
        response = getattr(app.test_client(), method)(mangle(guardian_link(app)), data={"decision": "give"})
        assert response.status_code == 400
        assert reason in response.get_data(as_text=True)
    assert registration_of(app, "yui@example.org").status is Status.AWAITING_CONSENT


def test_an_expired_link_is_a_400_and_changes_nothing(app, setting, monkeypatch):
    applied_as(app, setting)
    link = guardian_link(app)
    later = TimestampSigner.get_timestamp
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: later(self) + 8 * 24 * 3600)
    response = app.test_client().post(link, data={"decision": "give"})
    assert response.status_code == 400
    assert "This consent link has expired" in response.get_data(as_text=True)
    assert registration_of(app, "yui@example.org").status is Status.AWAITING_CONSENT


def test_a_link_replaced_by_a_new_application_no_longer_works(app, setting):
    student = applied_as(app, setting)
    first = guardian_link(app)
    registration = registration_of(app, "yui@example.org")
    assert student.post(f"/me/registrations/{registration.id}/cancel").status_code == 302
    assert seats_taken(app, setting) == 0  # the kept seat is given back
    assert student.post(APPLY, data=application(setting)).status_code == 302
    response = app.test_client().get(first)
    assert response.status_code == 400 and "replaced by a newer one" in response.get_data(as_text=True)
    assert app.test_client().get(guardian_link(app)).status_code == 200


def test_an_answer_that_is_neither_is_a_form_error(app, setting):
    applied_as(app, setting)
    for data in ({}, {"decision": "maybe"}):
        response = app.test_client().post(guardian_link(app), data=data)
        assert response.status_code == 422
        assert "Choose whether you give your consent." in response.get_data(as_text=True) or "Not a valid choice" in (
            response.get_data(as_text=True)
        )
    assert registration_of(app, "yui@example.org").status is Status.AWAITING_CONSENT


def test_the_guardians_answer_needs_the_pages_csrf_token(app, setting):
    applied_as(app, setting)
    app.config["WTF_CSRF_ENABLED"] = True
    guardian = app.test_client()
    link = guardian_link(app)
    assert guardian.post(link, data={"decision": "give"}).status_code == 400
    page = guardian.get(link).get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    assert guardian.post(link, data={"decision": "give", "csrf_token": token}).status_code == 200
    assert registration_of(app, "yui@example.org").status is Status.CONFIRMED


def test_organisers_see_the_consent_status_and_declining_frees_the_kept_seat(app, setting):
    applied_as(app, setting)
    organiser = app.test_client()
    sign_in(organiser, setting.organiser)
    page = organiser.get("/forums/isef3/manage/registrations").get_data(as_text=True)
    assert "awaiting a guardian&#39;s consent" in page
    registration = registration_of(app, "yui@example.org")
    response = organiser.post(
        "/forums/isef3/manage/registrations/bulk", data={"ids": [str(registration.id)], "action": "decline"}
    )
    assert response.status_code == 302
    assert registration_of(app, "yui@example.org").status is Status.DECLINED
    assert seats_taken(app, setting) == 0
    assert app.test_client().get(guardian_link(app)).status_code == 400


def _asked_days_ago(app, email: str, days: float) -> None:
    with committed(app):
        registration = db.session.scalar(select(Registration).join(Registration.user).filter_by(email=email))
        registration.consent_requested_at = utcnow() - dt.timedelta(days=days)


def test_reminders_go_out_once_per_period_and_the_wait_expires(app, setting):
    app.config["SERVER_NAME"] = "planner.test"
    runner = app.test_cli_runner()
    applied_as(app, setting)
    applied_as(app, setting, "other_student", guardian_email="aoi@example.org")
    with committed(app):
        db.session.execute(update(RegistrationPolicy).filter_by(event_id=setting.event.id).values(capacity=3))
    applied_as(app, setting, "adult", born="2005-01-01")

    result = runner.invoke(args=["send-consent-reminders"])
    assert result.exit_code == 0, result.output
    assert "0 reminders queued, 0 applications expired." in result.output

    _asked_days_ago(app, "yui@example.org", 3)
    assert "1 reminders queued" in runner.invoke(args=["send-consent-reminders"]).output
    assert "0 reminders queued" in runner.invoke(args=["send-consent-reminders"]).output  # at most one per period
    reminder = mails_to(app, "emi@example.org")[-1]
    assert reminder.subject == "Reminder: Yui asks for your consent to take part in Student ISEF"
    assert "http://planner.test/consent/" in reminder.text_body
    app.config["SERVER_NAME"] = None
    assert app.test_client().get(link_in(reminder)).status_code == 200  # the reminder's link works
    app.config["SERVER_NAME"] = "planner.test"

    _asked_days_ago(app, "mio@example.org", 8)
    result = runner.invoke(args=["send-consent-reminders"])
    assert "0 reminders queued, 1 applications expired." in result.output
    assert registration_of(app, "mio@example.org").status is Status.CANCELLED
    assert registration_of(app, "yui@example.org").status is Status.AWAITING_CONSENT
    assert mails_to(app, "mio@example.org")[-1].subject == (
        "Your application for Student ISEF ended without your guardian's answer"
    )
    assert seats_taken(app, setting) == 2  # Yui's kept seat and Ken's
    assert ("registration.consent_expired", None) in audit_actions(app)


def test_expiry_serves_the_waiting_list(app, setting):
    app.config["SERVER_NAME"] = "planner.test"
    with committed(app):
        db.session.execute(update(RegistrationPolicy).filter_by(event_id=setting.event.id).values(capacity=1))
    applied_as(app, setting)
    applied_as(app, setting, "adult", born="2005-01-01")
    _asked_days_ago(app, "yui@example.org", 7.5)
    assert "1 applications expired" in app.test_cli_runner().invoke(args=["send-consent-reminders"]).output
    assert registration_of(app, "ken@example.org").status is Status.CONFIRMED
    assert seats_taken(app, setting) == 1


def test_the_reminder_command_needs_the_sites_name_for_its_links(app, setting):
    result = app.test_cli_runner().invoke(args=["send-consent-reminders"])
    assert result.exit_code == 2 and "PLANNER_SERVER_NAME" in result.output
