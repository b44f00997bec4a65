"""What applicants told the organisers: answers in the list, filtered and counted, each
registration's own page (its reading audited), and a column per question in the CSV."""

from __future__ import annotations

import csv
import datetime as dt
import io
import itertools

import pytest
from sqlalchemy import func, select

from planner.audit.models import AuditEntry
from planner.extensions import db
from planner.forums.models import Forum
from planner.registration import services
from planner.registration.eligibility import Application
from planner.registration.models import Question, QuestionKind, Registration, RegistrationPolicy
from planner.registration.models import RegistrationStatus as Status
from tests.conftest import sign_in
from tests.factories import (
    Programme,
    committed,
    make_admin,
    make_event,
    make_forum,
    make_isef2,
    make_organiser,
    make_programme,
    make_user,
)

FIRST_DAY = dt.date.today() + dt.timedelta(days=90)
APPLIED = dt.datetime.combine(dt.date.today() - dt.timedelta(days=30), dt.time(9), tzinfo=dt.UTC)
PAGE = "/forums/isef2/manage/registrations"
_minutes = itertools.count()


@pytest.fixture
def programme(app) -> Programme:
    """ISEF2 ahead: Y-ISEF (2 seats) asks about diet (one choice), access needs (several),
    photos (yes or no) and anything else (text); SIDE asks nothing. Aiko organises."""
    with committed(app):
        programme = make_programme(make_isef2(first_day=FIRST_DAY, last_day=FIRST_DAY + dt.timedelta(days=2)))
        programme.organiser.name = "Aiko"
        side = make_event(programme.forum, "SIDE")
        db.session.add_all(
            [RegistrationPolicy(event_id=programme.event.id, capacity=2), RegistrationPolicy(event_id=side.id)]
        )
        event = programme.event.id
        programme.add(
            "diet",
            Question(
                event_id=event, position=1, label="Diet", kind=QuestionKind.SINGLE, choices=["Vegetarian", "Halal"]
            ),
        )
        programme.add(
            "access",
            Question(
                event_id=event,
                position=2,
                label="Access needs",
                kind=QuestionKind.MULTIPLE,
                choices=["Wheelchair", "Hearing loop", "Sign language"],
            ),
        )
        programme.add("photos", Question(event_id=event, position=3, label="Photos?", kind=QuestionKind.YES_NO))
        programme.add("notes", Question(event_id=event, position=4, label="Anything else", kind=QuestionKind.TEXT))
    return programme


def answers(programme: Programme, diet=None, access=(), photos=None, notes=None) -> dict:
    given = {
        str(programme.diet.id): diet,
        str(programme.access.id): list(access),
        str(programme.photos.id): photos,
        str(programme.notes.id): notes,
    }
    return {key: value for key, value in given.items() if value not in (None, [])}


def apply(app, code: str, name: str, **application) -> int:
    """``name`` applies to the event (a minute after the one before); the registration's id."""
    with app.test_request_context():
        forum = db.session.scalar(select(Forum).where(Forum.slug == "isef2"))
        event = next(e for e in forum.events if e.code == code)
        registration = services.apply(
            make_user(name=name, email=f"{name.lower()}.{code.lower()}@example.org"),
            event,
            Application(**application),
            now=APPLIED + dt.timedelta(minutes=next(_minutes)),
        )
        db.session.commit()
        return registration.id


@pytest.fixture
def applicants(app, programme) -> dict[str, int]:
    """Ana and Ben confirmed, Cleo waitlisted for Y-ISEF; Dario confirmed for SIDE."""
    return {
        "Ana": apply(
            app,
            "Y-ISEF",
            "Ana",
            organisation="JAXA",
            date_of_birth=dt.date(2000, 5, 5),
            answers=answers(programme, "Vegetarian", ["Wheelchair", "Sign language"], "yes", "=1+1"),
        ),
        "Ben": apply(app, "Y-ISEF", "Ben", answers=answers(programme, "Halal", ["Wheelchair"], "no")),
        "Cleo": apply(app, "Y-ISEF", "Cleo", answers=answers(programme, "Vegetarian", photos="yes")),
        "Dario": apply(app, "SIDE", "Dario"),
    }


def names(page: str) -> set[str]:
    return {n for n in ("Ana", "Ben", "Cleo", "Dario") if f">{n}</a>" in page}


def audit_actions(app) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))


# The list


