"""A session's language and interpretation: the session form, its history, the session page,
the timetable and the organisers' programme page, in English and in Japanese."""

import pytest
from sqlalchemy import select

from planner.audit.models import AuditEntry
from planner.demo.synthetic import load_synthetic_forum
from planner.extensions import db
from planner.forums.models import Event
from planner.schedule import editing
from planner.schedule.models import Session
from planner.validators import MAX_INTERPRETATIONS
from tests.conftest import sign_in
from tests.factories import (
    Programme,
    committed,
    current,
    make_plenary_and_panel,
    make_session,
    session_form_data,
    tokyo,
)

EN = "English, with Japanese and French interpretation"
JA = "英語（日本語、フランス語通訳あり）"


@pytest.fixture
def programme(app, client) -> Programme:
    """Y-ISEF's plenary (spoken in English, interpreted into Japanese and French) and its panel
    (no language set). The client is the organiser's."""
    with committed(app):
        programme = make_plenary_and_panel()
        programme.plenary.spoken_language = "en"
        programme.plenary.interpretation = ["ja", "fr"]
    sign_in(client, programme.organiser)
    return programme


def form(programme, **overrides):
    return session_form_data(programme.event.id, programme.annex.id, **overrides)


def edit_url(session) -> str:
    return f"/forums/isef2/manage/sessions/{session.id}/edit"


def test_the_form_sets_language_and_interpretation_and_raises_the_revision(app, client, programme):
    response = client.post(edit_url(programme.panel), data=form(programme, spoken_language="ja", interpretation=["en"]))
    assert response.status_code == 302
    with app.app_context():
        panel = db.session.get(Session, programme.panel.id)
        assert (panel.spoken_language, panel.interpretation, panel.revision) == ("ja", ["en"], 2)
        entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "session.changed")).one()
        assert entry.before == {"spoken_language": None, "interpretation": []}
        assert entry.after == {"spoken_language": "ja", "interpretation": ["en"]}
    page = client.get(edit_url(programme.panel)).get_data(as_text=True)
    assert "Language changed from not set to Japanese, with English interpretation." in page
    assert '<option selected value="ja">Japanese</option>' in page
    assert 'name="interpretation" value="en" checked' in page


def test_saving_the_same_languages_again_changes_no_revision(app, client, programme):
    with app.app_context():
        revision = current(programme.plenary).revision
    data = form(
        programme, title="Plenary", starts_at="2018-03-03T09:00", ends_at="2018-03-03T10:00", room=programme.hall.id
    )
    response = client.post(
        edit_url(programme.plenary), data={**data, "spoken_language": "en", "interpretation": ["ja", "fr"]}
    )
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(Session, programme.plenary.id).revision == revision


def test_clearing_the_languages_is_recorded_too(app, client, programme):
    data = form(
        programme, title="Plenary", starts_at="2018-03-03T09:00", ends_at="2018-03-03T10:00", room=programme.hall.id
    )
    assert client.post(edit_url(programme.plenary), data=data).status_code == 302
    with app.app_context():
        plenary = db.session.get(Session, programme.plenary.id)
        assert (plenary.spoken_language, plenary.interpretation, plenary.revision) == (None, [], 3)
    page = client.get(f"/sessions/{programme.plenary.id}").get_data(as_text=True)
    assert f"Language changed from {EN} to not set." in page


def test_the_history_in_japanese(app, client, programme):
    client.post(edit_url(programme.panel), data=form(programme, spoken_language="en", interpretation=["ja"]))
    page = client.get(edit_url(programme.panel) + "?lang=ja").get_data(as_text=True)
    assert "言語が未設定から英語（日本語通訳あり）に変更されました。" in page


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        (
            {"spoken_language": "xx"},
            "spoken_language",
            "xx is not a language code; use an ISO 639-1 code such as en or ja.",
        ),
        (
            {"spoken_language": "en", "interpretation": ["ja", "zz"]},
            "interpretation",
            "zz is not a language code; use an ISO 639-1 code such as en or ja.",
        ),
        (
            {"spoken_language": "en", "interpretation": ["ja", "fr", "es", "ru", "zh", "ar", "de"]},
            "interpretation",
            f"Choose at most {MAX_INTERPRETATIONS} languages for interpretation.",
        ),
        (
            {"interpretation": ["ja"]},
            "interpretation",
            "Choose the language spoken too: interpretation is offered from it.",
        ),
        (
            {"spoken_language": "en", "interpretation": ["en", "ja"]},
            "interpretation",
            "English is the language spoken; choose only the languages interpreted into.",
        ),
    ],
)
def test_bad_languages_are_refused_on_their_field_and_nothing_is_written(app, client, programme, data, field, message):
    response = client.post(edit_url(programme.panel), data=form(programme, title="Renamed", **data))
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert f'<p class="error" id="{field}-error">{message}</p>' in page
    with app.app_context():
        panel = db.session.get(Session, programme.panel.id)
        assert (panel.title, panel.spoken_language, panel.interpretation, panel.revision) == ("Panel", None, [], 1)


def test_a_thousand_forged_codes_get_a_short_answer(client, programme):
    codes = [f"q{n}" for n in range(1000)]
    response = client.post(edit_url(programme.panel), data=form(programme, spoken_language="en", interpretation=codes))
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert page.count("is not a language code") == 2 * 3  # three, in the summary and at the field
    assert "Choose at most 6 languages for interpretation." in page


