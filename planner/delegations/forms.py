"""Shapes of the nomination, seat-quota and focal-point forms; the rules live in ``services``
and ``focal_points``."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, IntegerField, SelectChoice, SelectField, StringField
from wtforms.validators import DataRequired, Length, NumberRange, Optional, StopValidation

from planner.delegations.models import MemberRole, RepresentationLevel
from planner.labels import LABELS
from planner.validators import NAME_MAX, email_address, fits_with_given_name, printable, stripped

MAX_QUOTA = 1000


def sent(form: FlaskForm, field: IntegerField) -> None:
    # An empty box means "no limit"; a request without the box at all is not a form sent from the page.
    if not field.raw_data:
        raise StopValidation(_l("Enter a number of seats, or leave the box empty for no limit."))


FUNCTION_MAX = 200  # the length of DelegationMember.function (a test checks it)


def level_field() -> SelectField:
    return SelectField(
        _l("Level of representation"),
        coerce=RepresentationLevel,
        default=RepresentationLevel.OTHER,
        choices=[SelectChoice(level, LABELS[RepresentationLevel][level]) for level in RepresentationLevel],
        description=_l("Orders the list of participants after the head of delegation."),
    )


def function_field() -> StringField:
    return StringField(
        _l("Function"),
        filters=[stripped],
        validators=[Length(max=FUNCTION_MAX), printable],
        description=_l(
            "As the list of participants prints it: Minister of Education, Culture, Sports, Science and Technology."
        ),
    )


def listed_publicly_field() -> BooleanField:
    return BooleanField(_l("Has agreed to appear in the public list of participants (name, function and delegation)"))


class NominationForm(FlaskForm):
    given_name = StringField(
        _l("Given name"),
        filters=[stripped],
        validators=[DataRequired(message=_l("Enter the person's given name.")), Length(max=NAME_MAX), printable],
    )
    family_name = StringField(
        _l("Family name"), filters=[stripped], validators=[Length(max=NAME_MAX), printable, fits_with_given_name]
    )
    family_name_first = BooleanField(_l("Their family name comes first (Sato Yui rather than Yui Sato)"))
    email = EmailField(
        _l("Email address"),
        validators=[DataRequired(), email_address],
        description=_l("The accreditation is sent to this address."),
    )
    organisation = StringField(_l("Ministry or organisation"), validators=[Optional(), Length(max=200), printable])
    role = SelectField(
        _l("Role in the delegation"),
        coerce=MemberRole,
        default=MemberRole.MEMBER,
        choices=[SelectChoice(role, LABELS[MemberRole][role]) for role in MemberRole],
    )
    level = level_field()
    function = function_field()
    listed_publicly = listed_publicly_field()


class MemberListingForm(FlaskForm):
    """How a member appears in the list of participants; one form a member on the delegation page."""

    level = level_field()
    function = function_field()
    listed_publicly = listed_publicly_field()


class QuotaForm(FlaskForm):
    quota = IntegerField(
        _l("Seats for this delegation"),
        validators=[
            sent,
            Optional(),
            NumberRange(min=0, max=MAX_QUOTA, message=_l("Enter a number from 0 to %(max)d.")),
        ],
        description=_l("Leave empty for no limit."),
    )


class AppointFocalPointForm(FlaskForm):
    delegation = SelectField(_l("Delegation"), coerce=int, validate_choice=True)
    email = EmailField(_l("Email address of the focal point"), validators=[DataRequired(), email_address])


class DrawForm(FlaskForm):
    """Draw by lot, or clear the draw: the button is the whole form."""


class ParticipantOrderForm(FlaskForm):
    countries_listed_first = BooleanField(_l("List countries before international organisations"))
