"""Template filters that show stored UTC times in a forum's own timezone."""

from __future__ import annotations

import datetime as dt
import functools
import unicodedata
from collections.abc import Iterable
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel import Locale
from babel.dates import format_date, format_interval, format_skeleton
from babel.lists import format_list
from flask import Flask
from flask_babel import get_locale
from flask_babel import gettext as _

from planner.labels import label
from planner.validators import LANGUAGE_CODES

if TYPE_CHECKING:
    from collections.abc import Sequence

    from planner.forums.models import Forum
    from planner.schedule.models import Session


def local(moment: dt.datetime, forum: Forum) -> dt.datetime:
    return moment.astimezone(forum.zone)


def clock(moment: dt.datetime, forum: Forum) -> str:
    """24-hour time of day in the forum's timezone, as programmes print it."""
    return moment.astimezone(forum.zone).strftime("%H:%M")


def clock_zoned(moment: dt.datetime, forum: Forum) -> str:
    """Time of day with the zone it is in ("11:05 JST"): for records read later, like histories."""
    return moment.astimezone(forum.zone).strftime("%H:%M %Z")


def medium_date(day: dt.date | dt.datetime, forum: Forum | None = None) -> str:
    """For example "20 Feb 2018" (planner's English is British), "2018年2月20日" in Japanese."""
    locale = get_locale()
    if locale is None or locale.language == "en":
        return format_date(_day(day, forum), "d MMM y", locale=locale)
    return format_skeleton("yMMMd", _day(day, forum), locale=locale)


def when_in(moment: dt.datetime, forum: Forum) -> str:
    """A moment as the forum's clocks show it, with the zone named: "20 Feb 2018 23:59 JST",
    "2018年2月20日 23:59 JST"."""
    local = moment.astimezone(forum.zone)
    return f"{medium_date(local.date())} {local.strftime('%H:%M %Z')}"


def _day(day: dt.date | dt.datetime, forum: Forum | None) -> dt.date:
    """A moment's date in the forum's timezone; a date as it is."""
    if isinstance(day, dt.datetime):
        return day.astimezone(forum.zone).date() if forum else day.date()
    return day


def long_date(day: dt.date | dt.datetime, forum: Forum | None = None) -> str:
    return format_date(_day(day, forum), "full", locale=get_locale())


def short_date(day: dt.date | dt.datetime, forum: Forum | None = None) -> str:
    """For example "3 Mar" (planner's English is British), "3月3日" in Japanese."""
    locale = get_locale()
    if locale is None or locale.language == "en":
        return format_date(_day(day, forum), "d MMM", locale=locale)
    return format_skeleton("MMMd", _day(day, forum), locale=locale)


def day_range(first: dt.date, last: dt.date) -> str:
    if first == last:
        return format_date(first, "long", locale=get_locale())
    return format_interval(first, last, "yMMMd", locale=get_locale())


def event_dates(start: dt.datetime, end: dt.datetime, forum: Forum) -> str:
    # An event that ends at midnight ends on the day before.
    last = (end.astimezone(forum.zone) - dt.timedelta(microseconds=1)).date()
    return day_range(start.astimezone(forum.zone).date(), last)


