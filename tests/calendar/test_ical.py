"""The iCalendar text itself: built from models, read back by two parsers."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import vobject

from planner.calendar import ical
from tests.calendar.helpers import events, parse, unfolded, vobject_events

TOKYO = ZoneInfo("Asia/Tokyo")
CHANGED = dt.datetime(2018, 2, 1, 3, 4, 5, tzinfo=dt.UTC)


def entry(**overrides) -> ical.Entry:
    values = dict(
        uid="session-7@planner",
        sequence=3,
        cancelled=False,
        summary="Opening plenary",
        description="",
        location="Hall A, Tokyo International Forum",
        url="https://planner.test/sessions/7",
        categories=("MINISTERIAL",),
        starts_at=dt.datetime(2018, 3, 3, 9, tzinfo=TOKYO),
        ends_at=dt.datetime(2018, 3, 3, 10, 30, tzinfo=TOKYO),
        timezone="Asia/Tokyo",
        last_modified=CHANGED,
    )
    values.update(overrides)
    return ical.Entry(**values)


def test_a_feed_has_the_calendar_properties_clients_need():
    calendar = parse(ical.feed("ISEF2", "Asia/Tokyo", [entry()]))
    assert calendar["PRODID"] == ical.PRODID
    assert calendar["VERSION"] == "2.0"
    assert calendar["METHOD"] == "PUBLISH"
    assert calendar["X-WR-CALNAME"] == "ISEF2"
    assert calendar["X-WR-TIMEZONE"] == "Asia/Tokyo"
    assert calendar["X-PUBLISHED-TTL"].to_ical() == b"PT1H"
    assert calendar["REFRESH-INTERVAL"].to_ical() == b"PT1H"
    assert calendar["REFRESH-INTERVAL"].params["VALUE"] == "DURATION"


def test_an_event_has_every_property_with_the_right_values():
    [event] = events(ical.feed("ISEF2", "Asia/Tokyo", [entry(description="Ministers speak.")])).values()
    assert event["UID"] == "session-7@planner"
    assert event["SEQUENCE"] == 3
    assert event["STATUS"] == "CONFIRMED"
    assert event["SUMMARY"] == "Opening plenary"
    assert event["DESCRIPTION"] == "Ministers speak."
    assert event["LOCATION"] == "Hall A, Tokyo International Forum"
    assert event["URL"] == "https://planner.test/sessions/7"
    assert event.categories == ["MINISTERIAL"]
    assert event["DTSTAMP"].dt == CHANGED
    assert event["LAST-MODIFIED"].dt == CHANGED
    assert event["DTSTART"].params["TZID"] == "Asia/Tokyo"
    assert event["DTSTART"].dt == dt.datetime(2018, 3, 3, 9, tzinfo=TOKYO)
    assert event["DTSTART"].dt.astimezone(dt.UTC) == dt.datetime(2018, 3, 3, 0, tzinfo=dt.UTC)
    assert event["DTEND"].dt == dt.datetime(2018, 3, 3, 10, 30, tzinfo=TOKYO)


def test_a_cancelled_event_says_so_and_frees_the_time():
    [event] = events(ical.feed("ISEF2", "Asia/Tokyo", [entry(cancelled=True)])).values()
    assert event["STATUS"] == "CANCELLED"
    assert event["TRANSP"] == "TRANSPARENT"


@pytest.mark.parametrize("zone", ["Asia/Tokyo", "Europe/Berlin", "America/New_York"])
def test_every_tzid_used_has_its_vtimezone(zone):
    tz = ZoneInfo(zone)
    body = ical.feed(
        "Two zones",
        zone,
        [
            entry(
                timezone=zone,
                starts_at=dt.datetime(2018, 3, 3, 9, tzinfo=tz),
                ends_at=dt.datetime(2018, 3, 3, 10, tzinfo=tz),
            ),
            entry(uid="session-8@planner", timezone="Asia/Tokyo"),
        ],
    )
    calendar = parse(body)
    used = {str(e["DTSTART"].params["TZID"]) for e in calendar.walk("VEVENT")}
    used |= {str(e["DTEND"].params["TZID"]) for e in calendar.walk("VEVENT")}
    assert used == {zone, "Asia/Tokyo"}
    assert {str(t["TZID"]) for t in calendar.walk("VTIMEZONE")} == used
    assert calendar.get_missing_tzids() == set()


def test_a_summer_time_zone_gets_both_changes_of_the_year():
    berlin = ZoneInfo("Europe/Berlin")
    body = ical.feed(
        "Berlin",
        "Europe/Berlin",
        [
            entry(
                timezone="Europe/Berlin",
                starts_at=dt.datetime(2018, 7, 1, 9, tzinfo=berlin),
                ends_at=dt.datetime(2018, 7, 1, 10, tzinfo=berlin),
            )
        ],
    )
    [zone] = parse(body).walk("VTIMEZONE")
    assert {c.name for c in zone.subcomponents} == {"STANDARD", "DAYLIGHT"}
    # Read back by the independent parser, the summer session is at 07:00 UTC.
    [event] = vobject_events(body).values()
    assert event.dtstart.value.astimezone(dt.UTC) == dt.datetime(2018, 7, 1, 7, tzinfo=dt.UTC)


def test_a_utc_forum_writes_utc_times_and_no_vtimezone():
    body = ical.feed("UTC", "UTC", [entry(timezone="UTC")])
    assert b"VTIMEZONE" not in body
    assert b"DTSTART:20180303T000000Z" in body


AWKWARD = "Ministers, agencies; \\ partners\nSecond line\r\nThird\rFourth 宇宙探査の国際協力\x00\x07\x1b end"


def test_commas_semicolons_newlines_japanese_and_controls_are_escaped():
    body = ical.feed("ISEF2", "Asia/Tokyo", [entry(summary=AWKWARD, description=AWKWARD, location="A, B; C")])
    raw = "\r\n".join(unfolded(body))
    assert "SUMMARY:Ministers\\, agencies\\; \\\\ partners\\nSecond line\\nThird\\nFourth 宇宙探査の国際協力 end" in raw
    assert not any(c in body.decode() for c in "\x00\x07\x1b")
    expected = "Ministers, agencies; \\ partners\nSecond line\nThird\nFourth 宇宙探査の国際協力 end"
    [event] = events(body).values()
    assert event["SUMMARY"] == expected
    assert event["DESCRIPTION"] == expected
    assert event["LOCATION"] == "A, B; C"
    [other] = vobject_events(body).values()
    assert other.summary.value == expected
    assert other.location.value == "A, B; C"


def test_a_title_with_line_breaks_cannot_inject_properties_or_components():
    evil = "Talk\r\nSTATUS:CANCELLED\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nUID:evil\nATTENDEE:mailto:x@evil.test"
    body = ical.feed("ISEF2", "Asia/Tokyo", [entry(summary=evil, location=evil, description=evil)])
    found = events(body)
    assert list(found) == ["session-7@planner"]
    [event] = found.values()
    assert event["STATUS"] == "CONFIRMED"
    assert "ATTENDEE" not in event
    assert event["SUMMARY"] == evil.replace("\r\n", "\n")
    starts = [line.split(":", 1)[0].split(";", 1)[0] for line in unfolded(body)]
    assert starts.count("BEGIN") == 4  # VCALENDAR, VTIMEZONE, STANDARD, VEVENT


def test_every_line_ends_in_crlf_and_folds_at_75_octets():
    long_japanese = "国際宇宙探査フォーラム" * 30
    body = ical.feed(
        "ISEF2", "Asia/Tokyo", [entry(summary="x" * 200, description=long_japanese, location="Hall " + "é" * 80)]
    )
    assert body.endswith(b"END:VCALENDAR\r\n")
    assert b"\n" not in body.replace(b"\r\n", b"")  # no bare LF
    assert b"\r" not in body.replace(b"\r\n", b"")  # no bare CR
    physical = body.split(b"\r\n")[:-1]
    assert max(len(line) for line in physical) <= 75
    assert sum(1 for line in physical if line.startswith(b" ")) > 10
    for line in physical:
        line.decode("utf-8")  # never cut inside a character
    [event] = events(body).values()
    assert event["DESCRIPTION"] == long_japanese


def test_folding_never_splits_an_escape():
    # The backslash of "\," would fall exactly at the end of the first physical line.
    summary = "a" * (75 - len("SUMMARY:") - 1) + ",b" * 40
    line = ical.fold(f"SUMMARY:{ical.escape_text(summary)}")
    for physical in line.split("\r\n"):
        assert not physical.endswith("\\")
    assert events(ical.feed("x", "Asia/Tokyo", [entry(summary=summary)]))["session-7@planner"]["SUMMARY"] == summary


def test_the_same_entries_give_the_same_bytes():
    first = ical.feed("ISEF2", "Asia/Tokyo", [entry(), entry(uid="session-9@planner")])
    again = ical.feed("ISEF2", "Asia/Tokyo", [entry(), entry(uid="session-9@planner")])
    assert first == again


def test_round_trip_through_icalendar_gives_the_same_text():
    body = ical.feed("ISEF2, Tokyo", "Asia/Tokyo", [entry(summary=AWKWARD), entry(uid="s2@planner", cancelled=True)])
    parsed = parse(body)
    again = parse(parsed.to_ical())
    assert [dict(e) for e in again.walk("VEVENT")] == [dict(e) for e in parsed.walk("VEVENT")]
    assert again["X-WR-CALNAME"].to_ical() == b"ISEF2\\, Tokyo"  # icalendar keeps X- values as written


def test_the_calendar_name_is_escaped_text():
    import vobject

    body = ical.feed("ISEF2, Tokyo; 東京", "Asia/Tokyo", [])
    assert "X-WR-CALNAME:ISEF2\\, Tokyo\\; 東京" in unfolded(body)
    calendar = vobject.readOne(body.decode())
    assert calendar.x_wr_calname.value == "ISEF2, Tokyo; 東京"


def test_vobject_reads_the_same_events_as_icalendar():
    entries = [entry(), entry(uid="session-8@planner", summary="Panel; 二", sequence=5, cancelled=True)]
    body = ical.feed("ISEF2", "Asia/Tokyo", entries)
    ours, theirs = events(body), vobject_events(body)
    assert set(ours) == set(theirs) == {"session-7@planner", "session-8@planner"}
    for uid, event in ours.items():
        other = theirs[uid]
        assert other.summary.value == event["SUMMARY"]
        assert int(other.sequence.value) == event["SEQUENCE"]
        assert other.status.value == event["STATUS"]
        assert other.dtstart.value == event["DTSTART"].dt
        assert other.dtend.value == event["DTEND"].dt
        assert other.dtstamp.value == event["DTSTAMP"].dt


def test_an_itip_request_names_organizer_and_one_attendee_who_need_not_answer():
    text = ical.itip(
        "REQUEST",
        entry(),
        ical.Attendee("noreply@planner.test", "ISEF2, Tokyo"),
        ical.Attendee("aiko@example.org", 'Aiko "A" Tanaka'),
        stamp=CHANGED,
    )
    calendar = parse(text.encode())
    assert calendar["METHOD"] == "REQUEST"
    assert "X-WR-CALNAME" not in calendar
    [event] = calendar.walk("VEVENT")
    assert event["ORGANIZER"] == "mailto:noreply@planner.test"
    assert event["ORGANIZER"].params["CN"] == "ISEF2, Tokyo"
    attendee = event["ATTENDEE"]
    assert attendee == "mailto:aiko@example.org"
    assert attendee.params["RSVP"] == "FALSE"
    assert attendee.params["PARTSTAT"] == "ACCEPTED"
    assert attendee.params["CN"] == "Aiko A Tanaka"
    assert calendar.get_missing_tzids() == set()


def test_an_itip_cancel_marks_the_event_cancelled():
    text = ical.itip(
        "CANCEL",
        entry(),
        ical.Attendee("noreply@planner.test", "ISEF2"),
        ical.Attendee("aiko@example.org", "Aiko"),
        stamp=CHANGED,
    )
    calendar = parse(text.encode())
    assert calendar["METHOD"] == "CANCEL"
    assert calendar.walk("VEVENT")[0]["STATUS"] == "CANCELLED"
    with pytest.raises(ValueError):
        ical.itip("PUBLISH", entry(), ical.Attendee("a@b.c", "a"), ical.Attendee("a@b.c", "a"), stamp=CHANGED)


@pytest.mark.parametrize("zone", ["UTC", "Asia/Tokyo"])
def test_an_empty_calendar_still_has_a_component(zone):
    """RFC 5545 3.6: calcomponent = 1*component. A VTIMEZONE alone is one; a feed without
    any would be refused by ical.js, vobject and Radicale."""
    for year in (2018, None):
        body = ical.feed("Nothing yet", zone, [], year)
        calendar = parse(body)
        assert len(calendar.subcomponents) == 1
        assert calendar.subcomponents[0].name == "VTIMEZONE"
        read = vobject.readOne(body.decode())
        assert [c.name for c in read.getChildren() if c.name == "VTIMEZONE"] == ["VTIMEZONE"]


def test_a_time_that_happens_twice_is_written_in_utc():
    """01:30 on 7 November 2027 in New York is EDT, then EST an hour later: TZID form cannot
    say which, and consumers differ, so those instants are written in UTC (…Z)."""
    new_york = ZoneInfo("America/New_York")
    second = dt.datetime(2027, 11, 7, 1, 30, fold=1, tzinfo=new_york)
    first = dt.datetime(2027, 11, 7, 1, 30, fold=0, tzinfo=new_york)
    body = ical.feed(
        "NY",
        "America/New_York",
        [
            entry(
                uid="a@x",
                starts_at=first,
                ends_at=dt.datetime(2027, 11, 7, 3, 0, tzinfo=new_york),
                timezone="America/New_York",
            ),
            entry(
                uid="b@x",
                starts_at=second,
                ends_at=dt.datetime(2027, 11, 7, 3, 0, tzinfo=new_york),
                timezone="America/New_York",
            ),
        ],
    )
    lines = unfolded(body)
    assert "DTSTART:20271107T053000Z" in lines and "DTSTART:20271107T063000Z" in lines
    assert "DTEND;TZID=America/New_York:20271107T030000" in lines
    # (PEP 495: a repeated time never equals a time of another zone; compare in UTC.)
    utc = [first.astimezone(dt.UTC), second.astimezone(dt.UTC)]
    read = events(body)
    assert [read[uid]["DTSTART"].dt.astimezone(dt.UTC) for uid in ("a@x", "b@x")] == utc
    other = vobject_events(body)
    assert [other[uid].dtstart.value.astimezone(dt.UTC) for uid in ("a@x", "b@x")] == utc


def test_the_language_spoken_is_the_summarys_language_parameter():
    body = ical.feed("ISEF2", "Asia/Tokyo", [entry(language="en", description="Language: English")])
    assert "SUMMARY;LANGUAGE=en:Opening plenary\r\n" in body.decode()
    [event] = events(body).values()
    assert event["SUMMARY"] == "Opening plenary" and event["SUMMARY"].params["LANGUAGE"] == "en"
    [read] = vobject_events(body).values()
    assert read.summary.value == "Opening plenary" and read.summary.params["LANGUAGE"] == ["en"]


@pytest.mark.parametrize("language", ["", "e n", "en:x", 'en"', "en\r\nX-EVIL:1", "toolonglanguage"])
def test_no_language_or_a_garbled_one_writes_a_plain_summary(language):
    body = ical.feed("ISEF2", "Asia/Tokyo", [entry(language=language)]).decode()
    assert "SUMMARY:Opening plenary\r\n" in body and "LANGUAGE" not in body and "X-EVIL" not in body
