"""Shapes of the certificates' forms; the rules live in ``attendance`` and ``services``."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, StringField
from wtforms.validators import DataRequired, Length, Regexp

from planner.certificates.services import REASON_MAX
from planner.validators import printable, stripped

CODE_LENGTH = 10  # verification.CODE_LENGTH (a test checks they agree)


class AttendeeForm(FlaskForm):
    """Marking a participant present, or no longer: who, as the list names them."""

    attendee = HiddenField(
        _l("Participant"),
        filters=[stripped],
        validators=[
            DataRequired(_l("Choose a participant from the list.")),
            Regexp(r"^(user|person)-[1-9][0-9]{0,9}$", message=_l("Choose a participant from the list.")),
        ],
    )


class SendCertificatesForm(FlaskForm):
    """Sending the event's certificates: the button alone (and its CSRF token)."""


class RevokeCertificateForm(FlaskForm):
    """Revoking a certificate issued by mistake: why (for the organisers; never shown publicly)."""

    reason = StringField(
        _l("Why is it revoked?"),
        filters=[stripped],
        validators=[
            DataRequired(_l("Say why the certificate is revoked.")),
            Length(max=REASON_MAX, message=_l("Say why in at most %(max)d characters.", max=REASON_MAX)),
            printable,
        ],
    )


class VerificationForm(FlaskForm):
    """The reference and code a school types from the certificate (a GET: no token, so that a
    link with both in its query works)."""

    class Meta:
        csrf = False

    reference = StringField(
        _l("Reference"),
        description=_l("As printed on the certificate, for example ISEF3-C-0001."),
        filters=[stripped],
        validators=[DataRequired(_l("Enter the certificate's reference.")), Length(max=80), printable],
    )
    code = StringField(
        _l("Verification code"),
        description=_l("The %(num)d letters and digits printed under the reference.", num=CODE_LENGTH),
        filters=[stripped],
        validators=[DataRequired(_l("Enter the verification code.")), Length(max=40), printable],
    )
