"""Found in a hostile review: reminders queued that could never be sent, and deadlines saved
at a time other than the one typed."""

from __future__ import annotations

import datetime as dt

from planner.mail.smtp import build_mime
from planner.reminders.sending import queue_due_reminders
from tests.reminders.test_sending import DAY, STARTS, outbox, programme, register, remind  # noqa: F401


def test_an_event_title_pasted_with_a_line_separator_still_makes_a_reminder_that_can_be_sent(programme):  # noqa: F811
    # An organiser pasted the title from a document: U+2028 passes the forms (it is printable).
    programme.event.title = "Young\u2028ISEF"
    register(programme.event)
    remind(programme.event, DAY)
    queue_due_reminders(STARTS - dt.timedelta(hours=3))
    (message,) = outbox()
    assert message.subject == "Reminder: Young ISEF, 28 Feb 2018 09:00 JST"
    assert build_mime(message, "planner <noreply@localhost>")["Subject"] == message.subject
