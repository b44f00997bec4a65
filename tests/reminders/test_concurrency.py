"""Two senders at once (two ``send-mail --loop``, or one and a cron ``send-reminders``) queue
each reminder once per person: the second waits on the unique index, then finds it taken.
PostgreSQL only: SQLite lets one writer at a time in, so it never races."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from sqlalchemy import func, select

from planner.extensions import db
from planner.forums.models import Event, Forum
from planner.mail.models import OutboxMessage, OutboxStatus
from planner.reminders import cli, sending
from planner.reminders.models import DeadlineKind, DeadlineReminder, DeadlineReminderSent, ReminderSent
from tests.factories import committed, make_delegation, make_focal_point, make_programme
from tests.reminders.test_cli import STARTS, confirmed_for_a_reminder


@pytest.mark.commits
@pytest.mark.postgresql
def test_two_senders_at_once_queue_each_reminder_once_per_person(app, monkeypatch):
    addresses = confirmed_for_a_reminder(app, people=8)
    with committed(app):
        forum = db.session.scalars(select(Forum)).one()
        forum.nominations_close_at = STARTS - dt.timedelta(days=1)
        japan = make_delegation(forum, name="Japan")
        focal_points = [make_focal_point(japan).email for _ in range(2)]
        db.session.add(
            DeadlineReminder(forum_id=forum.id, deadline=DeadlineKind.NOMINATIONS, minutes_before=30 * 24 * 60)
        )
    app.config["CLOCK"] = lambda: STARTS - dt.timedelta(days=3)

    said = two_senders_at_once(app, monkeypatch)
    with app.app_context():
        sent_to = list(db.session.scalars(select(OutboxMessage.to_address)))
        recorded = db.session.scalar(select(func.count()).select_from(ReminderSent))
    assert sorted(sent_to) == sorted(addresses + focal_points)  # each exactly once
    assert recorded == len(addresses)
    assert len([s for s in said if s]) >= 1


def two_senders_at_once(app, monkeypatch=None) -> list[str | None]:
    """Two rounds at once, each on its own connection; with ``monkeypatch``, they find the same
    people to remind before an event before either claims one (a real race). What each said."""
    both_found = threading.Barrier(2, timeout=20)
    find_people = sending.event_recipients

    def find_people_in_step(reminder):
        found = find_people(reminder)
        both_found.wait()
        return found

    if monkeypatch is not None:
        monkeypatch.setattr(sending, "event_recipients", find_people_in_step)
    said: list[str | None] = []
    errors: list[BaseException] = []

    def sender() -> None:
        try:
            with app.app_context():
                said.append(cli.queue_reminders_round())
        except BaseException as error:  # re-raised below, in the test's thread
            errors.append(error)

    threads = [threading.Thread(target=sender) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    return said


@pytest.mark.commits
@pytest.mark.postgresql
def test_two_senders_at_once_after_a_move_send_the_new_time_once_per_person(app, monkeypatch):
    addresses = confirmed_for_a_reminder(app, people=8)
    app.config["CLOCK"] = lambda: STARTS - dt.timedelta(days=3)
    with app.app_context():
        cli.queue_reminders_round()
    with committed(app):
        for message in db.session.scalars(select(OutboxMessage)):
            message.status, message.sent_at = OutboxStatus.SENT, STARTS - dt.timedelta(days=3)
        event = db.session.scalars(select(Event)).one()
        event.starts_at, event.ends_at = STARTS - dt.timedelta(hours=1), event.ends_at - dt.timedelta(hours=1)

    two_senders_at_once(app, monkeypatch)
    with app.app_context():
        messages = db.session.execute(select(OutboxMessage.to_address, OutboxMessage.status, OutboxMessage.subject))
        by_address: dict[str, list[tuple[OutboxStatus, str]]] = {}
        for address, status, subject in messages:
            by_address.setdefault(address, []).append((status, subject))
        recorded = db.session.scalar(select(func.count()).select_from(ReminderSent))
    assert set(by_address) == set(addresses)
    for address in addresses:  # the old time, sent, then the new one, once
        assert sorted(status for status, _ in by_address[address]) == [OutboxStatus.PENDING, OutboxStatus.SENT]
        assert sum("new time" in subject for _, subject in by_address[address]) == 1
    assert recorded == 2 * len(addresses)


@pytest.mark.commits
@pytest.mark.postgresql
def test_two_senders_at_once_withdraw_a_moved_deadlines_reminder_and_queue_the_new_one_once(app):
    """The first sender's withdrawal holds the waiting messages until it commits; the second then
    finds them withdrawn and the new deadline's reminders queued."""
    with committed(app):
        forum = make_programme().forum
        forum.nominations_close_at = STARTS - dt.timedelta(days=1)
        japan = make_delegation(forum, name="Japan")
        focal_points = [make_focal_point(japan).email for _ in range(4)]
        db.session.add(
            DeadlineReminder(forum_id=forum.id, deadline=DeadlineKind.NOMINATIONS, minutes_before=30 * 24 * 60)
        )
    app.config["CLOCK"] = lambda: STARTS - dt.timedelta(days=3)
    with app.app_context():
        cli.queue_reminders_round()  # the mail server is down: they wait
    with committed(app):
        db.session.scalars(select(Forum)).one().nominations_close_at = STARTS - dt.timedelta(hours=12)

    said = two_senders_at_once(app)
    with app.app_context():
        rows = db.session.execute(select(OutboxMessage.to_address, OutboxMessage.status, OutboxMessage.subject)).all()
        recorded = db.session.scalar(select(func.count()).select_from(DeadlineReminderSent))
    for address in focal_points:  # the old deadline withdrawn, the new one queued, once
        assert sorted((status, subject) for to, status, subject in rows if to == address) == [
            (OutboxStatus.FAILED, "ISEF2: nominations close 27 Feb 2018 09:00 JST"),
            (OutboxStatus.PENDING, "ISEF2: nominations close 27 Feb 2018 21:00 JST"),
        ]
    assert recorded == len(focal_points)
    assert " ".join(s or "" for s in said).count("Withdrawn, their time had changed") >= 1