def test_a_bad_language_in_japanese(client, programme):
    response = client.post(edit_url(programme.panel) + "?lang=ja", data=form(programme, spoken_language="xx"))
    assert response.status_code == 422
    assert "「xx」は言語コードではありません。" in response.get_data(as_text=True)


def test_the_form_names_languages_in_the_readers_language(client, programme):
    english = client.get(edit_url(programme.plenary)).get_data(as_text=True)
    assert '<option selected value="en">English</option>' in english
    assert '<option value="ja">Japanese</option>' in english
    assert 'name="interpretation" value="fr" checked' in english
    assert "Interpretation into (at most 6 languages)" in english
    japanese = client.get(edit_url(programme.plenary) + "?lang=ja").get_data(as_text=True)
    assert '<option selected value="en">英語</option>' in japanese
    assert "使用言語" in japanese and "通訳言語（6言語まで）" in japanese


def test_a_duplicate_keeps_the_languages(client, programme):
    page = client.get(f"/forums/isef2/manage/sessions/new?copy={programme.plenary.id}").get_data(as_text=True)
    assert '<option selected value="en">English</option>' in page
    assert 'name="interpretation" value="ja" checked' in page


@pytest.mark.parametrize(("lang", "text"), [("en", EN), ("ja", JA)])
def test_the_session_page_says_language_and_interpretation(client, programme, lang, text):
    page = client.get(f"/sessions/{programme.plenary.id}?lang={lang}").get_data(as_text=True)
    label = "Language" if lang == "en" else "言語"
    assert f"<dt>{label}</dt><dd>{text}</dd>" in page


def test_a_session_without_language_shows_none(client, programme):
    page = client.get(f"/sessions/{programme.panel.id}").get_data(as_text=True)
    assert "<dt>Language</dt>" not in page and "interpretation" not in page


def test_only_the_language_spoken(app, client, programme):
    with app.app_context():
        current(programme.panel).spoken_language = "ja"
        db.session.commit()
    assert "<dt>Language</dt><dd>Japanese</dd>" in client.get(f"/sessions/{programme.panel.id}").get_data(as_text=True)
    assert "<dd>日本語</dd>" in client.get(f"/sessions/{programme.panel.id}?lang=ja").get_data(as_text=True)


@pytest.mark.parametrize(("lang", "text"), [("en", EN), ("ja", JA)])
def test_the_timetable_grid_and_list_say_it_in_the_readers_language(client, programme, lang, text):
    page = client.get(f"/forums/isef2/timetable?day=2018-03-03&lang={lang}").get_data(as_text=True)
    assert f'<span class="languages">{text}</span>' in page  # the grid
    assert f" · {text}</span></li>" in page  # the list
    assert page.count(text) == 2  # the panel has none


def test_the_cached_timetable_follows_a_change_of_language(app, client, programme):
    url = "/forums/isef2/timetable?day=2018-03-03"
    assert EN in client.get(url).get_data(as_text=True)
    with app.app_context():
        current(programme.plenary).interpretation = ["ja"]
        db.session.commit()
    page = client.get(url).get_data(as_text=True)
    assert "English, with Japanese interpretation" in page and EN not in page


def test_the_timetable_costs_the_same_queries_with_languages(app, client, count_queries):
    with app.app_context():
        plain = load_synthetic_forum("plain", sessions=200, days=1, rooms=20)
        spoken = load_synthetic_forum("spoken", sessions=200, days=1, rooms=20)
        db.session.flush()
        for session in db.session.scalars(select(Session).join(Event).where(Event.forum_id == spoken.id)):
            session.spoken_language, session.interpretation = "en", ["ja", "fr"]
        db.session.commit()
        assert plain.id != spoken.id
    counts = {}
    for slug in ("plain", "spoken"):
        with count_queries() as counter:
            page = client.get(f"/forums/{slug}/timetable?day=2030-03-01").get_data(as_text=True)
        counts[slug] = counter.count
        assert page.count(EN) == (0 if slug == "plain" else 400)
    assert counts["plain"] == counts["spoken"] <= 5


@pytest.mark.parametrize(("lang", "text"), [("en", EN), ("ja", JA)])
def test_the_organisers_programme_page_has_a_language_column(client, programme, lang, text):
    page = client.get(f"/forums/isef2/manage/programme/?lang={lang}").get_data(as_text=True)
    assert f"<td>{text}</td>" in page


def test_a_new_session_with_languages(app, client, programme):
    response = client.post(
        "/forums/isef2/manage/sessions/new",
        data=form(programme, title="Interpreted", starts_at="2018-03-03T14:00", ends_at="2018-03-03T15:00")
        | {"spoken_language": "fr", "interpretation": ["en", "ja"]},
    )
    assert response.status_code == 302
    with app.app_context():
        session = db.session.scalars(select(Session).where(Session.title == "Interpreted")).one()
        assert (session.spoken_language, session.interpretation) == ("fr", ["en", "ja"])


def test_the_service_refuses_bad_codes_from_any_entry_point(app, programme):
    with app.app_context():
        session = make_session(current(programme.event), tokyo("2018-03-03 15:00"), title="Direct")
        data = editing.SessionData(
            event=session.event,
            title="Direct",
            kind=session.kind,
            starts_at=session.starts_at,
            ends_at=session.ends_at,
            spoken_language="en",
            interpretation=["klingon"],
        )
        with pytest.raises(editing.ScheduleError, match="klingon is not a language code"):
            editing.update_session(current(programme.organiser), session.event.forum, session, data)
        db.session.rollback()
