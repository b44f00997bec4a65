"""The open demo forum: dated from the day it is first loaded, open to registration then,
loaded once whatever the day; and the README's journeys work on it."""

import datetime as dt

from sqlalchemy import func, select

from planner.accounts.models import User
from planner.db import utcnow
from planner.delegations.models import DelegationKind, DelegationMember
from planner.demo import seed
from planner.demo.seed import load_open_demo
from planner.extensions import db
from planner.forums.models import Event, Forum, ForumStatus
from planner.registration.models import Question, Registration, RegistrationMode, RegistrationPolicy
from planner.registration.models import RegistrationStatus as Status
from planner.registration.services import closed_because
from planner.schedule.conflicts import check, load_programme
from tests.accounts.helpers import link_in, mails_to
from tests.conftest import sign_in
from tests.demo.test_seed import counts
from tests.factories import PASSWORD, committed, make_admin, make_user

LOADED = dt.datetime(2031, 5, 12, 8, 30, tzinfo=dt.UTC)


def open_demo() -> Forum:
    forum = db.session.scalar(select(Forum).where(Forum.slug == "open-demo"))
    assert forum is not None
    return forum


def policies(forum: Forum) -> dict[str, RegistrationPolicy]:
    rows = db.session.execute(
        select(Event.code, RegistrationPolicy).join(RegistrationPolicy).where(Event.forum_id == forum.id)
    )
    return {code: policy for code, policy in rows}


def test_dated_after_the_day_it_is_loaded_and_open_to_registration_that_day(app):
    with app.app_context():
        forum = load_open_demo(LOADED)
        assert forum.is_demo and forum.status is ForumStatus.OPEN
        assert forum.first_day > LOADED.date() and forum.last_day >= forum.first_day
        rules = policies(forum)
        open_codes = {code for code, p in rules.items() if p.mode is RegistrationMode.OPEN}
        assert open_codes == {"YOUNG", "INDUSTRY", "LECTURE"}
        for code in open_codes:
            assert closed_because(rules[code], LOADED) is None, code
            assert closed_because(rules[code], LOADED - dt.timedelta(hours=12)) is None, code
        assert {code for code in open_codes if rules[code].approval_required} == {"YOUNG"}
        asking = db.session.scalars(select(Event.code).join(Question, Question.event_id == Event.id)).unique()
        assert set(asking) == {"YOUNG"}
        assert rules["MINISTERIAL"].mode is RegistrationMode.NOMINATION


def test_ministerial_meeting_by_nomination_with_seat_quotas(app):
    with app.app_context():
        forum = load_open_demo(LOADED)
        quotas = {d.name: (d.kind, d.seat_quota) for d in forum.delegations}
        assert len(quotas) >= 4
        assert all(q == (5 if kind is DelegationKind.COUNTRY else 3) for kind, q in quotas.values())
        assert {kind for kind, _ in quotas.values()} == {DelegationKind.COUNTRY, DelegationKind.ORGANISATION}


def test_programme_has_rooms_and_sessions_and_no_conflict(app):
    with app.app_context():
        forum = load_open_demo(LOADED)
        sessions = [s for e in forum.events for s in e.sessions]
        assert len(sessions) >= 10 and all(s.room is not None for s in sessions)
        for s in sessions:
            assert s.event.starts_at <= s.starts_at < s.ends_at <= s.event.ends_at, s.title
        assert check(load_programme(forum)) == []


def test_loading_again_days_later_neither_duplicates_nor_moves_it(app):
    with app.app_context():
        first = load_open_demo(LOADED)
        dates = (first.first_day, first.last_day, [(e.starts_at, e.ends_at) for e in first.events])
        windows = {code: (p.opens_at, p.closes_at) for code, p in policies(first).items()}
        db.session.commit()
        before = counts()
        assert load_open_demo(LOADED + dt.timedelta(days=9)) is None
        db.session.commit()
        assert counts() == before
        again = open_demo()
        assert (again.first_day, again.last_day, [(e.starts_at, e.ends_at) for e in again.events]) == dates
        assert {code: (p.opens_at, p.closes_at) for code, p in policies(again).items()} == windows


