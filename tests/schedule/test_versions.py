"""A forum's schedule version rises with every change to its programme, and only then."""

import pytest
from sqlalchemy import select

from planner.extensions import db
from planner.forums.models import Forum
from planner.schedule.models import ParticipantRole, SessionStatus
from tests.factories import add_participant, make_event, make_forum, make_person, make_room, make_session, tokyo


def version(forum_id: int) -> int:
    return db.session.scalar(select(Forum.schedule_version).where(Forum.id == forum_id))


@pytest.fixture
def setting(app_context):
    forum, other = make_forum(), make_forum()
    event = make_event(forum)
    room = make_room(forum, "Hall")
    session = make_session(event, tokyo("2018-03-03 09:00"), room=room)
    speaker = make_person(name="Kenji")
    add_participant(session, speaker, ParticipantRole.SPEAKER)
    db.session.commit()
    return {"forum": forum, "other": other, "event": event, "room": room, "session": session, "speaker": speaker}


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(lambda s: setattr(s["session"], "title", "Renamed"), id="session-title"),
        pytest.param(lambda s: setattr(s["session"], "ends_at", tokyo("2018-03-03 11:00")), id="session-moved"),
        pytest.param(lambda s: make_session(s["event"], tokyo("2018-03-03 12:00")), id="session-added"),
        pytest.param(lambda s: db.session.delete(s["session"]), id="session-deleted"),
        pytest.param(lambda s: setattr(s["room"], "name", "Main hall"), id="room-renamed"),
        pytest.param(lambda s: setattr(s["event"], "title", "New title"), id="event-changed"),
        pytest.param(lambda s: setattr(s["speaker"], "name", "Kenji Sato"), id="speaker-renamed"),
        pytest.param(lambda s: add_participant(s["session"], make_person(), ParticipantRole.CHAIR), id="chair-added"),
    ],
)
def test_programme_changes_raise_the_version_of_their_forum_only(setting, change):
    forum_id, other_id = setting["forum"].id, setting["other"].id
    before, other_before = version(forum_id), version(other_id)
    change(setting)
    db.session.commit()
    assert version(forum_id) == before + 1
    assert version(other_id) == other_before


def test_unrelated_changes_leave_the_version_alone(setting):
    before = version(setting["forum"].id)
    make_person(name="Not speaking anywhere")
    db.session.commit()
    assert version(setting["forum"].id) == before


def test_a_rolled_back_change_leaves_the_version_alone(setting):
    before = version(setting["forum"].id)
    setting["session"].title = "Never saved"
    db.session.flush()
    db.session.rollback()
    assert version(setting["forum"].id) == before


@pytest.mark.parametrize(
    "change, revised",
    [
        pytest.param(lambda s: setattr(s["session"], "title", "Renamed"), True, id="title"),
        pytest.param(lambda s: setattr(s["session"], "ends_at", tokyo("2018-03-03 11:00")), True, id="moved"),
        pytest.param(lambda s: setattr(s["session"], "room", None), True, id="room"),
        pytest.param(lambda s: setattr(s["session"], "status", SessionStatus.CANCELLED), True, id="cancelled"),
        pytest.param(lambda s: setattr(s["session"], "description", "More words"), False, id="description"),
        pytest.param(lambda s: setattr(s["session"], "title", s["session"].title), False, id="same-title"),
    ],
)
def test_a_session_revision_rises_when_what_calendars_show_changes(setting, change, revised):
    session = setting["session"]
    assert session.revision == 1
    change(setting)
    db.session.commit()
    assert session.revision == (2 if revised else 1)