def zone_name(forum: Forum, on: dt.date | None = None) -> str:
    """For example 'Asia/Tokyo (UTC+09:00)': the offset on the forum's first day."""
    day = on or forum.first_day
    noon = dt.datetime.combine(day, dt.time(12), tzinfo=forum.zone)
    offset = noon.utcoffset() or dt.timedelta(0)
    sign = "-" if offset < dt.timedelta(0) else "+"
    hours, minutes = divmod(abs(int(offset.total_seconds())) // 60, 60)
    return f"{forum.timezone} (UTC{sign}{hours:02d}:{minutes:02d})"


@functools.lru_cache(maxsize=32)
def zone_named(name: str) -> ZoneInfo | None:
    """The IANA timezone a person typed (``Europe/Paris``), or None if it is not one: also
    for names the file system refuses, like a directory (``Europe``) or a path."""
    if not name or len(name) > 64 or name.startswith(("/", ".")) or ".." in name:
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return None


_KATAKANA_AS_HIRAGANA = {code: code - 0x60 for code in range(0x30A1, 0x30F7)}

# The vowel each kana ends in, for the long-vowel mark: "ハード" sorts as "はあど" (JIS X 4061).
_VOWELS = {
    **dict.fromkeys("あかがさざただなはばぱまやらわぁゃゎ", "あ"),
    **dict.fromkeys("いきぎしじちぢにひびぴみりぃゐ", "い"),
    **dict.fromkeys("うくぐすずつづぬふぶぷむゆるぅゅゔっ", "う"),
    **dict.fromkeys("えけげせぜてでねへべぺめれぇゑ", "え"),
    **dict.fromkeys("おこごそぞとどのほぼぽもよろをぉょ", "お"),
}

#: How Japanese readers say the names CLDR writes with kanji at the start, so that a Japanese
#: list puts 日本 (にほん) between ドイツ and ノルウェー, not after every kana name. Names in
#: katakana need none.
JAPANESE_COUNTRY_READINGS = {
    "AQ": "なんきょく",
    "AS": "べいりょうさもあ",
    "CF": "ちゅうおうあふりかきょうわこく",
    "CN": "ちゅうごく",
    "EH": "にしさはら",
    "GF": "ふつりょうぎあな",
    "GQ": "せきどうぎにあ",
    "HK": "ちゅうかじんみんきょうわこくほんこんとくべつぎょうせいく",
    "IO": "えいりょういんどようちいき",
    "JP": "にほん",
    "KP": "きたちょうせん",
    "KR": "かんこく",
    "MK": "きたまけどにあ",
    "MO": "ちゅうかじんみんきょうわこくまかおとくべつぎょうせいく",
    "MP": "きたまりあなしょとう",
    "PF": "ふつりょうぽりねしあ",
    "SS": "みなみすーだん",
    "TF": "ふつりょうきょくなんしょとう",
    "TL": "ひがしてぃもーる",
    "TW": "たいわん",
    "UM": "がっしゅうこくりょうゆうしょうりとう",
    "VG": "えいりょうゔぁーじんしょとう",
    "VI": "べいりょうゔぁーじんしょとう",
    "ZA": "みなみあふりか",
}


def _long_vowels_spelled(text: str) -> str:
    out: list[str] = []
    for char in text:
        if char == "ー" and out:
            char = _VOWELS.get(out[-1], char)
        out.append(char)
    return "".join(out)


def collation_key(text: str, language: str) -> bytes:
    """A sort key for names in ``language``, as its readers look them up. Japanese: katakana as
    hiragana and the long-vowel mark as its vowel, then JIS X 0208 order, which is the gojūon
    for kana (ア, イ... with ガ beside カ) followed by names in kanji roughly by reading (JIS
    level 1 is ordered by reading): pass the name's reading where it starts with kanji
    (``JAPANESE_COUNTRY_READINGS``). Others:
    letter case and accents ignored (Åland beside Albania, not after Zimbabwe)."""
    text = unicodedata.normalize("NFKC", text)
    if language == "ja":
        text = text.translate(_KATAKANA_AS_HIRAGANA)  # one order for both
        if "ー" in text:
            text = _long_vowels_spelled(text)
        text = text.replace("ゔ", "う゛")  # outside JIS X 0208: う, then the voiced mark
        try:
            return text.encode("euc_jp")  # EUC-JP is stateless: the same bytes as char by char
        except UnicodeEncodeError:
            pass
        key = bytearray()
        for char in text:
            try:
                key += char.encode("euc_jp")
            except UnicodeEncodeError:
                key += b"\xff" + char.encode()  # outside JIS: after everything JIS orders
        return bytes(key)
    bare = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    return bare.casefold().encode()


def _by_name(
    items: Iterable[tuple[str, str]], locale: str, readings: dict[str, str] | None = None
) -> tuple[tuple[str, str], ...]:
    language = Locale.parse(locale).language
    readings = readings or {}
    return tuple(sorted(items, key=lambda item: collation_key(readings.get(item[0], item[1]), language)))


def country_reading(code: str | None, name: str, language: str) -> str:
    """What to sort a country's name by in ``language``: its reading where one is known."""
    if language == "ja" and code:
        return JAPANESE_COUNTRY_READINGS.get(code.upper(), name)
    return name


#: Two-letter codes CLDR names that are not ISO 3166-1 countries: codes ISO reserves for other
#: uses (AC, CP, CQ, DG, EA, EU, EZ, IC, TA, UN), user-assigned ones (QO Outlying Oceania, XA and
#: XB pseudo-locales, XK Kosovo) and ZZ "Unknown Region". Without them CLDR's list is ISO 3166-1's
#: 249 codes (checked against pycountry 26.2.16; tests/test_formatting.py counts them).
NOT_ISO_3166 = frozenset({"AC", "CP", "CQ", "DG", "EA", "EU", "EZ", "IC", "QO", "TA", "UN", "XA", "XB", "XK", "ZZ"})


@functools.cache
def country_codes() -> frozenset[str]:
    """The ISO 3166-1 alpha-2 codes (the same in every language CLDR names them in), to check a
    code sent by a form or a file against."""
    return frozenset(code for code, _name in countries("en"))


@functools.lru_cache(maxsize=8)
def countries(locale: str) -> tuple[tuple[str, str], ...]:
    """ISO 3166-1 alpha-2 codes and names in a language, by name (by reading in Japanese);
    computed once per language."""
    territories = Locale.parse(locale).territories
    return _by_name(
        (
            (code, name)
            for code, name in territories.items()
            if len(code) == 2 and code.isalpha() and code not in NOT_ISO_3166
        ),
        locale,
        JAPANESE_COUNTRY_READINGS if Locale.parse(locale).language == "ja" else None,
    )


def country_name(code: str | None) -> str:
    if not code:
        return ""
    return get_locale().territories.get(code.upper(), code)


@functools.lru_cache(maxsize=8)
def languages(locale: str) -> tuple[tuple[str, str], ...]:
    """The ISO 639-1 codes sessions may be held in, with their names in a language, by name."""
    names = Locale.parse(locale).languages
    return _by_name(((code, str(names.get(code) or code)) for code in LANGUAGE_CODES), locale)


def listed(items: Iterable[str]) -> str:
    """Names joined as the reader's language joins them: "France, Italy and Japan", 「フランス、イタリア、日本」."""
    return format_list(list(items), locale=get_locale() or "en")


def language_name(code: str) -> str:
    """The language's name in the reader's language: 英語 or English for ``en``."""
    return str((get_locale() or Locale("en")).languages.get(code) or code)


def spoken_and_interpreted(spoken: str | None, interpretation: Sequence[str]) -> str:
    """ "English, with Japanese and French interpretation" in the reader's language; empty
    when no language is set."""
    if not spoken:
        return ""
    if not interpretation:
        return language_name(spoken)
    return _(
        "%(language)s, with %(interpretation)s interpretation",
        language=language_name(spoken),
        interpretation=format_list([language_name(c) for c in interpretation], locale=get_locale() or "en"),
    )


def session_languages(session: Session) -> str:
    return spoken_and_interpreted(session.spoken_language, session.interpretation)


def register(app: Flask) -> None:
    app.jinja_env.add_extension("jinja2.ext.do")
    app.jinja_env.filters.update(
        clock=clock,
        clock_zoned=clock_zoned,
        long_date=long_date,
        short_date=short_date,
        country_name=country_name,
        label=label,
        listed=listed,
    )
    app.jinja_env.globals.update(
        day_range=day_range,
        event_dates=event_dates,
        when_in=when_in,
        zone_name=zone_name,
        local=local,
        get_locale=get_locale,
        session_languages=session_languages,
    )


def to_utc(local: dt.datetime, forum: Forum, fold: int = 0) -> dt.datetime:
    """A wall-clock time typed in the forum's timezone, as an aware UTC datetime; ``fold`` 1
    picks the second of a time that happens twice (the night the clocks go back)."""
    return local.replace(tzinfo=forum.zone, fold=fold).astimezone(dt.UTC)


def to_local(moment: dt.datetime, forum: Forum) -> dt.datetime:
    """The forum's wall-clock time of ``moment``, without a zone: what a form's field shows."""
    return moment.astimezone(forum.zone).replace(tzinfo=None)


# Wall-clock times that the clocks skip or repeat ------------------------------------------


def offset_text(offset: dt.timedelta | None) -> str:
    """'UTC−4', 'UTC+5:30' (with a real minus sign, as people write it)."""
    seconds = int((offset or dt.timedelta(0)).total_seconds())
    sign = "−" if seconds < 0 else "+"
    hours, minutes = divmod(abs(seconds) // 60, 60)
    return f"UTC{sign}{hours}" + (f":{minutes:02d}" if minutes else "")


def skipped(local: dt.datetime, zone: ZoneInfo) -> bool:
    """The clocks go forward over ``local``: that wall-clock time does not exist in ``zone``."""
    naive = local.replace(tzinfo=None)
    there = naive.replace(tzinfo=zone).astimezone(dt.UTC).astimezone(zone).replace(tzinfo=None)
    return there != naive


def repeated(local: dt.datetime, zone: ZoneInfo) -> bool:
    """The clocks go back over ``local``: that wall-clock time happens twice in ``zone``."""
    naive = local.replace(tzinfo=None)
    first, second = (naive.replace(tzinfo=zone, fold=f) for f in (0, 1))
    return first.utcoffset() != second.utcoffset() and not skipped(naive, zone)


def skipped_time_refusal(local: dt.datetime, zone: ZoneInfo) -> str | None:
    """Why ``local`` cannot be saved, naming the gap, if the clocks skip it in ``zone``; else None.
    Forms and services refuse such a time rather than save it an hour off."""
    if not skipped(local, zone):
        return None
    gap_start, gap_end = gap_around(local, zone)
    return _(
        "The clocks go forward at %(start)s on %(day)s in %(zone)s: %(time)s does not exist "
        "that day. Enter a time before %(start)s or from %(end)s.",
        start=gap_start.strftime("%H:%M"),
        end=gap_end.strftime("%H:%M"),
        day=local.date().isoformat(),
        zone=zone.key,
        time=local.strftime("%H:%M"),
    )


def gap_around(local: dt.datetime, zone: ZoneInfo) -> tuple[dt.datetime, dt.datetime]:
    """The skipped wall-clock times around ``local``: (the first skipped, the first after),
    e.g. 02:00 and 03:00 on the night summer time starts. Found by the minute: gaps are short."""
    naive = local.replace(tzinfo=None, second=0, microsecond=0)
    minute = dt.timedelta(minutes=1)
    first, after = naive, naive
    for _minute in range(24 * 60):  # no zone skips more than a day
        if not skipped(first - minute, zone):
            break
        first -= minute
    for _minute in range(24 * 60):
        after += minute
        if not skipped(after, zone):
            break
    return first, after


def which_of_two(local: dt.datetime, zone: ZoneInfo) -> tuple[str, str]:
    """How to name the two moments a repeated wall-clock time can be: ('EDT, UTC−4', 'EST, UTC−5')."""
    naive = local.replace(tzinfo=None)
    names = []
    for fold in (0, 1):
        moment = naive.replace(tzinfo=zone, fold=fold)
        names.append(f"{moment.tzname()}, {offset_text(moment.utcoffset())}")
    return names[0], names[1]


def wall_clock_to_utc(local: dt.datetime, zone: ZoneInfo, fold: int = 0) -> dt.datetime:
    """A wall-clock time in ``zone`` as UTC; ``fold`` 1: the second of a repeated time."""
    return local.replace(tzinfo=zone, fold=fold).astimezone(dt.UTC)


def fold_of(moment: dt.datetime, zone: ZoneInfo) -> int:
    """1 when ``moment`` is the second of the two moments its wall-clock time names."""
    return moment.astimezone(zone).fold
