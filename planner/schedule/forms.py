"""Shapes of the organisers' programme forms; the scheduling rules live in editing.py and conflicts.py."""

from __future__ import annotations

from typing import ClassVar
from zoneinfo import ZoneInfo

from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    HiddenField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, ValidationError

from planner.formatting import languages
from planner.labels import label
from planner.schedule.models import SessionKind, SessionStatus
from planner.translated import localized, with_translations
from planner.validators import (
    LOCAL_TIME,
    LONG_TEXT,
    MAX_INTERPRETATIONS,
    TIME_MESSAGE,
    language_problems,
    lines,
    plausible_year,
    printable,
    printable_lines,
)
from planner.wall_clock_forms import WallClockTimes, fold_field

NAME_LENGTH = 200  # of a person's name (Person.name); an email address may have 320


def people_lines(form: FlaskForm, field: TextAreaField) -> None:
    """One name or address per line, each short enough to be stored as it was typed."""
    for line in lines(field.data):
        if len(line) > (320 if "@" in line else NAME_LENGTH):
            raise ValidationError(_l("%(text)s... is too long for a name or an email address.", text=line[:30]))


class SessionForm(WallClockTimes, FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=300), printable])
    event = SelectField(_l("Event"), coerce=int, validators=[InputRequired()])
    kind = SelectField(_l("Kind"), validators=[InputRequired()])
    starts_at = DateTimeLocalField(
        _l("Starts"),
        format=LOCAL_TIME,
        validators=[InputRequired(TIME_MESSAGE), plausible_year],
        description=_l("In the forum's timezone."),
    )
    ends_at = DateTimeLocalField(
        _l("Ends"),
        format=LOCAL_TIME,
        validators=[InputRequired(TIME_MESSAGE), plausible_year],
        description=_l("In the forum's timezone."),
    )
    room = SelectField(_l("Room"), coerce=int, default=0)
    chairs = TextAreaField(
        _l("Chairs"),
        validators=[Length(max=LONG_TEXT), printable_lines, people_lines],
        description=_l("One name or email address per line."),
    )
    speakers = TextAreaField(
        _l("Speakers"),
        validators=[Length(max=LONG_TEXT), printable_lines, people_lines],
        description=_l("One name or email address per line."),
    )
    description = TextAreaField(_l("Description"), validators=[Length(max=LONG_TEXT), printable_lines])
    # Choices are checked in validate(), with messages that say what to do.
    spoken_language = SelectField(_l("Language spoken"), default="", validate_choice=False)
    # The checkbox macro shows no hint: the limit is in the label.
    interpretation = SelectMultipleField(
        _l("Interpretation into (at most %(num)d languages)", num=MAX_INTERPRETATIONS),
        default=list,
        validate_choice=False,
    )
    is_public = BooleanField(_l("Public: shown in the public programme"), default=True)
    status = SelectField(_l("Status"), default=SessionStatus.SCHEDULED.value)
    # Shown only for a wall-clock time that happens twice (the night the clocks go back).
    starts_fold = fold_field(_l("Which start is meant"))
    ends_fold = fold_field(_l("Which end is meant"))
    FOLDS: ClassVar[dict[str, str]] = {"starts_at": "starts_fold", "ends_at": "ends_fold"}

    def __init__(self, *args, events=(), rooms=(), zone=None, **kwargs) -> None:  # noqa: ANN001, ANN002, ANN003
        super().__init__(*args, **kwargs)
        self.zone = zone or ZoneInfo("UTC")
        self.offer_folds()
        self.event.choices = [(e.id, f"{e.code}: {localized(e, 'title')}") for e in events]
        self.room.choices = [(0, str(_l("Room to be announced")))] + [
            (r.id, f"{localized(r, 'name')}, {localized(r.venue, 'name')}") for r in rooms
        ]
        self.kind.choices = [(k.value, label(k)) for k in SessionKind]
        self.status.choices = [
            (SessionStatus.SCHEDULED.value, str(_l("Scheduled"))),
            (SessionStatus.CANCELLED.value, str(_l("Cancelled"))),
        ]
        named = list(languages(str(get_locale() or "en")))
        self.spoken_language.choices = [("", str(_l("Not set")))] + named
        self.interpretation.choices = named

    def validate(self, extra_validators=None) -> bool:  # noqa: ANN001
        valid = super().validate(extra_validators)
        spoken = (self.spoken_language.data or "").strip().lower() or None
        interpretation = list(dict.fromkeys((c or "").strip().lower() for c in self.interpretation.data or []))
        self.spoken_language.data, self.interpretation.data = spoken, interpretation
        for name, message in language_problems(spoken, interpretation):
            field = self.spoken_language if name == "language" else self.interpretation
            field.errors = [*field.errors, message]
            valid = False
        return valid

    def validate_starts_at(self, field: DateTimeLocalField) -> None:
        self.check_wall_clock("starts_at")

    def validate_ends_at(self, field: DateTimeLocalField) -> None:
        self.check_wall_clock("ends_at")
        if not (self.names_one_moment("starts_at") and self.names_one_moment("ends_at")):
            return  # the start's own error says what is wrong
        if self.instant("ends_at") <= self.instant("starts_at"):
            raise ValidationError(_l("The session must end after it starts."))


#: A session's fields typed in each of the forum's languages.
SESSION_TEXTS = ("title", "description")


def session_form(languages: list[str]) -> type[SessionForm]:
    """The session form with its title and description in each of ``languages`` too."""
    return with_translations(SessionForm, SESSION_TEXTS, languages)


class ImportForm(FlaskForm):
    file = FileField(
        _l("Programme file (CSV)"),
        validators=[FileRequired(_l("Choose a CSV file to import."))],
        description=_l("One row per session, in the columns of the export."),
    )
    dry_run = BooleanField(_l("Dry run: check every row and write nothing"), default=True)


class AcknowledgeForm(FlaskForm):
    key = HiddenField(validators=[DataRequired(), Length(max=200)])


class AcknowledgePageForm(FlaskForm):
    """Every warning one page of the conflicts page shows: their keys, separated by spaces."""

    # A page holds 50 keys of at most 200 characters.
    keys = HiddenField(validators=[DataRequired(), Length(max=50 * 201)])
