"""The pages that hand out calendar addresses follow the structural accessibility rules, and
their subscribe and download links say what they do in words."""

import re

import pytest

from planner.calendar import services
from planner.calendar.models import FeedKind
from tests.conftest import sign_in
from tests.factories import committed, current
from tests.schedule.structure import problems, title_of


def links(html: str) -> dict[str, str]:
    """href -> link text of every link in the page's calendar sections."""
    sections = re.findall(r'<section[^>]*class="calendar-links".*?</section>', html, re.S)
    return {
        href: " ".join(re.sub(r"<[^>]+>", "", text).split())
        for section in sections
        for href, text in re.findall(r'<a href="([^"]+)"[^>]*>(.*?)</a>', section, re.S)
    }


def test_forum_event_and_session_pages_offer_feeds_in_words(client, programme):
    pages = {
        "/forums/isef2/": ("/forums/isef2/calendar.ics", "the whole programme of ISEF2"),
        "/forums/isef2/events/MINISTERIAL/": (
            "/forums/isef2/events/MINISTERIAL/calendar.ics",
            "the sessions of MINISTERIAL",
        ),
        f"/sessions/{programme.public.id}": (f"/sessions/{programme.public.id}/calendar.ics", "this session"),
    }
    for path, (feed, what) in pages.items():
        html = client.get(path).get_data(as_text=True)
        assert problems(html) == [], path
        found = links(html)
        assert found[f"http://localhost{feed}"].startswith("Download") and what in found[f"http://localhost{feed}"]
        assert what in found[f"webcal://localhost{feed}"]
        assert all(text for text in found.values())
    session_links = links(client.get(f"/sessions/{programme.public.id}").get_data(as_text=True))
    assert sorted(t for h, t in session_links.items() if h.startswith("https://")) == [
        "Add to Google Calendar",
        "Add to Outlook (work or school account)",
        "Add to Outlook.com",
    ]


@pytest.mark.parametrize("with_token", [False, True], ids=["before", "after getting an address"])
def test_the_organisers_calendar_page(app, programme, with_token):
    if with_token:
        with committed(app):
            services.renew_token(current(programme.organiser), FeedKind.ORGANISER, current(programme.forum))
    client = app.test_client()
    sign_in(client, programme.organiser)
    html = client.get("/forums/isef2/manage/calendar").get_data(as_text=True)
    assert problems(html) == []
    assert title_of(html).startswith("Organisers' calendar · ISEF2")
    if with_token:
        assert '<label for="organiser-calendar-heading-url">Private calendar address</label>' in html
        assert "Subscribe in your calendar app" in links(html).values()


def test_the_personal_calendar_section(app, programme, delegate):
    client = app.test_client()
    sign_in(client, delegate)
    before = client.get("/me").get_data(as_text=True)
    assert problems(before) == []
    assert client.post("/me/calendar").status_code == 302
    html = client.get("/me").get_data(as_text=True)
    assert problems(html) == []
    texts = links(html).values()
    assert "Subscribe in your calendar app" in texts and "Download (.ics)" in texts
