"""Found in a hostile review: reminders queued that could never be sent, and deadlines saved
at a time other than the one typed."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from planner.extensions import db
from planner.forums.models import Forum
from planner.mail.smtp import build_mime
from planner.reminders.sending import queue_due_reminders
from tests.conftest import sign_in
from tests.factories import committed, make_isef2, make_programme
from tests.reminders.test_sending import DAY, STARTS, outbox, programme, register, remind  # noqa: F401
from tests.reminders.test_views import PAGE, TODAY


def test_an_event_title_pasted_with_a_line_separator_still_makes_a_reminder_that_can_be_sent(programme):  # noqa: F811
    # An organiser pasted the title from a document: U+2028 passes the forms (it is printable).
    programme.event.title = "Young\u2028ISEF"
    register(programme.event)
    remind(programme.event, DAY)
    queue_due_reminders(STARTS - dt.timedelta(hours=3))
    (message,) = outbox()
    assert message.subject == "Reminder: Young ISEF, 28 Feb 2018 09:00 JST"
    assert build_mime(message, "planner <noreply@localhost>")["Subject"] == message.subject


@pytest.fixture
def paris(app):
    app.config["CLOCK"] = lambda: TODAY
    with committed(app):
        return make_programme(forum=make_isef2(timezone="Europe/Paris"))


def deadlines(app) -> tuple[dt.datetime | None, dt.datetime | None]:
    with app.app_context():
        forum = db.session.scalars(select(Forum).where(Forum.slug == "isef2")).one()
        return forum.nominations_close_at, forum.credentials_due_at


@pytest.mark.parametrize("field", ["nominations_close_at", "credentials_due_at"])
def test_a_deadline_at_a_time_the_clocks_skip_is_refused_not_moved(app, client, paris, field):
    sign_in(client, paris.organiser)
    # In Paris the clocks went from 02:00 to 03:00 on 25 March 2018: 02:30 never happened.
    response = client.post(f"{PAGE}/deadlines", data={f"deadlines-{field}": "2018-03-25T02:30"})
    assert response.status_code == 422
    assert (
        "The clocks go forward at 02:00 on 2018-03-25 in Europe/Paris: 02:30 does not exist that day. "
        "Enter a time before 02:00 or from 03:00."
    ) in response.get_data(as_text=True)
    assert deadlines(app) == (None, None)


def test_a_deadline_on_the_night_the_clocks_change_is_kept_as_typed(app, client, paris):
    sign_in(client, paris.organiser)
    response = client.post(f"{PAGE}/deadlines", data={"deadlines-nominations_close_at": "2018-03-25T03:30"})
    assert response.status_code == 302
    assert deadlines(app)[0] == dt.datetime(2018, 3, 25, 1, 30, tzinfo=dt.UTC)  # 03:30 CEST
