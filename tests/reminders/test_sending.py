"""Which reminders are due, who gets them, once, and what they say: at times a test chooses."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from planner.accounts.models import User
from planner.accreditation.models import CredentialsLetter, CredentialsStatus
from planner.db import utcnow
from planner.delegations.models import DelegationFocalPoint, DelegationMember, DelegationStatus, NominationStatus
from planner.extensions import db
from planner.forums.models import Venue
from planner.mail.models import OutboxMessage, OutboxStatus
from planner.registration.models import Registration, RegistrationMode, RegistrationStatus
from planner.reminders.models import DeadlineKind, DeadlineReminder, Reminder
from planner.reminders.sending import ReminderReport, behind_on, queue_due_reminders
from tests.factories import (
    make_delegation,
    make_focal_point,
    make_forum,
    make_person,
    make_policy,
    make_programme,
    make_user,
    tokyo,
)

DAY = 24 * 60
# ISEF2's Y-ISEF starts on 28 February 2018 at 09:00 in Tokyo (the factories' default).
STARTS = tokyo("2018-02-28 09:00")


@pytest.fixture
def programme(app_context):
    programme = make_programme(forum=make_forum(slug="isef2", name="ISEF2", languages=["en", "ja"]))
    programme.event.translations = {"ja": {"title": "若手会合"}}
    programme.event.venue = Venue(
        forum=programme.forum,
        name="Hotel Grand Palace",
        address="1-1-1 Iidabashi, Chiyoda, Tokyo",
        translations={"ja": {"name": "ホテルグランドパレス", "address": "東京都千代田区飯田橋1-1-1"}},
    )
    db.session.flush()
    return programme


def register(event, status=RegistrationStatus.CONFIRMED, **user):
    person = make_user(**user)
    db.session.add(Registration(event_id=event.id, user_id=person.id, status=status))
    db.session.flush()
    return person


def remind(event, minutes_before, details="Bring your passport.", **values):
    reminder = Reminder(event_id=event.id, minutes_before=minutes_before, details=details, **values)
    db.session.add(reminder)
    db.session.flush()
    return reminder


def outbox() -> list[OutboxMessage]:
    return list(db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def test_a_reminder_waits_for_its_time_then_goes_once_to_each_confirmed_person(programme):
    confirmed = [register(programme.event), register(programme.event)]
    remind(programme.event, 7 * DAY)

    assert queue_due_reminders(STARTS - dt.timedelta(days=7, minutes=1)) == ReminderReport()
    assert outbox() == []
    assert queue_due_reminders(STARTS - dt.timedelta(days=7)).event_reminders == 2
    assert queue_due_reminders(STARTS - dt.timedelta(days=6)) == ReminderReport()  # again: nothing more
    assert sorted(m.to_address for m in outbox()) == sorted(p.email for p in confirmed)


def test_each_offset_is_a_reminder_of_its_own(programme):
    register(programme.event)
    remind(programme.event, 7 * DAY)
    remind(programme.event, DAY)
    assert queue_due_reminders(STARTS - dt.timedelta(days=3)).event_reminders == 1
    assert queue_due_reminders(STARTS - dt.timedelta(hours=2)).event_reminders == 1
    assert len(outbox()) == 2


@pytest.mark.parametrize(
    "status",
    [
        RegistrationStatus.CANCELLED,
        RegistrationStatus.DECLINED,
        RegistrationStatus.WAITLISTED,
        RegistrationStatus.PENDING,
        RegistrationStatus.AWAITING_CONSENT,
    ],
)
def test_only_confirmed_registrations_are_reminded(programme, status):
    register(programme.event, status)
    remind(programme.event, DAY)
    assert queue_due_reminders(STARTS - dt.timedelta(hours=1)) == ReminderReport()
    assert outbox() == []


def test_deleted_accounts_are_not_reminded(programme):
    register(programme.event, deleted_at=tokyo("2018-01-01 00:00"))
    remind(programme.event, DAY)
    assert queue_due_reminders(STARTS - dt.timedelta(hours=1)) == ReminderReport()


def test_a_reminder_late_because_nothing_ran_still_goes_before_the_start_and_never_after(programme):
    register(programme.event)
    remind(programme.event, 7 * DAY)
    # Nothing ran for six days: the event has not started, so the reminder still goes.
    assert queue_due_reminders(STARTS - dt.timedelta(minutes=1)).event_reminders == 1

    late = register(programme.event)
    assert queue_due_reminders(STARTS).event_reminders == 0  # the event has started
    assert queue_due_reminders(STARTS + dt.timedelta(hours=1)) == ReminderReport()
    assert late.email not in {m.to_address for m in outbox()}


def test_a_reminder_still_in_the_outbox_when_the_event_starts_is_withdrawn(programme):
    waiting, sent, claimed = (register(programme.event) for _ in range(3))
    remind(programme.event, DAY)
    queue_due_reminders(STARTS - dt.timedelta(minutes=5))
    messages = {m.to_address: m for m in outbox()}
    # The mail server was down: one went out before, one is being sent right now.
    messages[sent.email].status, messages[sent.email].sent_at = OutboxStatus.SENT, STARTS - dt.timedelta(minutes=4)
    messages[claimed.email].claimed_until = utcnow() + dt.timedelta(minutes=5)
    db.session.flush()

    assert queue_due_reminders(STARTS - dt.timedelta(minutes=1)).withdrawn == 0
    assert queue_due_reminders(STARTS) == ReminderReport(withdrawn=1)
    db.session.expire_all()
    assert {address: m.status for address, m in messages.items()} == {
        waiting.email: OutboxStatus.FAILED,
        sent.email: OutboxStatus.SENT,
        claimed.email: OutboxStatus.PENDING,
    }
    assert "its event had started" in messages[waiting.email].last_error
    assert queue_due_reminders(STARTS + dt.timedelta(minutes=1)) == ReminderReport()


def test_someone_confirmed_after_the_reminder_went_gets_it_on_the_next_round(programme):
    register(programme.event)
    remind(programme.event, 7 * DAY)
    queue_due_reminders(STARTS - dt.timedelta(days=7))
    newcomer = register(programme.event)
    assert queue_due_reminders(STARTS - dt.timedelta(days=2)).event_reminders == 1
    assert outbox()[-1].to_address == newcomer.email


def test_the_mail_has_the_time_in_the_forums_zone_the_venue_and_the_details_in_english(programme):
    person = register(programme.event, name="Ada Lovelace")
    remind(programme.event, DAY, details="Enter by the north door.\nBring your passport.")
    queue_due_reminders(STARTS - dt.timedelta(hours=3))
    (message,) = outbox()
    assert message.subject == "Reminder: Test event, 28 Feb 2018 09:00 JST"
    assert message.forum_id == programme.forum.id and message.to_address == person.email
    body = message.text_body
    assert "Hello Ada Lovelace," in body
    assert "starts on 28 Feb 2018 09:00 JST (the time in Asia/Tokyo)" in body
    assert "Hotel Grand Palace\n1-1-1 Iidabashi, Chiyoda, Tokyo" in body
    assert "Enter by the north door.\nBring your passport." in body


def test_the_mail_is_in_the_recipients_language_with_the_forums_texts_in_it(programme):
    register(programme.event, language="ja")
    remind(programme.event, DAY, translations={"ja": {"details": "北口からお入りください。"}})
    queue_due_reminders(STARTS - dt.timedelta(hours=3))
    (message,) = outbox()
    assert "若手会合" in message.subject and "2018年2月28日 09:00 JST" in message.subject
    assert "ホテルグランドパレス" in message.text_body and "東京都千代田区飯田橋1-1-1" in message.text_body
    assert "北口からお入りください。" in message.text_body and "Bring your passport" not in message.text_body


def test_without_a_known_address_of_its_own_the_mail_has_no_link(programme):
    register(programme.event)
    remind(programme.event, DAY)
    queue_due_reminders(STARTS - dt.timedelta(hours=3))
    assert "http" not in outbox()[0].text_body


@pytest.fixture
def server_name(app):
    app.config["SERVER_NAME"] = "planner.test"  # before the app context: it builds its URLs from it


def test_with_the_server_name_the_mail_links_the_events_page(server_name, programme):
    register(programme.event)
    remind(programme.event, DAY)
    queue_due_reminders(STARTS - dt.timedelta(hours=3))
    assert "http://planner.test/forums/isef2/events/Y-ISEF/" in outbox()[0].text_body


# Before deadlines ----------------------------------------------------------------------------

CLOSES = tokyo("2018-01-31 17:00")


@pytest.fixture
def delegations(programme):
    forum = programme.forum
    forum.nominations_close_at = forum.credentials_due_at = CLOSES
    built = {name: make_delegation(forum, name=name) for name in ("none", "nominated", "accredited", "withdrawn")}
    for name, status in (
        ("nominated", NominationStatus.NOMINATED),
        ("accredited", NominationStatus.ACCREDITED),
        ("withdrawn", NominationStatus.WITHDRAWN),
    ):
        db.session.add(DelegationMember(delegation=built[name], person=make_person(), status=status))
    built["declined"] = make_delegation(forum, name="declined", status=DelegationStatus.DECLINED)
    db.session.flush()
    return built


def test_nominations_remind_delegations_with_nobody_nominated_or_accredited(programme, delegations):
    behind = {d.name for d in behind_on(programme.forum, DeadlineKind.NOMINATIONS)}
    # Withdrawn members hold no seat; a delegation that declined is asked nothing.
    assert behind == {"none", "withdrawn"}


def test_credentials_remind_delegations_without_a_letter_or_whose_newest_was_returned(programme, delegations):
    def letter(delegation, status, uploaded):
        db.session.add(CredentialsLetter(delegation=delegations[delegation], status=status, uploaded_at=uploaded))

    letter("nominated", CredentialsStatus.VERIFIED, tokyo("2018-01-02 10:00"))
    letter("nominated", CredentialsStatus.RETURNED, tokyo("2018-01-03 10:00"))  # newest: returned
    letter("accredited", CredentialsStatus.RETURNED, tokyo("2018-01-02 10:00"))
    letter("accredited", CredentialsStatus.VERIFIED, tokyo("2018-01-03 10:00"))
    letter("withdrawn", CredentialsStatus.SUBMITTED, tokyo("2018-01-03 10:00"))  # the secretariat's turn
    db.session.flush()
    assert {d.name for d in behind_on(programme.forum, DeadlineKind.CREDENTIALS)} == {"none", "nominated"}


def test_deadline_reminders_go_once_to_each_focal_point_before_the_deadline_only(programme, delegations):
    first, second = make_focal_point(delegations["none"]), make_focal_point(delegations["none"])
    make_focal_point(delegations["nominated"])  # done: not reminded
    db.session.add(
        DeadlineReminder(forum_id=programme.forum.id, deadline=DeadlineKind.NOMINATIONS, minutes_before=7 * DAY)
    )
    db.session.flush()

    assert queue_due_reminders(CLOSES - dt.timedelta(days=8)) == ReminderReport()
    assert queue_due_reminders(CLOSES - dt.timedelta(days=7)).deadline_reminders == 2
    assert queue_due_reminders(CLOSES - dt.timedelta(days=1)) == ReminderReport()
    assert sorted(m.to_address for m in outbox()) == sorted([first.email, second.email])
    message = outbox()[0]
    assert message.subject == "ISEF2: nominations close 31 Jan 2018 17:00 JST"
    assert "none has nobody nominated yet" in message.text_body


def test_a_deadline_reminder_is_never_sent_once_the_deadline_passed(programme, delegations):
    make_focal_point(delegations["none"])
    db.session.add(DeadlineReminder(forum_id=programme.forum.id, deadline=DeadlineKind.CREDENTIALS, minutes_before=DAY))
    db.session.flush()
    assert queue_due_reminders(CLOSES) == ReminderReport()
    assert queue_due_reminders(CLOSES - dt.timedelta(minutes=1)).deadline_reminders == 1
    (message,) = outbox()
    assert message.subject == "ISEF2: credentials letters are due 31 Jan 2018 17:00 JST"


def test_a_deadline_reminder_of_an_unset_deadline_waits(programme, delegations):
    make_focal_point(delegations["none"])
    programme.forum.credentials_due_at = None
    db.session.add(DeadlineReminder(forum_id=programme.forum.id, deadline=DeadlineKind.CREDENTIALS, minutes_before=DAY))
    db.session.flush()
    assert queue_due_reminders(CLOSES - dt.timedelta(hours=1)) == ReminderReport()


def test_a_focal_point_of_two_delegations_behind_is_reminded_for_each(programme, delegations):
    person = make_focal_point(delegations["none"])
    db.session.add_all(
        [
            DelegationFocalPoint(delegation_id=delegations["withdrawn"].id, user_id=person.id),
            DeadlineReminder(forum_id=programme.forum.id, deadline=DeadlineKind.NOMINATIONS, minutes_before=DAY),
        ]
    )
    db.session.flush()
    assert queue_due_reminders(CLOSES - dt.timedelta(hours=1)).deadline_reminders == 2
    assert {"none", "withdrawn"} == {m.text_body.split(", and ")[1].split(" has nobody")[0] for m in outbox()}


# The meeting by nomination -------------------------------------------------------------------


@pytest.fixture
def members(programme):
    """Japan's members of ISEF2, accredited or not; one accredited member has an account in Japanese."""
    japan = make_delegation(programme.forum, name="Japan")
    withdrawn = make_delegation(programme.forum, name="Gone", status=DelegationStatus.WITHDRAWN)
    built = {
        "accredited": make_person(name="Accredited"),
        "speaks_japanese": make_person(name="Hana"),
        "no_address": make_person(name="No address", email=None),
        "nominated": make_person(name="Nominated"),
        "declined": make_person(name="Declined"),
        "of_withdrawn": make_person(name="Of a withdrawn delegation"),
    }
    statuses = {"nominated": NominationStatus.NOMINATED, "declined": NominationStatus.DECLINED}
    for key, person in built.items():
        delegation = withdrawn if key == "of_withdrawn" else japan
        status = statuses.get(key, NominationStatus.ACCREDITED)
        db.session.add(DelegationMember(delegation=delegation, person=person, status=status))
    make_user(email=built["speaks_japanese"].email, language="ja")
    db.session.flush()
    return built


