"""Two senders at once (two ``send-mail --loop``, or one and a cron ``send-reminders``) queue
each reminder once per person: the second waits on the unique index, then finds it taken.
PostgreSQL only: SQLite lets one writer at a time in, so it never races."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from sqlalchemy import func, select

from planner.extensions import db
from planner.forums.models import Forum
from planner.mail.models import OutboxMessage
from planner.reminders import cli, sending
from planner.reminders.models import DeadlineKind, DeadlineReminder, ReminderSent
from tests.factories import committed, make_delegation, make_focal_point
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

    # Both senders find the same people before either claims one: a real race.
    both_found = threading.Barrier(2, timeout=20)
    find_people = sending.event_recipients

    def find_people_in_step(reminder):
        found = find_people(reminder)
        both_found.wait()
        return found

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
    with app.app_context():
        sent_to = list(db.session.scalars(select(OutboxMessage.to_address)))
        recorded = db.session.scalar(select(func.count()).select_from(ReminderSent))
    assert sorted(sent_to) == sorted(addresses + focal_points)  # each exactly once
    assert recorded == len(addresses)
    assert len([s for s in said if s]) >= 1
