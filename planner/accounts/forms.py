"""Shapes of the account forms; the rules live in services."""
from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, HiddenField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, EqualTo, InputRequired, Length, ValidationError

# One address: no spaces, control characters (PostgreSQL refuses NUL) or list separators.
EMAIL_PATTERN = re.compile(r"^[^@\s,;<>\x00-\x1f\x7f]+@[^@\s,;<>\x00-\x1f\x7f]+\.[^@\s,;<>\x00-\x1f\x7f]+$")
PASSWORD_LENGTH = Length(min=10, max=200, message=_l("Use between %(min)d and %(max)d characters."))


def email_address(form: FlaskForm, field: EmailField) -> None:
    field.data = (field.data or "").strip()
    if len(field.data) > 320 or not EMAIL_PATTERN.match(field.data):
        raise ValidationError(_l("Enter an email address like name@example.org."))


def printable(form: FlaskForm, field: StringField) -> None:
    if field.data and any(ord(c) < 32 or c == "\ufffd" for c in field.data):
        raise ValidationError(_l("Remove control characters or characters that could not be read."))


def printable_lines(form: FlaskForm, field: StringField) -> None:
    """Like ``printable``, for text of several lines (line breaks and tabs are fine)."""
    if field.data and any((ord(c) < 32 and c not in "\r\n\t") or c == "\ufffd" for c in field.data):
        raise ValidationError(_l("Remove control characters or characters that could not be read."))


def lines(text: str | None) -> list[str]:
    """The non-blank lines of a text box, stripped: one item a line."""
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


class SignupForm(FlaskForm):
    name = StringField(_l("Your name"), validators=[DataRequired(), Length(max=200), printable])
    email = EmailField(_l("Email address"), validators=[DataRequired(), email_address])
    password = PasswordField(_l("Password"), validators=[DataRequired(), PASSWORD_LENGTH],
                             description=_l("At least 10 characters."))
    confirm = PasswordField(_l("Repeat the password"), validators=[
        DataRequired(), EqualTo("password", message=_l("The two passwords are not the same."))])


class LoginForm(FlaskForm):
    email = EmailField(_l("Email address"), validators=[DataRequired(), email_address])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=200)])
    next = HiddenField()


class ResetRequestForm(FlaskForm):
    email = EmailField(_l("Email address"), validators=[DataRequired(), email_address])


class ResetPasswordForm(FlaskForm):
    password = PasswordField(_l("New password"), validators=[DataRequired(), PASSWORD_LENGTH],
                             description=_l("At least 10 characters."))
    confirm = PasswordField(_l("Repeat the new password"), validators=[
        DataRequired(), EqualTo("password", message=_l("The two passwords are not the same."))])


class ChangePasswordForm(FlaskForm):
    current = PasswordField(_l("Current password"), validators=[DataRequired(), Length(max=200)])
    password = PasswordField(_l("New password"), validators=[DataRequired(), PASSWORD_LENGTH])
    confirm = PasswordField(_l("Repeat the new password"), validators=[
        DataRequired(), EqualTo("password", message=_l("The two passwords are not the same."))])


class ChangeEmailForm(FlaskForm):
    email = EmailField(_l("New email address"), validators=[DataRequired(), email_address])
    password = PasswordField(_l("Current password"), validators=[DataRequired(), Length(max=200)])


class DeleteAccountForm(FlaskForm):
    password = PasswordField(_l("Current password"), validators=[DataRequired(), Length(max=200)])
    confirm = BooleanField(_l("I understand that my account will be deleted and cannot be restored."),
                           validators=[InputRequired(message=_l("Tick the box to confirm."))])


class AppointOrganiserForm(FlaskForm):
    email = EmailField(_l("Email address of the new organiser"), validators=[DataRequired(), email_address])


class AppointFocalPointForm(FlaskForm):
    delegation = SelectField(_l("Delegation"), coerce=int, validate_choice=True)
    email = EmailField(_l("Email address of the focal point"), validators=[DataRequired(), email_address])
