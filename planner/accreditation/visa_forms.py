"""Shapes of the visa letters' forms; the rules live in ``visa_letters``."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from planner.validators import printable, printable_lines, stripped

REASON_MAX = 1000  # visa_letters.REASON_MAX (a test checks they agree)
CODE_LENGTH = 10  # verification.CODE_LENGTH


class VisaLetterRequestForm(FlaskForm):
    """Asking for a member's letter: the button alone (and its CSRF token)."""


class DecisionReasonForm(FlaskForm):
    """Why a letter is refused or revoked, for the focal points."""

    reason = TextAreaField(
        _l("Reason"),
        filters=[stripped],
        validators=[DataRequired(_l("Say why, for the focal points.")), Length(max=REASON_MAX), printable_lines],
    )


class ApproveForm(FlaskForm):
    """Approving a letter: the button alone."""


class LetterheadForm(FlaskForm):
    letterhead_name = StringField(
        _l("Host's name on the letterhead"),
        description=_l("The ministry or agency that invites, as letters are signed: “Ministry of …”."),
        filters=[stripped],
        validators=[Length(max=300), printable],
    )
    letterhead_address = TextAreaField(
        _l("Host's address on the letterhead"),
        description=_l("One line each, as printed under the name."),
        filters=[stripped],
        validators=[Length(max=2000), printable_lines],
    )


class VerificationForm(FlaskForm):
    """The reference and code an embassy types from the letter (a GET: no token, so that a
    link with both in its query works)."""

    class Meta:
        csrf = False

    reference = StringField(
        _l("Reference"),
        description=_l("As printed on the letter, for example ISEF3-V-0001."),
        filters=[stripped],
        validators=[DataRequired(_l("Enter the letter's reference.")), Length(max=80)],
    )
    code = StringField(
        _l("Verification code"),
        description=_l("The %(num)d letters and digits printed under the reference.", num=CODE_LENGTH),
        filters=[stripped],
        validators=[DataRequired(_l("Enter the verification code.")), Length(max=40)],
    )
