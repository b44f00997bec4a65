"""Events and deadlines that move, or deadlines cleared, after their reminders were queued: a
reminder still waiting with the old time is withdrawn, one sent with it goes again once with
the new time and says the time changed, and none goes twice for the same time."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from planner.db import utcnow
from planner.delegations.models import DelegationMember, NominationStatus
from planner.extensions import db
from planner.mail.models import OutboxMessage, OutboxStatus
from planner.registration.models import RegistrationMode
from planner.reminders.cli import summary
from planner.reminders.models import DeadlineKind, DeadlineReminder, ReminderSent
from planner.reminders.sending import ReminderReport, queue_due_reminders
from tests.factories import make_delegation, make_focal_point, make_person, make_policy
from tests.reminders.test_sending import (  # noqa: F401  (fixtures)
    CLOSES,
    DAY,
    STARTS,
    delegations,
    outbox,
    programme,
    register,
    remind,
)

CHANGED = "The start time has changed since our last reminder."
DEADLINE_CHANGED = "The deadline has changed since our last reminder."


def move(event, starts: dt.datetime) -> None:
    length = event.ends_at - event.starts_at
    event.starts_at, event.ends_at = starts, starts + length
    db.session.flush()


def delivered(message: OutboxMessage) -> None:
    message.status, message.sent_at = OutboxStatus.SENT, utcnow()
    db.session.flush()


def status_of(message: OutboxMessage) -> tuple[OutboxStatus, str]:
    db.session.expire(message)
    return message.status, message.last_error


# Before events -------------------------------------------------------------------------------


def test_a_reminder_waiting_when_its_event_moves_is_withdrawn_and_due_again_at_the_new_time(programme):  # noqa: F811
    person = register(programme.event)
    remind(programme.event, DAY)
    queue_due_reminders(STARTS - dt.timedelta(hours=3))  # the mail server is down: it waits
    (stale,) = outbox()
    later = STARTS + dt.timedelta(days=2)
    move(programme.event, later)

    assert queue_due_reminders(STARTS - dt.timedelta(hours=2)) == ReminderReport(outdated=1)
    status, reason = status_of(stale)
    assert status is OutboxStatus.FAILED and "start time changed" in reason
    assert queue_due_reminders(later - dt.timedelta(days=1, minutes=1)) == ReminderReport()
    assert queue_due_reminders(later - dt.timedelta(days=1)) == ReminderReport(event_reminders=1)
    fresh = outbox()[-1]
    assert fresh.to_address == person.email
    assert fresh.subject == "Reminder: Test event, 2 Mar 2018 09:00 JST"
    assert CHANGED not in fresh.text_body  # the old time never reached them
    assert queue_due_reminders(later - dt.timedelta(hours=1)) == ReminderReport()


def test_a_reminder_sent_before_its_event_moved_goes_again_once_with_the_new_time(programme):  # noqa: F811
    person = register(programme.event)
    remind(programme.event, DAY)
    queue_due_reminders(STARTS - dt.timedelta(hours=3))
    delivered(outbox()[0])
    earlier = STARTS - dt.timedelta(hours=1)
    move(programme.event, earlier)

    # Its new time (a day before 08:00) has passed, and the event is still ahead: at once.
    assert queue_due_reminders(STARTS - dt.timedelta(hours=2)) == ReminderReport(event_reminders=1)
    again = outbox()[-1]
    assert again.to_address == person.email
    assert again.subject == "Reminder, new time: Test event, 28 Feb 2018 08:00 JST"
    assert CHANGED in again.text_body and "starts on 28 Feb 2018 08:00 JST" in again.text_body
    assert queue_due_reminders(earlier - dt.timedelta(minutes=1)) == ReminderReport()  # once
    assert len(outbox()) == 2


def test_moved_later_the_reminder_goes_again_at_its_new_time_and_never_after_the_new_start(programme):  # noqa: F811
    register(programme.event)
    remind(programme.event, DAY)
    queue_due_reminders(STARTS - dt.timedelta(hours=3))
    delivered(outbox()[0])
    later = STARTS + dt.timedelta(days=7)
    move(programme.event, later)

    assert queue_due_reminders(STARTS) == ReminderReport()  # the old start: nothing is late
    assert queue_due_reminders(later - dt.timedelta(days=1, minutes=1)) == ReminderReport()
    newcomer = register(programme.event)
    assert queue_due_reminders(later - dt.timedelta(days=1)) == ReminderReport(event_reminders=2)
    bodies = {m.to_address: m.text_body for m in outbox()[1:]}
    assert CHANGED not in bodies[newcomer.email]  # they were never told the old time
    assert sum(CHANGED in body for body in bodies.values()) == 1
    register(programme.event)
    assert queue_due_reminders(later).event_reminders == 0  # the new start has come


def test_a_reminder_being_sent_when_its_event_moved_is_left_to_its_sender_and_followed(programme):  # noqa: F811
    register(programme.event)
    remind(programme.event, DAY)
    queue_due_reminders(STARTS - dt.timedelta(hours=3))
    (claimed,) = outbox()
    claimed.claimed_until = utcnow() + dt.timedelta(minutes=5)
    db.session.flush()
    move(programme.event, STARTS - dt.timedelta(hours=1))

    assert queue_due_reminders(STARTS - dt.timedelta(hours=2)) == ReminderReport(event_reminders=1)
    assert status_of(claimed)[0] is OutboxStatus.PENDING
    assert CHANGED in outbox()[-1].text_body  # it may well have gone with the old time


def test_accredited_members_of_a_meeting_by_nomination_get_the_new_time_too(programme):  # noqa: F811
    make_policy(programme.event, mode=RegistrationMode.NOMINATION)
    member = make_person(name="Accredited")
    db.session.add(
        DelegationMember(delegation=make_delegation(programme.forum), person=member, status=NominationStatus.ACCREDITED)
    )
    remind(programme.event, DAY)
    queue_due_reminders(STARTS - dt.timedelta(hours=3))
    delivered(outbox()[0])
    move(programme.event, STARTS - dt.timedelta(hours=1))

    assert queue_due_reminders(STARTS - dt.timedelta(hours=2)) == ReminderReport(event_reminders=1)
    assert queue_due_reminders(STARTS - dt.timedelta(hours=1, minutes=30)) == ReminderReport()
    assert [m.to_address for m in outbox()] == [member.email, member.email]
    assert CHANGED in outbox()[-1].text_body


def test_the_record_keeps_the_start_each_reminder_gave_and_the_page_counts_the_current_one(programme):  # noqa: F811
    from planner.reminders.services import reminders_of

    register(programme.event)
    remind(programme.event, DAY)
    queue_due_reminders(STARTS - dt.timedelta(hours=3))
    delivered(outbox()[0])
    assert [row.sent for row in reminders_of(programme.forum)] == [1]
    move(programme.event, STARTS - dt.timedelta(hours=1))
    assert [row.sent for row in reminders_of(programme.forum)] == [0]  # nobody has the new time yet
    queue_due_reminders(STARTS - dt.timedelta(hours=2))
    assert [row.sent for row in reminders_of(programme.forum)] == [1]
    starts = sorted(db.session.scalars(select(ReminderSent.event_starts_at)))
    assert starts == [STARTS - dt.timedelta(hours=1), STARTS]


# Before deadlines ----------------------------------------------------------------------------


@pytest.fixture
def focal_point(programme, delegations):  # noqa: F811
    user = make_focal_point(delegations["none"])
    for kind in DeadlineKind:
        db.session.add(DeadlineReminder(forum_id=programme.forum.id, deadline=kind, minutes_before=DAY))
    db.session.flush()
    return user


def test_a_deadline_reminder_waiting_when_its_deadline_moves_is_withdrawn_and_due_again(programme, focal_point):  # noqa: F811
    programme.forum.credentials_due_at = None
    queue_due_reminders(CLOSES - dt.timedelta(hours=3))
    (stale,) = outbox()
    later = CLOSES + dt.timedelta(days=2)
    programme.forum.nominations_close_at = later
    db.session.flush()

    assert queue_due_reminders(CLOSES - dt.timedelta(hours=2)) == ReminderReport(outdated=1)
    status, reason = status_of(stale)
    assert status is OutboxStatus.FAILED and "deadline changed" in reason
    assert queue_due_reminders(later - dt.timedelta(days=1)) == ReminderReport(deadline_reminders=1)
    fresh = outbox()[-1]
    assert fresh.to_address == focal_point.email
    assert fresh.subject == "ISEF2: nominations close 2 Feb 2018 17:00 JST"
    assert DEADLINE_CHANGED not in fresh.text_body
    assert queue_due_reminders(later - dt.timedelta(hours=1)) == ReminderReport()


def test_a_deadline_reminder_sent_before_its_deadline_moved_goes_again_once_saying_so(programme, focal_point):  # noqa: F811
    programme.forum.nominations_close_at = None
    queue_due_reminders(CLOSES - dt.timedelta(hours=3))
    delivered(outbox()[0])
    earlier = CLOSES - dt.timedelta(hours=1)
    programme.forum.credentials_due_at = earlier
    db.session.flush()

    assert queue_due_reminders(CLOSES - dt.timedelta(hours=2)) == ReminderReport(deadline_reminders=1)
    again = outbox()[-1]
    assert again.subject == "ISEF2: credentials letters are now due 31 Jan 2018 16:00 JST"
    assert DEADLINE_CHANGED in again.text_body and "due 31 Jan 2018 16:00 JST" in again.text_body
    assert queue_due_reminders(earlier - dt.timedelta(minutes=1)) == ReminderReport()
    assert len(outbox()) == 2


def test_a_deadline_reminder_waiting_when_its_deadline_is_cleared_is_withdrawn(programme, focal_point):  # noqa: F811
    queue_due_reminders(CLOSES - dt.timedelta(hours=3))
    waiting = {m.subject.split(": ")[1].split(" ")[0]: m for m in outbox()}
    programme.forum.credentials_due_at = None  # nominations still close at CLOSES
    db.session.flush()

    assert queue_due_reminders(CLOSES - dt.timedelta(hours=2)) == ReminderReport(outdated=1)
    assert status_of(waiting["nominations"])[0] is OutboxStatus.PENDING
    status, reason = status_of(waiting["credentials"])
    assert status is OutboxStatus.FAILED and "deadline was cleared" in reason
    # Set again, even to the same time, it is reminded of afresh: the withdrawn message reached nobody.
    programme.forum.credentials_due_at = CLOSES
    db.session.flush()
    assert queue_due_reminders(CLOSES - dt.timedelta(hours=1)) == ReminderReport(deadline_reminders=1)
    assert DEADLINE_CHANGED not in outbox()[-1].text_body


def test_the_round_says_what_it_withdrew_because_its_time_changed(app_context):
    assert summary(ReminderReport(outdated=2, withdrawn=1)) == (
        "Reminders queued: 0 before events, 0 before deadlines. Withdrawn, too late to send: 1. "
        "Withdrawn, their time had changed: 2."
    )
