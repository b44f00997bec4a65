"""Sessions in the forum's languages: the timetable and the session page in the reader's,
the session form and the programme CSV with a title and description per language."""

from __future__ import annotations

import csv
import io

import pytest
from sqlalchemy import select

from planner.extensions import db
from planner.schedule.models import Session
from tests.conftest import sign_in
from tests.factories import Programme, committed, make_isef2, make_programme

JAPANESE = {"Accept-Language": "ja"}


@pytest.fixture
def programme(app) -> Programme:
    with committed(app):
        built = make_programme(make_isef2(languages=["en", "ja"]), "MINISTERIAL", title="Ministerial meeting")
        built.room("hall", "Hall B7", translations={"ja": {"name": "ホールB7"}})
        built.session(
            "opening",
            "Opening ceremony",
            "2018-03-03 09:00",
            room="hall",
            description="Welcome by the host.",
            translations={"ja": {"title": "開会式", "description": "主催者による歓迎の挨拶です。"}},
        )
        built.session("lunch", "Lunch", "2018-03-03 12:00", room="hall")  # English only
    return built


def test_the_timetable_and_session_page_in_japanese(client, programme):
    timetable = client.get("/forums/isef2/timetable?day=2018-03-03", headers=JAPANESE).get_data(as_text=True)
    assert "開会式" in timetable and "Opening ceremony" not in timetable
    assert "ホールB7" in timetable
    assert "Lunch" in timetable  # no Japanese: the first language
    page = client.get(f"/sessions/{programme.opening.id}", headers=JAPANESE).get_data(as_text=True)
    assert "<h1>開会式</h1>" in page and "主催者による歓迎の挨拶です。" in page
    english = client.get(f"/sessions/{programme.opening.id}?lang=en").get_data(as_text=True)
    assert "<h1>Opening ceremony</h1>" in english


def test_the_timetable_costs_the_same_queries_in_either_language(client, programme, count_queries):
    counts = []
    for language in ("en", "ja"):
        with count_queries() as counter:
            assert client.get(f"/forums/isef2/timetable?day=2018-03-03&lang={language}").status_code == 200
        counts.append(counter.count)
    assert counts[0] == counts[1]


def test_the_organiser_types_the_session_in_both_languages(app, client, programme):
    sign_in(client, programme.organiser)
    form = client.get(f"/forums/isef2/manage/sessions/{programme.opening.id}/edit").get_data(as_text=True)
    assert 'name="title_ja"' in form and "開会式" in form
    response = client.post(
        "/forums/isef2/manage/sessions/new",
        data={
            "title": "Press conference",
            "title_ja": "記者会見",
            "event": str(programme.event.id),
            "kind": "press",
            "starts_at": "2018-03-03T15:00",
            "ends_at": "2018-03-03T16:00",
            "room": "0",
            "description_ja": "報道関係者向けです。",
            "is_public": "y",
            "status": "scheduled",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    with app.app_context():
        saved = db.session.scalar(select(Session).where(Session.title == "Press conference"))
        assert saved.translations == {"ja": {"title": "記者会見", "description": "報道関係者向けです。"}}


def test_the_programme_csv_has_a_column_per_language_and_reads_it_back(app, client, programme):
    sign_in(client, programme.organiser)
    exported = client.get("/forums/isef2/manage/programme.csv").get_data(as_text=True)
    rows = list(csv.DictReader(io.StringIO(exported)))
    opening = next(r for r in rows if r["title"] == "Opening ceremony")
    assert (opening["title_ja"], opening["description_ja"]) == ("開会式", "主催者による歓迎の挨拶です。")
    changed = exported.replace("開会式", "開会の式典")
    response = client.post(
        "/forums/isef2/manage/programme/import",
        data={"file": (io.BytesIO(changed.encode()), "programme.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Session, programme.opening.id).translations["ja"]["title"] == "開会の式典"


def test_a_csv_column_in_a_language_the_forum_does_not_have_is_refused(app, client, programme):
    sign_in(client, programme.organiser)
    text = "event,title,title_fr,date,start,end\nMINISTERIAL,Closing,Clôture,2018-03-03,17:00,18:00\n"
    response = client.post(
        "/forums/isef2/manage/programme/import",
        data={"file": (io.BytesIO(text.encode()), "programme.csv"), "dry_run": ""},
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    assert "ISEF2 is not written in the language of the column title_fr" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(Session).where(Session.title == "Closing")) is None
