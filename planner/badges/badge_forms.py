"""Shapes of the badges page's forms; the rules live in ``issuing`` and ``signing``."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectChoice, SelectField, StringField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from planner.badges.issuing import REASON_MAX
from planner.badges.models import HAND_ISSUED, BadgeCategory
from planner.labels import LABELS
from planner.validators import printable, stripped


class IssueBadgesForm(FlaskForm):
    event = SelectField(_l("For"), coerce=int, validate_choice=True, validators=[Optional()])


class HandIssueForm(FlaskForm):
    category = SelectField(
        _l("Category"),
        coerce=BadgeCategory,
        choices=[SelectChoice(category, LABELS[BadgeCategory][category]) for category in HAND_ISSUED],
        validators=[InputRequired(_l("Choose a category."))],
    )
    name = StringField(
        _l("Name, as printed"),
        filters=[stripped],
        validators=[DataRequired(_l("Give the holder's name.")), Length(max=200), printable],
    )
    affiliation = StringField(
        _l("Organisation or media"), filters=[stripped], validators=[Optional(), Length(max=300), printable]
    )
    function = StringField(_l("Function"), filters=[stripped], validators=[Optional(), Length(max=200), printable])


class ReprintForm(FlaskForm):
    pass


class RevokeForm(FlaskForm):
    reason = StringField(
        _l("Why"),
        filters=[stripped],
        validators=[DataRequired(_l("Say why the badge is revoked.")), Length(max=REASON_MAX), printable],
        description=_l("Lost, stolen, the holder left the delegation…"),
    )


class RotateKeyForm(FlaskForm):
    pass


class RetireKeyForm(FlaskForm):
    confirm = BooleanField(
        _l("Every badge signed with this key is refused from now on"),
        validators=[DataRequired(_l("Tick the box to confirm: the badges signed with this key must be reprinted."))],
    )
