"""Shapes of the organisers' forms for access zones and scanning staff; the rules live in
``zones`` and ``scanners``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, IntegerField, SelectChoice, SelectMultipleField, StringField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange

from planner.badges.models import ZONE_NUMBERS, BadgeCategory
from planner.labels import label
from planner.translated import localized, with_translations
from planner.validators import email_address, printable

if TYPE_CHECKING:
    from planner.forums.models import Event

#: The fields typed in each of the forum's languages.
ZONE_TEXTS = ("name",)


class ZoneForm(FlaskForm):
    number = IntegerField(
        _l("Number"),
        validators=[
            InputRequired(message=_l("Give the zone a number from 1 to 255.")),
            NumberRange(
                min=ZONE_NUMBERS.start,
                max=ZONE_NUMBERS.stop - 1,
                message=_l("A zone's number is from %(min)d to %(max)d."),
            ),
        ],
        description=_l("From 1 to 255, printed on the badges: the scanner at a door knows its zone by it."),
    )
    name = StringField(
        _l("Name"),
        validators=[DataRequired(message=_l("Give the zone a name.")), Length(max=200), printable],
        description=_l("Like Plenary hall, Bilateral rooms, Press centre."),
    )
    categories = SelectMultipleField(
        _l("Badges that open it, by category"),
        description=_l("Every badge of these categories opens the zone (security everywhere, press the press centre)."),
    )
    events = SelectMultipleField(
        _l("Badges that open it, by event"),
        coerce=int,
        description=_l("The badges of these events' delegates and confirmed participants open the zone."),
    )

    def __init__(self, *args, events: Sequence[Event] = (), **kwargs) -> None:  # noqa: ANN002, ANN003
        super().__init__(*args, **kwargs)
        self.categories.choices = [SelectChoice(category.value, label(category)) for category in BadgeCategory]
        self.events.choices = [SelectChoice(event.id, f"{event.code}: {localized(event, 'title')}") for event in events]


def zone_form(languages: list[str]) -> type[ZoneForm]:
    """The zone's form with its name in each of ``languages`` too."""
    return with_translations(ZoneForm, ZONE_TEXTS, languages)


class AppointScannerForm(FlaskForm):
    email = EmailField(
        _l("Email address of the person who will scan"),
        validators=[DataRequired(), email_address],
        description=_l("They need a confirmed account on planner."),
    )
