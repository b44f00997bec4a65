"""What applicants told the organisers: their answers to an event's questions, shown, filtered
and counted for the forum's organisers, and their personal data read on a registration's page.

Rules enforced here, for every entry point:
- only the forum's organisers (and site administrators) read answers;
- reading a registration's date of birth or guardian's details is in the audit log, and so is
  every export of the forum's answers;
- the list filters by one answer to one of the forum's questions with choices; anything else
  is refused with a reason;
- pages read answers in a fixed number of queries, however many people applied.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import Select, cast, func, select
from sqlalchemy.dialects.postgresql import JSONB

from planner.accounts.models import User
from planner.accounts.permissions import require_organiser
from planner.audit.services import record
from planner.db import MAX_ID
from planner.extensions import db
from planner.forums.models import Event, Forum
from planner.refusals import Refused
from planner.registration.models import Question, QuestionKind, Registration
from planner.registration.models import RegistrationStatus as Status

YES, NO = "yes", "no"
WITH_CHOICES = {QuestionKind.SINGLE, QuestionKind.MULTIPLE, QuestionKind.YES_NO}
# Who the caterer and the venue plan for: everyone who holds or may still get a place.
WAITING = {Status.PENDING, Status.WAITLISTED}
# Several choices of one answer, in a cell or on a line.
JOINED_BY = "; "


class AnswerFilterRefused(Refused):
    """An answer filter that names no answer organisers can filter by."""


@dataclass(frozen=True)
class ForumQuestions:
    """The questions of a forum's events, in the order applicants meet them (events by start)."""

    questions: list[Question]
    event_codes: dict[int, str]  # event id -> code

    @property
    def by_id(self) -> dict[int, Question]:
        return {q.id: q for q in self.questions}

    def of_event(self, event_id: int) -> list[Question]:
        return [q for q in self.questions if q.event_id == event_id]

    def with_choices(self) -> list[Question]:
        return [q for q in self.questions if q.kind in WITH_CHOICES]

    def column_name(self, question: Question) -> str:
        """For example "Y-ISEF: Dietary needs": one forum's events may ask alike."""
        return f"{self.event_codes[question.event_id]}: {question.label}"


def forum_questions(forum: Forum, event_ids: Iterable[int] | None = None) -> ForumQuestions:
    """The questions of the forum's events (or of those ``event_ids``), in one query."""
    query = (
        select(Question, Event.code)
        .join(Event, Event.id == Question.event_id)
        .where(Event.forum_id == forum.id)
        .order_by(Event.starts_at, Event.code, Question.position, Question.id)
    )
    if event_ids is not None:
        query = query.where(Event.id.in_(list(event_ids)))
    rows = db.session.execute(query).all()
    return ForumQuestions([question for question, _code in rows], {q.event_id: code for q, code in rows})


def choices_of(question: Question) -> list[tuple[str, str]]:
    """The answers one can filter by: (value in the URL, what organisers read)."""
    if question.kind is QuestionKind.YES_NO:
        return [(YES, _("Yes")), (NO, _("No"))]
    return [(choice, choice) for choice in question.choices]


def answer_text(value: Any) -> str:
    """A stored answer as people read it: the choices' labels, several joined, yes or no."""
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, list):
        return JOINED_BY.join(str(v) for v in value)
    return "" if value is None else str(value)


@dataclass(frozen=True)
class ShownAnswer:
    question: str  # its label, or a note that it was removed
    answer: str


def answers_shown(registration: Registration, questions: ForumQuestions) -> list[ShownAnswer]:
    """The registration's answers in the order of its event's questions, then the answers to
    questions removed since (they stay on the registration, keyed by the question's id)."""
    answers = registration.answers or {}
    asked = questions.of_event(registration.event_id)
    shown = [ShownAnswer(q.label, answer_text(answers[str(q.id)])) for q in asked if str(q.id) in answers]
    asked_keys = {str(q.id) for q in asked}
    for key, value in answers.items():
        if key not in asked_keys:
            shown.append(ShownAnswer(_("A question since removed (number %(id)s)", id=key), answer_text(value)))
    return shown


@dataclass(frozen=True)
class AnswerFilter:
    """Registrations that gave ``choice`` (a choice's label, or yes or no) to ``question``."""

    question: Question
    choice: str

    def as_arg(self) -> str:
        return f"{self.question.id}:{self.choice}"


