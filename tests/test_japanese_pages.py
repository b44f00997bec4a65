"""Every page in Japanese: planner's own words translated, ``lang="ja"``, for each kind of reader.

Content (forum and session titles...) stays as the organisers wrote it; what is checked is that
no text of the page is one of the catalogue's English strings left untranslated.
"""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from planner import PROJECT_ROOT
from planner.site.languages import LANGUAGE_COOKIE
from tests.conftest import sign_in
from tests.test_access import MATRIX, roles  # noqa: F401  (the fixture)

CATALOGUE = Path(PROJECT_ROOT) / "translations" / "ja" / "LC_MESSAGES" / "messages.po"
READERS = ("anonymous", "delegate", "focal_point", "organiser", "admin")
ATTRIBUTES = ("title", "aria-label", "placeholder", "alt")
#: Pages in the forum's language whoever reads them: the room's screen of the speakers' list
#: (tests/plenary/test_views.py checks it follows the forum).
FORUMS_LANGUAGE = {"plenary.screen"}


def english_strings() -> set[str]:
    """The catalogue's English strings that Japanese says otherwise (placeholders left out:
    filled in, they no longer read as the msgid)."""
    with CATALOGUE.open("rb") as file:
        catalogue = read_po(file, locale="ja")
    found = set()
    for message in catalogue:
        if not message.id or isinstance(message.id, tuple) or "%" in message.id:
            continue
        if message.string and message.string != message.id:
            found.add(message.id.strip())
    return found


class Texts(HTMLParser):
    """The text of a page as a reader meets it: text nodes and the attributes read aloud."""

    def __init__(self) -> None:
        super().__init__()
        self.texts: list[str] = []
        self.lang: str | None = None
        self._skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "html":
            self.lang = values.get("lang")
        if tag in ("script", "style"):
            self._skipping += 1
        self.texts += [value.strip() for name, value in attrs if name in ATTRIBUTES and value]

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self._skipping -= 1

    def handle_data(self, data: str) -> None:
        if not self._skipping and data.strip():
            self.texts.append(" ".join(data.split()))


@pytest.mark.parametrize("reader", READERS)
def test_every_page_reads_in_japanese(app, roles, reader):  # noqa: F811
    english = english_strings()
    client = app.test_client()
    if reader != "anonymous":
        sign_in(client, roles.people[reader])
        client.set_cookie(LANGUAGE_COOKIE, "ja")  # their accounts were made in English
    walked, left = 0, {}
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint in ("static", *FORUMS_LANGUAGE):
            continue
        if (rule.endpoint, "GET") not in MATRIX:
            continue
        with app.test_request_context():
            url = app.url_for(rule.endpoint, **{k: roles.values[k] for k in rule.arguments})
        response = client.get(url, headers={"Accept-Language": "ja-JP,ja;q=0.9"})
        if response.status_code != 200 or response.mimetype != "text/html":
            continue
        page = Texts()
        page.feed(response.get_data(as_text=True))
        walked += 1
        assert page.lang == "ja", url
        untranslated = sorted({text for text in page.texts if text in english})
        if untranslated:
            left[url] = untranslated
    assert walked >= 8
    assert left == {}


def test_the_sign_in_page_a_signed_out_reader_is_sent_to_says_why_in_japanese(app, client):
    response = client.get("/me", headers={"Accept-Language": "ja"})
    assert response.status_code == 302
    page = client.get(response.headers["Location"], headers={"Accept-Language": "ja"}).get_data(as_text=True)
    assert "このページを表示するには、ログインしてください。" in page
