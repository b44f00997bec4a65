"""The scanner's page as the server sends it: what its script reads from it (URLs, the CSRF
token, the translated strings), nothing inline for the CSP to refuse, a word for browsers
without JavaScript; and its service worker, served from under the page's path."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from planner import PROJECT_ROOT
from planner.site.languages import LANGUAGE_COOKIE
from tests.badges.helpers import make_scene
from tests.conftest import sign_in
from tests.factories import committed

PLACEHOLDER = re.compile(r"\{(\w+)\}")


class Page(HTMLParser):
    def __init__(self, html: str) -> None:
        super().__init__()
        self.root: dict[str, str | None] = {}
        self.scripts: list[dict[str, str | None]] = []
        self.strings = ""
        self.styled: list[str] = []
        self.handlers: list[str] = []
        self.noscript = ""
        self._in: str | None = None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if "data-bundle-url" in attributes:
            self.root = attributes
        if "style" in attributes:
            self.styled.append(tag)
        self.handlers += [name for name in attributes if name.startswith("on")]
        if tag == "script":
            self.scripts.append(attributes)
            self._in = "strings" if attributes.get("id") == "scanner-strings" else "script"
        if tag == "noscript":
            self._in = "noscript"

    def handle_endtag(self, tag):
        if tag in ("script", "noscript"):
            self._in = None

    def handle_data(self, data):
        if self._in == "strings":
            self.strings += data
        elif self._in == "noscript":
            self.noscript += data


@pytest.fixture
def scene(app):
    with committed(app):
        return make_scene()


def test_the_page_gives_its_script_what_it_needs_and_nothing_inline(app, client, scene):
    sign_in(client, scene.scanner)
    response = client.get("/forums/isef2/scanner/")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "private, no-cache"
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe" not in csp
    page = Page(response.get_data(as_text=True))
    assert page.root["data-bundle-url"] == "/forums/isef2/scanner/data.json"
    assert page.root["data-sync-url"] == "/forums/isef2/scanner/sync"
    assert page.root["data-worker-url"] == "/forums/isef2/scanner/sw.js"
    assert page.root["data-worker-scope"] == "/forums/isef2/scanner/"
    assert len(page.root["data-csrf-token"] or "") > 20
    # One module, one JSON data block (data, never run): no inline script, style or handler.
    assert [s.get("type") for s in page.scripts] == ["application/json", "module"]
    assert page.scripts[1]["src"] == "/static/js/scanner.js"
    assert page.styled == [] and page.handlers == []
    assert "needs JavaScript" in page.noscript
    strings = json.loads(page.strings)
    assert all(isinstance(text, str) and text for text in strings.values())
    assert strings["admitted"] == "Welcome"
    assert set(PLACEHOLDER.findall(strings["duplicate_detail"])) == {"when", "zone"}
    # Every string the script asks for is there.
    script = "".join(path.read_text() for path in Path(PROJECT_ROOT, "static", "js").glob("scanner*.js"))
    asked = set(re.findall(r'\bt\("(\w+)"\s*[,)]', script)) | {
        "forged_" + r for r in ("malformed", "unknown_key", "other_forum", "signature")
    }
    asked |= {"admitted", "duplicate", "wrong_zone", "revoked", "expired", "forged", "unknown_badge"}
    assert asked <= set(strings), asked - set(strings)


def test_translated_strings_keep_the_scripts_placeholders(app, client, scene):
    sign_in(client, scene.scanner)
    english = json.loads(Page(client.get("/forums/isef2/scanner/").get_data(as_text=True)).strings)
    client.set_cookie(LANGUAGE_COOKIE, "ja")
    japanese = json.loads(Page(client.get("/forums/isef2/scanner/").get_data(as_text=True)).strings)
    assert set(japanese) == set(english)
    for key, text in english.items():
        assert sorted(PLACEHOLDER.findall(japanese[key])) == sorted(PLACEHOLDER.findall(text)), key


def test_the_service_worker_is_served_from_under_the_page(app, client, scene):
    response = client.get("/forums/isef2/scanner/sw.js")
    assert response.status_code == 200
    assert response.mimetype == "text/javascript"
    assert response.headers["Cache-Control"] == "no-cache"
    assert response.data == Path(PROJECT_ROOT, "static", "js", "scanner-sw.js").read_bytes()
    assert client.get("/forums/no-such-forum/scanner/sw.js").status_code == 404
