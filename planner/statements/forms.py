"""Shapes of the record's forms; the rules live in ``services``."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, SelectChoice, SelectField, StringField, TextAreaField, URLField
from wtforms.validators import DataRequired, InputRequired, Length, Optional, Regexp, ValidationError

from planner.labels import LABELS
from planner.statements.models import DocumentKind, DocumentStatus, EndorsementKind, Relation
from planner.statements.services import is_web_address
from planner.translated import localized, with_translations
from planner.validators import printable, printable_lines

MAX_TEXT = 200_000
# Each language named in itself.
LANGUAGES = [
    SelectChoice(code, name)
    for code, name in (
        ("en", "English"),
        ("ja", "日本語"),
        ("fr", "Français"),
        ("es", "Español"),
        ("ru", "Русский"),
        ("zh", "中文"),
        ("ar", "العربية"),
        ("de", "Deutsch"),
    )
]


def web_address(form: FlaskForm, field: URLField) -> None:
    if not is_web_address(field.data or ""):
        raise ValidationError(_l("Give an address that starts with https:// or http://."))


def _choices(enum_class) -> list[SelectChoice]:  # noqa: ANN001
    return [SelectChoice(member, LABELS[enum_class][member]) for member in enum_class]


def _one_kind_of_line_break(text: str | None) -> str | None:
    """Browsers send CRLF from text areas; the record keeps LF, which its paragraphs,
    downloads and PDF expect."""
    return text.replace("\r\n", "\n").replace("\r", "\n") if text else text


def _text_field(label):  # noqa: ANN001, ANN202
    return TextAreaField(
        label,
        validators=[DataRequired(), Length(max=MAX_TEXT), printable_lines],
        filters=[_one_kind_of_line_break],
        description=_l("Markdown: blank lines between paragraphs, # for headings, * for lists."),
    )


class DocumentForm(FlaskForm):
    kind = SelectField(
        _l("Kind of document"), coerce=DocumentKind, choices=_choices(DocumentKind), validators=[InputRequired()]
    )
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=300), printable])
    slug = StringField(
        _l("Address name"),
        validators=[
            DataRequired(),
            Length(max=100),
            Regexp(
                r"^[a-z0-9]+(?:-[a-z0-9]+)*$", message=_l("Use lower-case letters, digits and single hyphens only.")
            ),
        ],
        description=_l("Part of the permanent link, for example joint-statement; it never changes."),
    )
    language = SelectField(_l("Language"), choices=LANGUAGES, default="en")
    version_of = SelectField(
        _l("Language version of"),
        coerce=int,
        default=0,
        description=_l("The same document in another language, like the joint statement in English."),
    )
    is_authentic = BooleanField(_l("This is an authentic text, not only a translation"), default=True)
    is_summary = BooleanField(_l("The text is a summary, not the official wording"))
    text = _text_field(_l("Text"))
    note = StringField(_l("Note on this version"), validators=[Optional(), Length(max=500), printable])

    def __init__(self, *args, documents=(), **kwargs) -> None:  # noqa: ANN001, ANN002, ANN003
        super().__init__(*args, **kwargs)
        self.version_of.choices = [SelectChoice(0, _l("None: a document of its own"))] + [
            SelectChoice(d.id, f"{localized(d, 'title')} ({d.language})") for d in documents
        ]


#: A document's title typed in each of the forum's languages (for lists shown in them).
DOCUMENT_TEXTS = ("title",)


def document_form(languages: list[str]) -> type[DocumentForm]:
    return with_translations(DocumentForm, DOCUMENT_TEXTS, languages)


class ReviseForm(FlaskForm):
    text = _text_field(_l("Text"))
    note = StringField(_l("What changed"), validators=[DataRequired(), Length(max=500), printable])


class StatusForm(FlaskForm):
    status = SelectField(
        _l("New status"), coerce=DocumentStatus, validators=[InputRequired()], choices=_choices(DocumentStatus)
    )


class AdoptionForm(FlaskForm):
    adopted_on = DateField(_l("Date of adoption"), validators=[InputRequired()])
    event = SelectField(_l("Adopted at"), coerce=int, choices=[], validate_choice=True)
    place = StringField(_l("Place"), validators=[Optional(), Length(max=200), printable])

    def __init__(self, *args, events=(), **kwargs) -> None:  # noqa: ANN001, ANN002, ANN003
        super().__init__(*args, **kwargs)
        self.event.choices = [SelectChoice(0, _l("No particular meeting"))] + [
            SelectChoice(e.id, f"{e.code}: {localized(e, 'title')}") for e in events
        ]


class ReferenceForm(FlaskForm):
    relation = SelectField(_l("Relation"), coerce=Relation, choices=_choices(Relation), validators=[InputRequired()])
    target = SelectField(_l("Document of a forum"), coerce=int, choices=[])
    outside_title = StringField(
        _l("Or the title of an outside document"), validators=[Optional(), Length(max=300), printable]
    )
    outside_url = URLField(_l("Its address on the web"), validators=[Optional(), Length(max=500), web_address])

    def __init__(self, *args, documents=(), **kwargs) -> None:  # noqa: ANN001, ANN002, ANN003
        super().__init__(*args, **kwargs)
        self.target.choices = [SelectChoice(0, _l("None: an outside document"))] + [
            SelectChoice(d.id, f"{d.forum.name}: {localized(d, 'title')}") for d in documents
        ]


class EndorsementForm(FlaskForm):
    delegation = SelectField(_l("Delegation"), coerce=int, choices=[])
    kind = SelectField(
        _l("What the delegation did"),
        coerce=EndorsementKind,
        choices=_choices(EndorsementKind),
        validators=[InputRequired()],
    )
    endorsed_on = DateField(_l("Date"), validators=[InputRequired()])

    def __init__(self, *args, delegations=(), **kwargs) -> None:  # noqa: ANN001, ANN002, ANN003
        super().__init__(*args, **kwargs)
        self.delegation.choices = [SelectChoice(d.id, d.name) for d in delegations]


class CorrigendumForm(FlaskForm):
    text = _text_field(_l("Text of the corrigendum"))
    note = StringField(_l("Note"), validators=[Optional(), Length(max=500), printable])
    issued_on = DateField(_l("Date of issue"), validators=[InputRequired()])


class CorrigendumRevisionForm(FlaskForm):
    text = _text_field(_l("Text of the corrigendum"))
    note = StringField(_l("What changed"), validators=[DataRequired(), Length(max=500), printable])
