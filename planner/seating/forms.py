"""The shape of the seating plan's form; the rules (how many rows, seats, the room) are ``services``."""

from __future__ import annotations

import re
from collections.abc import Sequence

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import Field, Form, IntegerField, SelectChoice, SelectField, StringField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, ValidationError

from planner.validators import printable

#: Up to 40 rows of two-digit numbers, with room for spaces.
ROWS_TEXT_MAX = 400
NO_ROOM = 0


def seat_counts(text: str | None) -> list[int] | None:
    """ "12, 12, 14" as [12, 12, 14] (commas, spaces or both between them); None if it is not that."""
    parts = [p for p in re.split(r"[,\s、，]+", text or "") if p]
    if not parts or not all(p.isascii() and p.isdigit() and len(p) <= 4 for p in parts):
        return None
    return [int(p) for p in parts]


def seat_labels(text: str | None) -> list[str]:
    """ "A1, a2 B7" as ["A1", "A2", "B7"]: whether each is a seat of the hall is the rules' question."""
    return [p.upper() for p in re.split(r"[,\s、，]+", text or "") if p]


def labels_shape(form: Form, field: Field) -> None:
    if any(not (p.isascii() and p.isalnum()) for p in seat_labels(field.data)):
        raise ValidationError(_l("Write seats as a row's letter and a number, like A1, separated by commas."))


def seat_numbers(form: Form, field: Field) -> None:
    if seat_counts(field.data) is None:
        raise ValidationError(_l("Write the seats of each row as whole numbers separated by commas, like 12, 12, 14."))


class SeatingPlanForm(FlaskForm):
    rows = StringField(
        _l("Seats in each row, front row first"),
        validators=[
            DataRequired(message=_l("Give the number of seats of each row.")),
            Length(max=ROWS_TEXT_MAX, message=_l("Keep the rows to %(max)d characters.")),
            printable,
            seat_numbers,
        ],
        description=_l("Numbers separated by commas, like 10, 12, 12, 14: the first is the row nearest the rostrum."),
    )
    reserved_seats = StringField(
        _l("Reserved seats"),
        validators=[
            Length(max=ROWS_TEXT_MAX, message=_l("Keep the reserved seats to %(max)d characters.")),
            printable,
            labels_shape,
        ],
        description=_l(
            "Optional: seats nobody is seated in (the chair's, the host's, interpreters'), like A1, A2: rows"
            " are lettered from the front, seats numbered from the left as one faces the rostrum."
        ),
    )
    seats_per_delegation = IntegerField(
        _l("Seats for each delegation"),
        validators=[
            InputRequired(message=_l("Enter how many seats a delegation gets.")),
            NumberRange(min=1, max=20, message=_l("Enter a number from %(min)d to %(max)d.")),
        ],
        description=_l("Its head of delegation and accredited members up to this number."),
    )
    room = SelectField(_l("Room"), coerce=int, default=NO_ROOM)

    def __init__(self, *args, rooms: Sequence[tuple[int, str]] = (), **kwargs) -> None:  # noqa: ANN002, ANN003
        super().__init__(*args, **kwargs)
        self.room.choices = [SelectChoice(NO_ROOM, _l("No room named")), *(SelectChoice(i, n) for i, n in rooms)]
