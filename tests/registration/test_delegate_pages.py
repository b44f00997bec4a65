"""A delegate applies through the form, sees and cancels registrations, and keeps an agenda."""

import datetime as dt

import pytest
from sqlalchemy import select

from planner.extensions import db
from planner.mail.models import OutboxMessage
from planner.registration.models import Question, QuestionKind, Registration
from planner.registration.models import RegistrationStatus as Status
from tests.conftest import sign_in
from tests.factories import Programme, committed, make_forum, make_policy, make_programme


@pytest.fixture
def setting(app) -> Programme:
    """ISEF3 in 2030: Young Professionals ISEF, one seat, for ages 18 to 35, asking a question;
    three sessions, the second overlapping the first; Hana and Ken may apply."""
    with committed(app):
        setting = make_programme(
            make_forum(slug="isef3", name="ISEF3", first_day=dt.date(2030, 3, 1), last_day=dt.date(2030, 3, 3)),
            title="Young Professionals ISEF",
        )
        make_policy(setting.event, capacity=1, min_age=18, max_age=35)
        setting.add(
            "question",
            Question(
                event_id=setting.event.id,
                label="Your field",
                kind=QuestionKind.SINGLE,
                choices=["Science", "Policy"],
                required=True,
            ),
        )
        setting.room("hall", "Hall")
        setting.session("opening", "Opening", "2030-03-01 09:00", room="hall")
        setting.session("overlapping", "Overlapping talk", "2030-03-01 09:30", room="hall")
        setting.session("later", "Later", "2030-03-01 11:00", room="hall")
        setting.person("delegate", name="Hana")
        setting.person("other", name="Ken")
    return setting


def form(setting, **overrides):
    data = {
        "delegation": "0",
        "date_of_birth": "1995-05-05",
        "organisation": "",
        "country": "JP",
        f"q{setting.question.id}": "Science",
    }
    data.update(overrides)
    return data


def test_apply_then_see_the_status_on_me(client, setting):
    sign_in(client, setting.delegate)
    page = client.get("/forums/isef3/events/Y-ISEF/register").get_data(as_text=True)
    assert "Your field" in page and "Date of birth" in page
    response = client.post("/forums/isef3/events/Y-ISEF/register", data=form(setting))
    assert response.status_code == 302 and response.headers["Location"].startswith("/me?applied=")
    me = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "your place is confirmed" in me and "status-confirmed" in me
    assert "your place is confirmed" not in client.get("/me").get_data(as_text=True)  # told once, where asked


def test_me_tells_what_became_of_an_application_and_only_of_ones_own(client, app, setting):
    sign_in(client, setting.delegate)
    applied = client.post("/forums/isef3/events/Y-ISEF/register", data=form(setting)).headers["Location"]
    with app.app_context():  # what the page tells is the registration as it stands now
        registration = db.session.get(Registration, int(applied.rpartition("=")[2]))
        registration.status = Status.WAITLISTED
        db.session.commit()
    assert "is full: you are on the waiting list." in client.get(applied).get_data(as_text=True)
    sign_in(client, setting.other)
    page = client.get(applied).get_data(as_text=True)
    assert "waiting list" not in page and "Young Professionals ISEF" not in page


def test_an_application_costs_the_same_few_statements_confirmed_or_waitlisted(client, app, setting, count_queries):
    """The busiest write: signing in, reading the event with its rules and questions and the
    applicant's registration, then the seat, the row and the email (one statement on
    PostgreSQL), and the forum's webhook endpoints, whatever the outcome."""
    with app.app_context():
        event = db.session.scalar(select(Question.event_id).where(Question.id == setting.question.id))
        for position in range(1, 6):
            db.session.add(
                Question(event_id=event, label=f"Extra {position}", kind=QuestionKind.TEXT, position=position)
            )
        db.session.commit()
        dialect = db.engine.dialect.name
    counts = []
    for token in (setting.delegate, setting.other):  # one seat: confirmed, then waitlisted
        sign_in(client, token)
        with count_queries() as counter:
            response = client.post("/forums/isef3/events/Y-ISEF/register", data=form(setting))
        assert response.status_code == 302, response.get_data(as_text=True)
        counts.append([s.split()[0] for s in counter.statements])
    with app.app_context():
        assert sorted(db.session.scalars(select(Registration.status))) == [Status.CONFIRMED, Status.WAITLISTED]
        mail = db.session.execute(
            select(OutboxMessage.template, OutboxMessage.subject, OutboxMessage.attachment_content_type).order_by(
                OutboxMessage.id
            )
        ).all()
    assert [tuple(m) for m in mail] == [
        (
            "registration/confirmed",
            "Your place at Young Professionals ISEF is confirmed",
            "text/calendar; method=REQUEST",
        ),
        ("registration/waitlisted", "You are on the waiting list for Young Professionals ISEF", None),
    ]
    assert counts[0] == counts[1]
    # On SQLite, planner.db also ends the reading transaction and begins writing right
    # before the UPDATE, on the driver's connection (writes_late). The last SELECT, before the
    # commit, asks for the forum's webhook endpoints (planner.webhooks.events): it has none.
    expected = {
        "postgresql": ["SELECT", "SELECT", "WITH", "SELECT"],
        "sqlite": ["BEGIN", "SELECT", "SELECT", "UPDATE", "INSERT", "INSERT", "SELECT"],
    }[dialect]
    assert counts[0] == expected, counts[0]


