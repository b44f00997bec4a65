"""planner.translated: the reader's text, the first language's where none is given, and form
fields per language placed beside the ones they translate."""

from __future__ import annotations

from types import SimpleNamespace
from zoneinfo import ZoneInfo

from flask_babel import force_locale

from planner.forums.forms import EventForm
from planner.translated import localized, localized_lines, merged, with_translations


def test_the_readers_language_else_the_first(app_context):
    session = SimpleNamespace(title="Opening ceremony", translations={"ja": {"title": "開会式"}})
    untranslated = SimpleNamespace(title="Lunch", translations={})
    with force_locale("ja"):
        assert localized(session, "title") == "開会式"
        assert localized(untranslated, "title") == "Lunch"
    with force_locale("en"):
        assert localized(session, "title") == "Opening ceremony"
    assert localized(None, "title") == ""


def test_choices_one_a_line_fall_back_line_by_line(app_context):
    question = SimpleNamespace(translations={"ja": {"choices": "はい\n\n"}})
    with force_locale("ja"):
        assert localized_lines(question, "choices", ["Yes", "No"]) == ["はい", "No"]


def test_merging_replaces_given_fields_and_an_empty_text_removes_one():
    stored = {"ja": {"title": "旧", "description": "説明"}}
    assert merged(stored, {"ja": {"title": " 新 ", "description": ""}}) == {"ja": {"title": "新"}}
    assert stored == {"ja": {"title": "旧", "description": "説明"}}  # a new object: SQLAlchemy sees it


def test_a_translated_field_comes_right_after_its_own(app, app_context):
    with app.test_request_context():
        form = with_translations(EventForm, ("title", "description"), ["ja"])(
            meta={"csrf": False}, zone=ZoneInfo("Asia/Tokyo")
        )
        names = [f.name for f in form]
        assert names.index("title_ja") == names.index("title") + 1
        assert names.index("description_ja") == names.index("description") + 1
        assert not form.title_ja.flags.required
        assert with_translations(EventForm, ("title",), []) is EventForm
