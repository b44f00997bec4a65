"""Registration in the forum's languages: questions and choices in the applicant's, the
answers kept in the first language's words, and mail in the recipient's language."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from planner.extensions import db
from planner.registration.models import Question, QuestionKind, Registration
from tests.accounts.helpers import mails_to
from tests.conftest import sign_in
from tests.factories import Programme, committed, current, make_forum, make_policy, make_programme

QUESTIONS = "/forums/isef3/manage/events/Y-ISEF/rules/questions"


@pytest.fixture
def setting(app) -> Programme:
    with committed(app):
        forum = make_forum(
            slug="isef3",
            name="ISEF3",
            first_day=dt.date(2030, 3, 1),
            last_day=dt.date(2030, 3, 3),
            languages=["en", "ja"],
        )
        built = make_programme(
            forum, title="Young Professionals ISEF", translations={"ja": {"title": "Y-ISEF 若手専門家会合"}}
        )
        make_policy(built.event)
        built.add(
            "question",
            Question(
                event_id=built.event.id,
                label="Your field",
                kind=QuestionKind.SINGLE,
                choices=["Science", "Policy"],
                required=True,
                translations={"ja": {"label": "ご専門の分野", "choices": "科学\n政策"}},
            ),
        )
        built.person("hana", name="Hana", email="hana@example.org")
        current(built.hana).language = "ja"
    return built


def test_a_japanese_applicant_sees_the_question_in_japanese_and_the_mail_names_the_event_in_it(app, client, setting):
    sign_in(client, setting.hana)
    page = client.get("/forums/isef3/events/Y-ISEF/register?lang=ja").get_data(as_text=True)
    assert "Y-ISEF 若手専門家会合" in page and "ご専門の分野" in page and "政策" in page
    assert 'value="Policy"' in page  # the answer keeps the first language's words
    response = client.post(
        "/forums/isef3/events/Y-ISEF/register?lang=en",
        data={"delegation": "0", "organisation": "", "country": "JP", f"q{setting.question.id}": "Policy"},
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    with app.app_context():
        registration = db.session.scalar(select(Registration))
        assert registration.answers == {str(setting.question.id): "Policy"}
    # Applied from an English page, mailed in Hana's Japanese, with the event's Japanese title.
    [message] = mails_to(app, "hana@example.org")
    assert "Y-ISEF 若手専門家会合" in message.subject and "Young Professionals ISEF" not in message.subject


def test_an_english_reader_sees_the_first_language(client, setting):
    page = client.get("/forums/isef3/events/Y-ISEF/?lang=en").get_data(as_text=True)
    assert "Young Professionals ISEF" in page and "若手専門家会合" not in page


def test_the_organiser_adds_a_question_in_both_languages(app, client, setting):
    sign_in(client, setting.organiser)
    form = client.get("/forums/isef3/manage/events/Y-ISEF/rules").get_data(as_text=True)
    assert 'name="question-label_ja"' in form
    response = client.post(
        QUESTIONS,
        data={
            "question-label": "Which workshop?",
            "question-label_ja": "参加するワークショップ",
            "question-kind": "single",
            "question-choices": "Robotics\r\nOcean science",
            "question-choices_ja": "ロボティクス\r\n海洋科学",
        },
    )
    assert response.status_code == 302
    with app.app_context():
        added = db.session.scalar(select(Question).where(Question.label == "Which workshop?"))
        assert added.translations == {"ja": {"label": "参加するワークショップ", "choices": "ロボティクス\n海洋科学"}}


def test_choices_in_another_language_must_match_the_first_in_number(app, client, setting):
    sign_in(client, setting.organiser)
    response = client.post(
        QUESTIONS,
        data={
            "question-label": "Which workshop?",
            "question-kind": "single",
            "question-choices": "Robotics\r\nOcean science",
            "question-choices_ja": "ロボティクス",
        },
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Give the choices in Japanese in the same order as above, one per line: 2 of them." in page
    assert "ロボティクス" in page  # kept on the form
    with app.app_context():
        assert db.session.scalar(select(Question).where(Question.label == "Which workshop?")) is None
