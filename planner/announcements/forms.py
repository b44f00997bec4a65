"""The shape of an announcement's text; who it goes to is read by ``audiences.audience_from``
from the same post (the registrations page's filters, the delegations and sessions ticked)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from planner.translated import with_translations
from planner.validators import LONG_TEXT, printable, printable_lines

#: The fields written in each of the forum's languages.
TEXTS = ("subject", "body")


class AnnouncementForm(FlaskForm):
    # Made when the page is first shown and posted back with it (``services.new_form_key``).
    form_key = HiddenField(
        validators=[
            DataRequired(message=_l("This form is out of date: open the page again.")),
            Length(max=64, message=_l("This form is out of date: open the page again.")),
        ]
    )
    subject = StringField(
        _l("Subject"),
        validators=[
            DataRequired(message=_l("Give the announcement a subject.")),
            Length(max=200, message=_l("Keep the subject to %(max)d characters.")),
            printable,
        ],
    )
    body = TextAreaField(
        _l("Message text"),
        validators=[
            DataRequired(message=_l("Write the announcement's text.")),
            Length(max=LONG_TEXT, message=_l("Keep the text to %(max)d characters.")),
            printable_lines,
        ],
        description=_l(
            "Markdown: *emphasis*, lists, links. Each person gets it in their language where one is written."
        ),
        render_kw={"rows": 10},
    )


def announcement_form(languages: list[str]) -> type[AnnouncementForm]:
    """The form with the subject and text once more for each of ``languages`` (the forum's others)."""
    return with_translations(AnnouncementForm, TEXTS, languages)
