"""Shapes of the organisers' forms for a forum, its events, venues and rooms, and the hub's
appointment of organisers; the rules live in ``services``."""

from __future__ import annotations

import datetime as dt
from typing import ClassVar
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    DateTimeLocalField,
    EmailField,
    IntegerField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError

from planner.formatting import zone_named
from planner.forums.models import AGE_OF_MAJORITY, PERSONAL_DATA_RETENTION_DAYS, RETENTION_DAYS, EventKind
from planner.labels import label
from planner.translated import localized, with_translations
from planner.validators import (
    LOCAL_TIME,
    LONG_TEXT,
    TIME_MESSAGE,
    email_address,
    lines,
    plausible_year,
    printable,
    printable_lines,
)
from planner.wall_clock_forms import WallClockTimes, fold_field

#: The fields typed in each of the forum's languages.
FORUM_TEXTS = ("title", "description")
EVENT_TEXTS = ("title", "description")
VENUE_TEXTS = ("name",)
ROOM_TEXTS = ("name",)
SERIES_TEXTS = ("name",)
#: The series select's choice for a forum outside any series.
NO_SERIES = 0
#: The room's zone select's choice for a room that requires none.
NO_ZONE = 0


class VenueForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200), printable])
    address = TextAreaField(_l("Address"), validators=[Length(max=2000), printable_lines])


class RoomForm(FlaskForm):
    venue = SelectField(_l("Venue"), coerce=int, validators=[InputRequired()])
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200), printable])
    capacity = IntegerField(
        _l("Capacity (seats)"),
        validators=[Optional(), NumberRange(min=1, max=1_000_000)],
        description=_l("Leave empty when it does not matter."),
    )
    accessibility_notes = TextAreaField(
        _l("Accessibility notes"),
        validators=[Length(max=LONG_TEXT), printable_lines],
        description=_l("Step-free access, hearing loop, interpretation booths..."),
    )
    closed_days = TextAreaField(
        _l("Days the room is not available"),
        validators=[Length(max=2000), printable_lines],
        description=_l("One date per line, like 2018-03-03."),
    )
    required_zone = SelectField(
        _l("Badge zone required"),
        coerce=int,
        default=NO_ZONE,
        description=_l("The access zone a badge must open to enter: the scanner at the door checks it."),
    )

    def __init__(self, *args, venues=(), zones=(), **kwargs) -> None:  # noqa: ANN001, ANN002, ANN003
        super().__init__(*args, **kwargs)
        self.venue.choices = [(v.id, v.name) for v in venues]
        self.required_zone.choices = [SelectChoice(NO_ZONE, _l("None"))] + [
            SelectChoice(z.id, f"{z.number} {localized(z, 'name')}") for z in zones
        ]

    def validate_closed_days(self, field: TextAreaField) -> None:
        days = []
        for line in lines(field.data):
            try:
                days.append(dt.date.fromisoformat(line))
            except ValueError:
                raise ValidationError(_l("%(text)s is not a date written like 2018-03-03.", text=line[:20])) from None
        self.closed_day_list = days


