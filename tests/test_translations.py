"""The Japanese catalogue is complete: every string planner shows has a Japanese translation,
none fuzzy, with the same placeholders, and Japanese's one plural form.

A new string without its translation fails here (and so in CI): extract, translate, commit
the catalogue in the same change (README, Translations).
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.pofile import read_po

from planner import PROJECT_ROOT

CATALOGUE = Path(PROJECT_ROOT) / "translations" / "ja" / "LC_MESSAGES" / "messages.po"
PLACEHOLDER = re.compile(r"%(?:\([^)]+\))?[#0 +\-]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa]")


@pytest.fixture(scope="module")
def extracted(tmp_path_factory: pytest.TempPathFactory) -> Catalog:
    """What the code and templates mark for translation now, as ``make messages`` extracts it."""
    pot = tmp_path_factory.mktemp("pot") / "messages.pot"
    babel = Path(sys.executable).with_name("pybabel")
    subprocess.run(
        # Folders starting with "_" (templates/_macros) are skipped unless told otherwise.
        [str(babel), "extract", "-F", "babel.cfg", "-k", "_l", "--ignore-dirs", ".*", "-o", str(pot), "."],
        cwd=PROJECT_ROOT,
        check=True,
    )
    with pot.open("rb") as file:
        return read_po(file)


@pytest.fixture(scope="module")
def japanese() -> Catalog:
    with CATALOGUE.open("rb") as file:
        return read_po(file, locale="ja")


def forms(message: Message) -> tuple[str, ...]:
    return message.string if isinstance(message.string, tuple) else (message.string,)


def placeholders(text: str) -> set[str]:
    return set(PLACEHOLDER.findall(text.replace("%%", "")))


def test_every_string_has_a_japanese_translation(extracted, japanese):
    missing = [m.id for m in extracted if m.id and (japanese.get(m.id) is None or not forms(japanese[m.id])[0])]
    assert missing == [], f"{len(missing)} strings have no Japanese translation: run make messages"


def test_no_translation_is_fuzzy(japanese):
    assert [m.id for m in japanese if m.id and m.fuzzy] == []


def test_placeholders_are_kept(japanese):
    """Japanese has one form: it keeps the placeholders of the plural or, where the singular
    names fewer and pybabel compile holds it to them, of the singular."""
    wrong = []
    for message in japanese:
        if not message.id:
            continue
        english = message.id if isinstance(message.id, tuple) else (message.id,)
        if placeholders(forms(message)[0]) not in [placeholders(text) for text in english]:
            wrong.append(english[0])
    assert wrong == []


def test_the_catalogue_passes_the_checks_pybabel_compile_makes(japanese):
    problems = [(message.id, str(error)) for message, errors in japanese.check() for error in errors]
    assert problems == []


def test_japanese_has_one_plural_form(japanese):
    assert japanese.plural_forms == "nplurals=1; plural=0;"
    plurals = [m for m in japanese if isinstance(m.id, tuple)]
    assert plurals and all(len(forms(m)) == 1 for m in plurals)


def test_the_catalogue_holds_no_strings_planner_no_longer_shows(extracted, japanese):
    stale = [m.id for m in japanese if m.id and extracted.get(m.id) is None]
    assert stale == [], "remove them: make messages"