def answer_filter_from(text: str, questions: ForumQuestions) -> AnswerFilter | None:
    """The filter ``text`` (``<question id>:<choice>``) names, None for none, or
    ``AnswerFilterRefused`` saying what is wrong with it."""
    text = text.strip()
    if not text:
        return None
    number, colon, choice = text.partition(":")
    question_id = int(number) if number.isascii() and number.isdigit() and len(number) <= 10 else None
    question = questions.by_id.get(question_id) if question_id is not None and question_id <= MAX_ID else None
    if not colon or question is None or question.kind not in WITH_CHOICES:
        raise AnswerFilterRefused(_("Choose an answer from the list: this forum asks no such question with choices."))
    if choice not in {value for value, _label in choices_of(question)}:
        raise AnswerFilterRefused(_("“%(question)s” offers no such choice.", question=question.label))
    return AnswerFilter(question, choice)


def _is_postgresql() -> bool:
    return db.session.get_bind().dialect.name == "postgresql"


def matching(query: Select[Any], answer: AnswerFilter) -> Select[Any]:
    """``query`` of registrations narrowed to those that gave ``answer``, in the database."""
    question, key = answer.question, str(answer.question.id)
    stored = Registration.answers[key]
    if question.kind is QuestionKind.YES_NO:
        return query.where(stored.as_boolean() == (answer.choice == YES))
    if question.kind is QuestionKind.SINGLE:
        return query.where(stored.as_string() == answer.choice)
    # Several choices are a JSON list: asked for containment, as each database words it.
    if _is_postgresql():
        return query.where(cast(stored, JSONB).contains([answer.choice]))
    each = func.json_each(Registration.answers, f'$."{key}"').table_valued("value")
    return query.where(select(each.c.value).where(each.c.value == answer.choice).exists())


@dataclass
class ChoiceCount:
    choice: str
    confirmed: int = 0
    waiting: int = 0  # pending approval or on the waiting list


@dataclass
class QuestionTally:
    question: Question
    counts: list[ChoiceCount] = field(default_factory=list)


def tallies(forum: Forum, questions: ForumQuestions) -> dict[int, list[QuestionTally]]:
    """Per event (by id), how many confirmed and waiting applicants gave each choice of each
    question with choices: the numbers the caterer and the venue plan with. One query, however
    many registrations; the answers are counted here, as JSON lists count alike everywhere."""
    asking = questions.with_choices()
    result: dict[int, list[QuestionTally]] = {}
    counts: dict[tuple[int, str], ChoiceCount] = {}
    for question in asking:
        tally = QuestionTally(question)
        for value, label in choices_of(question):
            counts[(question.id, value)] = ChoiceCount(label)
            tally.counts.append(counts[(question.id, value)])
        result.setdefault(question.event_id, []).append(tally)
    if not asking:
        return result
    rows = db.session.execute(
        select(Registration.status, Registration.answers).where(
            Registration.event_id.in_(list(result)),
            Registration.status.in_({Status.CONFIRMED, *WAITING}),
        )
    )
    for status, answers in rows:
        for question in asking:
            answer = (answers or {}).get(str(question.id))
            given = answer if isinstance(answer, list) else [answer]
            for one in given:
                chosen = (YES if one else NO) if isinstance(one, bool) else one
                count = counts.get((question.id, chosen)) if isinstance(chosen, str) else None
                if count is None:
                    continue  # not asked of this registration's event, or no longer a choice
                if status is Status.CONFIRMED:
                    count.confirmed += 1
                else:
                    count.waiting += 1
    return result


def read_personal_data(organiser: User, registration: Registration) -> None:
    """An organiser opens a registration's own page: reading a date of birth or a guardian's
    details is recorded, so the applicant can learn who saw them."""
    forum = registration.event.forum
    require_organiser(organiser, forum)
    shown = [
        name
        for name, present in (
            ("date_of_birth", registration.date_of_birth is not None),
            ("guardian", bool(registration.guardian_name or registration.guardian_email)),
        )
        if present
    ]
    if not shown:
        return
    record(
        organiser,
        "registration.personal_data_read",
        forum_id=forum.id,
        target=("registration", registration.id),
        summary=_(
            "Application of %(name)s for %(event)s read, with personal data",
            name=registration.user.name,
            event=registration.event.code,
        ),
        after={"shown": shown},
    )


def record_export(organiser: User, forum: Forum, arguments: Mapping[str, str], rows: int) -> None:
    """A download of registrations with their answers is recorded: it carries personal data away."""
    require_organiser(organiser, forum)
    record(
        organiser,
        "registration.exported",
        forum_id=forum.id,
        target=("forum", forum.id),
        summary=_("%(num)d registrations downloaded with their answers", num=rows),
        after={"filters": dict(arguments), "rows": rows},
    )