def test_the_list_shows_organisations_and_answers(client, programme, applicants):
    sign_in(client, programme.organiser)
    page = client.get(PAGE).get_data(as_text=True)
    assert "<td>JAXA</td>" in page
    assert "<dt>Diet</dt><dd>Vegetarian</dd>" in page
    assert "<dt>Access needs</dt><dd>Wheelchair; Sign language</dd>" in page
    assert "<dt>Photos?</dt><dd>Yes</dd>" in page and "<dt>Photos?</dt><dd>No</dd>" in page
    assert "<dt>Anything else</dt><dd>=1+1</dd>" in page
    assert "2000-05-05" not in page  # dates of birth only on each registration's page
    assert f'href="{PAGE}/{applicants["Ana"]}"' in page


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        ("diet:Vegetarian", {"Ana", "Cleo"}),
        ("diet:Halal", {"Ben"}),
        ("access:Wheelchair", {"Ana", "Ben"}),
        ("access:Sign language", {"Ana"}),
        ("access:Hearing loop", set()),
        ("photos:yes", {"Ana", "Cleo"}),
        ("photos:no", {"Ben"}),
    ],
)
def test_the_list_filters_by_an_answer(client, programme, applicants, answer, expected):
    key, _, choice = answer.partition(":")
    sign_in(client, programme.organiser)
    response = client.get(PAGE, query_string={"answer": f"{programme.others[key].id}:{choice}"})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert names(page) == expected
    assert "selected>" + {"yes": "Yes", "no": "No"}.get(choice, choice) + "</option>" in page  # the form keeps it
    # Combined with the other filters, and kept by the CSV link.
    assert (
        names(
            client.get(PAGE, query_string={"answer": f"{programme.others[key].id}:{choice}", "event": "SIDE"}).get_data(
                as_text=True
            )
        )
        == set()
    )


def test_the_answer_filter_offers_every_choice_under_its_question(client, programme, applicants):
    sign_in(client, programme.organiser)
    page = client.get(PAGE).get_data(as_text=True)
    assert '<label for="filter-answer">Answer</label>' in page
    assert '<optgroup label="Y-ISEF: Access needs">' in page
    assert f'<option value="{programme.access.id}:Hearing loop">Hearing loop</option>' in page
    assert f'<option value="{programme.photos.id}:no">No</option>' in page
    assert f'value="{programme.notes.id}:' not in page  # text answers are not choices


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        ("Vegetarian", "Choose an answer from the list"),
        ("999999:Vegetarian", "Choose an answer from the list"),
        ("99999999999999999999:x", "Choose an answer from the list"),
        ("{notes}:anything", "Choose an answer from the list"),
        ("{diet}:Vegan", "“Diet” offers no such choice."),
        ("{diet}:", "“Diet” offers no such choice."),
        ("{photos}:maybe", "“Photos?” offers no such choice."),
        ("²:x", "Choose an answer from the list"),
        ("{diet}:\x00", "offers no such choice"),
    ],
)
def test_a_bad_answer_filter_is_explained_and_filters_nothing(client, programme, applicants, answer, message):
    answer = answer.format(**{key: q.id for key, q in programme.others.items()})
    sign_in(client, programme.organiser)
    response = client.get(PAGE, query_string={"answer": answer})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert message in page
    assert names(page) == {"Ana", "Ben", "Cleo", "Dario"}  # the bad part is dropped, the list still shown
    csv_response = client.get(f"{PAGE}.csv", query_string={"answer": answer})
    assert csv_response.status_code == 400 and message in csv_response.get_data(as_text=True)


def test_a_question_of_another_forum_is_no_filter(client, app, programme, applicants):
    with committed(app):
        elsewhere = make_event(make_forum(), "ELSE")
        question = Question(
            event_id=elsewhere.id, label="Diet", kind=QuestionKind.SINGLE, choices=["Vegetarian", "Halal"]
        )
        db.session.add(question)
    sign_in(client, programme.organiser)
    assert client.get(PAGE, query_string={"answer": f"{question.id}:Vegetarian"}).status_code == 400


def test_answers_are_counted_by_event_for_the_caterer_and_the_venue(client, programme, applicants):
    sign_in(client, programme.organiser)
    page = client.get(PAGE).get_data(as_text=True)
    section = page.split('id="answers-heading"', 1)[1].split("</section>", 1)[0]
    # (choice, confirmed, pending or on the waiting list): Ana and Ben are confirmed, Cleo waits.
    for choice, confirmed, waiting in [
        ("Vegetarian", 1, 1),
        ("Halal", 1, 0),
        ("Wheelchair", 2, 0),
        ("Hearing loop", 0, 0),
        ("Sign language", 1, 0),
        ("Yes", 1, 1),
        ("No", 1, 0),
    ]:
        assert f'<th scope="row">{choice}</th><td>{confirmed}</td><td>{waiting}</td>' in section, choice
    assert '<th scope="rowgroup" rowspan="3">Access needs</th>' in section
    assert "SIDE" not in section.split("<caption>", 1)[1]  # it asks nothing


