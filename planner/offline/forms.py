"""The organisers' button for the offline copy: its language, one of planner's (none: the forum's first)."""

from __future__ import annotations

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField
from wtforms.validators import Optional


class OfflineCopyForm(FlaskForm):
    language = SelectField(_l("Language of the copy"), validators=[Optional()], validate_choice=False)

    def validate_language(self, field: SelectField) -> None:
        if field.data and field.data not in current_app.config["LANGUAGES"]:
            field.errors.append(_l("Choose one of the languages offered."))
