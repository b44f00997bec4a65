"""A delegation's name in a language: a country's from CLDR (through Babel), an organisation's
from the site's list or from what organisers typed in the forum's other languages."""

from __future__ import annotations

from babel import Locale, UnknownLocaleError

from planner.delegations.models import Delegation, DelegationKind
from planner.formatting import country_reading
from planner.translated import localized, reader_language

#: The language delegations' ``name`` column is written in.
COLUMNS_LANGUAGE = "en"


def delegation_name(delegation: Delegation, language: str | None = None) -> str:
    """The name as readers of ``language`` (by default the reader's) know it: what organisers
    typed for that language, else the stored name for the language the columns hold (English),
    else CLDR's name of the country or the site list's name of the organisation, else the
    stored name. An organisation from the site's list costs a query unless
    ``Delegation.organisation`` is loaded with it."""
    language = language or reader_language() or COLUMNS_LANGUAGE
    typed = delegation.translations.get(language, {}).get("name") if delegation.translations else None
    if typed:
        return typed
    if language == COLUMNS_LANGUAGE:
        return delegation.name
    if delegation.kind is DelegationKind.COUNTRY and delegation.country_code:
        return country_in(delegation.country_code, language) or delegation.name
    if delegation.organisation_id is not None and delegation.organisation is not None:
        return localized(delegation.organisation, "name", language)
    return delegation.name


def country_in(code: str, language: str) -> str | None:
    """CLDR's name of the country in the language; None for a code or language it lacks."""
    try:
        name = Locale.parse(language).territories.get(code.upper())
    except (ValueError, UnknownLocaleError):
        return None
    return str(name) if name else None


def delegation_reading(delegation: Delegation, language: str, name: str) -> str:
    """What to sort the delegation's ``name`` in ``language`` by: in Japanese its reading where
    one is known (a country's from ``formatting.JAPANESE_COUNTRY_READINGS``, an organisation's
    from the site's list), else the name itself."""
    if language != "ja":
        return name
    if delegation.kind is DelegationKind.COUNTRY and delegation.country_code:
        if name == country_in(delegation.country_code, language):
            return country_reading(delegation.country_code, name, language)
        return name  # a name typed by organisers: as written
    if delegation.organisation_id is not None and delegation.organisation is not None:
        reading = (delegation.organisation.translations or {}).get(language, {}).get("reading")
        if reading and name == localized(delegation.organisation, "name", language):
            return reading
    return name
