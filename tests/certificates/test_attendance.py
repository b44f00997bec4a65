"""The organisers' list of who attended an event: check-ins at the event's doors, marks by hand,
and every bad mark refused with a reason and nothing written."""

from __future__ import annotations

import datetime as dt
import html
import re

import pytest
from sqlalchemy import func, select

from planner.audit.models import AuditEntry
from planner.badges import issuing
from planner.certificates import attendance
from planner.certificates.models import AttendanceMark
from planner.extensions import db
from planner.forums.models import ForumStatus
from planner.registration.models import Registration
from tests.badges.helpers import DURING, accredited_member
from tests.certificates.helpers import ATTENDANCE, check_in
from tests.conftest import sign_in
from tests.factories import committed, current, make_forum, make_organiser


def row(page: str, key: str) -> list[str]:
    found = re.search(rf'<tr id="{re.escape(key)}">(.*?)</tr>', page, re.S)
    assert found, f"no row {key}"
    cells = re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", found.group(1), re.S)
    return [html.unescape(re.sub(r"<[^>]+>|\s+", " ", cell)).strip() for cell in cells]


def marks(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(AttendanceMark))


@pytest.fixture
def organiser_client(app, scene):
    client = app.test_client()
    sign_in(client, scene.organiser)
    return client


def key_of_member(badge) -> str:
    return f"person-{badge.person_id}"


def test_the_list_shows_each_participant_and_their_first_check_in_at_the_events_doors(app, scene, organiser_client):
    with committed(app):
        check_in(scene.delegate, scene.plenary, DURING + dt.timedelta(minutes=5))
        check_in(scene.delegate, scene.side_room, DURING)  # another event's door
        check_in(scene.other_delegate, scene.press_centre, DURING, event=scene.ministerial)  # the scanner named MIN
    page = organiser_client.get(ATTENDANCE.format(code="MIN")).get_data(as_text=True)
    aiko = row(page, key_of_member(scene.delegate))
    assert aiko[0] == "Aiko Tanaka"
    assert aiko[1] == "3 Mar 2018 10:05 JST"  # the plenary hall (MIN's door), not the side room
    assert row(page, key_of_member(scene.other_delegate))[1] == "3 Mar 2018 10:00 JST"
    assert "Kenji Sato" not in page  # Y-ISEF's participant is not MIN's
    assert "2 people attended." in page
    side = organiser_client.get(ATTENDANCE.format(code="Y-ISEF")).get_data(as_text=True)
    with app.app_context():
        kenji = db.session.get_one(Registration, scene.participant.registration_id).user_id
    assert row(side, f"user-{kenji}")[:2] == ["Kenji Sato", "—"]
    assert "0 people attended." in side


def test_an_organiser_marks_someone_present_and_takes_it_back(app, scene, organiser_client):
    key = f"user-{scene.student.id}"
    answer = organiser_client.post(ATTENDANCE.format(code="S-ISEF") + "/present", data={"attendee": key})
    assert answer.status_code == 302
    page = organiser_client.get(answer.location).get_data(as_text=True)
    assert "佐藤 結衣 is marked present." in page
    assert row(page, key)[2] != "—"
    assert "1 person attended." in page
    assert "Take back the mark of 佐藤 結衣" in page
    with app.app_context():
        mark = db.session.scalars(select(AttendanceMark)).one()
        assert mark.marked_by_id == scene.organiser.id and mark.event_id == scene.student_event.id
    answer = organiser_client.post(ATTENDANCE.format(code="S-ISEF") + "/absent", data={"attendee": key})
    assert answer.status_code == 302
    page = organiser_client.get(answer.location).get_data(as_text=True)
    assert "佐藤 結衣 is no longer marked present." in page
    assert row(page, key)[2] == "—"
    assert marks(app) == 0
    with app.app_context():
        actions = db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)).all()
    assert actions[-2:] == ["attendance.marked", "attendance.unmarked"]


