"""The shape of the bilateral forms; the rules live in ``services`` and ``setup``."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, IntegerField, SelectField, SelectMultipleField, StringField, TimeField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange

from planner.bilaterals.models import DAILY_LIMITS, TOPIC_MAX
from planner.validators import printable

TIME_MESSAGE = _l("Enter a time like 09:30.")
DATE_MESSAGE = _l("Enter a real date, like 2018-03-03.")
WHOLE_NUMBER = _l("Enter a whole number.")


def _slots_field(label: str) -> SelectMultipleField:
    return SelectMultipleField(
        label,
        coerce=int,
        validators=[DataRequired(message=_l("Choose at least one slot you could meet at."))],
        description=_l("In the forum's local time; the first one free is given."),
    )


def _participants_field() -> SelectMultipleField:
    return SelectMultipleField(
        _l("Participants of your delegation"),
        coerce=int,
        description=_l("They receive the calendar invitation; none may be elsewhere at the time."),
    )


class RequestForm(FlaskForm):
    partner = SelectField(
        _l("Delegation to meet"),
        coerce=int,
        validators=[DataRequired(message=_l("Choose the delegation to meet."))],
    )
    topic = StringField(
        _l("Topic"),
        validators=[
            DataRequired(message=_l("Say what the bilateral is about.")),
            Length(max=TOPIC_MAX, message=_l("Keep the topic to %(max)d characters.")),
            printable,
        ],
    )
    slots = _slots_field(_l("Preferred slots"))
    participants = _participants_field()


class AcceptForm(FlaskForm):
    participants = _participants_field()


class ProposeForm(FlaskForm):
    slots = _slots_field(_l("Slots you propose"))
    participants = _participants_field()


class ConfirmForm(FlaskForm):
    """A button alone (decline, cancel, place): the CSRF token is the whole form."""


class SettingsForm(FlaskForm):
    rooms = SelectMultipleField(
        _l("Rooms for bilaterals"),
        coerce=int,
        description=_l("Bilaterals are held only in these rooms, when no session uses them."),
    )
    daily_limit = IntegerField(
        _l("Bilaterals a delegation may hold on one day"),
        validators=[
            InputRequired(message=WHOLE_NUMBER),
            NumberRange(min=DAILY_LIMITS.start, max=DAILY_LIMITS.stop - 1, message=_l("From %(min)s to %(max)s.")),
        ],
    )


class SlotsForm(FlaskForm):
    day = DateField(_l("Day"), validators=[InputRequired(message=DATE_MESSAGE)], invalid_value_message=DATE_MESSAGE)
    start = TimeField(
        _l("First slot starts at"), validators=[InputRequired(message=TIME_MESSAGE)], invalid_value_message=TIME_MESSAGE
    )
    end = TimeField(
        _l("Last slot ends by"), validators=[InputRequired(message=TIME_MESSAGE)], invalid_value_message=TIME_MESSAGE
    )
    minutes = IntegerField(
        _l("Minutes per slot"),
        validators=[
            InputRequired(message=WHOLE_NUMBER),
            NumberRange(min=10, max=240, message=_l("From %(min)s to %(max)s.")),
        ],
    )
    gap = IntegerField(
        _l("Minutes between slots"),
        default=0,
        validators=[
            InputRequired(message=WHOLE_NUMBER),
            NumberRange(min=0, max=120, message=_l("From %(min)s to %(max)s.")),
        ],
    )
