"""Organisers set an event's registration rules and questions through its rules page."""

import datetime as dt

import pytest
from sqlalchemy import func, select

from planner.audit.models import AuditEntry
from planner.db import utcnow
from planner.extensions import db
from planner.registration.models import (
    Question,
    QuestionKind,
    Registration,
    RegistrationMode,
    RegistrationPolicy,
)
from planner.registration.models import (
    RegistrationStatus as Status,
)
from tests.conftest import sign_in
from tests.factories import (
    Programme,
    committed,
    make_admin,
    make_event,
    make_forum,
    make_isef2,
    make_organiser,
    make_policy,
    make_programme,
    make_user,
)

RULES = "/forums/isef2/manage/events/Y-ISEF/rules"
QUESTIONS = RULES + "/questions"
SCRIPT = '<script>alert("x")</script>'

EVERY_RULE = {
    "rules-mode": "open",
    "rules-capacity": "40",
    "rules-approval_required": "y",
    "rules-opens_at": "2018-02-23T17:00",
    "rules-closes_at": "2030-02-25T09:30",
    "rules-min_age": "16",
    "rules-max_age": "25",
    "rules-organisation_required": "y",
    "rules-allowed_countries": "jp, kr FR",
    "rules-invitation_codes": "ISEF-2018\n\n  youth-42  \n",
    "rules-guardian_required": "y",
}


@pytest.fixture
def programme(app) -> Programme:
    """ISEF2 two months ahead, with Y-ISEF on its first day, its organiser and a delegate."""
    with committed(app):
        starts = utcnow() + dt.timedelta(days=60)
        forum = make_isef2(first_day=starts.date(), last_day=starts.date() + dt.timedelta(days=3))
        programme = make_programme(forum, starts_at=starts, ends_at=starts + dt.timedelta(hours=8))
        programme.person("delegate", email="delegate@example.org")
    return programme


@pytest.fixture
def organiser(client, programme):
    sign_in(client, programme.organiser)
    return client


def policy(programme) -> RegistrationPolicy | None:
    return db.session.get(RegistrationPolicy, programme.event.id)


def entries(action: str) -> list[AuditEntry]:
    return list(db.session.scalars(select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)))


def rules_with(**changes: str) -> dict[str, str]:
    return {**EVERY_RULE, **{f"rules-{name}": value for name, value in changes.items()}}


def test_organiser_sets_every_rule_and_reads_it_back(organiser, app, programme):
    response = organiser.post(RULES, data=EVERY_RULE)
    assert response.status_code == 302 and response.location.endswith(RULES)
    with app.app_context():
        saved = policy(programme)
        assert saved.mode is RegistrationMode.OPEN and saved.capacity == 40 and saved.approval_required
        # Typed in Tokyo time (UTC+9), stored in UTC.
        assert saved.opens_at == dt.datetime(2018, 2, 23, 8, 0, tzinfo=dt.UTC)
        assert saved.closes_at == dt.datetime(2030, 2, 25, 0, 30, tzinfo=dt.UTC)
        assert (saved.min_age, saved.max_age) == (16, 25)
        assert saved.organisation_required and saved.guardian_required
        assert saved.allowed_countries == ["JP", "KR", "FR"]
        assert saved.invitation_codes == ["ISEF-2018", "youth-42"]
    page = organiser.get(RULES).get_data(as_text=True)
    assert "The registration rules of Y-ISEF are saved." in page
    assert "0 of 40 seats are taken." in page
    assert 'value="2018-02-23T17:00"' in page and 'value="2030-02-25T09:30"' in page
    assert 'value="JP KR FR"' in page and "ISEF-2018\nyouth-42</textarea>" in page
    assert "Asia/Tokyo (UTC+09:00)" in page
    assert '<option selected value="open">' in page


