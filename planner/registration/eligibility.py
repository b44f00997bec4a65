"""Who may apply to an event: the policy's rules, each refusal saying which rule failed."""

from __future__ import annotations

import datetime as dt
import hmac
from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext as _

from planner.formatting import medium_date, when_in
from planner.forums.models import Event
from planner.refusals import Refused
from planner.registration.models import Question, QuestionKind, RegistrationPolicy
from planner.validators import EMAIL_PATTERN


class RegistrationRefused(Refused):
    """An application that breaks a rule; ``str(error)`` says which, for the applicant."""


@dataclass
class Application:
    """What a delegate tells us when applying."""

    date_of_birth: dt.date | None = None
    organisation: str = ""
    country_code: str | None = None
    delegation_id: int | None = None
    invitation_code: str = ""
    guardian_name: str = ""
    guardian_email: str = ""
    answers: dict[str, Any] = field(default_factory=dict)


def age_on(day: dt.date, born: dt.date) -> int:
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def check_window(policy: RegistrationPolicy, now: dt.datetime) -> None:
    forum = policy.event.forum
    if now >= policy.event.starts_at:
        raise RegistrationRefused(_("Registration is closed: the event has started."))
    if policy.opens_at and now < policy.opens_at:
        raise RegistrationRefused(_("Registration opens on %(when)s.", when=when_in(policy.opens_at, forum)))
    if policy.closes_at and now >= policy.closes_at:
        raise RegistrationRefused(_("Registration closed on %(when)s.", when=when_in(policy.closes_at, forum)))


def check_eligibility(policy: RegistrationPolicy, event: Event, application: Application) -> None:
    """Raise ``RegistrationRefused`` naming the first rule the application breaks."""
    first_day = event.starts_at.astimezone(event.forum.zone).date()
    if policy.min_age is not None or policy.max_age is not None:
        if application.date_of_birth is None:
            raise RegistrationRefused(_("This event has an age limit: give your date of birth."))
        age = age_on(first_day, application.date_of_birth)
        if policy.min_age is not None and age < policy.min_age:
            raise RegistrationRefused(
                _(
                    "This event is for people aged %(min)d or more on %(day)s; you would be %(age)d.",
                    min=policy.min_age,
                    day=medium_date(first_day),
                    age=age,
                )
            )
        if policy.max_age is not None and age > policy.max_age:
            raise RegistrationRefused(
                _(
                    "This event is for people aged %(max)d or less on %(day)s; you would be %(age)d.",
                    max=policy.max_age,
                    day=medium_date(first_day),
                    age=age,
                )
            )
    if policy.organisation_required and not application.organisation.strip():
        raise RegistrationRefused(_("This event is for people who come for an organisation: name yours."))
    if policy.allowed_countries and application.country_code not in policy.allowed_countries:
        raise RegistrationRefused(
            _("This event is open to people from %(countries)s only.", countries=", ".join(policy.allowed_countries))
        )
    if policy.invitation_codes and not any(
        hmac.compare_digest(application.invitation_code.strip().upper(), code.upper())
        for code in policy.invitation_codes
    ):
        raise RegistrationRefused(_("This event needs a valid invitation code."))
    if policy.guardian_required:
        if application.date_of_birth is None:
            raise RegistrationRefused(
                _("Give your date of birth: applicants who are minors need a parent or guardian's consent.")
            )
        if is_minor(event, application.date_of_birth) and (
            not application.guardian_name.strip() or not EMAIL_PATTERN.match(application.guardian_email.strip())
        ):
            raise RegistrationRefused(
                _(
                    "You are under %(age)d on %(day)s: give the name and email address of a parent or guardian, "
                    "whom we will ask for consent.",
                    age=event.forum.age_of_majority,
                    day=medium_date(first_day),
                )
            )


def is_minor(event: Event, born: dt.date) -> bool:
    """Under the forum's age of majority on the event's first day, in the forum's timezone."""
    first_day = event.starts_at.astimezone(event.forum.zone).date()
    return age_on(first_day, born) < event.forum.age_of_majority


def check_answers(questions: list[Question], answers: dict[str, Any]) -> dict[str, Any]:
    """The answers cleaned to the questions' shapes; a missing required one is refused."""
    cleaned: dict[str, Any] = {}
    for question in questions:
        key = str(question.id)
        value = answers.get(key)
        if question.kind is QuestionKind.MULTIPLE:
            values = value if isinstance(value, list) else ([value] if value else [])
            value = [v for v in values if v in question.choices]
        elif question.kind is QuestionKind.SINGLE:
            value = value if value in question.choices else None
        elif question.kind is QuestionKind.YES_NO:
            value = {"yes": True, "no": False}.get(str(value).lower()) if value is not None else None
        else:
            value = (str(value).strip()[:2000] if value is not None else "") or None
        if question.required and value in (None, [], ""):
            raise RegistrationRefused(_("Please answer: %(question)s", question=question.label))
        if value not in (None, [], ""):
            cleaned[key] = value
    return cleaned
