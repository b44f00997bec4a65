"""The language switch's form."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import HiddenField, StringField
from wtforms.validators import DataRequired, Length


class LanguageForm(FlaskForm):
    # Checked against the languages offered in the view: a form cannot know the app's settings.
    language = StringField(validators=[DataRequired(), Length(max=16)])
    next = HiddenField()