class EventForm(WallClockTimes, FlaskForm):
    """The start and end are typed in the forum's timezone, ``zone``, on its clocks: a time they
    skip is refused and one they repeat asks which is meant (``starts_fold``, ``ends_fold``)."""

    code = StringField(
        _l("Code"),
        validators=[DataRequired(), Length(max=32), printable],
        description=_l("Short and stable, like Y-ISEF: it appears in addresses and calendars."),
    )
    kind = SelectField(_l("Kind"), validators=[InputRequired()])
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=300), printable])
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
    # Shown only for a wall-clock time that happens twice (the night the clocks go back).
    starts_fold = fold_field(_l("Which start is meant"))
    ends_fold = fold_field(_l("Which end is meant"))
    FOLDS: ClassVar[dict[str, str]] = {"starts_at": "starts_fold", "ends_at": "ends_fold"}
    venue = SelectField(_l("Venue"), coerce=int, default=0)
    description = TextAreaField(_l("Description"), validators=[Length(max=LONG_TEXT), printable_lines])

    def __init__(self, *args, venues=(), zone: ZoneInfo, **kwargs) -> None:  # noqa: ANN001, ANN002, ANN003
        self.zone = zone
        super().__init__(*args, **kwargs)
        self.offer_folds()
        self.kind.choices = [(k.value, label(k)) for k in EventKind]
        self.venue.choices = [(0, "—")] + [(v.id, v.name) for v in venues]

    def validate_code(self, field: StringField) -> None:
        field.data = (field.data or "").strip().upper()
        if not all(c.isascii() and (c.isalnum() or c in "-_") for c in field.data):
            raise ValidationError(_l("Use letters, digits, - and _ only."))

    def validate_starts_at(self, field: DateTimeLocalField) -> None:
        self.check_wall_clock("starts_at")

    def validate_ends_at(self, field: DateTimeLocalField) -> None:
        self.check_wall_clock("ends_at")
        if not (self.names_one_moment("starts_at") and self.names_one_moment("ends_at")):
            return  # the start's own error says what is wrong
        if self.instant("ends_at") <= self.instant("starts_at"):
            raise ValidationError(_l("The event must end after it starts."))


def language_list(text: str | None) -> list[str]:
    """Language codes separated by commas or spaces, like "en, ja"."""
    return [code.strip().lower() for code in (text or "").replace(",", " ").split()]


def language_codes(form: FlaskForm, field: StringField) -> None:
    codes = language_list(field.data)
    if not codes:
        raise ValidationError(_l("Give at least one language, like en."))
    if any(not (code.isascii() and code.isalpha()) for code in codes):
        raise ValidationError(_l("Write languages as their codes, like en, ja."))


class ForumForm(FlaskForm):
    name = StringField(_l("Short name"), validators=[DataRequired(), Length(max=100), printable])
    title = StringField(_l("Full title"), validators=[DataRequired(), Length(max=300), printable])
    host_city = StringField(_l("Host city"), validators=[DataRequired(), Length(max=100), printable])
    description = TextAreaField(_l("Description"), validators=[Length(max=LONG_TEXT), printable_lines])
    languages = StringField(
        _l("Languages"),
        default="en",
        validators=[Length(max=100), language_codes],
        description=_l(
            "Codes separated by commas, like en, ja. The first is the language of the texts above; "
            "each of the others gets fields of its own."
        ),
    )
    age_of_majority = IntegerField(
        _l("Age of majority"),
        default=AGE_OF_MAJORITY,
        validators=[
            InputRequired(message=_l("Give the age of majority, like 18.")),
            NumberRange(min=1, max=30, message=_l("Give an age from %(min)d to %(max)d.")),
        ],
        description=_l(
            "Applicants younger than this on an event's first day need a parent or guardian's consent, "
            "where the event asks for it. 18 in Japan."
        ),
    )
    series = SelectField(
        _l("Series"),
        coerce=int,
        default=NO_SERIES,
        description=_l("The forums that follow one another, like ISEF1, ISEF2, ISEF3."),
    )
    personal_data_retention_days = IntegerField(
        _l("Days personal data is kept after the last day"),
        default=PERSONAL_DATA_RETENTION_DAYS,
        validators=[
            InputRequired(message=_l("Give the number of days, like 90.")),
            NumberRange(
                min=RETENTION_DAYS.start,
                max=RETENTION_DAYS.stop - 1,
                message=_l("Give a number of days from %(min)d to %(max)d."),
            ),
        ],
        description=_l(
            "Then identity data, passport numbers, photos and letters are removed; people and their "
            "participation stay. 0: they are removed the day after the forum."
        ),
    )

    def __init__(self, *args, series=(), **kwargs) -> None:  # noqa: ANN001, ANN002, ANN003
        super().__init__(*args, **kwargs)
        self.series.choices = [(NO_SERIES, _l("None"))] + [(s.id, localized(s, "name")) for s in series]

    @property
    def series_id(self) -> int | None:
        """The chosen series' id, None for none."""
        return self.series.data or None