def test_seed_demo_on_a_later_day_changes_nothing(app, monkeypatch):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["seed-demo"])
    assert first.exit_code == 0, first.output
    assert "Loaded the open demo forum" in first.output
    with app.app_context():
        before = counts()
        first_day = open_demo().first_day
    later = utcnow() + dt.timedelta(days=12)
    monkeypatch.setattr(seed, "utcnow", lambda: later)
    second = runner.invoke(args=["seed-demo"])
    assert second.exit_code == 0, second.output
    assert "The open demo forum is already loaded; nothing changed." in second.output
    with app.app_context():
        assert counts() == before
        assert open_demo().first_day == first_day


def test_demonstration_mark_on_the_forum_list_and_its_pages(app, client):
    with committed(app):
        load_open_demo()
    home = client.get("/").get_data(as_text=True)
    current = home.split("Past forums")[0]
    assert "Demo Forum" in current and "Demonstration forum" in current
    for path in ("/forums/open-demo/", "/forums/open-demo/events/YOUNG/", "/forums/open-demo/timetable"):
        page = client.get(path)
        assert page.status_code == 200, path
        assert "Demonstration forum" in page.get_data(as_text=True), path


def test_readme_journey_sign_up_and_apply_to_open_side_events(app, client):
    """README, "Trying it": sign up, confirm the address from the mail, sign in, apply."""
    with committed(app):
        load_open_demo()
    client.post(
        "/signup",
        data={"given_name": "Ada Lovelace", "email": "ada@example.org", "password": PASSWORD, "confirm": PASSWORD},
    )
    [confirmation] = mails_to(app, "ada@example.org")
    assert client.get(link_in(confirmation)).status_code == 302
    signed_in = client.post("/login", data={"email": "ada@example.org", "password": PASSWORD, "next": ""})
    assert signed_in.status_code == 302

    event_page = client.get("/forums/open-demo/events/LECTURE/").get_data(as_text=True)
    assert "/forums/open-demo/events/LECTURE/register" in event_page
    lecture = client.post("/forums/open-demo/events/LECTURE/register", data={"delegation": "0", "country": "GB"})
    assert lecture.status_code == 302, lecture.get_data(as_text=True)

    with app.app_context():
        questions = db.session.scalars(
            select(Question).join(Event, Event.id == Question.event_id).where(Event.code == "YOUNG")
        ).all()
    answers = {"Your field of work": "Science", "Is this your first forum?": "yes", "Dietary requirements": ""}
    young = client.post(
        "/forums/open-demo/events/YOUNG/register",
        data={
            "delegation": "0",
            "date_of_birth": "1998-04-01",
            "country": "GB",
            **{f"q{q.id}": answers[q.label] for q in questions if q.label in answers},
        },
    )
    assert young.status_code == 302, young.get_data(as_text=True)

    with app.app_context():
        statuses = dict(
            db.session.execute(
                select(Event.code, Registration.status)
                .join(Registration.event)
                .join(Registration.user)
                .where(User.email == "ada@example.org")
            ).all()
        )
    assert statuses == {"LECTURE": Status.CONFIRMED, "YOUNG": Status.PENDING}
    me = client.get("/me").get_data(as_text=True)
    assert "Public Evening Lecture" in me and "Young Professionals Workshop" in me


def test_readme_journey_focal_point_nominates_up_to_the_quota(app, client):
    """README: the administrator invites a focal point of a delegation, who accepts and nominates."""
    with committed(app):
        admin = make_admin()
        focal = make_user(email="focal@example.org")
        load_open_demo()
        esa = next(d for d in open_demo().delegations if d.kind is DelegationKind.ORGANISATION)
    sign_in(client, admin)
    invited = client.post(
        "/forums/open-demo/manage/focal-points/invitations",
        data={"invite-delegation": esa.id, "invite-email": "focal@example.org", "invite-role": "focal_point"},
    )
    assert invited.status_code == 302, invited.get_data(as_text=True)
    [invitation] = mails_to(app, "focal@example.org")
    focal_point = app.test_client()
    sign_in(focal_point, focal)
    assert focal_point.post(link_in(invitation) + "/accept").status_code == 200
    for n in range(esa.seat_quota + 1):
        answer = focal_point.post(
            f"/forums/open-demo/delegations/{esa.id}/nominations",
            data={
                "nominate-given_name": f"Member {n}",
                "nominate-email": f"m{n}@example.org",
                "nominate-role": "member",
            },
        )
        assert answer.status_code == (302 if n < esa.seat_quota else 422), n
    with app.app_context():
        members = db.session.scalar(
            select(func.count()).select_from(DelegationMember).where(DelegationMember.delegation_id == esa.id)
        )
    assert members == esa.seat_quota == 3
