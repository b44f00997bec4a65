"""The organisers' pages of announcements and a person's own list: writing one, its preview,
sending it through the form, its record, and bad input on every part of the form."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from planner.accounts.models import User
from planner.announcements.models import Announcement
from planner.extensions import db
from planner.mail.models import OutboxMessage
from tests.announcements.conftest import PAGE
from tests.conftest import sign_in


def signed_in_as(app, world, name):
    with app.app_context():
        user = db.session.get(User, world.ids[name])
    client = app.test_client()
    sign_in(client, user)
    return client


@pytest.fixture
def organiser(app, world):
    return signed_in_as(app, world, "organiser")


MESSAGE = {
    "subject": "Buses on Friday",
    "body": "The buses leave at **8:00**.",
    "subject_ja": "",
    "body_ja": "",
    "form_key": "the-form-shown-once",
}


def stored(app) -> tuple[int, int]:
    with app.app_context():
        return (
            db.session.scalar(select(func.count()).select_from(Announcement)),
            db.session.scalar(select(func.count()).select_from(OutboxMessage)),
        )


def test_the_manage_hub_and_the_registrations_page_lead_here(organiser):
    assert f'href="{PAGE}"' in organiser.get("/forums/isef2/manage/").get_data(as_text=True)
    listing = organiser.get("/forums/isef2/manage/registrations?status=confirmed&country=JP").get_data(as_text=True)
    assert f"{PAGE}/new?audience=registrations&amp;status=confirmed&amp;country=JP" in listing


def test_a_link_with_filters_opens_the_page_with_its_preview(organiser):
    response = organiser.get(f"{PAGE}/new?audience=registrations&event=Y-ISEF&status=confirmed")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert (
        "It goes to 2 people" in page
        and "Ada &lt;ada@example.org&gt;" in page
        and "Eve &lt;eve@example.org&gt;" in page
    )
    assert 'value="registrations" checked' in page and 'value="confirmed" selected' in page
    assert "Send it to 2 people" in page


def test_bad_filters_in_a_link_say_so(organiser):
    response = organiser.get(f"{PAGE}/new?audience=registrations&event=NOPE")
    assert response.status_code == 400
    assert "This forum has no event with the code NOPE." in response.get_data(as_text=True)


def test_preview_shows_the_count_the_names_and_the_text_without_sending(app, organiser, world):
    response = organiser.post(
        f"{PAGE}/new",
        data={
            **MESSAGE,
            "audience": "delegations",
            "delegations": [world.ids["japan"], world.ids["esa"]],
            "action": "preview",
        },
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "It goes to 3 people" in page and "Kei Member" in page and "Mia Esa" in page
    assert "<strong>8:00</strong>" in page
    assert stored(app) == (0, 0)


def test_sending_through_the_form_queues_it_and_shows_its_record(app, organiser, world):
    response = organiser.post(
        f"{PAGE}/new",
        data={
            **MESSAGE,
            "subject_ja": "金曜日のバス",
            "body_ja": "バスは8時です。",
            "audience": "focal_points",
            "action": "send",
        },
    )
    assert response.status_code == 302
    assert stored(app) == (1, 1)
    record = organiser.get(response.headers["Location"]).get_data(as_text=True)
    assert "The announcement is on its way to 1 person; this page shows when it is delivered." in record
    assert "Fumi Focal" in record and "fumi@example.org" in record and "waiting" in record
    assert "0 delivered, 1 waiting, 0 failed" in record and "金曜日のバス" in record
    listing = organiser.get(PAGE).get_data(as_text=True)
    assert (
        "Buses on Friday" in listing
        and "The focal points of the delegations" in listing
        and "Aiko Organiser" in listing
    )


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"audience": ""}, "Choose who the announcement goes to."),
        ({"audience": "registrations", "status": "cancelled"}, "Cancelled registrations are never sent announcements"),
        ({"audience": "registrations", "delegation": "abc"}, "This forum has no such delegation."),
        ({"audience": "registrations", "answer": "12:maybe"}, "Choose an answer from the list"),
        ({"audience": "delegations", "delegations": ["1e9"]}, "Choose delegations of this forum."),
        ({"audience": "sessions"}, "Choose between 1 and 500 sessions."),
        ({"audience": "focal_points", "subject": ""}, "Give the announcement a subject."),
        ({"audience": "focal_points", "subject": "a\x00b"}, "Remove control characters"),
        ({"audience": "focal_points", "body": ""}, "Write the announcement"),
        ({"audience": "focal_points", "body": "x" * 20_001}, "Keep the text to 20000 characters."),
        ({"audience": "focal_points", "subject_ja": "件名だけ"}, "Write the announcement"),
        ({"audience": "registrations", "event": "SIDE", "country": "FR"}, "Nobody is in this audience"),
    ],
)
def test_bad_input_gets_a_clear_message_and_nothing_is_sent(app, organiser, data, message):
    response = organiser.post(f"{PAGE}/new", data={**MESSAGE, "action": "send", **data})
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert stored(app) == (0, 0)


def test_another_forums_announcement_is_not_found(app, organiser, world):
    response = organiser.post(f"{PAGE}/new", data={**MESSAGE, "audience": "focal_points", "action": "send"})
    path = response.headers["Location"]
    assert organiser.get(path).status_code == 200
    assert organiser.get(path.replace("/isef2/", "/other/")).status_code == 403  # not its organiser
    assert organiser.get(f"{PAGE}/999999").status_code == 404


def test_a_person_sees_the_announcements_sent_to_them_in_their_language(app, organiser, world):
    organiser.post(
        f"{PAGE}/new",
        data={
            **MESSAGE,
            "subject_ja": "金曜日のバス",
            "body_ja": "バスは**8時**です。",
            "audience": "registrations",
            "action": "send",
        },
    )
    me = signed_in_as(app, world, "ada")
    assert 'href="/me/announcements"' in me.get("/me").get_data(as_text=True)
    page = me.get("/me/announcements").get_data(as_text=True)
    assert "Buses on Friday" in page and "<strong>8:00</strong>" in page and "ISEF2" in page
    japanese = signed_in_as(app, world, "ben")
    japanese.post("/language", data={"language": "ja"})
    assert "金曜日のバス" in japanese.get("/me/announcements").get_data(as_text=True)
    # Olga is of another forum; Fumi is not a registrant.
    for name in ("olga", "fumi"):
        assert "Buses on Friday" not in signed_in_as(app, world, name).get("/me/announcements").get_data(as_text=True)


def test_a_preview_of_a_bad_audience_says_why_and_sends_nothing(app, organiser, world):
    data = {**MESSAGE, "audience": "delegations", "delegations": [world.ids["elsewhere"]], "action": "preview"}
    response = organiser.post(f"{PAGE}/new", data=data)
    assert response.status_code == 422
    assert "Choose delegations of this forum." in response.get_data(as_text=True)
    assert stored(app) == (0, 0)


def test_the_page_carries_a_new_form_key_each_time(organiser):
    keys = [
        re.search(r'name="form_key" type="hidden" value="([^"]+)"', organiser.get(f"{PAGE}/new").get_data(as_text=True))
        for _ in range(2)
    ]
    assert all(keys) and keys[0].group(1) != keys[1].group(1)


def test_the_same_form_posted_twice_is_sent_once(app, organiser, world):
    data = {**MESSAGE, "audience": "registrations", "action": "send"}
    first = organiser.post(f"{PAGE}/new", data=data)
    again = organiser.post(f"{PAGE}/new", data=data)
    assert first.status_code == again.status_code == 302
    assert again.headers["Location"] == first.headers["Location"]
    page = organiser.get(again.headers["Location"]).get_data(as_text=True)
    assert "This announcement was sent already, once: the form was posted twice." in page
    assert stored(app) == (1, 4)


def test_a_form_without_its_key_is_out_of_date(app, organiser):
    response = organiser.post(
        f"{PAGE}/new", data={**MESSAGE, "form_key": "", "audience": "focal_points", "action": "send"}
    )
    assert response.status_code == 422
    assert "This form is out of date: open the page again." in response.get_data(as_text=True)
    assert stored(app) == (0, 0)