def test_a_meeting_by_nomination_reminds_its_accredited_members_with_an_address(programme, members):
    make_policy(programme.event, mode=RegistrationMode.NOMINATION)
    remind(programme.event, DAY, translations={"ja": {"details": "旅券をお持ちください。"}})
    assert queue_due_reminders(STARTS - dt.timedelta(hours=3)).event_reminders == 2
    messages = {m.to_address: m for m in outbox()}
    assert set(messages) == {members["accredited"].email, members["speaks_japanese"].email}
    assert "Hello Accredited," in messages[members["accredited"].email].text_body
    assert "旅券をお持ちください。" in messages[members["speaks_japanese"].email].text_body
    assert queue_due_reminders(STARTS - dt.timedelta(hours=2)) == ReminderReport()  # once each


def test_an_accredited_member_also_registered_gets_one_message(programme, members):
    make_policy(programme.event, mode=RegistrationMode.NOMINATION)
    db.session.add(
        Registration(
            event_id=programme.event.id,
            user_id=db.session.scalars(select(User).where(User.email == members["speaks_japanese"].email)).one().id,
            status=RegistrationStatus.CONFIRMED,
        )
    )
    remind(programme.event, DAY)
    queue_due_reminders(STARTS - dt.timedelta(hours=3))
    addresses = [m.to_address for m in outbox()]
    assert sorted(addresses) == sorted([members["accredited"].email, members["speaks_japanese"].email])


def test_an_event_open_to_applications_does_not_remind_accredited_members(programme, members):
    make_policy(programme.event, mode=RegistrationMode.OPEN)
    remind(programme.event, DAY)
    assert queue_due_reminders(STARTS - dt.timedelta(hours=3)) == ReminderReport()
