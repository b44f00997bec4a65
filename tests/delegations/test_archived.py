"""An archived forum is read-only: nominations, decisions, seat quotas and focal points are
refused with the reason, nothing is stored, and the pages offer no such forms."""

import pytest
from sqlalchemy import func, select

from planner.accounts.models import User
from planner.audit.models import AuditEntry
from planner.delegations import focal_points, invitations
from planner.delegations import services as nominations
from planner.delegations.models import (
    Delegation,
    DelegationFocalPoint,
    DelegationKind,
    DelegationMember,
    FocalPointRole,
    NominationStatus,
    Person,
)
from planner.extensions import db
from planner.forums.models import ForumStatus
from planner.forums.services import ForumArchived
from planner.mail.models import OutboxMessage
from tests.conftest import sign_in
from tests.factories import Programme, committed, current, make_isef2, make_person, make_programme

ARCHIVED = "ISEF2 is archived: its delegations and their record can no longer be changed."


@pytest.fixture
def archived(app) -> Programme:
    """ISEF2, archived, with Japan (two seats), its focal point, an organiser, and Aiko nominated
    and Kenji accredited before the forum was archived."""
    with committed(app):
        programme = make_programme(make_isef2(status=ForumStatus.ARCHIVED))
        japan = programme.delegation("japan", "Japan", kind=DelegationKind.COUNTRY, country_code="JP", seat_quota=2)
        programme.focal_point("focal", "japan")
        programme.person("newcomer")
        for key, name, status in (
            ("aiko", "Aiko Tanaka", NominationStatus.NOMINATED),
            ("kenji", "Kenji Sato", NominationStatus.ACCREDITED),
        ):
            person = programme.add(key, make_person(name=name))
            japan.members.append(DelegationMember(person=person, status=status))
        japan.seats_used = 2
        db.session.flush()
    return programme


def state(app, programme) -> tuple:
    """Everything the refused actions could have changed."""
    with app.app_context():
        japan = db.session.get(Delegation, programme.japan.id)
        return (
            japan.seat_quota,
            japan.seats_used,
            sorted((m.person.name, m.status.value) for m in japan.members),
            db.session.scalar(select(func.count()).select_from(Person)),
            sorted(db.session.scalars(select(DelegationFocalPoint.user_id))),
            db.session.scalar(select(func.count()).select_from(AuditEntry)),
            db.session.scalar(select(func.count()).select_from(OutboxMessage)),
        )


def page(programme) -> str:
    return f"/forums/isef2/delegations/{programme.japan.id}/"


def test_the_delegation_page_says_why_and_offers_no_forms(client, archived):
    for who in (archived.focal, archived.organiser):
        sign_in(client, who)
        text = client.get(page(archived)).get_data(as_text=True)
        assert ARCHIVED in text and "Nominations, decisions and the seat quota are closed." in text
        assert "Nominate a member" not in text and "nominate-email" not in text
        assert "Accredit Aiko" not in text and "Withdraw" not in text and "Decline" not in text
        assert "quota-quota" not in text
    overview = client.get("/forums/isef2/manage/nominations").get_data(as_text=True)
    assert ARCHIVED in overview and "Accredit Aiko" not in overview


@pytest.mark.parametrize("who", ["focal", "organiser"])
def test_a_nomination_is_refused_and_nothing_stored(app, client, archived, who):
    before = state(app, archived)
    sign_in(client, getattr(archived, who))
    answer = client.post(
        page(archived) + "nominations",
        data={"nominate-given_name": "Mei Ito", "nominate-email": "mei@example.org", "nominate-role": "member"},
    )
    assert answer.status_code == 422
    assert ARCHIVED in answer.get_data(as_text=True)
    assert state(app, archived) == before


@pytest.mark.parametrize(
    ("who", "person", "action"),
    [
        ("focal", "aiko", "withdraw"),
        ("organiser", "kenji", "withdraw"),
        ("organiser", "aiko", "accredit"),
        ("organiser", "aiko", "decline"),
        ("organiser", "kenji", "decline"),
    ],
)
def test_a_decision_is_refused_and_nothing_stored(app, client, archived, who, person, action):
    before = state(app, archived)
    sign_in(client, getattr(archived, who))
    person_id = getattr(archived, person).id
    # Organisers may press the buttons on the overview too, and go back there.
    back = {"back": "overview"} if who == "organiser" else {}
    answer = client.post(f"{page(archived)}nominations/{person_id}/{action}", data=back)
    assert answer.status_code == 302
    shown = client.get(answer.headers["Location"])
    assert shown.status_code == 200 and f'<p class="flash flash-error">{ARCHIVED}</p>' in shown.get_data(as_text=True)
    assert state(app, archived) == before


def test_the_seat_quota_is_refused_and_nothing_stored(app, client, archived):
    before = state(app, archived)
    sign_in(client, archived.organiser)
    answer = client.post(page(archived) + "quota", data={"quota-quota": "5"})
    assert answer.status_code == 422 and ARCHIVED in answer.get_data(as_text=True)
    assert state(app, archived) == before


def test_inviting_or_removing_a_focal_point_is_refused(app, client, archived):
    before = state(app, archived)
    sign_in(client, archived.organiser)
    answer = client.post(
        "/forums/isef2/manage/focal-points/invitations",
        data={
            "invite-delegation": str(archived.japan.id),
            "invite-email": archived.newcomer.email,
            "invite-role": "focal_point",
        },
    )
    assert answer.status_code == 422 and ARCHIVED in answer.get_data(as_text=True)
    answer = client.post(f"/forums/isef2/manage/focal-points/{archived.japan.id}/{archived.focal.id}/remove")
    assert answer.status_code == 302
    assert f'<p class="flash flash-error">{ARCHIVED}</p>' in client.get(answer.headers["Location"]).get_data(
        as_text=True
    )
    assert state(app, archived) == before


def test_the_services_refuse_whoever_calls_them(app, archived):
    """The CLI and any other entry point meet the same rule as the pages."""
    with app.test_request_context():
        organiser, japan = current(archived.organiser), db.session.get(Delegation, archived.japan.id)
        aiko = db.session.get(DelegationMember, (japan.id, archived.aiko.id))
        calls = [
            lambda: nominations.nominate(organiser, japan, given_name="Mei", email="mei@example.org"),
            lambda: nominations.withdraw(organiser, aiko),
            lambda: nominations.accredit(organiser, aiko),
            lambda: nominations.decline(organiser, aiko),
            lambda: nominations.set_quota(organiser, japan, 9),
            lambda: invitations.invite(organiser, japan, archived.newcomer.email, FocalPointRole.FOCAL_POINT),
            lambda: focal_points.remove_focal_point(organiser, japan.forum, japan.id, archived.focal.id),
        ]
        for call in calls:
            with pytest.raises(ForumArchived, match="ISEF2 is archived"):
                call()
        # Who may not act at all is told that first.
        with pytest.raises(nominations.NotAllowed):
            nominations.accredit(db.session.get(User, archived.newcomer.id), aiko)


def test_the_same_actions_work_once_the_forum_is_open_again(app, client, archived):
    with committed(app):
        current(archived.forum).status = ForumStatus.OPEN
    sign_in(client, archived.organiser)
    text = client.get(page(archived)).get_data(as_text=True)
    assert ARCHIVED not in text and "Accredit Aiko Tanaka" in text
    assert client.post(f"{page(archived)}nominations/{archived.aiko.id}/accredit").status_code == 302
    with app.app_context():
        member = db.session.get(DelegationMember, (archived.japan.id, archived.aiko.id))
        assert member.status is NominationStatus.ACCREDITED