def test_cancelled_and_declined_applicants_are_not_counted(client, app, programme, applicants):
    with app.app_context():
        db.session.get(Registration, applicants["Ana"]).status = Status.CANCELLED
        db.session.get(Registration, applicants["Cleo"]).status = Status.DECLINED
        db.session.commit()
    sign_in(client, programme.organiser)
    section = client.get(PAGE).get_data(as_text=True).split('id="answers-heading"', 1)[1]
    assert '<th scope="row">Vegetarian</th><td>0</td><td>0</td>' in section
    assert '<th scope="row">Wheelchair</th><td>1</td><td>0</td>' in section


def test_the_list_with_answers_costs_the_same_queries_for_5_and_200_registrations(
    client, app, programme, count_queries
):
    def add_registrations(count: int) -> None:
        with app.app_context():
            forum = db.session.get(Forum, programme.forum.id)
            for n in range(count):
                event = forum.events[n % 2]
                db.session.add(
                    Registration(
                        event_id=event.id,
                        user_id=make_user().id,
                        status=list(Status)[n % 5],
                        organisation=f"Agency {n}",
                        date_of_birth=dt.date(2000, 1, 1),
                        answers=answers(programme, ("Vegetarian", "Halal")[n % 2], ["Wheelchair"], "yes", "note")
                        if event.id == programme.event.id
                        else {},
                        applied_at=APPLIED + dt.timedelta(seconds=n),
                    )
                )
            db.session.commit()

    sign_in(client, programme.organiser)
    add_registrations(5)
    client.get(PAGE)
    with count_queries() as few:
        assert client.get(PAGE).status_code == 200
    with count_queries() as few_filtered:
        assert client.get(PAGE, query_string={"answer": f"{programme.access.id}:Wheelchair"}).status_code == 200
    add_registrations(195)
    with count_queries() as many:
        page = client.get(PAGE).get_data(as_text=True)
    with app.app_context():
        asked = db.session.scalar(select(func.count()).where(Registration.event_id == programme.event.id))
    assert page.count("<dt>Access needs</dt><dd>Wheelchair</dd>") == asked > 90  # Y-ISEF's half
    assert many.count == few.count, many.statements
    with count_queries() as many_filtered:
        assert client.get(PAGE, query_string={"answer": f"{programme.access.id}:Wheelchair"}).status_code == 200
    assert many_filtered.count == few_filtered.count, many_filtered.statements


# A registration's own page


def test_a_registrations_page_shows_what_the_applicant_told(client, app, programme, applicants):
    with app.app_context():  # an answer to a question removed since, and a guardian
        ana = db.session.get(Registration, applicants["Ana"])
        ana.answers = {**ana.answers, "424242": "Old answer"}
        ana.guardian_name, ana.guardian_email, ana.guardian_consent = "Mei", "mei@example.org", True
        db.session.commit()
    sign_in(client, programme.organiser)
    response = client.get(f"{PAGE}/{applicants['Ana']}")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "<title>Application of Ana for Y-ISEF · planner</title>" in page
    assert "2000-05-05" in page and "aged " in page
    assert "JAXA" in page and "Mei &lt;mei@example.org&gt;" in page
    assert page.index("<dt>Diet</dt><dd>Vegetarian</dd>") < page.index(
        "<dt>Access needs</dt><dd>Wheelchair; Sign language</dd>"
    )
    assert "<dt>Photos?</dt><dd>Yes</dd>" in page and "<dt>Anything else</dt><dd>=1+1</dd>" in page
    assert "A question since removed (number 424242)</dt><dd>Old answer</dd>" in page
    assert " JST</time>" in page  # applied, in the forum's time with its zone
    assert audit_actions(app) == ["registration.personal_data_read"]


def test_reading_a_date_of_birth_is_recorded_each_time_and_other_pages_not(client, app, programme, applicants):
    sign_in(client, programme.organiser)
    client.get(f"{PAGE}/{applicants['Ana']}")
    client.get(f"{PAGE}/{applicants['Ana']}")
    client.get(f"{PAGE}/{applicants['Ben']}")  # no date of birth, no guardian
    client.get(PAGE)
    with app.app_context():
        entries = db.session.scalars(select(AuditEntry).order_by(AuditEntry.id)).all()
        assert [(e.action, e.target_id, e.actor_id, e.after) for e in entries] == [
            (
                "registration.personal_data_read",
                str(applicants["Ana"]),
                programme.organiser.id,
                {"shown": ["date_of_birth"]},
            )
        ] * 2
        assert entries[0].forum_id == programme.forum.id


