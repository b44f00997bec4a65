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
        people = {name: make_user(email=f"{name}@example.org", name=name.title()) for name in
                  ("picked", "pending", "elsewhere", "unpicked")}
        for name, status, picks in (("picked", RegistrationStatus.CONFIRMED, session),
                                    ("pending", RegistrationStatus.PENDING, session),
                                    ("elsewhere", RegistrationStatus.CONFIRMED, other),
                                    ("unpicked", RegistrationStatus.CONFIRMED, None)):
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
