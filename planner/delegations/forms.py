"""Shapes of the nomination, seat-quota, focal-point invitation and carry-over forms; the rules
live in ``services``, ``focal_points``, ``invitations`` and ``carry_over``."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, IntegerField, RadioField, SelectChoice, SelectField, StringField
from wtforms.validators import DataRequired, Length, NumberRange, Optional, StopValidation

from planner.accounts.forms import NameFields, SignupForm
from planner.delegations.models import FocalPointRole, MemberRole
from planner.labels import LABELS
from planner.validators import NAME_MAX, email_address, fits_with_given_name, printable, stripped

MAX_QUOTA = 1000


def sent(form: FlaskForm, field: IntegerField) -> None:
    # An empty box means "no limit"; a request without the box at all is not a form sent from the page.
    if not field.raw_data:
        raise StopValidation(_l("Enter a number of seats, or leave the box empty for no limit."))


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


class InviteFocalPointForm(FlaskForm):
    delegation = SelectField(_l("Delegation"), coerce=int, validate_choice=True)
    email = EmailField(
        _l("Email address of the person to invite"),
        validators=[DataRequired(), email_address],
        description=_l("We email them a link to accept; they can create an account there if they have none."),
    )
    role = RadioField(
        _l("Role"),
        coerce=FocalPointRole,
        default=FocalPointRole.FOCAL_POINT,
        choices=[SelectChoice(role, LABELS[FocalPointRole][role]) for role in FocalPointRole],
        validators=[DataRequired(message=_l("Choose a role."))],
    )


class InvitationAccountForm(NameFields):
    """A new account made from an invitation link: the sign-up form's fields, but the address is
    the one invited (the link proves it)."""

    password = SignupForm.password
    confirm = SignupForm.confirm


class AcceptInvitationForm(FlaskForm):
    """Accepting with the account signed in: the button is the whole form."""


class CarryOverForm(FlaskForm):
    source = SelectField(
        _l("Earlier forum of the series"),
        coerce=int,
        validate_choice=True,
        validators=[DataRequired(message=_l("Choose an earlier forum of the series."))],
    )
