"""Shapes of the nomination, seat-quota, focal-point invitation and carry-over forms; the rules
live in ``services``, ``focal_points``, ``invitations`` and ``carry_over``."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    EmailField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
)
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    StopValidation,
    ValidationError,
)

from planner.accounts.forms import NameFields, SignupForm
from planner.delegations.models import DelegationStatus, FocalPointRole, MemberRole, RepresentationLevel
from planner.labels import LABELS
from planner.translated import with_translations
from planner.validators import KANA, NAME_MAX, email_address, fits_with_given_name, printable, stripped

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


# The invitation list and the site's list of organisations (invitation_list, organisations) ------

SOURCES = ("country", "organisation", "name")


class DelegationFieldsForm(FlaskForm):
    """What every delegation of the list has, added or edited."""

    space_agency = StringField(
        _l("Space agency"),
        filters=[stripped],
        validators=[Optional(), Length(max=200), printable],
        description=_l("The space agency the delegation brings, if any."),
    )
    seat_quota = IntegerField(
        _l("Seat quota"),
        validators=[Optional(), NumberRange(min=0, max=MAX_QUOTA, message=_l("Enter a number from 0 to %(max)d."))],
        description=_l("Seats at the ministerial meeting. Leave empty for no limit."),
    )
    status = SelectField(
        _l("Status"),
        coerce=DelegationStatus,
        default=DelegationStatus.INVITED,
        choices=[SelectChoice(status, LABELS[DelegationStatus][status]) for status in DelegationStatus],
        # Sent by every page with the form: a request without it changes nothing.
        validators=[InputRequired(message=_l("Choose a status."))],
    )


class InvitationForm(DelegationFieldsForm):
    """A delegation to invite: a country, an organisation of the site's list, or one by name.
    The choices of ``country_code`` and ``organisation`` are set per request, in the reader's
    language."""

    source = RadioField(
        _l("Invite"),
        choices=[
            SelectChoice("country", _l("A country")),
            SelectChoice("organisation", _l("An organisation from the site's list")),
            SelectChoice("name", _l("Another organisation, by name")),
        ],
        validators=[InputRequired(message=_l("Choose what to invite."))],
    )
    country_code = SelectField(_l("Country"), validate_choice=False)
    organisation = SelectField(_l("Organisation"), validate_choice=False)
    name = StringField(
        _l("Name of the organisation"),
        filters=[stripped],
        validators=[Length(max=200), printable],
        description=_l("In English; its names in the forum's other languages below."),
    )

    def validate(self, extra_validators=None) -> bool:  # noqa: ANN001
        valid = super().validate(extra_validators)
        needed = {
            "country": (self.country_code, _l("Choose a country.")),
            "organisation": (self.organisation, _l("Choose an organisation.")),
            "name": (self.name, _l("Enter the organisation's name.")),
        }.get(self.source.data or "")
        if needed is not None and not (needed[0].data or "").strip():
            needed[0].errors = [*needed[0].errors, str(needed[1])]
            valid = False
        return valid


class DelegationEditForm(DelegationFieldsForm):
    # Shown and required for a delegation invited by name only.
    name = StringField(
        _l("Name of the organisation"), filters=[stripped], validators=[Optional(), Length(max=200), printable]
    )


class RemoveDelegationForm(FlaskForm):
    confirm = HiddenField(validators=[DataRequired()])


class ListImportForm(FlaskForm):
    file = FileField(
        _l("Invitation list (CSV)"),
        validators=[FileRequired(_l("Choose a CSV file to import."))],
        description=_l("One row per delegation, in the columns of the export."),
    )
    dry_run = BooleanField(_l("Dry run: check every row and write nothing"), default=True)


class OrganisationForm(FlaskForm):
    acronym = StringField(
        _l("Acronym"),
        filters=[stripped],
        validators=[DataRequired(message=_l("Enter the acronym.")), Length(max=40), printable],
    )
    name = StringField(
        _l("Name"),
        filters=[stripped],
        validators=[DataRequired(message=_l("Enter the name.")), Length(max=200), printable],
        description=_l("In English."),
    )
    is_space_agency = BooleanField(_l("It is a space agency"))


def invitation_form(languages: list[str]) -> type[InvitationForm]:
    return with_translations(InvitationForm, ("name",), languages)


def delegation_edit_form(languages: list[str]) -> type[DelegationEditForm]:
    return with_translations(DelegationEditForm, ("name",), languages)


def kana_only(form: FlaskForm, field: StringField) -> None:
    if field.data and not KANA.fullmatch(field.data):
        raise ValidationError(_l("Write the reading in hiragana or katakana only."))


def organisation_form(languages: list[str]) -> type[OrganisationForm]:
    form = with_translations(OrganisationForm, ("name",), languages)
    if "ja" not in languages:
        return form

    class WithReading(form):  # type: ignore[valid-type,misc]
        # After the Japanese name: a name in kanji finds its place in Japanese lists by it.
        japanese_reading = StringField(
            _l("Reading of the Japanese name (in kana)"),
            filters=[stripped],
            validators=[Optional(), Length(max=200), kana_only],
            description=_l("Where the Japanese name starts with kanji, its reading sets its place in Japanese lists."),
        )

    return WithReading


class DrawForm(FlaskForm):
    """Draw by lot, or clear the draw: the button is the whole form."""


class ParticipantOrderForm(FlaskForm):
    countries_listed_first = BooleanField(_l("List countries before international organisations"))