@pytest.mark.parametrize(
    ("path", "attendee", "message"),
    [
        ("/present", "", "Choose a participant from the list."),
        ("/present", "someone", "Choose a participant from the list."),
        ("/present", "user-" + "9" * 12, "Choose a participant from the list."),
        ("/present", "person-999999", "S-ISEF has no such participant: choose someone from its list."),
        ("/absent", "STUDENT", "Choose a participant from the list."),
    ],
)
def test_a_bad_mark_is_refused_with_a_reason_and_nothing_is_written(
    app, scene, organiser_client, path, attendee, message
):
    answer = organiser_client.post(ATTENDANCE.format(code="S-ISEF") + path, data={"attendee": attendee})
    assert answer.status_code == 422
    assert message in html.unescape(answer.get_data(as_text=True))
    assert marks(app) == 0


def test_someone_of_another_event_cannot_be_marked_present(app, scene, organiser_client):
    answer = organiser_client.post(
        ATTENDANCE.format(code="MIN") + "/present", data={"attendee": f"user-{scene.student.id}"}
    )
    assert answer.status_code == 422
    assert "MIN has no such participant" in answer.get_data(as_text=True)
    assert marks(app) == 0


def test_marking_twice_or_taking_back_no_mark_says_why(app, scene, organiser_client):
    key = f"user-{scene.student.id}"
    url = ATTENDANCE.format(code="S-ISEF")
    assert organiser_client.post(url + "/absent", data={"attendee": key}).status_code == 422
    assert organiser_client.post(url + "/present", data={"attendee": key}).status_code == 302
    again = organiser_client.post(url + "/present", data={"attendee": key})
    assert again.status_code == 422
    assert "佐藤 結衣 is marked present already." in again.get_data(as_text=True)
    assert marks(app) == 1


def test_an_archived_forum_keeps_its_attendance_as_it_is(app, scene, organiser_client):
    with committed(app):
        current(scene.forum).status = ForumStatus.ARCHIVED
    answer = organiser_client.post(
        ATTENDANCE.format(code="S-ISEF") + "/present", data={"attendee": f"user-{scene.student.id}"}
    )
    assert answer.status_code == 422
    assert "is archived" in answer.get_data(as_text=True)
    assert marks(app) == 0


def test_another_forums_organiser_may_not_see_or_mark(app, scene):
    with committed(app):
        other = make_organiser(make_forum(slug="elsewhere"))
    client = app.test_client()
    sign_in(client, other)
    assert client.get(ATTENDANCE.format(code="S-ISEF")).status_code == 403
    answer = client.post(ATTENDANCE.format(code="S-ISEF") + "/present", data={"attendee": f"user-{scene.student.id}"})
    assert answer.status_code == 403
    assert marks(app) == 0


def test_an_unknown_event_is_a_404_that_says_so(organiser_client):
    answer = organiser_client.get(ATTENDANCE.format(code="NOPE"))
    assert answer.status_code == 404
    assert "no event with the code NOPE" in answer.get_data(as_text=True)


def test_the_list_reads_a_fixed_number_of_queries_however_many_attend(app, scene, organiser_client, count_queries):
    url = ATTENDANCE.format(code="MIN")
    organiser_client.get(url)  # templates compiled, session loaded
    with count_queries() as few:
        assert organiser_client.get(url).status_code == 200
    with committed(app):
        forum = current(scene.forum)
        for n in range(30):
            accredited_member(forum, f"Delegate {n}", f"Country {n}")
        for badge in issuing.issue_missing(current(scene.organiser), forum):
            check_in(badge, scene.plenary, DURING)
    with committed(app):
        for attendee in attendance.attendees(current(scene.organiser), current(scene.ministerial))[::3]:
            if attendee.mark is None:
                attendance.mark_present(current(scene.organiser), current(scene.ministerial), attendee.key)
    with count_queries() as many:
        page = organiser_client.get(url).get_data(as_text=True)
    assert "31 people attended." in page  # the 30 checked in, and Aiko Tanaka marked present
    assert many.count == few.count
