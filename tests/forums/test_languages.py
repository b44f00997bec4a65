"""A forum's content in its languages: readers see theirs, organisers type each one, and bad
input is refused with a reason while what was typed stays on the form."""

from __future__ import annotations

from sqlalchemy import select

from planner.extensions import db
from planner.forums.models import Event, Forum
from tests.conftest import sign_in
from tests.factories import committed, current, make_event, make_isef2, make_organiser

JAPANESE = {"Accept-Language": "ja"}


def bilingual_forum(app):  # noqa: ANN001, ANN201
    with committed(app):
        forum = make_isef2(
            title="2nd International Space Exploration Forum",
            languages=["en", "ja"],
            translations={"ja": {"title": "第2回国際宇宙探査フォーラム"}},
        )
        make_event(forum, "MINISTERIAL", title="Ministerial meeting", translations={"ja": {"title": "閣僚級会合"}})
        make_event(forum, "I-ISEF", title="Industry ISEF")  # no Japanese: the English shows
        organiser = make_organiser(forum)
    return forum, organiser


def test_a_japanese_reader_sees_the_japanese_titles_and_english_where_there_is_none(app, client):
    bilingual_forum(app)
    page = client.get("/forums/isef2/", headers=JAPANESE).get_data(as_text=True)
    assert "第2回国際宇宙探査フォーラム" in page and "2nd International" not in page
    assert "閣僚級会合" in page
    assert "Industry ISEF" in page
    english = client.get("/forums/isef2/?lang=en").get_data(as_text=True)
    assert "2nd International Space Exploration Forum" in english and "閣僚級会合" not in english
    event = client.get("/forums/isef2/events/MINISTERIAL/", headers=JAPANESE).get_data(as_text=True)
    assert "<h1>閣僚級会合" in event


def test_the_organiser_types_both_languages_on_the_forum_and_event_forms(app, client):
    forum, organiser = bilingual_forum(app)
    sign_in(client, organiser)
    form = client.get("/forums/isef2/manage/forum").get_data(as_text=True)
    assert 'name="title_ja"' in form and "第2回国際宇宙探査フォーラム" in form and 'value="en, ja"' in form
    response = client.post(
        "/forums/isef2/manage/forum",
        data={
            "name": "ISEF2",
            "title": "2nd International Space Exploration Forum",
            "title_ja": "第2回 国際宇宙探査フォーラム（ISEF2）",
            "host_city": "Tokyo",
            "description": "A ministerial meeting.",
            "description_ja": "閣僚級会合です。",
            "age_of_majority": "18",
            "personal_data_retention_days": "90",
            "languages": "en, ja",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    response = client.post(
        "/forums/isef2/manage/events/MINISTERIAL/edit",
        data={
            "code": "MINISTERIAL",
            "kind": "ministerial",
            "title": "Ministerial meeting",
            "title_ja": "ISEF2 閣僚級会合 (Ministerial)",  # mixed scripts are fine
            "starts_at": "2018-03-03T09:00",
            "ends_at": "2018-03-03T18:00",
            "venue": "0",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    with app.app_context():
        stored = db.session.scalar(select(Forum).where(Forum.slug == "isef2"))
        assert stored.translations == {
            "ja": {"title": "第2回 国際宇宙探査フォーラム（ISEF2）", "description": "閣僚級会合です。"}
        }
        event = db.session.scalar(select(Event).where(Event.code == "MINISTERIAL"))
        assert event.translations == {"ja": {"title": "ISEF2 閣僚級会合 (Ministerial)"}}


def test_japanese_longer_than_the_english_limit_is_refused_and_kept_on_the_form(app, client):
    _forum, organiser = bilingual_forum(app)
    sign_in(client, organiser)
    too_long = "閣" * 301
    response = client.post(
        "/forums/isef2/manage/events/MINISTERIAL/edit",
        data={
            "code": "MINISTERIAL",
            "kind": "ministerial",
            "title": "Ministerial meeting (renamed)",
            "title_ja": too_long,
            "starts_at": "2018-03-03T09:00",
            "ends_at": "2018-03-03T18:00",
            "venue": "0",
        },
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Keep this to 300 characters or fewer; it has 301." in page
    assert too_long in page and "Ministerial meeting (renamed)" in page  # nothing typed is lost
    with app.app_context():
        event = db.session.scalar(select(Event).where(Event.code == "MINISTERIAL"))
        assert (event.title, event.translations["ja"]["title"]) == ("Ministerial meeting", "閣僚級会合")
    just_right = client.post(
        "/forums/isef2/manage/events/MINISTERIAL/edit",
        data={
            "code": "MINISTERIAL",
            "kind": "ministerial",
            "title": "Ministerial meeting",
            "title_ja": too_long[:300],
            "starts_at": "2018-03-03T09:00",
            "ends_at": "2018-03-03T18:00",
            "venue": "0",
        },
    )
    assert just_right.status_code == 302


def test_a_language_planner_does_not_offer_is_refused_with_the_ones_it_does(app, client):
    _forum, organiser = bilingual_forum(app)
    sign_in(client, organiser)
    data = {
        "name": "ISEF2",
        "title": "ISEF2 title",
        "host_city": "Tokyo",
        "age_of_majority": "18",
        "personal_data_retention_days": "90",
    }
    response = client.post("/forums/isef2/manage/forum", data={**data, "languages": "en, xx"})
    assert response.status_code == 422
    assert "planner does not offer the language xx: choose from en, ja." in response.get_data(as_text=True)
    moved = client.post("/forums/isef2/manage/forum", data={**data, "languages": "ja, en"})
    assert moved.status_code == 422
    assert "keep en first" in moved.get_data(as_text=True)
    with app.app_context():
        stored = db.session.scalar(select(Forum).where(Forum.slug == "isef2"))
        assert (stored.languages, stored.title) == (["en", "ja"], "2nd International Space Exploration Forum")


def test_a_forum_in_one_language_shows_no_extra_fields(app, client):
    with committed(app):
        forum = make_isef2()
        organiser = make_organiser(forum)
    sign_in(client, organiser)
    assert 'name="title_ja"' not in client.get("/forums/isef2/manage/forum").get_data(as_text=True)
    with app.app_context():
        assert current(forum).languages == ["en"]


def test_a_venue_and_room_name_in_japanese(app, client):
    _forum, organiser = bilingual_forum(app)
    sign_in(client, organiser)
    response = client.post(
        "/forums/isef2/manage/venues/new", data={"name": "Tokyo International Forum", "name_ja": "東京国際フォーラム"}
    )
    assert response.status_code == 302
    with app.app_context():
        forum = db.session.scalar(select(Forum).where(Forum.slug == "isef2"))
        assert forum.venues[0].translations == {"ja": {"name": "東京国際フォーラム"}}
