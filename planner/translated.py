"""Content in several languages: what organisers type (titles, descriptions, names) in each of
their forum's languages, and the reader's version of it.

A forum lists its languages (``Forum.languages``, English and Japanese for ISEF2); the first is
the one the ordinary columns hold. The others live beside them in a ``translations`` column
shaped ``{language: {field: text}}``, on the row that is already loaded, so reading a
translation costs no query. ``localized(obj, "title")`` is the reader's text: the one in the
current locale (flask_babel's, which mail sets to the recipient's), else the first language's.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from functools import lru_cache
from typing import Any, Protocol, TypeVar, cast

from babel import Locale
from flask import Flask
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString
from sqlalchemy import JSON
from sqlalchemy.orm import MappedColumn, mapped_column
from wtforms import Form
from wtforms.fields.core import UnboundField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

#: {language: {field: text}}
Translations = dict[str, dict[str, str]]
#: The same as a form gives it: an empty text removes a translation.
GivenTranslations = Mapping[str, Mapping[str, str]]


class Translatable(Protocol):
    translations: Translations


def translations_column() -> MappedColumn[Translations]:
    """The column every translatable model shares: an empty object by default."""
    return mapped_column(JSON, default=dict, server_default="{}")


def reader_language() -> str:
    locale = get_locale()
    return locale.language if locale is not None else ""


def localized(obj: Any, field: str, language: str | None = None) -> str:
    """``obj.field`` in the reader's language (or ``language``), else as the columns hold it."""
    if obj is None:
        return ""
    original = getattr(obj, field)
    translations: Mapping[str, Mapping[str, str]] = getattr(obj, "translations", None) or {}
    text = translations.get(language or reader_language(), {}).get(field)
    return text if text else original


def shown_language(obj: Any, field: str, original: str, language: str | None = None) -> str:
    """The language ``localized`` shows ``obj.field`` in, for ``lang`` attributes."""
    language = language or reader_language()
    translations: Mapping[str, Mapping[str, str]] = getattr(obj, "translations", None) or {}
    return language if translations.get(language, {}).get(field) else original


def localized_lines(obj: Any, field: str, original: Sequence[str], language: str | None = None) -> list[str]:
    """A list kept as one text a line in ``translations`` (a question's choices): the reader's
    version item by item, the original where a line is missing."""
    translations: Mapping[str, Mapping[str, str]] = getattr(obj, "translations", None) or {}
    shown = (translations.get(language or reader_language(), {}).get(field) or "").splitlines()
    return [shown[n].strip() if n < len(shown) and shown[n].strip() else item for n, item in enumerate(original)]


def language_name(code: str, in_language: str | None = None) -> str:
    """A language's name in the reader's language (Japanese, 日本語), or its code if Babel knows none."""
    try:
        name = Locale.parse(code).get_display_name(in_language or reader_language() or "en")
    except (ValueError, LookupError):
        return code
    return name or code


def own_name(code: str) -> str:
    """A language's name in itself, as links to a version in it show it: 日本語, English."""
    return language_name(code, code)


def merged(current: Mapping[str, Mapping[str, str]] | None, given: Mapping[str, Mapping[str, str]]) -> Translations:
    """``current`` with the fields of ``given`` replaced (an empty text removes one); a new
    object each time, so SQLAlchemy sees the change to the JSON column."""
    result = {language: dict(fields) for language, fields in (current or {}).items()}
    for language, fields in given.items():
        kept = result.setdefault(language, {})
        for field, text in fields.items():
            if text and text.strip():
                kept[field] = text.strip()
            else:
                kept.pop(field, None)
    return {language: fields for language, fields in result.items() if fields}


# Forms: one field per other language beside each translatable field --------------------------

TOO_LONG = _l("Keep this to %(max)d characters or fewer; it has %(length)d.")

F = TypeVar("F", bound=Form)


def field_name(field: str, language: str) -> str:
    return f"{field}_{language}"


def _label(label: Any, language: str) -> LazyString:
    return LazyString(lambda: f"{label} ({language_name(language)})")


def _translation_field(unbound: UnboundField, language: str) -> UnboundField:
    """A copy of ``unbound`` for one more language: optional, otherwise checked the same way,
    with a message that says how long the text may be."""
    validators: list[Any] = [Optional()]
    for validator in unbound.kwargs.get("validators", ()):
        if isinstance(validator, DataRequired | InputRequired):
            continue
        if isinstance(validator, Length):
            validator = Length(min=validator.min, max=validator.max, message=TOO_LONG)
        validators.append(validator)
    label = unbound.args[0] if unbound.args else unbound.kwargs.get("label", "")
    kwargs = {k: v for k, v in unbound.kwargs.items() if k not in ("validators", "label", "description", "default")}
    copy = UnboundField(unbound.field_class, _label(label, language), validators=validators, **kwargs)
    # The same place in the form as the field it translates: WTForms orders fields by this
    # counter, then by name, so "title_ja" comes right after "title".
    copy.creation_counter = unbound.creation_counter
    return copy


@lru_cache(maxsize=128)
def _with_translations(form_class: Any, fields: tuple[str, ...], languages: tuple[str, ...]) -> Any:
    extra = {
        field_name(field, language): _translation_field(getattr(form_class, field), language)
        for field in fields
        for language in languages
    }
    return type(form_class.__name__, (form_class,), extra)


def with_translations(form_class: type[F], fields: Iterable[str], languages: Iterable[str]) -> type[F]:
    """``form_class`` with, after each of ``fields``, one field per language of ``languages``."""
    languages = tuple(languages)
    if not languages:
        return form_class
    # One class per form and languages: WTForms reads a class's fields once.
    return cast("type[F]", _with_translations(cast(Any, form_class), tuple(fields), languages))


def translations_from(form: Form, fields: Iterable[str], languages: Iterable[str]) -> Translations:
    """What the form's extra fields hold, {language: {field: text}}, empty texts included (they
    remove a translation; see ``merged``)."""
    fields = tuple(fields)
    return {
        language: {field: (form[field_name(field, language)].data or "") for field in fields}
        for language in languages
        if all(field_name(field, language) in form for field in fields)
    }


def translation_data(obj: Translatable | None, fields: Iterable[str], languages: Iterable[str]) -> dict[str, str]:
    """The extra fields' values for a form showing ``obj``."""
    stored = (obj.translations if obj is not None else None) or {}
    return {
        field_name(field, language): stored.get(language, {}).get(field, "")
        for field in fields
        for language in languages
    }


def register(app: Flask) -> None:
    app.jinja_env.filters.update(localized=localized)
    app.jinja_env.globals.update(
        localized_lines=localized_lines, own_language_name=own_name, shown_language=shown_language
    )
