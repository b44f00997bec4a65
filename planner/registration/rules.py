"""Organisers set an event's registration rules and the questions its applicants answer.

Rules enforced here, for every entry point:
- only the forum's organisers (and site administrators) change them;
- registration opens before it closes; age limits are 0 to 120 and in order; allowed
  countries are ISO 3166 codes; invitation codes are 1 to 64 characters, 500 at most;
- the capacity changes only through ``services.change_capacity``: never below the seats
  taken, and raising it serves the waiting list, as does reopening registration;
- questions with one or several choices offer 2 to 50 of them, other questions none;
- every change is in the audit log; removing a question keeps the answers already given.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import asdict, dataclass, replace
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import func, select

from planner.accounts.models import User
from planner.accounts.permissions import require_organiser
from planner.audit.services import record
from planner.extensions import db
from planner.formatting import country_codes
from planner.forums.models import Event
from planner.registration import services
from planner.registration.models import Question, QuestionKind, RegistrationMode, RegistrationPolicy
from planner.translated import GivenTranslations, field_name, language_name, merged
from planner.validators import lines

MAX_AGE = 120
MAX_CODES = 500
CODE_LENGTH = 64
LABEL_LENGTH = 300
CHOICE_LENGTH = 200
MIN_CHOICES, MAX_CHOICES = 2, 50
WITH_CHOICES = {QuestionKind.SINGLE, QuestionKind.MULTIPLE}


class RulesError(services.RegistrationError):
    """A refused rule or question; ``field`` names the input it is about."""

    def __init__(self, message: str, field: str) -> None:
        super().__init__(message)
        self.field = field


class QuestionNotFound(Exception):
    """The event asks no question with this id."""


@dataclass(frozen=True)
class Rules:
    """Everything an organiser decides about who may register for an event, and when."""

    mode: RegistrationMode = RegistrationMode.OPEN
    opens_at: dt.datetime | None = None  # aware
    closes_at: dt.datetime | None = None
    capacity: int | None = None  # None: no limit
    approval_required: bool = False
    min_age: int | None = None
    max_age: int | None = None
    organisation_required: bool = False
    allowed_countries: tuple[str, ...] = ()  # empty: every country
    invitation_codes: tuple[str, ...] = ()  # empty: no code needed
    guardian_required: bool = False


def rules_of(policy: RegistrationPolicy | None) -> Rules:
    """The rules in force; the defaults of a new policy if the event has none yet."""
    if policy is None:
        return Rules()
    return Rules(
        mode=policy.mode,
        opens_at=policy.opens_at,
        closes_at=policy.closes_at,
        capacity=policy.capacity,
        approval_required=policy.approval_required,
        min_age=policy.min_age,
        max_age=policy.max_age,
        organisation_required=policy.organisation_required,
        allowed_countries=tuple(policy.allowed_countries),
        invitation_codes=tuple(policy.invitation_codes),
        guardian_required=policy.guardian_required,
    )


def _checked(rules: Rules) -> Rules:
    """``rules`` normalised (codes in upper case, no duplicates), or ``RulesError``."""
    if rules.opens_at and rules.closes_at and rules.opens_at >= rules.closes_at:
        raise RulesError(_("Registration must open before it closes."), "closes_at")
    for name, age in (("min_age", rules.min_age), ("max_age", rules.max_age)):
        if age is not None and not 0 <= age <= MAX_AGE:
            raise RulesError(_("Give an age from 0 to %(max)d.", max=MAX_AGE), name)
    if rules.min_age is not None and rules.max_age is not None and rules.min_age > rules.max_age:
        raise RulesError(_("The maximum age must not be below the minimum age."), "max_age")
    if rules.capacity is not None and rules.capacity < 1:
        raise RulesError(_("The capacity must be at least 1, or empty for no limit."), "capacity")
    countries = tuple(dict.fromkeys(code.strip().upper() for code in rules.allowed_countries if code.strip()))
    unknown = [code for code in countries if code not in country_codes()]
    if unknown:
        raise RulesError(_("Not ISO 3166 country codes: %(codes)s.", codes=", ".join(unknown)), "allowed_countries")
    # Applicants' codes are compared in upper case: codes differing only in case are one.
    codes_by_key: dict[str, str] = {}
    for code in rules.invitation_codes:
        if code.strip():
            codes_by_key.setdefault(code.strip().upper(), code.strip())
    codes = tuple(codes_by_key.values())
    if len(codes) > MAX_CODES:
        raise RulesError(_("Give at most %(max)d invitation codes.", max=MAX_CODES), "invitation_codes")
    if any(len(code) > CODE_LENGTH for code in codes):
        raise RulesError(_("Invitation codes have at most %(max)d characters.", max=CODE_LENGTH), "invitation_codes")
    return replace(rules, allowed_countries=countries, invitation_codes=codes)


def _audited(rules: Rules) -> dict[str, Any]:
    """The rules as JSON for the audit log; the capacity has its own entries."""
    values = {name: value for name, value in asdict(rules).items() if name != "capacity"}
    values["mode"] = rules.mode.value
    for name in ("opens_at", "closes_at"):
        values[name] = values[name].astimezone(dt.UTC).isoformat() if values[name] else None
    for name in ("allowed_countries", "invitation_codes"):
        values[name] = list(values[name])
    return values


def set_rules(organiser: User, event: Event, rules: Rules, now: dt.datetime | None = None) -> RegistrationPolicy:
    """Set the event's registration rules, creating its policy if it has none.

    On ``RulesError`` some changes may be flushed already: the caller rolls back."""
    require_organiser(organiser, event.forum)
    rules = _checked(rules)
    policy = services.policy_of(event)
    before = _audited(rules_of(policy)) if policy is not None else {}
    if policy is None:
        policy = RegistrationPolicy(event_id=event.id, seats_taken=0)
        db.session.add(policy)
    policy.mode = rules.mode
    policy.opens_at = rules.opens_at
    policy.closes_at = rules.closes_at
    policy.approval_required = rules.approval_required
    policy.min_age = rules.min_age
    policy.max_age = rules.max_age
    policy.organisation_required = rules.organisation_required
    policy.allowed_countries = list(rules.allowed_countries)
    policy.invitation_codes = list(rules.invitation_codes)
    policy.guardian_required = rules.guardian_required
    # Flushed first: change_capacity reloads the policy, and serves the waiting list only
    # while registration is open by the new closing time.
    db.session.flush()
    if rules.capacity != policy.capacity:
        try:
            services.change_capacity(organiser, event, rules.capacity, now)  # serves the waiting list
        except services.RegistrationError as refusal:
            raise RulesError(str(refusal), "capacity") from refusal
    else:
        # Seats freed while registration was closed go to the waiting list once it reopens.
        services.promote_waitlisted(event, now)
    after = _audited(rules_of(policy))
    changed = [name for name in after if name not in before or before[name] != after[name]]
    if changed:
        record(
            organiser,
            "registration.rules_changed",
            forum_id=event.forum_id,
            target=("event", event.id),
            summary=_("Registration rules of %(event)s changed", event=event.code),
            before={name: before[name] for name in changed if name in before},
            after={name: after[name] for name in changed},
        )
    return policy


def _audited_question(question: Question) -> dict[str, Any]:
    return {
        "id": question.id,
        "label": question.label,
        "kind": question.kind.value,
        "choices": list(question.choices),
        "required": question.required,
    }


def _translated_question(event: Event, given: GivenTranslations, choices: list[str]) -> GivenTranslations:
    """The label and choices in the forum's other languages, the choices one a line."""
    kept: dict[str, dict[str, str]] = {}
    for language, fields in given.items():
        if language not in event.forum.other_languages:
            raise RulesError(
                _(
                    "%(forum)s is not written in %(language)s; add the language to the forum first.",
                    forum=event.forum.name,
                    language=language_name(language),
                ),
                "label",
            )
        label = (fields.get("label") or "").strip()
        if len(label) > LABEL_LENGTH:
            raise RulesError(
                _("Give the question in 1 to %(max)d characters.", max=LABEL_LENGTH), field_name("label", language)
            )
        translated = lines(fields.get("choices"))
        if translated and len(translated) != len(choices):
            raise RulesError(
                _(
                    "Give the choices in %(language)s in the same order as above, one per line: %(num)d of them.",
                    language=language_name(language),
                    num=len(choices),
                ),
                field_name("choices", language),
            )
        if any(len(choice) > CHOICE_LENGTH for choice in translated):
            raise RulesError(
                _("Each choice has at most %(max)d characters.", max=CHOICE_LENGTH), field_name("choices", language)
            )
        kept[language] = {"label": label, "choices": "\n".join(translated)}
    return kept


