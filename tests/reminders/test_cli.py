"""``flask send-reminders`` and the rounds of ``flask send-mail``: reminders at the time the
test's clock says, sent once, also when a sender is killed in the middle of a batch."""

from __future__ import annotations

import datetime as dt
import signal
import subprocess
import sys
import textwrap

import pytest
from sqlalchemy import func, select

from planner import PROJECT_ROOT
from planner.extensions import db
from planner.mail import cli as mail_cli
from planner.mail.cli import send_mail_command
from planner.mail.models import OutboxMessage
from planner.mail.services import queue_email
from planner.registration.models import Registration, RegistrationStatus
from planner.reminders import cli as reminders_cli
from planner.reminders.cli import send_reminders_command
from planner.reminders.models import Reminder, ReminderSent
from tests.factories import committed, make_programme, make_user, tokyo

STARTS = tokyo("2018-02-28 09:00")
WEEK_BEFORE = STARTS - dt.timedelta(days=7)


def confirmed_for_a_reminder(app, people: int = 2) -> list[str]:
    """ISEF2's Y-ISEF with ``people`` confirmed and a reminder a week before; their addresses."""
    with committed(app):
        programme = make_programme()
        users = [make_user() for _ in range(people)]
        db.session.add_all(
            Registration(event_id=programme.event.id, user_id=u.id, status=RegistrationStatus.CONFIRMED) for u in users
        )
        db.session.add(
            Reminder(event_id=programme.event.id, minutes_before=7 * 24 * 60, details="Bring your passport.")
        )
    return [u.email for u in users]


def counts(app) -> tuple[int, int]:
    """(reminders recorded as sent, messages in the outbox), as committed."""
    with app.app_context():
        return (
            db.session.scalar(select(func.count()).select_from(ReminderSent)),
            db.session.scalar(select(func.count()).select_from(OutboxMessage)),
        )


@pytest.mark.commits
def test_send_reminders_queues_at_the_clocks_time_and_only_once(app):
    confirmed_for_a_reminder(app)
    runner = app.test_cli_runner()
    app.config["CLOCK"] = lambda: WEEK_BEFORE - dt.timedelta(minutes=1)
    result = runner.invoke(send_reminders_command)
    assert result.output == "Reminders queued: 0 before events, 0 before deadlines.\n"
    assert counts(app) == (0, 0)

    app.config["CLOCK"] = lambda: WEEK_BEFORE
    result = runner.invoke(send_reminders_command)
    assert result.exit_code == 0, result.output
    assert result.output == "Reminders queued: 2 before events, 0 before deadlines.\n"
    assert runner.invoke(send_reminders_command).output == "Reminders queued: 0 before events, 0 before deadlines.\n"
    assert counts(app) == (2, 2)