def test_rules_changes_are_in_the_audit_log_with_before_and_after(organiser, app, programme):
    organiser.post(RULES, data=EVERY_RULE)
    organiser.post(RULES, data=rules_with(mode="nomination", max_age="30", allowed_countries="JP"))
    with app.app_context():
        created, changed = entries("registration.rules_changed")
        assert created.actor_id == programme.organiser.id and created.target_id == str(programme.event.id)
        assert created.forum_id == programme.forum.id and created.before == {}
        assert created.after["opens_at"] == "2018-02-23T08:00:00+00:00"
        assert changed.before == {"mode": "open", "max_age": 25, "allowed_countries": ["JP", "KR", "FR"]}
        assert changed.after == {"mode": "nomination", "max_age": 30, "allowed_countries": ["JP"]}
        [capacity] = entries("registration.capacity_changed")
        assert (capacity.before, capacity.after) == ({"capacity": None}, {"capacity": 40})
    # Saving the same rules again changes nothing, so logs nothing.
    organiser.post(RULES, data=rules_with(mode="nomination", max_age="30", allowed_countries="JP"))
    with app.app_context():
        assert len(entries("registration.rules_changed")) == 2


def test_empty_times_and_limits_mean_none(organiser, app, programme):
    with committed(app):
        make_policy(programme.event, capacity=10, min_age=18, opens_at=dt.datetime(2018, 1, 1, tzinfo=dt.UTC))
    response = organiser.post(
        RULES,
        data={
            "rules-mode": "open",
            "rules-capacity": "",
            "rules-opens_at": "",
            "rules-closes_at": "",
            "rules-min_age": "",
            "rules-max_age": "",
        },
    )
    assert response.status_code == 302
    with app.app_context():
        saved = policy(programme)
        assert (saved.capacity, saved.opens_at, saved.closes_at, saved.min_age) == (None, None, None, None)
        assert not saved.approval_required and saved.allowed_countries == [] and saved.invitation_codes == []


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"opens_at": "2018-02-25T09:00", "closes_at": "2018-02-25T09:00"}, "Registration must open before it closes."),
        ({"opens_at": "2018-02-26T09:00", "closes_at": "2018-02-25T09:00"}, "Registration must open before it closes."),
        ({"min_age": "30", "max_age": "18"}, "The maximum age must not be below the minimum age."),
        ({"max_age": "121"}, "Number must be between 0 and 120."),
        ({"capacity": "0"}, "Number must be between 1 and 1000000."),
        ({"allowed_countries": "JP, QQ xyz"}, "Not ISO 3166 country codes: QQ, XYZ."),
        ({"invitation_codes": "ok\n" + "x" * 65}, "Invitation codes have at most 64 characters."),
        ({"invitation_codes": "\n".join(f"code-{n}" for n in range(501))}, "Give at most 500 invitation codes."),
        ({"mode": "lottery"}, "Invalid Choice: could not coerce."),
    ],
)
def test_bad_rules_are_refused_and_nothing_is_stored(organiser, app, programme, changes, message):
    response = organiser.post(RULES, data=rules_with(**changes))
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    with app.app_context():
        assert policy(programme) is None
        assert db.session.scalar(select(func.count()).select_from(AuditEntry)) == 0


def _registrations(programme, *statuses: Status) -> list[int]:
    registration_ids = []
    for n, status in enumerate(statuses):
        registration = Registration(
            event_id=programme.event.id,
            user_id=make_user().id,
            status=status,
            applied_at=utcnow() - dt.timedelta(hours=len(statuses) - n),
        )
        db.session.add(registration)
        db.session.flush()
        registration_ids.append(registration.id)
    return registration_ids