class NewForumForm(ForumForm):
    slug = StringField(
        _l("Address name"),
        validators=[DataRequired(), Length(max=64)],
        description=_l("Lower-case letters, digits and -, like isef2: the forum's address."),
    )
    host_country = StringField(
        _l("Host country"),
        validators=[DataRequired(), Length(min=2, max=2)],
        description=_l("Its two-letter ISO code, like JP."),
    )
    timezone = StringField(
        _l("Timezone"),
        validators=[DataRequired(), Length(max=64)],
        description=_l("Like Asia/Tokyo: every time of the programme is entered and shown in it."),
    )
    first_day = DateField(_l("First day"), validators=[InputRequired()])
    last_day = DateField(_l("Last day"), validators=[InputRequired()])
    # Left empty on a new forum: Japan's 18 (changed later on the forum's edit form).
    age_of_majority = IntegerField(
        ForumForm.age_of_majority.args[0],
        default=AGE_OF_MAJORITY,
        validators=[Optional(), NumberRange(min=1, max=30, message=_l("Give an age from %(min)d to %(max)d."))],
        description=ForumForm.age_of_majority.kwargs["description"],
    )
    # A new forum keeps the default retention; its edit form changes it.
    personal_data_retention_days = None

    def validate_slug(self, field: StringField) -> None:
        field.data = (field.data or "").strip().lower()
        if not all(c.isascii() and (c.isalnum() or c == "-") for c in field.data):
            raise ValidationError(_l("Use lower-case letters, digits and - only."))

    def validate_host_country(self, field: StringField) -> None:
        field.data = (field.data or "").strip().upper()
        if not (field.data.isascii() and field.data.isalpha()):
            raise ValidationError(_l("Countries are written as their two-letter ISO code, like JP."))

    def validate_timezone(self, field: StringField) -> None:
        field.data = (field.data or "").strip()
        if zone_named(field.data) is None:
            raise ValidationError(_l("This is not a timezone; write one like Asia/Tokyo."))

    def validate_last_day(self, field: DateField) -> None:
        if self.first_day.data and field.data:
            if field.data < self.first_day.data:
                raise ValidationError(_l("The last day cannot be before the first."))
            if not (1900 <= self.first_day.data.year and field.data.year <= 2200):
                raise ValidationError(_l("Enter a year between 1900 and 2200."))
            if (field.data - self.first_day.data).days > 60:
                raise ValidationError(_l("A forum lasts at most 60 days."))


class SeriesForm(FlaskForm):
    slug = StringField(
        _l("Address name"),
        validators=[DataRequired(), Length(max=64)],
        description=_l("Lower-case letters, digits and -, like isef."),
    )
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200), printable])


def series_form(languages: list[str]) -> type[SeriesForm]:
    """The series' form with its name in each of ``languages`` too."""
    return with_translations(SeriesForm, SERIES_TEXTS, languages)


class AppointOrganiserForm(FlaskForm):
    email = EmailField(_l("Email address of the new organiser"), validators=[DataRequired(), email_address])


class AccreditationRoleForm(FlaskForm):
    """The manage hub's button giving an organiser the accreditation role, or taking it away."""

    handles = SelectField(
        _l("Accreditation role"),
        choices=[SelectChoice("yes", _l("Give")), SelectChoice("no", _l("Take away"))],
        validators=[InputRequired(message=_l("Press one of the buttons of the accreditation role."))],
    )


def forum_form(languages: list[str]) -> type[ForumForm]:
    """The forum's form with its title and description in each of ``languages`` too."""
    return with_translations(ForumForm, FORUM_TEXTS, languages)


def event_form(languages: list[str]) -> type[EventForm]:
    return with_translations(EventForm, EVENT_TEXTS, languages)


def venue_form(languages: list[str]) -> type[VenueForm]:
    return with_translations(VenueForm, VENUE_TEXTS, languages)


def room_form(languages: list[str]) -> type[RoomForm]:
    return with_translations(RoomForm, ROOM_TEXTS, languages)
