"""Who is told about a changed session, and what the message says."""

from planner.extensions import db
from planner.registration.models import AgendaItem, Registration, RegistrationStatus
from planner.schedule.notifications import announce_session_change
from planner.schedule.versions import changed_attributes
from tests.factories import make_event, make_forum, make_room, make_session, make_user, tokyo


def test_only_confirmed_delegates_who_picked_the_session_are_told(app):
    with app.app_context():
        forum = make_forum(name="ISEF2")
        event = make_event(forum, "Y-ISEF")
        session = make_session(event, tokyo("2018-03-03 11:00"), 60, title="Panel", room=make_room(forum, "Annex"))
        other = make_session(event, tokyo("2018-03-03 13:00"), 60)
        people = {
            name: make_user(email=f"{name}@example.org", name=name.title())
            for name in ("picked", "pending", "elsewhere", "unpicked")
        }
        for name, status, picks in (
            ("picked", RegistrationStatus.CONFIRMED, session),
            ("pending", RegistrationStatus.PENDING, session),
            ("elsewhere", RegistrationStatus.CONFIRMED, other),
            ("unpicked", RegistrationStatus.CONFIRMED, None),
        ):
            db.session.add(Registration(event_id=event.id, user_id=people[name].id, status=status))
            if picks is not None:
                db.session.add(AgendaItem(user_id=people[name].id, session_id=picks.id))
        db.session.flush()

        session.title = "Space law panel"
        changes = changed_attributes(session)
        db.session.flush()  # as the services do: the revision rises in the flush
        messages = announce_session_change(session, changes)

        assert [m.to_address for m in messages] == ["picked@example.org"]
        assert messages[0].subject == "Changed: Space law panel (ISEF2)"
        assert "Renamed from “Panel” to “Space law panel”." in messages[0].text_body
        assert "Hello Picked," in messages[0].text_body
        # Outside a request (as from the CLI import) the update still goes, without a URL.
        assert messages[0].attachment_content_type == "text/calendar; method=REQUEST"
        assert f"UID:session-{session.id}@" in messages[0].attachment_body
        assert "SEQUENCE:2\r\n" in messages[0].attachment_body
        assert "\r\nURL:" not in messages[0].attachment_body
        assert announce_session_change(session, {}) == []


def test_each_delegate_is_told_in_their_own_language(app, monkeypatch):
    """Not in the organiser's, whose request makes the change: subject, what changed and
    the body are all written with the delegate's language current."""
    from flask_babel import get_locale

    from planner.schedule import notifications

    with app.test_request_context(headers={"Accept-Language": "fr"}):
        forum = make_forum(name="ISEF2")
        event = make_event(forum, "Y-ISEF")
        session = make_session(event, tokyo("2018-03-03 11:00"), 60, title="Panel")
        for name, language in (("hana", "ja"), ("ana", "es"), ("ken", "ja")):
            user = make_user(email=f"{name}@example.org", language=language)
            db.session.add(Registration(event_id=event.id, user_id=user.id, status=RegistrationStatus.CONFIRMED))
            db.session.add(AgendaItem(user_id=user.id, session_id=session.id))
        db.session.flush()
        written_in, worded_in = [], []
        real_queue, real_describe = notifications.queue_email, notifications.describe_changes
        monkeypatch.setattr(
            notifications,
            "queue_email",
            lambda *a, **k: (written_in.append((a[0], str(get_locale()))), real_queue(*a, **k))[1],
        )
        monkeypatch.setattr(
            notifications, "describe_changes", lambda *a: (worded_in.append(str(get_locale())), real_describe(*a))[1]
        )

        session.title = "Space law panel"
        changes = changed_attributes(session)
        db.session.flush()
        announce_session_change(session, changes)

    assert sorted(written_in) == [("ana@example.org", "es"), ("hana@example.org", "ja"), ("ken@example.org", "ja")]
    assert sorted(worded_in) == ["es", "ja"]  # once per language