def test_a_registrations_page_is_for_the_forums_organisers(client, app, programme, applicants):
    url = f"{PAGE}/{applicants['Ana']}"
    with committed(app):
        other_organiser = make_organiser(make_forum())
        delegate = make_user()
        admin = make_admin()
    assert client.get(url).status_code == 302  # sign in first
    for person in (delegate, other_organiser):
        sign_in(client, person)
        response = client.get(url)
        assert response.status_code == 403 and "2000-05-05" not in response.get_data(as_text=True)
    assert audit_actions(app) == []
    sign_in(client, admin)
    assert client.get(url).status_code == 200
    assert audit_actions(app) == ["registration.personal_data_read"]


def test_a_registration_of_another_forum_or_none_is_404(client, app, programme, applicants):
    with committed(app):
        other = make_programme(make_forum(slug="other"), code="OTHER", organiser="other@example.org")
        db.session.add(RegistrationPolicy(event_id=other.event.id))
        stranger = make_user()
        registration = Registration(event_id=other.event.id, user_id=stranger.id, status=Status.CONFIRMED)
        db.session.add(registration)
    sign_in(client, programme.organiser)
    for number in (registration.id, 999_999, 2**31):
        response = client.get(f"{PAGE}/{number}")
        assert response.status_code == 404, number
    assert "This forum has no registration with the number" in client.get(f"{PAGE}/{registration.id}").get_data(
        as_text=True
    )
    assert client.get(f"{PAGE}/abc").status_code == 404
    assert audit_actions(app) == []


def test_an_organiser_decides_from_a_registrations_page(client, app, programme):
    with app.app_context():
        db.session.get(RegistrationPolicy, programme.event.id).approval_required = True
        db.session.commit()
    ana = apply(app, "Y-ISEF", "Ana")
    sign_in(client, programme.organiser)
    page = client.get(f"{PAGE}/{ana}").get_data(as_text=True)
    assert "Approve Ana" in page and "Decline Ana" in page
    response = client.post(f"{PAGE}/bulk", data={"action": "approve", "ids": str(ana), "event": "Y-ISEF"})
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(Registration, ana).status is Status.CONFIRMED


# The CSV


def test_the_csv_has_a_column_per_question_with_the_choices_labels(client, app, programme, applicants):
    sign_in(client, programme.organiser)
    response = client.get(f"{PAGE}.csv")
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows[0][8:] == ["Y-ISEF: Diet", "Y-ISEF: Access needs", "Y-ISEF: Photos?", "Y-ISEF: Anything else"]
    by_name = {row[0]: row[8:] for row in rows[1:]}
    assert by_name == {
        "Ana": ["Vegetarian", "Wheelchair; Sign language", "Yes", "'=1+1"],  # no formula for spreadsheets
        "Ben": ["Halal", "Wheelchair", "No", ""],
        "Dario": ["", "", "", ""],  # SIDE asks none of these
    }
    only_side = list(csv.reader(io.StringIO(client.get(f"{PAGE}.csv?event=SIDE").get_data(as_text=True))))
    assert only_side[0] == list(only_side[0][:8]) and [r[0] for r in only_side[1:]] == ["Dario"]
    wheelchairs = client.get(f"{PAGE}.csv", query_string={"answer": f"{programme.access.id}:Wheelchair"})
    assert [r[0] for r in csv.reader(io.StringIO(wheelchairs.get_data(as_text=True)))][1:] == ["Ana", "Ben"]


def test_every_download_is_recorded(client, app, programme, applicants):
    sign_in(client, programme.organiser)
    client.get(f"{PAGE}.csv", query_string={"event": "Y-ISEF"})
    with app.app_context():
        entry = db.session.scalars(select(AuditEntry)).one()
        assert (entry.action, entry.after) == ("registration.exported", {"filters": {"event": "Y-ISEF"}, "rows": 2})


def test_the_csv_costs_the_same_queries_for_5_and_200_registrations(client, app, programme, count_queries):
    def add_registrations(count: int) -> None:
        with app.app_context():
            for n in range(count):
                db.session.add(
                    Registration(
                        event_id=programme.event.id,
                        user_id=make_user().id,
                        status=Status.CONFIRMED,
                        answers=answers(programme, "Halal", ["Wheelchair", "Hearing loop"], "no"),
                        applied_at=APPLIED + dt.timedelta(seconds=n),
                    )
                )
            db.session.commit()

    sign_in(client, programme.organiser)
    add_registrations(5)
    client.get(f"{PAGE}.csv")
    with count_queries() as few:
        assert client.get(f"{PAGE}.csv").status_code == 200
    add_registrations(195)
    with count_queries() as many:
        text = client.get(f"{PAGE}.csv").get_data(as_text=True)
    assert text.count("Wheelchair; Hearing loop") == 200
    assert many.count == few.count, many.statements