@pytest.mark.commits
def test_each_round_of_the_mail_loop_queues_due_reminders_then_sends_them(mail_app, smtp_server, monkeypatch):
    addresses = confirmed_for_a_reminder(mail_app)
    mail_app.config["CLOCK"] = lambda: STARTS - dt.timedelta(days=2)  # late: nothing ran for 5 days
    rounds = []
    deliver_due = mail_cli.deliver_due

    def deliver_then_terminate(**kwargs):
        rounds.append(kwargs)
        if len(rounds) == 2:
            signal.raise_signal(signal.SIGTERM)
        return deliver_due(**kwargs)

    monkeypatch.setattr(mail_cli, "deliver_due", deliver_then_terminate)
    result = mail_app.test_cli_runner().invoke(send_mail_command, ["--loop", "--interval", "0.1"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "Reminders queued: 2 before events, 0 before deadlines.",
        "Sent 2, retrying 0, failed 0, skipped 0.",
        "Stopped sending mail.",
    ]
    assert sorted(r.rcpt_tos[0] for r in smtp_server.received) == sorted(addresses)
    assert all("Bring your passport." in r.message.get_body().get_content() for r in smtp_server.received)


@pytest.mark.commits
def test_a_sender_killed_mid_batch_leaves_nothing_half_done_and_the_next_round_sends_each_once(app):
    addresses = confirmed_for_a_reminder(app, people=3)
    # A sender in a process of its own, on the same database, stalled after its second message.
    script = textwrap.dedent(
        """
        import datetime as dt, sys, time
        from planner import create_app
        from planner.reminders import cli, sending
        from tests.conftest import TEST_CONFIG

        moment = dt.datetime.fromisoformat(sys.argv[2])
        app = create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": sys.argv[1], "CLOCK": lambda: moment})
        queue, queued = sending.queue_email, []

        def queue_then_stall(*args, **kwargs):
            message = queue(*args, **kwargs)
            queued.append(message)
            print("queued", flush=True)
            if len(queued) == 2:
                time.sleep(120)  # killed here, before the round's commit
            return message

        sending.queue_email = queue_then_stall
        with app.app_context():
            cli.queue_reminders_round()
        """
    )
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    sender = subprocess.Popen(
        [sys.executable, "-c", script, url, WEEK_BEFORE.isoformat()],
        cwd=PROJECT_ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert sender.stdout is not None
        assert [sender.stdout.readline() for _ in range(2)] == ["queued\n", "queued\n"]
    finally:
        sender.send_signal(signal.SIGKILL)
        sender.wait(timeout=30)
        sender.stdout.close()
    assert sender.returncode == -signal.SIGKILL
    assert counts(app) == (0, 0)  # neither the records nor their messages were kept

    app.config["CLOCK"] = lambda: WEEK_BEFORE + dt.timedelta(minutes=10)
    runner = app.test_cli_runner()
    assert runner.invoke(send_reminders_command).output.startswith("Reminders queued: 3 before events")
    assert runner.invoke(send_reminders_command).output.startswith("Reminders queued: 0 before events")
    with app.app_context():
        sent_to = list(db.session.scalars(select(OutboxMessage.to_address)))
    assert sorted(sent_to) == sorted(addresses)


@pytest.mark.commits
def test_without_a_clock_hook_the_real_time_decides(app):
    confirmed_for_a_reminder(app)  # ISEF2 was in 2018: its reminder's time has come and gone
    app.config.pop("CLOCK", None)
    assert app.test_cli_runner().invoke(send_reminders_command).output.startswith("Reminders queued: 0 before")


@pytest.mark.commits
def test_send_reminders_says_what_it_withdrew_too_late(app):
    confirmed_for_a_reminder(app)
    app.config["CLOCK"] = lambda: STARTS - dt.timedelta(minutes=1)
    runner = app.test_cli_runner()
    assert runner.invoke(send_reminders_command).output.startswith("Reminders queued: 2 before events")
    app.config["CLOCK"] = lambda: STARTS  # nobody sent them: the mail server was down
    assert runner.invoke(send_reminders_command).output == (
        "Reminders queued: 0 before events, 0 before deadlines. Withdrawn, too late to send: 2.\n"
    )


@pytest.mark.commits
def test_one_run_of_send_mail_queues_the_due_reminders_and_sends_them(mail_app, smtp_server):
    addresses = confirmed_for_a_reminder(mail_app)
    mail_app.config["CLOCK"] = lambda: WEEK_BEFORE
    result = mail_app.test_cli_runner().invoke(send_mail_command)
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "Reminders queued: 2 before events, 0 before deadlines.",
        "Sent 2, retrying 0, failed 0, skipped 0.",
    ]
    assert sorted(r.rcpt_tos[0] for r in smtp_server.received) == sorted(addresses)


@pytest.mark.commits
def test_a_failing_reminder_round_does_not_stop_the_mail(mail_app, smtp_server, monkeypatch):
    with mail_app.app_context():
        queue_email("a@example.org", "plain_only", subject="1", note="x")
        db.session.commit()

    def broken(now):
        raise RuntimeError("a template is missing")

    monkeypatch.setattr(reminders_cli, "queue_due_reminders", broken)
    result = mail_app.test_cli_runner().invoke(send_mail_command)
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "Queueing reminders failed, trying again next round: a template is missing",
        "Sent 1, retrying 0, failed 0, skipped 0.",
    ]
    assert len(smtp_server.received) == 1
    # The command of its own says so plainly: cron sees the failure.
    assert mail_app.test_cli_runner().invoke(send_reminders_command).exit_code != 0
