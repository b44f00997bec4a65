"""Shapes of the organisers' forms for registration rules and questions (rules in rules.py)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any, ClassVar
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    IntegerField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from planner.labels import label
from planner.registration.models import QuestionKind, RegistrationMode
from planner.registration.rules import CHOICE_LENGTH, CODE_LENGTH, LABEL_LENGTH, MAX_AGE, MAX_CHOICES, MAX_CODES, Rules
from planner.translated import with_translations
from planner.validators import lines, printable, printable_lines
from planner.wall_clock_forms import WallClockTimes, fold_field

# What <input type="datetime-local"> sends (the first is also how a value is shown).
LOCAL_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"]


def words(text: str | None) -> list[str]:
    """Codes separated by commas or spaces."""
    return [word for word in re.split(r"[\s,;]+", text or "") if word]


class RulesForm(WallClockTimes, FlaskForm):
    """Times are typed in the forum's timezone, ``zone``, on its clocks: a time they skip is
    refused and one they repeat asks which is meant (``opens_fold``, ``closes_fold``)."""

    mode = SelectField(_l("How people get a place"), coerce=RegistrationMode, validators=[InputRequired()])
    capacity = IntegerField(
        _l("Capacity"),
        validators=[Optional(), NumberRange(min=1, max=1_000_000)],
        description=_l("Seats for confirmed delegates. Leave empty for no limit."),
    )
    approval_required = BooleanField(_l("Organisers approve each application"))
    opens_at = DateTimeLocalField(
        _l("Registration opens"),
        format=LOCAL_FORMATS,
        validators=[Optional()],
        description=_l("Leave empty to take applications from now on."),
    )
    closes_at = DateTimeLocalField(
        _l("Registration closes"),
        format=LOCAL_FORMATS,
        validators=[Optional()],
        description=_l("Leave empty to take applications until the event starts."),
    )
    # Shown only for a time that happens twice (the night the clocks go back).
    opens_fold = fold_field(_l("Which opening is meant"))
    closes_fold = fold_field(_l("Which closing is meant"))
    FOLDS: ClassVar[dict[str, str]] = {"opens_at": "opens_fold", "closes_at": "closes_fold"}
    min_age = IntegerField(
        _l("Minimum age"),
        validators=[Optional(), NumberRange(min=0, max=MAX_AGE)],
        description=_l("On the event's first day. Leave empty for no limit."),
    )
    max_age = IntegerField(
        _l("Maximum age"),
        validators=[Optional(), NumberRange(min=0, max=MAX_AGE)],
        description=_l("On the event's first day. Leave empty for no limit."),
    )
    organisation_required = BooleanField(_l("Applicants must name their organisation"))
    allowed_countries = StringField(
        _l("Countries whose people may apply"),
        validators=[Length(max=1000), printable],
        description=_l(
            "Two-letter ISO 3166 codes separated by spaces or commas, e.g. JP, KR. Leave empty for every country."
        ),
    )
    invitation_codes = TextAreaField(
        _l("Invitation codes"),
        validators=[Length(max=MAX_CODES * (CODE_LENGTH + 2)), printable_lines],
        description=_l(
            "One per line, at most %(max)d characters each. Leave empty if no code is needed.", max=CODE_LENGTH
        ),
    )
    guardian_required = BooleanField(_l("Applicants give a parent's or guardian's name, email and consent"))

    def __init__(self, *args: Any, zone: ZoneInfo, **kwargs: Any) -> None:
        self.zone = zone
        super().__init__(*args, **kwargs)
        self.offer_folds()
        self.mode.choices = [SelectChoice(mode.value, label(mode)) for mode in RegistrationMode]

    def utc(self, name: str) -> dt.datetime | None:
        """The time typed in the field ``name`` as UTC (the chosen one of a repeated time), or None."""
        return self.instant(name) if getattr(self, name).data else None

    def _on_the_clocks(self, field: DateTimeLocalField) -> None:
        self.check_wall_clock(field.short_name)

    validate_opens_at = _on_the_clocks
    validate_closes_at = _on_the_clocks


def rules_form_data(rules: Rules, zone: ZoneInfo) -> dict[str, Any]:
    """What the form shows for ``rules``: times in the forum's timezone (and which of a
    repeated one they are), codes as text."""

    return {
        "mode": rules.mode,
        "capacity": rules.capacity,
        "approval_required": rules.approval_required,
        **RulesForm.shown_times(zone, opens_at=rules.opens_at, closes_at=rules.closes_at),
        "min_age": rules.min_age,
        "max_age": rules.max_age,
        "organisation_required": rules.organisation_required,
        "allowed_countries": " ".join(rules.allowed_countries),
        "invitation_codes": "\n".join(rules.invitation_codes),
        "guardian_required": rules.guardian_required,
    }


def rules_from(form: RulesForm) -> Rules:
    return Rules(
        mode=form.mode.data,
        opens_at=form.utc("opens_at"),
        closes_at=form.utc("closes_at"),
        capacity=form.capacity.data,
        approval_required=form.approval_required.data,
        min_age=form.min_age.data,
        max_age=form.max_age.data,
        organisation_required=form.organisation_required.data,
        allowed_countries=tuple(code.upper() for code in words(form.allowed_countries.data)),
        invitation_codes=tuple(lines(form.invitation_codes.data)),
        guardian_required=form.guardian_required.data,
    )


class QuestionForm(FlaskForm):
    label = StringField(_l("Question"), validators=[DataRequired(), Length(max=LABEL_LENGTH), printable])
    kind = SelectField(_l("Kind of answer"), coerce=QuestionKind, validators=[InputRequired()])
    choices = TextAreaField(
        _l("Choices"),
        validators=[Length(max=MAX_CHOICES * (CHOICE_LENGTH + 2)), printable_lines],
        description=_l("One per line, for questions with one or several choices only."),
    )
    required = BooleanField(_l("Applicants must answer"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.kind.choices = [SelectChoice(kind.value, label(kind)) for kind in QuestionKind]


#: A question's texts typed in each of the forum's languages (the choices one a line, in order).
QUESTION_TEXTS = ("label", "choices")


def question_form(languages: list[str]) -> type[QuestionForm]:
    return with_translations(QuestionForm, QUESTION_TEXTS, languages)
