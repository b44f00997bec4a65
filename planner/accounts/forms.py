"""Shapes of the account forms; the rules live in services."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, HiddenField, PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, InputRequired, Length

from planner.validators import NAME_MAX, email_address, fits_with_given_name, printable, stripped

PASSWORD_LENGTH = Length(min=10, max=200, message=_l("Use between %(min)d and %(max)d characters."))


class NameFields(FlaskForm):
    """A person's name in two parts and the order it is shown in (sign-up, the account page)."""

    given_name = StringField(
        _l("Given name"),
        filters=[stripped],
        validators=[DataRequired(message=_l("Enter your given name.")), Length(max=NAME_MAX), printable],
    )
    family_name = StringField(
        _l("Family name"), filters=[stripped], validators=[Length(max=NAME_MAX), printable, fits_with_given_name]
    )
    family_name_first = BooleanField(_l("My family name comes first (Sato Yui rather than Yui Sato)"))


class NameForm(NameFields):
    """The account page's form for the name and its order."""


class SignupForm(NameFields):
    email = EmailField(_l("Email address"), validators=[DataRequired(), email_address])
    password = PasswordField(
        _l("Password"), validators=[DataRequired(), PASSWORD_LENGTH], description=_l("At least 10 characters.")
    )
    confirm = PasswordField(
        _l("Repeat the password"),
        validators=[DataRequired(), EqualTo("password", message=_l("The two passwords are not the same."))],
    )
    # Where the person was going (checked with ``safe_next``): carried to the confirmation link.
    next = HiddenField()


class LoginForm(FlaskForm):
    email = EmailField(_l("Email address"), validators=[DataRequired(), email_address])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=200)])
    next = HiddenField()


class ResetRequestForm(FlaskForm):
    email = EmailField(_l("Email address"), validators=[DataRequired(), email_address])


class ResetPasswordForm(FlaskForm):
    password = PasswordField(
        _l("New password"), validators=[DataRequired(), PASSWORD_LENGTH], description=_l("At least 10 characters.")
    )
    confirm = PasswordField(
        _l("Repeat the new password"),
        validators=[DataRequired(), EqualTo("password", message=_l("The two passwords are not the same."))],
    )


class ChangePasswordForm(FlaskForm):
    current = PasswordField(_l("Current password"), validators=[DataRequired(), Length(max=200)])
    password = PasswordField(_l("New password"), validators=[DataRequired(), PASSWORD_LENGTH])
    confirm = PasswordField(
        _l("Repeat the new password"),
        validators=[DataRequired(), EqualTo("password", message=_l("The two passwords are not the same."))],
    )


class ChangeEmailForm(FlaskForm):
    email = EmailField(_l("New email address"), validators=[DataRequired(), email_address])
    password = PasswordField(_l("Current password"), validators=[DataRequired(), Length(max=200)])


class DeleteAccountForm(FlaskForm):
    password = PasswordField(_l("Current password"), validators=[DataRequired(), Length(max=200)])
    confirm = BooleanField(
        _l("I understand that my account will be deleted and cannot be restored."),
        validators=[InputRequired(message=_l("Tick the box to confirm."))],
    )


class EndSessionsForm(FlaskForm):
    """Signing out other browsers, or all of them: the button is the whole form."""
