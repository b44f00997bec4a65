"""The application form, shaped by the event's policy and questions."""

from __future__ import annotations

import functools
from typing import Any

from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    EmailField,
    IntegerField,
    RadioField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError

from planner.db import MAX_ID
from planner.delegations.models import Delegation
from planner.formatting import countries, country_codes
from planner.registration.eligibility import Application
from planner.registration.models import Question, QuestionKind, RegistrationPolicy
from planner.translated import localized, localized_lines
from planner.validators import email_address, printable


def _countries() -> list[SelectChoice]:
    return _country_choices(str(get_locale()))


@functools.lru_cache(maxsize=32)
def _country_choices(locale: str) -> list[SelectChoice]:
    """Built once per language and shared by every form (WTForms only reads choices)."""
    return [SelectChoice("", "—")] + [SelectChoice(code, name) for code, name in countries(locale)]


def known_country(form: FlaskForm, field: SelectField) -> None:
    """A set look-up instead of WTForms' walk through some 250 choices on every POST."""
    if field.data and field.data not in country_codes():
        raise ValidationError(_l("Choose a country from the list."))


class ApplicationForm(FlaskForm):
    """Fields are added per event by ``application_form``.

    Its token is checked by CSRFProtect before the view runs, as every POST's is; the form
    has no token field of its own, which would sign a new token on every application (the
    page draws ``csrf_token()`` instead)."""

    class Meta:
        csrf = False


def delegation_choices(delegations: list[Delegation]) -> list[SelectChoice]:
    return [SelectChoice(0, "—")] + [SelectChoice(d.id, d.name) for d in delegations]


def application_form(
    policy: RegistrationPolicy, questions: list[Question], asks_delegation: bool = True, **kwargs: Any
) -> ApplicationForm:
    """The form for this event's rules and questions (its class is built once per shape).
    ``asks_delegation``: False for students, who come for their school, not a delegation."""
    shape = (
        asks_delegation,
        policy.min_age is not None or policy.max_age is not None,
        policy.organisation_required,
        bool(policy.allowed_countries),
        bool(policy.invitation_codes),
        policy.guardian_required,
        # In the reader's language: the class is built once per language, the values stay the first's.
        tuple(
            (
                q.id,
                q.kind,
                localized(q, "label"),
                tuple(zip(q.choices, localized_lines(q, "choices", q.choices))),
                q.required,
            )
            for q in questions
        ),
    )
    form = _form_class(shape)(**kwargs)
    form.country.choices = _countries()  # in the reader's language, so per form, not per class
    return form


@functools.lru_cache(maxsize=256)
def _form_class(shape: tuple) -> type[ApplicationForm]:
    """Keyed by plain values only, so that no database object outlives its request."""
    asks_delegation, has_age_limit, organisation_required, has_countries, has_codes, guardian_required, questions = (
        shape
    )

    class Form(ApplicationForm):
        pass

    if asks_delegation:
        _add_delegation(Form)
    if has_age_limit or guardian_required:
        Form.date_of_birth = DateField(
            _l("Date of birth"),
            validators=[InputRequired()],
            description=_l("Used to check the event's age limits and whether a guardian's consent is needed.")
            if guardian_required
            else _l("Used to check the event's age limits."),
        )
    Form.organisation = StringField(
        _l("Organisation"),
        validators=[DataRequired() if organisation_required else Optional(), Length(max=200), printable],
    )
    Form.country = SelectField(
        _l("Country"),
        choices=[],
        validate_choice=False,
        validators=[DataRequired(), known_country] if has_countries else [known_country],
    )
    if has_codes:
        Form.invitation_code = StringField(_l("Invitation code"), validators=[DataRequired(), Length(max=64)])
    if guardian_required:
        # Optional here: whether the applicant is a minor, and so needs them, is the
        # service's rule (date of birth, the forum's age of majority); adults leave them empty.
        Form.guardian_name = StringField(
            _l("Parent or guardian's name"), validators=[Optional(), Length(max=200), printable]
        )
        Form.guardian_email = EmailField(
            _l("Parent or guardian's email address"), validators=[Optional(), Length(max=320), email_address]
        )
    for question_id, kind, label, choices, required in questions:
        validators = [InputRequired()] if required else [Optional()]
        if kind is QuestionKind.TEXT:
            field = TextAreaField(label, validators=[*validators, Length(max=2000), printable])
        elif kind is QuestionKind.SINGLE:
            field = RadioField(label, choices=[SelectChoice(v, shown) for v, shown in choices], validators=validators)
        elif kind is QuestionKind.MULTIPLE:
            field = SelectMultipleField(
                label, choices=[SelectChoice(v, shown) for v, shown in choices], validators=validators
            )
        else:
            field = RadioField(
                label, choices=[SelectChoice("yes", _l("Yes")), SelectChoice("no", _l("No"))], validators=validators
            )
        setattr(Form, f"q{question_id}", field)
    return Form


def _add_delegation(Form: type[ApplicationForm]) -> None:  # noqa: N803 (a class)
    # Its choices are only needed to draw the form (``delegation_choices``); whether a chosen
    # delegation belongs to the forum is the service's rule, so posting needs no list.
    Form.delegation = SelectField(
        _l("Your delegation, if you come with one"),
        coerce=int,
        validate_choice=False,
        choices=[SelectChoice(0, "—")],
        # An id the database cannot hold names no delegation (and PostgreSQL
        # would refuse to compare it): a form error, not a look-up.
        validators=[NumberRange(min=0, max=MAX_ID, message=_l("Choose a delegation from the list."))],
    )


def application_from(form: ApplicationForm, questions: list[Question]) -> Application:
    def value(name: str, default: Any = None) -> Any:
        return getattr(form, name).data if hasattr(form, name) else default

    return Application(
        date_of_birth=value("date_of_birth"),
        organisation=value("organisation", "") or "",
        country_code=value("country") or None,
        delegation_id=value("delegation") or None,
        invitation_code=value("invitation_code", "") or "",
        guardian_name=value("guardian_name", "") or "",
        guardian_email=value("guardian_email", "") or "",
        answers={str(q.id): value(f"q{q.id}") for q in questions},
    )


class CapacityForm(FlaskForm):
    capacity = IntegerField(
        _l("Capacity"),
        validators=[Optional(), NumberRange(min=1, max=1_000_000)],
        description=_l("Leave empty for no limit."),
    )


class ConsentForm(FlaskForm):
    """A guardian's answer to a minor's application (the guardian has no account)."""

    decision = RadioField(
        _l("Your answer"),
        choices=[
            SelectChoice("give", _l("I give my consent")),
            SelectChoice("refuse", _l("I do not give my consent")),
        ],
        validators=[InputRequired(message=_l("Choose whether you give your consent."))],
    )
