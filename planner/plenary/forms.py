"""Shapes of the speakers' list's forms (rules in services.py)."""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateTimeLocalField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange

from planner.plenary.models import SPEAKERS_PER_DELEGATION, SPEAKING_MINUTES
from planner.statements.national import TEXT_MAX, TITLE_MAX
from planner.validators import printable, printable_lines, stripped
from planner.wall_clock_forms import WallClockTimes, fold_field

# What <input type="datetime-local"> sends (the first is also how a value is shown).
LOCAL_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"]
REASON_MAX = 300


class ListSettingsForm(WallClockTimes, FlaskForm):
    """The deadline is typed in the forum's timezone, ``zone``, on its clocks: a time they skip
    is refused and one they repeat asks which is meant (``deadline_fold``)."""

    deadline = DateTimeLocalField(
        _l("Deadline for inscriptions"),
        format=LOCAL_FORMATS,
        validators=[InputRequired(_l("Give the date and time inscriptions close."))],
        description=_l("In the forum's time zone. After it, only organisers can add a speaker."),
    )
    # Shown only for a time that happens twice (the night the clocks go back).
    deadline_fold = fold_field(_l("Which deadline is meant"))
    FOLDS: ClassVar[dict[str, str]] = {"deadline": "deadline_fold"}
    speaking_minutes = IntegerField(
        _l("Speaking time (minutes)"),
        validators=[
            InputRequired(_l("Give the speaking time in minutes.")),
            NumberRange(min=SPEAKING_MINUTES.start, max=SPEAKING_MINUTES[-1]),
        ],
    )
    speakers_per_delegation = IntegerField(
        _l("Speakers per delegation"),
        default=1,
        validators=[
            InputRequired(_l("Give how many speakers a delegation may inscribe.")),
            NumberRange(min=SPEAKERS_PER_DELEGATION.start, max=SPEAKERS_PER_DELEGATION[-1]),
        ],
        description=_l("One, unless the chair allows a delegation more."),
    )
    states_first = BooleanField(_l("Countries speak before international organisations"))

    def __init__(self, *args: Any, zone: ZoneInfo, **kwargs: Any) -> None:
        self.zone = zone
        super().__init__(*args, **kwargs)
        self.offer_folds()

    def deadline_utc(self) -> dt.datetime:
        """The deadline as UTC, the chosen one of a time that happens twice."""
        return self.instant("deadline")

    def validate_deadline(self, field: DateTimeLocalField) -> None:
        self.check_wall_clock("deadline")


class InscribeForm(FlaskForm):
    """The speaker as "delegation id:person id", one of ``choices``."""

    speaker = SelectField(_l("Speaker to inscribe"), validators=[InputRequired(_l("Choose a speaker."))])

    def __init__(self, *args: Any, choices: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.speaker.choices = choices

    def chosen(self) -> tuple[int, int]:
        delegation_id, person_id = str(self.speaker.data).split(":")
        return int(delegation_id), int(person_id)


class MoveForm(FlaskForm):
    place = IntegerField(
        _l("New place"),
        validators=[InputRequired(_l("Give the new place as a number.")), NumberRange(min=1, max=10_000)],
    )
    reason = StringField(
        _l("Reason"),
        filters=[stripped],
        validators=[InputRequired(_l("Give the reason for the move.")), Length(max=REASON_MAX), printable],
        description=_l("Kept in the audit log."),
    )


class EntryActionForm(FlaskForm):
    """A button on an entry (spoke, not spoken, withdraw): the CSRF token only."""


class StatementForm(FlaskForm):
    title = StringField(
        _l("Title"),
        filters=[stripped],
        validators=[InputRequired(_l("Give the statement a title.")), Length(max=TITLE_MAX), printable],
    )
    language = SelectField(_l("Language of the text"), validators=[InputRequired()])
    text = TextAreaField(
        _l("Text delivered"),
        validators=[InputRequired(_l("Paste the text delivered.")), Length(max=TEXT_MAX), printable_lines],
        description=_l("Markdown: paragraphs, lists and headings."),
    )

    def __init__(self, *args: Any, languages: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.language.choices = languages
