"""Both delegations' participants get an iTIP REQUEST once the bilateral has its place,
and a CANCEL with a higher SEQUENCE when it is called off; in their own language."""

from __future__ import annotations

from icalendar import Calendar

from tests.bilaterals.builders import answer, ask, built, latest_bilateral, outbox
from tests.factories import committed, make_user


def invitations(app) -> list:
    return [m for m in outbox(app) if m.attachment_content_type]


def event_of(message):
    calendar = Calendar.from_ical(message.attachment_body)
    (event,) = calendar.walk("VEVENT")
    return calendar, event


def test_request_then_cancel_to_each_participant(app, client):
    forum = built(app)
    with committed(app):
        make_user(email="fr1@example.org", language="ja")  # France's minister reads Japanese
    ask(client, forum, "japan", "france", [forum.slots[0].id], topic="Artemis accords")
    bilateral = latest_bilateral(app)
    answer(client, forum, "france", bilateral.id)
    sent = invitations(app)
    assert sorted(m.to_address for m in sent) == ["fr1@example.org", "jp1@example.org"]
    for message in sent:
        calendar, event = event_of(message)
        assert message.attachment_content_type == "text/calendar; method=REQUEST"
        assert str(calendar["METHOD"]) == "REQUEST"
        assert str(event["UID"]) == f"bilateral-{bilateral.id}@planner"
        assert str(event["DESCRIPTION"]) == "Artemis accords"
        assert "Bilateral room 1" in str(event["LOCATION"])
        assert event["DTSTART"].dt.isoformat() == "2018-03-03T10:00:00+09:00"
        assert str(event["ATTENDEE"]) == f"mailto:{message.to_address}"  # each sees only themselves
        assert calendar.walk("VTIMEZONE")[0]["TZID"] == "Asia/Tokyo"
    japanese = next(m for m in sent if m.to_address == "fr1@example.org")
    assert "このメールはplannerから自動送信されています" in japanese.text_body
    english = next(m for m in sent if m.to_address == "jp1@example.org")
    assert "Bilateral: Japan and France" in english.subject
    first_sequence = int(event_of(english)[1]["SEQUENCE"])

    answer(client, forum, "japan", bilateral.id, "cancel")
    cancels = [m for m in invitations(app) if m.attachment_content_type.endswith("CANCEL")]
    assert sorted(m.to_address for m in cancels) == ["fr1@example.org", "jp1@example.org"]
    calendar, event = event_of(next(m for m in cancels if m.to_address == "jp1@example.org"))
    assert str(calendar["METHOD"]) == "CANCEL" and str(event["STATUS"]) == "CANCELLED"
    assert int(event["SEQUENCE"]) > first_sequence
