"""The shapes of the reminders page's forms; the rules live in ``services``."""

from __future__ import annotations

from typing import Any, ClassVar
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateTimeLocalField, IntegerField, SelectChoice, SelectField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange, Optional, ValidationError

from planner.reminders.models import DeadlineKind
from planner.reminders.services import DETAILS_MAX
from planner.translated import with_translations
from planner.validators import LOCAL_TIME, plausible_year, printable_lines
from planner.wall_clock_forms import WallClockTimes, fold_field

REMINDER_TEXTS = ("details",)

#: What each deadline is called on the page.
DEADLINE_LABELS = {
    DeadlineKind.NOMINATIONS: _l("Nominations close"),
    DeadlineKind.CREDENTIALS: _l("Credentials letters are due"),
}


class OffsetForm(FlaskForm):
    """How long before: whole days and hours."""

    days = IntegerField(
        _l("Days before"),
        default=1,
        validators=[
            InputRequired(message=_l("Give a number of days, like 7 (0 for hours only).")),
            NumberRange(min=0, max=366, message=_l("Give a number of days from %(min)d to %(max)d.")),
        ],
    )
    hours = IntegerField(
        _l("Hours before"),
        default=0,
        validators=[
            InputRequired(message=_l("Give a number of hours, like 0.")),
            NumberRange(min=0, max=23, message=_l("Give a number of hours from %(min)d to %(max)d.")),
        ],
    )

    @property
    def minutes_before(self) -> int:
        return ((self.days.data or 0) * 24 + (self.hours.data or 0)) * 60

    def validate_hours(self, field: IntegerField) -> None:
        if self.days.data == 0 and field.data == 0:
            raise ValidationError(_l("A reminder comes at least 1 hour before."))


class DetailsForm(FlaskForm):
    details = TextAreaField(
        _l("Practical details"),
        validators=[
            Length(max=DETAILS_MAX, message=_l("Keep the details to %(max)d characters.")),
            printable_lines,
        ],
        description=_l("Sent with the reminder: the venue's entrance, what to bring, the dress code, transport."),
    )


class ReminderForm(OffsetForm, DetailsForm):
    event = SelectField(
        _l("Event"), validators=[InputRequired(message=_l("Choose the event to remind its participants of."))]
    )

    def __init__(self, *args, events=(), **kwargs) -> None:  # noqa: ANN001, ANN002, ANN003
        super().__init__(*args, **kwargs)
        self.event.choices = [SelectChoice(code, label) for code, label in events]


def reminder_form(languages: list[str]) -> type[ReminderForm]:
    """The reminder's form with its details in each of ``languages`` too."""
    return with_translations(ReminderForm, REMINDER_TEXTS, languages)


def details_form(languages: list[str]) -> type[DetailsForm]:
    """The form that corrects a reminder's details, in each of ``languages`` too."""
    return with_translations(DetailsForm, REMINDER_TEXTS, languages)


class DeadlinesForm(WallClockTimes, FlaskForm):
    """The deadlines are typed in the forum's timezone, ``zone``, on its clocks: a time they skip
    is refused and one they repeat asks which is meant (``nominations_fold``, ``credentials_fold``)."""

    nominations_close_at = DateTimeLocalField(
        DEADLINE_LABELS[DeadlineKind.NOMINATIONS],
        format=LOCAL_TIME,
        validators=[Optional(), plausible_year],
        description=_l("In the forum's timezone. Empty: no deadline."),
    )
    credentials_due_at = DateTimeLocalField(
        DEADLINE_LABELS[DeadlineKind.CREDENTIALS],
        format=LOCAL_TIME,
        validators=[Optional(), plausible_year],
        description=_l("In the forum's timezone. Empty: no deadline."),
    )
    # Shown only for a time that happens twice (the night the clocks go back).
    nominations_fold = fold_field(_l("Which deadline for nominations is meant"))
    credentials_fold = fold_field(_l("Which deadline for credentials letters is meant"))
    FOLDS: ClassVar[dict[str, str]] = {
        "nominations_close_at": "nominations_fold",
        "credentials_due_at": "credentials_fold",
    }

    def __init__(self, *args: Any, zone: ZoneInfo, **kwargs: Any) -> None:
        self.zone = zone
        super().__init__(*args, **kwargs)
        self.offer_folds()

    def validate_nominations_close_at(self, field: DateTimeLocalField) -> None:
        self.check_wall_clock("nominations_close_at")

    def validate_credentials_due_at(self, field: DateTimeLocalField) -> None:
        self.check_wall_clock("credentials_due_at")


class DeadlineReminderForm(OffsetForm):
    deadline = SelectField(
        _l("Deadline"),
        validators=[InputRequired(message=_l("Choose the deadline."))],
        choices=[SelectChoice(kind.value, label) for kind, label in DEADLINE_LABELS.items()],
    )
