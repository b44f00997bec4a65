"""Announcements through the outbox to a real SMTP server: rendered by the sender in each
person's language, with a working Reply-To, and each person's message sent exactly once, with
two senders at once or after a sender is killed in the middle of a batch."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from sqlalchemy import delete, select

from planner.accounts.models import User
from planner.announcements import services
from planner.announcements.audiences import Audience
from planner.announcements.models import Announcement, AudienceKind
from planner.db import utcnow
from planner.extensions import db
from planner.forums.models import Forum
from planner.mail import services as mail
from planner.mail.models import OutboxMessage, OutboxStatus
from planner.mail.services import deliver_due

TEXTS = {
    "subject": "Buses on Friday",
    "body": "The buses leave at **8:00**.\n\n<script>alert(1)</script> [map](javascript:alert(1))",
    "translations": {"ja": {"subject": "金曜日のバス", "body": "バスは**8時**に出ます。"}},
}


def queue(app, world, audience=None, prompt_limit: int | None = None, monkeypatch=None) -> int:
    """Send the announcement (committed); its id."""
    if prompt_limit is not None:
        monkeypatch.setattr(services, "PROMPT_LIMIT", prompt_limit)
    with app.test_request_context():
        forum = db.session.get(Forum, world.forum_id)
        organiser = db.session.get(User, world.ids["organiser"])
        announcement = services.send_announcement(
            organiser,
            forum,
            audience or Audience(AudienceKind.REGISTRATIONS),
            form_key=services.new_form_key(),
            **TEXTS,
        )
        db.session.commit()
        return announcement.id


def by_recipient(smtp_server) -> dict[str, list]:
    found: dict[str, list] = {}
    for received in smtp_server.received:
        found.setdefault(received.message["To"], []).append(received.message)
    return found


@pytest.mark.commits
def test_each_person_gets_it_in_their_language_with_replies_to_the_organiser(mail_app, smtp_server, world):
    queue(mail_app, world)
    with mail_app.app_context():
        assert deliver_due().sent == 4
    got = by_recipient(smtp_server)
    assert sorted(got) == ["ada@example.org", "ben@example.org", "eve@example.org", "gus@example.org"]
    [ada], [ben] = got["ada@example.org"], got["ben@example.org"]
    assert ada["Subject"] == "Buses on Friday" and ben["Subject"] == "金曜日のバス"
    assert ada["Reply-To"] == ben["Reply-To"] == "org@example.org"
    text = ada.get_body(preferencelist=("plain",)).get_content()
    assert "Hello Ada," in text and "The buses leave at **8:00**." in text
    assert "Replies go to org@example.org" in text and "Please do not reply" not in text
    html = ada.get_body(preferencelist=("html",)).get_content()
    assert "<strong>8:00</strong>" in html
    # Sanitised as statements are: raw HTML shown as text, no javascript: link.
    assert "<script>" not in html and "&lt;script&gt;" in html and 'href="javascript:' not in html
    assert "バスは<strong>8時</strong>に出ます。" in ben.get_body(preferencelist=("html",)).get_content()


@pytest.mark.commits
def test_the_delivered_count_comes_from_the_outbox(mail_app, smtp_server, world):
    announcement_id = queue(mail_app, world)
    smtp_server.handler.refuse.add("gus@example.org")
    with mail_app.app_context():
        assert services.deliveries([announcement_id])[announcement_id] == services.Delivery(pending=4)
        deliver_due()
        db.session.commit()  # a new snapshot: the sender committed on its own session
        assert services.deliveries([announcement_id])[announcement_id] == services.Delivery(sent=3, failed=1)


@pytest.mark.commits
def test_two_senders_at_once_send_each_person_one_message(mail_app, smtp_server, world, monkeypatch):
    smtp_server.handler.delay = 0.01
    queue(mail_app, world, prompt_limit=0, monkeypatch=monkeypatch)
    both_selected = threading.Barrier(2, timeout=10)
    due_ids = mail._due_ids

    def due_ids_in_step(now: dt.datetime, limit: int) -> list[int]:
        found = due_ids(now, limit)
        both_selected.wait()  # both pick the same messages before either claims one
        return found

    monkeypatch.setattr(mail, "_due_ids", due_ids_in_step)
    reports, errors = [], []

    def sender() -> None:
        try:
            with mail_app.app_context():
                reports.append(deliver_due())
        except BaseException as error:  # re-raised below, in the test's thread
            errors.append(error)

    threads = [threading.Thread(target=sender) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    assert sum(r.sent for r in reports) == 4 and sum(r.skipped for r in reports) == 4
    assert {to: len(messages) for to, messages in by_recipient(smtp_server).items()} == dict.fromkeys(
        ["ada@example.org", "ben@example.org", "eve@example.org", "gus@example.org"], 1
    )


class Killed(BaseException):
    """The sender's process ends here (SIGKILL): nothing after this line runs."""


@pytest.mark.commits
def test_a_sender_killed_mid_batch_leaves_the_rest_to_the_next_once_its_lease_ends(
    mail_app, smtp_server, world, monkeypatch
):
    queue(mail_app, world, prompt_limit=0, monkeypatch=monkeypatch)
    sent_before_dying = 2
    real_build = mail.build_mime

    def build_then_die(message, sender, rendered=None):
        if len(smtp_server.received) == sent_before_dying:
            raise Killed  # after claiming the third message, before sending it
        return real_build(message, sender, rendered)

    monkeypatch.setattr(mail, "build_mime", build_then_die)
    with mail_app.app_context(), pytest.raises(Killed):
        deliver_due()
    monkeypatch.setattr(mail, "build_mime", real_build)
    assert len(smtp_server.received) == sent_before_dying
    with mail_app.app_context():
        # The next sender, right away: the dead one's claim still holds its message.
        assert deliver_due().sent == 1
        # Once the lease has run out, the claimed message goes too, and nothing twice.
        assert deliver_due(now=utcnow() + dt.timedelta(minutes=6)).sent == 1
        assert deliver_due(now=utcnow() + dt.timedelta(hours=1)).sent == 0
        db.session.commit()
        statuses = set(db.session.scalars(select(OutboxMessage.status)))
    assert statuses == {OutboxStatus.SENT}
    assert {to: len(messages) for to, messages in by_recipient(smtp_server).items()} == dict.fromkeys(
        ["ada@example.org", "ben@example.org", "eve@example.org", "gus@example.org"], 1
    )


@pytest.mark.commits
def test_mail_of_an_announcement_deleted_before_it_went_is_not_sent(mail_app, smtp_server, world):
    announcement_id = queue(mail_app, world, Audience(AudienceKind.FOCAL_POINTS))
    with mail_app.app_context():
        db.session.execute(delete(Announcement).where(Announcement.id == announcement_id))
        db.session.commit()
        report = deliver_due()
        assert (report.sent, report.retrying) == (0, 1)
        db.session.commit()
        [message] = db.session.scalars(select(OutboxMessage)).all()
        assert message.announcement_id is None and "AnnouncementGone" in message.last_error
    assert smtp_server.received == []