def test_lowering_capacity_below_seats_taken_is_refused_and_nothing_changes(organiser, app, programme):
    with committed(app):
        make_policy(programme.event, capacity=5, seats_taken=3)
        _registrations(programme, Status.CONFIRMED, Status.CONFIRMED, Status.CONFIRMED)
    response = organiser.post(
        RULES, data={"rules-mode": "open", "rules-capacity": "2", "rules-min_age": "18", "rules-guardian_required": "y"}
    )
    assert response.status_code == 422
    assert (
        "3 seats are taken: cancel or decline registrations before lowering the capacity below that."
        in response.get_data(as_text=True)
    )
    with app.app_context():
        saved = policy(programme)
        assert (saved.capacity, saved.seats_taken, saved.min_age, saved.guardian_required) == (5, 3, None, False)
        assert db.session.scalar(select(func.count()).select_from(AuditEntry)) == 0


def test_raising_capacity_promotes_the_waiting_list(organiser, app, programme):
    with committed(app):
        make_policy(programme.event, capacity=1, seats_taken=1)
        _, first, second = _registrations(programme, Status.CONFIRMED, Status.WAITLISTED, Status.WAITLISTED)
    assert organiser.post(RULES, data={"rules-mode": "open", "rules-capacity": "2"}).status_code == 302
    with app.app_context():
        assert db.session.get(Registration, first).status is Status.CONFIRMED
        assert db.session.get(Registration, second).status is Status.WAITLISTED
        assert (policy(programme).capacity, policy(programme).seats_taken) == (2, 2)
        [entry] = entries("registration.capacity_changed")
        assert (entry.before, entry.after) == ({"capacity": 1}, {"capacity": 2})
    assert "2 of 2 seats are taken." in organiser.get(RULES).get_data(as_text=True)


def test_reopening_registration_serves_the_waiting_list(organiser, app, programme):
    with committed(app):
        # A seat was freed after registration closed: nobody could be promoted then.
        make_policy(programme.event, capacity=1, seats_taken=0, closes_at=utcnow() - dt.timedelta(days=1))
        [waiting] = _registrations(programme, Status.WAITLISTED)
    assert organiser.post(RULES, data={"rules-mode": "open", "rules-capacity": "1"}).status_code == 302
    with app.app_context():
        assert db.session.get(Registration, waiting).status is Status.CONFIRMED
        assert policy(programme).seats_taken == 1


