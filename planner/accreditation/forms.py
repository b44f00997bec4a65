"""Shapes of the identity page's form and of the accreditation settings; the checks that matter
(dates, numbers, lengths) are the rules' (``identity.problems``), shared by every entry point."""

from __future__ import annotations

import enum
from collections.abc import Callable
from typing import TypeVar

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    RadioField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TelField,
    TextAreaField,
)
from wtforms.validators import Optional

from planner.accreditation.identity_checks import HONORIFIC_MAX, NEEDS_MAX, PASSPORT_NAME_MAX, PHONE_MAX, REQUIRABLE
from planner.accreditation.models import IdentityDocumentKind
from planner.delegations.models import MemberRole, RepresentationLevel
from planner.labels import LABELS

E = TypeVar("E", bound=enum.Enum)

DATE_MESSAGE = _l("Enter a real date, like 1970-04-23.")


def _member_of(enumeration: type[E]) -> Callable[[object], E | object]:
    """Coerce to a member; anything else stays as sent, which the field then refuses as
    "Not a valid choice" (rather than "could not coerce")."""

    def coerce(value: object) -> E | object:
        try:
            return enumeration(value)
        except ValueError:
            return value

    return coerce


def _date(label: str, description: str) -> DateField:
    return DateField(label, validators=[Optional()], invalid_value_message=DATE_MESSAGE, description=description)


def _text(label: str, maximum: int, description: str | None = None) -> StringField:
    return StringField(label, render_kw={"maxlength": maximum}, description=description)


class IdentityForm(FlaskForm):
    passport_family_name = _text(_l("Family name as in the passport"), PASSPORT_NAME_MAX)
    passport_given_names = _text(_l("Given names as in the passport"), PASSPORT_NAME_MAX)
    family_name_first = BooleanField(_l("Their family name comes first (Sato Yui rather than Yui Sato)"))
    latin_transcription = _text(
        _l("Latin transcription"),
        PASSPORT_NAME_MAX,
        _l("Where the passport name is in another script: the name in Latin letters, as the passport prints it."),
    )
    honorific = _text(_l("Title or honorific"), HONORIFIC_MAX, _l("H.E., Dr, Prof. ..."))
    role = SelectField(
        _l("Role in the delegation"),
        coerce=_member_of(MemberRole),
        choices=[SelectChoice(role, LABELS[MemberRole][role]) for role in MemberRole],
    )
    level = SelectField(
        _l("Level of representation"),
        coerce=_member_of(RepresentationLevel),
        choices=[SelectChoice(level, LABELS[RepresentationLevel][level]) for level in RepresentationLevel],
    )
    nationality = SelectField(_l("Nationality"), choices=[], validate_choice=False)
    date_of_birth = _date(_l("Date of birth"), _l("Year, month and day, like 1970-04-23."))
    document_kind = RadioField(
        _l("Identity document"),
        coerce=_member_of(IdentityDocumentKind),
        default=IdentityDocumentKind.PASSPORT,
        choices=[SelectChoice(kind, LABELS[IdentityDocumentKind][kind]) for kind in IdentityDocumentKind],
    )
    document_number = StringField(
        _l("Document number"),
        render_kw={"maxlength": 20, "spellcheck": "false"},
        description=_l("As printed in the document: 5 to 20 letters and digits."),
    )
    document_expires_on = _date(_l("Date of expiry of the document"), _l("It must still be valid after the forum."))
    phone = TelField(
        _l("Phone number"),
        render_kw={"maxlength": PHONE_MAX},
        description=_l("With the country code: +81 3 1234 5678."),
    )
    dietary_needs = TextAreaField(_l("Dietary needs"), render_kw={"maxlength": NEEDS_MAX, "rows": 3})
    accessibility_needs = TextAreaField(_l("Accessibility needs"), render_kw={"maxlength": NEEDS_MAX, "rows": 3})
    listed_publicly = BooleanField(
        _l("Has agreed to appear in the public list of participants (name, function and delegation)")
    )


class RequiredFieldsForm(FlaskForm):
    required = SelectMultipleField(
        _l("Identity data required before a member is accredited"),
        choices=[SelectChoice(name, text) for name, text in REQUIRABLE.items()],
        validate_choice=False,  # the rules name an unknown field
    )