def add_question(
    organiser: User,
    event: Event,
    *,
    label: str,
    kind: QuestionKind,
    choices: Iterable[str] = (),
    required: bool = False,
    translations: GivenTranslations | None = None,
) -> Question:
    """Add a question after the event's others. Questions with one or several choices
    offer 2 to 50 different choices of at most 200 characters; others offer none. In the
    forum's other languages, the choices come in the same order, as many as in the first."""
    require_organiser(organiser, event.forum)
    label = label.strip()
    if not label or len(label) > LABEL_LENGTH:
        raise RulesError(_("Give the question in 1 to %(max)d characters.", max=LABEL_LENGTH), "label")
    choices = [choice.strip() for choice in choices if choice.strip()]
    if kind in WITH_CHOICES:
        if not MIN_CHOICES <= len(choices) <= MAX_CHOICES:
            raise RulesError(
                _("Give %(min)d to %(max)d choices, one per line.", min=MIN_CHOICES, max=MAX_CHOICES), "choices"
            )
        if any(len(choice) > CHOICE_LENGTH for choice in choices):
            raise RulesError(_("Each choice has at most %(max)d characters.", max=CHOICE_LENGTH), "choices")
        if len(set(choices)) < len(choices):
            raise RulesError(_("Give each choice once."), "choices")
    elif choices:
        raise RulesError(_("Only questions with one or several choices offer choices: leave this empty."), "choices")
    given = _translated_question(event, translations or {}, choices)
    last = db.session.scalar(select(func.max(Question.position)).where(Question.event_id == event.id))
    question = Question(
        event_id=event.id,
        position=(last or 0) + 1,
        label=label,
        kind=kind,
        choices=choices,
        required=required,
        translations=merged({}, given),
    )
    db.session.add(question)
    db.session.flush()
    record(
        organiser,
        "registration.question_added",
        forum_id=event.forum_id,
        target=("event", event.id),
        summary=_("Question added to %(event)s", event=event.code),
        after=_audited_question(question),
    )
    return question


def remove_question(organiser: User, event: Event, question_id: int) -> Question:
    """Remove one of the event's questions. Answers already given stay on the
    registrations, keyed by the question's id."""
    require_organiser(organiser, event.forum)
    question = db.session.get(Question, question_id)
    if question is None or question.event_id != event.id:
        raise QuestionNotFound(_("%(event)s asks no such question.", event=event.code))
    record(
        organiser,
        "registration.question_removed",
        forum_id=event.forum_id,
        target=("event", event.id),
        summary=_("Question removed from %(event)s", event=event.code),
        before=_audited_question(question),
    )
    db.session.delete(question)
    db.session.flush()
    return question
