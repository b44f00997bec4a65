"""Sending an announcement: one outbox message per person, in their language, with replies to
the organiser, the record kept; refused with a reason, and nothing queued, when it cannot go."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from planner.accounts.models import User
from planner.announcements import services
from planner.announcements.audiences import Audience, summary
from planner.announcements.models import Announcement, AnnouncementRecipient, AudienceKind
from planner.announcements.services import new_form_key
from planner.audit.models import AuditEntry
from planner.extensions import db
from planner.forums.models import Forum
from planner.mail import services as mail_services
from planner.mail.models import OutboxMessage
from planner.mail.services import message_values
from planner.refusals import NotAllowed
from planner.registration.review import RegistrationFilter

EVERYONE = Audience(AudienceKind.REGISTRATIONS)


def send(world, audience=EVERYONE, actor="organiser", **texts):
    forum = db.session.get(Forum, world.forum_id)
    organiser = db.session.get(User, world.ids[actor])
    texts = {"subject": "Buses on Friday", "body": "The buses leave at **8:00**.", "form_key": new_form_key(), **texts}
    return services.send_announcement(organiser, forum, audience, **texts)


def outbox() -> dict[str, OutboxMessage]:
    return {m.to_address: m for m in db.session.scalars(select(OutboxMessage))}


@pytest.mark.parametrize("prompt_limit", [100, 0], ids=["small audience", "bulk insert"])
def test_one_message_per_person_in_their_language_with_replies_to_the_organiser(app, world, monkeypatch, prompt_limit):
    monkeypatch.setattr(services, "PROMPT_LIMIT", prompt_limit)
    with app.test_request_context():
        announcement = send(world, translations={"ja": {"subject": "金曜日のバス", "body": "バスは**8時**に出ます。"}})
        db.session.flush()
        queued = outbox()
        assert set(queued) == {"ada@example.org", "ben@example.org", "eve@example.org", "gus@example.org"}
        assert {a: (m.language, m.subject) for a, m in queued.items()} == {
            "ada@example.org": ("en", "Buses on Friday"),
            "ben@example.org": ("ja", "金曜日のバス"),
            "eve@example.org": ("ja", "金曜日のバス"),
            "gus@example.org": ("en", "Buses on Friday"),
        }
        for message in queued.values():
            assert message.announcement_id == announcement.id and message.forum_id == world.forum_id
            assert message.reply_to == "org@example.org"
            # Rendered by the sender, not in the request.
            assert (message.template, message.text_body, message.html_body) == ("announcement", "", None)
        assert announcement.recipient_count == 4 and announcement.sender_name == "Aiko Organiser"
        assert announcement.audience == {"audience": "registrations"}
        assert announcement.audience_summary == "Registrations: every event, every status still active"
        kept = db.session.scalars(select(AnnouncementRecipient).order_by(AnnouncementRecipient.name)).all()
        assert [(r.name, r.user_id) for r in kept] == [
            ("Ada", world.ids["ada"]),
            ("Ben", world.ids["ben"]),
            ("Eve", world.ids["eve"]),
            ("Gus", world.ids["gus"]),
        ]
        # A small audience is also tried right after the commit, as all mail; a large one waits for the worker.
        prompted = db.session.info.get(mail_services._QUEUED, [])
        assert sorted(prompted) == (sorted(m.id for m in queued.values()) if prompt_limit else [])
        entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "announcement.sent")).one()
        assert entry.summary == "Buses on Friday, to 4 people" and entry.forum_id == world.forum_id


def test_a_language_without_its_own_text_gets_the_first_languages(app, world):
    with app.test_request_context():
        send(world)
        db.session.flush()
        assert {m.subject for m in outbox().values()} == {"Buses on Friday"}


def test_the_audience_is_described_in_words(app_context, world):
    forum = db.session.get(Forum, world.forum_id)
    filters = RegistrationFilter(event_code="SIDE", country_code="JP", delegation_id=world.ids["japan"])
    assert (
        summary(forum, Audience(AudienceKind.REGISTRATIONS, filters))
        == "Registrations: event SIDE, every status still active, delegation Japan, country JP"
    )
    both = Audience(AudienceKind.DELEGATIONS, delegation_ids=(world.ids["japan"], world.ids["esa"]))
    assert summary(forum, both) == "The accredited members of: ESA, Japan"
    assert summary(forum, Audience(AudienceKind.SESSIONS, session_ids=(world.ids["opening"],))) == (
        "The people who picked: Opening"
    )


def nothing_queued() -> bool:
    return (
        db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 0
        and db.session.scalar(select(func.count()).select_from(Announcement)) == 0
        and db.session.scalar(select(func.count()).select_from(AnnouncementRecipient)) == 0
    )


@pytest.mark.parametrize(
    ("texts", "field", "message"),
    [
        ({"subject": "  "}, "subject", "Give the announcement a subject."),
        ({"subject": "Two\nlines"}, "subject", "Keep the subject to one line of 200 characters."),
        ({"subject": "x" * 201}, "subject", "Keep the subject to one line of 200 characters."),
        ({"body": " \n "}, "body", "Write the announcement's text."),
        ({"body": "x" * 20_001}, "body", "Keep the text to 20000 characters."),
        ({"translations": {"ja": {"subject": "件名だけ"}}}, "body_ja", "Write the announcement's text."),
        ({"translations": {"ja": {"body": "本文だけ"}}}, "subject_ja", "Give the announcement a subject."),
    ],
)
def test_bad_text_is_refused_and_nothing_queued(app, world, texts, field, message):
    with app.test_request_context():
        with pytest.raises(services.AnnouncementRefused) as refusal:
            send(world, **texts)
        assert (str(refusal.value), refusal.value.field) == (message, field)
        assert nothing_queued()


def test_an_empty_audience_is_refused_and_nothing_queued(app, world):
    with app.test_request_context():
        with pytest.raises(services.AnnouncementRefused, match="Nobody is in this audience"):
            send(
                world,
                Audience(
                    AudienceKind.REGISTRATIONS, RegistrationFilter(event_code="SIDE", status=None, country_code="FR")
                ),
            )
        assert nothing_queued()


@pytest.mark.parametrize("actor", ["ada", "fumi"])
def test_only_the_forums_organisers_send(app, world, actor):
    with app.test_request_context():
        with pytest.raises(NotAllowed):
            send(world, actor=actor)
        with pytest.raises(NotAllowed):
            services.preview(db.session.get(User, world.ids[actor]), db.session.get(Forum, world.forum_id), EVERYONE)
        assert nothing_queued()


def test_the_outbox_holds_one_message_per_announcement_and_address(app, world):
    """Queued twice by mistake, the second copy is refused by the database itself."""
    with app.test_request_context():
        announcement = send(world)
        db.session.flush()
        values = message_values("ada@example.org", "announcement", subject="Again", render_later=True)
        with pytest.raises(IntegrityError), db.session.begin_nested():
            db.session.add(OutboxMessage(**values, announcement_id=announcement.id))
            db.session.flush()


def test_the_preview_counts_and_names_the_first(app, world):
    with app.test_request_context():
        forum = db.session.get(Forum, world.forum_id)
        shown = services.preview(db.session.get(User, world.ids["organiser"]), forum, EVERYONE)
        assert shown.count == 4 and [r.name for r in shown.first] == ["Ada", "Ben", "Eve", "Gus"]


def test_a_person_sees_what_was_sent_to_their_account_or_address(app, world):
    with app.test_request_context():
        first = send(world, subject="To registrants")
        members = send(
            world, Audience(AudienceKind.DELEGATIONS, delegation_ids=(world.ids["japan"],)), subject="To Japan"
        )
        db.session.flush()
        kei, ada, olga = (db.session.get(User, world.ids[n]) for n in ("kei", "ada", "olga"))
        assert services.sent_to(ada) == [first]
        assert services.sent_to(kei) == [members]
        assert services.sent_to(olga) == []


def test_a_form_sent_from_already_queues_nothing_more(app, world):
    with app.test_request_context():
        first = send(world, form_key="one-form")
        db.session.flush()
        with pytest.raises(services.AlreadySent) as again:
            send(world, form_key="one-form", subject="Changed my mind")
        assert again.value.announcement == first
        assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 4