@pytest.mark.parametrize(
    "field, value, message",
    [
        *(("country", country, "Choose a country from the list.") for country in ["ZZ", "jp", "Japan", "JP\r\n"]),
        # Ids no delegation can have (beyond INTEGER, or negative).
        *(
            ("delegation", delegation, "Choose a delegation from the list.")
            for delegation in ["2147483648", "99999999999", "9" * 40, "-1"]
        ),
    ],
)
def test_a_choice_not_on_the_list_is_a_form_error(client, app, setting, field, value, message):
    sign_in(client, setting.delegate)
    response = client.post("/forums/isef3/events/Y-ISEF/register", data=form(setting, **{field: value}))
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalars(select(Registration)).all() == []


def test_refusal_names_the_rule(client, app, setting):
    sign_in(client, setting.delegate)
    response = client.post("/forums/isef3/events/Y-ISEF/register", data=form(setting, date_of_birth="2015-01-01"))
    assert response.status_code == 422
    assert "This event is for people aged 18 or more on 1 Mar 2030; you would be 15." in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(Registration)) is None


def test_missing_answer_is_a_form_error(client, setting):
    sign_in(client, setting.delegate)
    response = client.post(
        "/forums/isef3/events/Y-ISEF/register", data=form(setting, **{f"q{setting.question.id}": ""})
    )
    assert response.status_code == 422


def test_full_event_waitlists_and_cancelling_promotes(app, setting):
    first, second = app.test_client(), app.test_client()
    sign_in(first, setting.delegate)
    sign_in(second, setting.other)
    first.post("/forums/isef3/events/Y-ISEF/register", data=form(setting))
    second.post("/forums/isef3/events/Y-ISEF/register", data=form(setting))
    assert "on the waiting list" in second.get("/me").get_data(as_text=True)
    with app.app_context():
        mine = db.session.scalar(select(Registration).where(Registration.status == Status.CONFIRMED))
    assert first.post(f"/me/registrations/{mine.id}/cancel").status_code == 302
    assert "status-confirmed" in second.get("/me").get_data(as_text=True)
    # Someone else's registration cannot be cancelled.
    with app.app_context():
        theirs = db.session.scalar(select(Registration).where(Registration.status == Status.CONFIRMED))
    assert first.post(f"/me/registrations/{theirs.id}/cancel").status_code == 404


def test_agenda_picks_sessions_and_warns_on_clashes(client, setting):
    sign_in(client, setting.delegate)
    opening, overlapping, later = setting.opening.id, setting.overlapping.id, setting.later.id
    assert client.post(f"/me/agenda/{opening}").status_code == 403  # not confirmed yet
    client.post("/forums/isef3/events/Y-ISEF/register", data=form(setting))
    for session_id in (opening, later):
        assert client.post(f"/me/agenda/{session_id}").status_code == 302
    page = client.get("/me").get_data(as_text=True)
    assert "Clashes with another session" not in page
    client.post(f"/me/agenda/{overlapping}")
    page = client.get("/me").get_data(as_text=True)
    assert page.count("Clashes with another session") == 2
    assert "2 sessions in your agenda overlap others." in page
    client.post(f"/me/agenda/{overlapping}/remove")
    assert "Clashes with another session" not in client.get("/me").get_data(as_text=True)


def test_event_page_offers_registration(client, setting):
    assert 'href="/forums/isef3/events/Y-ISEF/register"' in client.get("/forums/isef3/events/Y-ISEF/").get_data(
        as_text=True
    )


def test_event_page_says_when_registration_is_closed(client, app, setting):
    with app.app_context():
        from planner.registration.models import RegistrationPolicy

        policy = db.session.scalar(select(RegistrationPolicy))
        policy.closes_at = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)
        db.session.commit()
    page = client.get("/forums/isef3/events/Y-ISEF/").get_data(as_text=True)
    assert "Registration closed on 1 Jan 2020 09:00 JST." in page
    assert "/register" not in page
