"""Feeds in the reader's language: the ?lang= of the link the page gave, else the app's own."""

from __future__ import annotations

import icalendar

from tests.factories import committed, make_isef2, make_programme


def summaries(body: bytes) -> set[str]:
    return {str(c["SUMMARY"]) for c in icalendar.Calendar.from_ical(body).walk("VEVENT")}


def test_the_feed_in_japanese_falls_back_to_english_where_there_is_none(app, client):
    with committed(app):
        built = make_programme(make_isef2(languages=["en", "ja"]), "MINISTERIAL")
        built.room("hall", "Hall B7", translations={"ja": {"name": "ホールB7"}})
        built.session(
            "opening", "Opening ceremony", "2018-03-03 09:00", room="hall", translations={"ja": {"title": "開会式"}}
        )
        built.session("lunch", "Lunch", "2018-03-03 12:00")
    japanese = client.get("/forums/isef2/calendar.ics?lang=ja")
    assert summaries(japanese.data) == {"開会式", "Lunch"}
    [opening] = [c for c in icalendar.Calendar.from_ical(japanese.data).walk("VEVENT") if c["SUMMARY"] == "開会式"]
    assert str(opening["LOCATION"]).startswith("ホールB7")
    assert summaries(client.get("/forums/isef2/calendar.ics?lang=en").data) == {"Opening ceremony", "Lunch"}
    # Each language is its own cached feed with its own ETag.
    assert japanese.headers["ETag"] != client.get("/forums/isef2/calendar.ics?lang=en").headers["ETag"]


def test_the_pages_link_to_the_feed_in_their_language(app, client):
    with committed(app):
        make_isef2(languages=["en", "ja"])
    page = client.get("/forums/isef2/?lang=ja").get_data(as_text=True)
    assert "/forums/isef2/calendar.ics?lang=ja" in page
    assert "calendar.ics?lang" not in client.get("/forums/isef2/?lang=en").get_data(as_text=True)