def test_questions_are_added_listed_and_removed(organiser, app, programme):
    response = organiser.post(
        QUESTIONS,
        data={
            "question-label": "Which workshop?",
            "question-kind": "single",
            "question-choices": "Robotics\r\n\r\n Ocean science \r\n",
            "question-required": "y",
        },
    )
    assert response.status_code == 302 and response.location.endswith(RULES + "#questions")
    response = organiser.post(QUESTIONS, data={"question-label": "Dietary needs", "question-kind": "text"})
    assert response.status_code == 302
    with app.app_context():
        workshop, diet = db.session.scalars(select(Question).order_by(Question.position)).all()
        assert (workshop.position, workshop.kind, workshop.choices, workshop.required) == (
            1,
            QuestionKind.SINGLE,
            ["Robotics", "Ocean science"],
            True,
        )
        assert (diet.position, diet.kind, diet.choices, diet.required) == (2, QuestionKind.TEXT, [], False)
        [added, _] = entries("registration.question_added")
        assert added.after == {
            "id": workshop.id,
            "label": "Which workshop?",
            "kind": "single",
            "choices": ["Robotics", "Ocean science"],
            "required": True,
        }
        # Someone already answered: removing the question keeps the answer.
        [registration] = _registrations(programme, Status.PENDING)
        db.session.get(Registration, registration).answers = {str(workshop.id): "Robotics"}
        db.session.commit()
        workshop_id, diet_id = workshop.id, diet.id
    page = organiser.get(RULES).get_data(as_text=True)
    assert "Which workshop?" in page and "One choice" in page and "<li>Ocean science</li>" in page
    assert "Dietary needs" in page and "Text" in page

    assert organiser.post(f"{QUESTIONS}/{workshop_id}/remove").status_code == 302
    page = organiser.get(RULES).get_data(as_text=True)
    assert "The question “Which workshop?” is removed; answers already given are kept." in page
    assert "<li>Ocean science</li>" not in page
    with app.app_context():
        assert db.session.scalars(select(Question.id)).all() == [diet_id]
        assert db.session.get(Registration, registration).answers == {str(workshop_id): "Robotics"}
        [removed] = entries("registration.question_removed")
        assert removed.before["label"] == "Which workshop?" and removed.actor_id == programme.organiser.id
    assert organiser.post(f"{QUESTIONS}/{workshop_id}/remove").status_code == 404


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"question-label": "", "question-kind": "text"}, "This field is required."),
        ({"question-label": "   ", "question-kind": "text"}, "This field is required."),
        ({"question-label": "x" * 301, "question-kind": "text"}, "Field cannot be longer than 300 characters."),
        (
            {"question-label": "Which?", "question-kind": "single", "question-choices": "Only one"},
            "Give 2 to 50 choices, one per line.",
        ),
        ({"question-label": "Which?", "question-kind": "multiple"}, "Give 2 to 50 choices, one per line."),
        (
            {
                "question-label": "Which?",
                "question-kind": "multiple",
                "question-choices": "\n".join(f"c{n}" for n in range(51)),
            },
            "Give 2 to 50 choices, one per line.",
        ),
        (
            {"question-label": "Which?", "question-kind": "single", "question-choices": "a\n" + "b" * 201},
            "Each choice has at most 200 characters.",
        ),
        ({"question-label": "Which?", "question-kind": "single", "question-choices": "a\na"}, "Give each choice once."),
        (
            {"question-label": "Why?", "question-kind": "text", "question-choices": "a\nb"},
            "Only questions with one or several choices offer choices: leave this empty.",
        ),
        (
            {"question-label": "Coming?", "question-kind": "yes_no", "question-choices": "yes\nno"},
            "Only questions with one or several choices offer choices: leave this empty.",
        ),
        ({"question-label": "Which?", "question-kind": "essay"}, "Invalid Choice: could not coerce."),
    ],
)
def test_bad_questions_are_refused(organiser, app, programme, data, message):
    response = organiser.post(QUESTIONS, data=data)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Question)) == 0
        assert entries("registration.question_added") == []


def test_a_question_of_another_event_is_not_found(organiser, app, programme):
    with committed(app):
        other = make_event(programme.forum, "OTHER")
        question = Question(event_id=other.id, label="Elsewhere", kind=QuestionKind.TEXT)
        db.session.add(question)
    question_id = question.id
    assert organiser.post(f"{QUESTIONS}/{question_id}/remove").status_code == 404
    assert organiser.post(f"{QUESTIONS}/999999/remove").status_code == 404
    with app.app_context():
        assert db.session.get(Question, question_id) is not None


BAD_VALUES = {
    "empty": "",
    "garbage date": "2018-13-4x",
    "ten garbage characters": "abcdefghij",
    "year one": "0001-01-01T00:00",
    "long": "9" * 5000,
    "script": SCRIPT,
    "control characters": "a\x00b\x1bc",
}


CHECKBOXES = {"rules-approval_required", "rules-organisation_required", "rules-guardian_required"}


def takes(name: str, kind: str) -> bool:
    """Whether the rules field ``name`` accepts BAD_VALUES[kind]: a checkbox is ticked by any
    value, an optional field may be empty, and invitation codes are free text (at most 64
    characters, no control characters)."""
    if name in CHECKBOXES:
        return True
    if kind == "empty":
        return name != "rules-mode"
    return name == "rules-invitation_codes" and kind not in ("long", "control characters")


@pytest.mark.parametrize("kind", BAD_VALUES)
def test_bad_values_in_every_field_are_form_errors(organiser, app, programme, kind):
    value = BAD_VALUES[kind]
    for url, names in {RULES: EVERY_RULE, QUESTIONS: ["question-label", "question-kind", "question-choices"]}.items():
        response = organiser.post(url, data=dict.fromkeys(names, value))
        assert response.status_code == 422, (url, response.status_code)
        assert SCRIPT not in response.get_data(as_text=True)
    # One bad field among good ones: refused, unless the field takes that value.
    for name in EVERY_RULE:
        response = organiser.post(RULES, data={**EVERY_RULE, name: value})
        assert response.status_code == (302 if takes(name, kind) else 422), (name, response.status_code)
        assert SCRIPT not in response.get_data(as_text=True)


