"""Dates in the reader's conventions, times in the forum's timezone."""

from __future__ import annotations

import datetime as dt

from flask_babel import force_locale

from planner.formatting import (
    collation_key,
    countries,
    day_range,
    languages,
    listed,
    long_date,
    medium_date,
    short_date,
)

OPENING = dt.date(2018, 3, 3)


def test_dates_follow_the_readers_language(app):
    with app.test_request_context():
        with force_locale("en"):
            assert (short_date(OPENING), long_date(OPENING)) == ("3 Mar", "Saturday, March 3, 2018")
        with force_locale("ja"):
            assert (short_date(OPENING), long_date(OPENING)) == ("3月3日", "2018年3月3日土曜日")
            assert day_range(dt.date(2018, 2, 28), OPENING) == "2018年2月28日～3月3日"
            assert medium_date(OPENING) == "2018年3月3日"
        with force_locale("en"):
            assert medium_date(OPENING) == "3 Mar 2018"


def test_a_moment_is_dated_in_the_forums_timezone(app):
    class Tokyo:
        zone = dt.timezone(dt.timedelta(hours=9))

    late_evening_utc = dt.datetime(2018, 3, 2, 20, 0, tzinfo=dt.UTC)  # 05:00 on 3 March in Tokyo
    with app.test_request_context(), force_locale("ja"):
        assert short_date(late_evening_utc, Tokyo()) == "3月3日"  # type: ignore[arg-type]


def test_japanese_lists_are_in_the_gojuon():
    names = [name for _, name in countries("ja")]
    assert names[:3] == ["アイスランド", "アイルランド", "アゼルバイジャン"]
    # Names that start with kanji by their reading, among the kana: 韓国 (かんこく) after カメルーン
    # and before カンボジア, 中国 (ちゅうごく) after チャド, 日本 (にほん) after ニジェール and before
    # ニュージーランド, 南アフリカ (みなみあふりか) after ミクロネシア連邦.
    assert names.index("カメルーン") < names.index("韓国") < names.index("カンボジア")
    assert names.index("チャド") < names.index("中国") < names.index("チュニジア")
    assert names.index("ニジェール") < names.index("日本") < names.index("ニュージーランド")
    assert names.index("ミクロネシア連邦") < names.index("南アフリカ") < names.index("南スーダン")
    # The long-vowel mark reads as its vowel: ハーバード (はあばあど) before ハイチ (はいち).
    assert sorted(["ハイチ", "ハーバード"], key=lambda n: collation_key(n, "ja")) == ["ハーバード", "ハイチ"]
    assert sorted(["ガーナ", "カナダ", "がっこう", "かめ"], key=lambda n: collation_key(n, "ja")) == [
        "カナダ",
        "かめ",
        "ガーナ",
        "がっこう",
    ]


def test_the_country_list_is_iso_3166_1():
    """CLDR also names EU, UN, XK, ZZ and others that are no ISO 3166-1 country; a Babel
    upgrade that adds one shows here."""
    codes = {code for code, _name in countries("en")}
    assert len(codes) == 249
    assert {"JP", "FR", "AQ", "TW", "PS"} <= codes
    assert not codes & {"EU", "EZ", "UN", "QO", "XA", "XB", "XK", "ZZ", "AC", "IC"}


def test_other_lists_ignore_case_and_accents():
    names = [name for _, name in countries("en")]
    assert names.index("Åland Islands") == names.index("Afghanistan") + 1
    spoken = [name for _, name in languages("ja")]
    assert spoken.index("イタリア語") < spoken.index("英語")  # kana before kanji, as in a Japanese index


def test_lists_of_names_are_joined_as_the_readers_language_joins_them(app):
    with app.test_request_context():
        assert listed(["France", "Italy", "Japan"]) == "France, Italy, and Japan"
        with force_locale("ja"):
            assert listed(["フランス", "イタリア", "日本"]) == "フランス、イタリア、日本"
