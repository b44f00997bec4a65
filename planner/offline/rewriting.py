"""A page of the live site made a page of the copy: every link and source relative to the
copy or absolute to the live site, forms and scripts out (they cannot work from a file), and
a note of when the copy was made. An HTML parser reads the page; the text between the tags it
changes is written back exactly as it came."""

from __future__ import annotations

import posixpath
from collections.abc import Callable
from dataclasses import dataclass, field
from html import escape
from html.parser import HTMLParser
from urllib.parse import parse_qsl, quote, urlencode, urljoin, urlsplit

#: Schemes a link keeps as it is: they never reach the live site's pages.
KEPT_SCHEMES = frozenset({"mailto", "tel", "data", "webcal"})
#: Attributes that name a URL the browser follows or fetches.
URL_ATTRIBUTES = frozenset({"href", "src", "action", "poster"})


@dataclass(frozen=True)
class Site:
    """The live site (``https://planner.example.org``, no slash at the end) and what of it the
    copy holds: ``files`` maps a page's path and normalised query to its file in the copy;
    ``static_files`` are the names under ``static_url`` that exist, and ``used_static`` collects
    those the pages use (the copy holds them under ``static/``)."""

    root: str
    language: str
    files: dict[tuple[str, str], str]
    static_url: str = "/static/"
    static_files: set[str] = field(default_factory=set)
    used_static: set[str] = field(default_factory=set)
    # Links that do not depend on the page but on its folder (most: url_for writes paths).
    _known: dict[tuple[str, str], str] = field(default_factory=dict)

    def key(self, path: str, query: str) -> tuple[str, str]:
        """The lookup key of a URL: the query sorted, ``lang=`` dropped where it is the copy's."""
        pairs = [(k, v) for k, v in parse_qsl(query, keep_blank_values=True) if (k, v) != ("lang", self.language)]
        return path, urlencode(sorted(pairs))

    def target(self, url: str, page_url: str, page_file: str) -> str:
        """``url`` as written on the page at ``page_url`` (saved as ``page_file``), for the copy."""
        if url.startswith(("/", "http:", "https:")) and not url.startswith("//"):
            known = (url, posixpath.dirname(page_file))
            if known not in self._known:
                self._known[known] = self._target(url, page_url, page_file)
            return self._known[known]
        return self._target(url, page_url, page_file)

    def _target(self, url: str, page_url: str, page_file: str) -> str:
        parts = urlsplit(url)
        if parts.scheme in KEPT_SCHEMES or not (parts.scheme or parts.netloc or parts.path or parts.query):
            return url  # mail, calendar subscriptions and "#main" stay
        live = urlsplit(self.root)
        if parts.scheme or parts.netloc:
            if (parts.scheme or live.scheme, parts.netloc) != (live.scheme, live.netloc):
                return url  # another site
        absolute = urlsplit(urljoin(page_url, url)) if not parts.path.startswith("/") else parts
        fragment = f"#{absolute.fragment}" if absolute.fragment else ""
        if absolute.path.startswith(self.static_url):
            name = absolute.path.removeprefix(self.static_url)
            if name in self.static_files:
                self.used_static.add(name)
                return relative(f"static/{name}", page_file) + fragment
        copied = self.files.get(self.key(absolute.path, absolute.query))
        if copied is not None:
            return relative(copied, page_file) + fragment
        query = f"?{absolute.query}" if absolute.query else ""
        return f"{self.root}{absolute.path}{query}{fragment}"


def relative(target: str, page_file: str) -> str:
    """The path from the page's folder to ``target``, both paths inside the copy, as a URL."""
    return quote(posixpath.relpath(target, posixpath.dirname(page_file) or "."))


@dataclass(frozen=True)
class Notes:
    """What the copy adds to a page: the note on top (HTML, after ``<main>``) and what stands
    where a form was, given the form's label and the page's live address."""

    banner: Callable[[str], str]
    instead_of_form: Callable[[str, str], str]


class _PageRewriter(HTMLParser):
    def __init__(self, site: Site, page_url: str, page_file: str, notes: Notes) -> None:
        super().__init__(convert_charrefs=False)
        self.site, self.page_url, self.page_file, self.notes = site, page_url, page_file, notes
        self.live_url = site.root + page_url
        self.out: list[str] = []
        self.skipping: str | None = None  # the element being left out (a form, a script)
        self.skipped_depth = 0

    # Tags ---------------------------------------------------------------------------------

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.skipping is not None:
            if tag == self.skipping:
                self.skipped_depth += 1
            return
        if tag in ("form", "script"):
            self.skipping, self.skipped_depth = tag, 1
            if tag == "form":
                label = dict(attrs).get("aria-label") or ""
                self.out.append(self.notes.instead_of_form(label, self.live_url))
            return
        self.out.append(self._tag(tag, attrs, "") or self.get_starttag_text() or "")
        if tag == "main":
            self.out.append(self.notes.banner(self.live_url))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.skipping is not None:
            return
        self.out.append(self._tag(tag, attrs, " /") or self.get_starttag_text() or "")

    def handle_endtag(self, tag: str) -> None:
        if self.skipping is not None:
            if tag == self.skipping:
                self.skipped_depth -= 1
                if self.skipped_depth == 0:
                    self.skipping = None
            return
        self.out.append(f"</{tag}>")

    def _tag(self, tag: str, attrs: list[tuple[str, str | None]], end: str) -> str | None:
        """The start tag with its URLs for the copy, or None where it has none to change."""
        if not any(name in URL_ATTRIBUTES and value for name, value in attrs):
            return None
        written = []
        for name, value in attrs:
            if value is None:
                written.append(f" {name}")
                continue
            if name in URL_ATTRIBUTES and value:
                value = self.site.target(value, self.page_url, self.page_file)
            written.append(f' {name}="{escape(value, quote=True)}"')
        return f"<{tag}{''.join(written)}{end}>"

    # Everything else, written back as it came ----------------------------------------------

    def _keep(self, text: str) -> None:
        if self.skipping is None:
            self.out.append(text)

    def handle_data(self, data: str) -> None:
        self._keep(data)

    def handle_entityref(self, name: str) -> None:
        self._keep(f"&{name};")

    def handle_charref(self, name: str) -> None:
        self._keep(f"&#{name};")

    def handle_comment(self, data: str) -> None:
        self._keep(f"<!--{data}-->")

    def handle_decl(self, decl: str) -> None:
        self._keep(f"<!{decl}>")

    def handle_pi(self, data: str) -> None:
        self._keep(f"<?{data}>")

    def unknown_decl(self, data: str) -> None:
        self._keep(f"<![{data}]>")


def rewrite_page(html: str, site: Site, page_url: str, page_file: str, notes: Notes) -> str:
    """The page at ``page_url`` (path and query on the live site) as the copy's ``page_file``."""
    parser = _PageRewriter(site, page_url, page_file, notes)
    parser.feed(html)
    parser.close()
    return "".join(parser.out)