def test_a_year_that_cannot_be_stored_is_a_form_error(organiser, app, programme):
    response = organiser.post(RULES, data=rules_with(opens_at="0001-01-01T00:00"))
    assert response.status_code == 422
    assert "Give a date between the years 1 and 9999." in response.get_data(as_text=True)


def test_non_utf8_bodies_get_a_form_error(organiser):
    for url in (RULES, QUESTIONS):
        body = (
            b"rules-mode=%FF%FE&rules-opens_at=%C3%28&rules-allowed_countries=%80%81"
            b"&question-label=%FF&question-kind=text&question-choices=%C3%28"
        )
        response = organiser.post(url, data=body, content_type="application/x-www-form-urlencoded")
        assert response.status_code == 422


def test_labels_with_markup_are_stored_as_typed_and_shown_escaped(organiser, app, programme):
    response = organiser.post(
        QUESTIONS, data={"question-label": SCRIPT, "question-kind": "single", "question-choices": f"{SCRIPT}\nplain"}
    )
    assert response.status_code == 302
    with app.app_context():
        question = db.session.scalar(select(Question))
        assert question.label == SCRIPT and question.choices == [SCRIPT, "plain"]
        question_id = question.id
    page = organiser.get(RULES).get_data(as_text=True)
    assert SCRIPT not in page and "&lt;script&gt;" in page
    page = organiser.post(f"{QUESTIONS}/{question_id}/remove", follow_redirects=True).get_data(as_text=True)
    assert SCRIPT not in page and "&lt;script&gt;" in page


def test_only_organisers_of_the_forum_may_set_rules(client, app, programme):
    with committed(app):
        other_organiser = make_organiser(make_forum(slug="other"))
    for token in (programme.delegate, other_organiser):
        sign_in(client, token)
        assert client.get(RULES).status_code == 403
        assert client.post(RULES, data=EVERY_RULE).status_code == 403
        assert client.post(QUESTIONS, data={"question-label": "Hi", "question-kind": "text"}).status_code == 403
        assert client.post(f"{QUESTIONS}/999999/remove").status_code == 403
    with app.app_context():
        assert policy(programme) is None and db.session.scalar(select(func.count()).select_from(Question)) == 0


def test_administrators_may_set_rules(client, app, programme):
    with committed(app):
        admin = make_admin()
    sign_in(client, admin)
    assert client.post(RULES, data={"rules-mode": "nomination"}).status_code == 302
    with app.app_context():
        assert policy(programme).mode is RegistrationMode.NOMINATION


def test_unknown_event_is_not_found(organiser):
    assert organiser.get("/forums/isef2/manage/events/NOPE/rules").status_code == 404


def test_the_applicant_form_asks_the_new_question_and_for_a_guardian(organiser, client, app, programme):
    assert organiser.post(RULES, data={"rules-mode": "open", "rules-guardian_required": "y"}).status_code == 302
    assert (
        organiser.post(
            QUESTIONS,
            data={
                "question-label": "Which workshop?",
                "question-kind": "multiple",
                "question-choices": "Robotics\nOcean science",
            },
        ).status_code
        == 302
    )
    sign_in(client, programme.delegate)
    page = client.get("/forums/isef2/events/Y-ISEF/register").get_data(as_text=True)
    assert "Which workshop?" in page and "Ocean science" in page
    assert 'for="guardian_name"' in page and 'for="guardian_email"' in page
    # The applicant does not consent for their guardian: the guardian is emailed a link.
    assert "consents" not in page and 'name="guardian_consent"' not in page
    assert "We email them a link showing this event" in page
