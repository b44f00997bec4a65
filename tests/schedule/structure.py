"""Structural accessibility rules (WCAG 2.1 AA) that can be checked on a page's HTML:
a language, a title, one h1 and no skipped heading levels, a label for every field, text for
every link and button, captions and header cells in tables, unique ids, no positive tabindex."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
UNLABELLED_INPUTS = {"hidden", "submit", "button", "reset", "image"}


@dataclass
class Element:
    tag: str
    attrs: dict[str, str]
    text: str = ""
    children: list[Element] = field(default_factory=list)
    parent: Element | None = None


class _Tree(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Element("#root", {})
        self.current = self.root
        self.all: list[Element] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = Element(tag, {k: v if v is not None else "" for k, v in attrs}, parent=self.current)
        self.current.children.append(element)
        self.all.append(element)
        if tag not in VOID:
            self.current = element

    def handle_endtag(self, tag: str) -> None:
        node = self.current
        while node is not self.root and node.tag != tag:
            node = node.parent
        if node is not self.root:
            self.current = node.parent

    def handle_data(self, data: str) -> None:
        node = self.current
        while node is not None:
            node.text += data
            node = node.parent


def _name(element: Element) -> str:
    """The accessible name, roughly: text, aria-label, or alt text of images inside."""
    alts = " ".join(e.attrs.get("alt", "") for e in _descendants(element) if e.tag == "img")
    return " ".join((element.text + " " + element.attrs.get("aria-label", "") + " " + alts).split())


def _descendants(element: Element):  # noqa: ANN202
    for child in element.children:
        yield child
        yield from _descendants(child)


def _inside(element: Element, tag: str) -> bool:
    node = element.parent
    while node is not None:
        if node.tag == tag:
            return True
        node = node.parent
    return False


def problems(html: str) -> list[str]:
    tree = _Tree()
    tree.feed(html)
    found = []
    elements = tree.all
    by_tag: dict[str, list[Element]] = {}
    for e in elements:
        by_tag.setdefault(e.tag, []).append(e)
    html_tags = by_tag.get("html", [])
    if not html_tags or not html_tags[0].attrs.get("lang"):
        found.append("<html> has no lang")
    # An inline SVG's <title> names the drawing or a shape in it, not the page.
    titles = [t for t in by_tag.get("title", []) if not _inside(t, "svg")]
    if len(titles) != 1 or not titles[0].text.strip():
        found.append("no single, non-empty <title>")
    if len(by_tag.get("h1", [])) != 1:
        found.append(f"{len(by_tag.get('h1', []))} h1 elements")
    level = 0
    for e in elements:
        if len(e.tag) == 2 and e.tag[0] == "h" and e.tag[1] in "123456":
            new = int(e.tag[1])
            if new > level + 1:
                found.append(f"heading level skips from h{level} to {e.tag} ({_name(e)[:40]!r})")
            if not _name(e):
                found.append(f"empty {e.tag}")
            level = new
    ids: dict[str, int] = {}
    for e in elements:
        if "id" in e.attrs:
            ids[e.attrs["id"]] = ids.get(e.attrs["id"], 0) + 1
        if e.attrs.get("tabindex", "0").lstrip("-").isdigit() and int(e.attrs.get("tabindex", "0")) > 0:
            found.append(f"positive tabindex on <{e.tag}>")
    found.extend(f"id {i!r} used {n} times" for i, n in ids.items() if n > 1)
    labelled = {e.attrs.get("for") for e in by_tag.get("label", [])}
    for e in by_tag.get("input", []) + by_tag.get("select", []) + by_tag.get("textarea", []):
        if e.tag == "input" and e.attrs.get("type", "text") in UNLABELLED_INPUTS:
            continue
        if not (
            e.attrs.get("id") in labelled
            or e.attrs.get("aria-label")
            or e.attrs.get("aria-labelledby")
            or _inside(e, "label")
        ):
            found.append(f"<{e.tag} name={e.attrs.get('name')!r}> has no label")
    for e in by_tag.get("a", []):
        if "href" in e.attrs and not _name(e):
            found.append(f"link to {e.attrs['href']!r} has no text")
    for e in by_tag.get("button", []):
        if not _name(e):
            found.append("button without text")
    for e in by_tag.get("table", []):
        inner = list(_descendants(e))
        if not (
            any(c.tag == "caption" and _name(c) for c in inner)
            or e.attrs.get("aria-label")
            or e.attrs.get("aria-labelledby")
        ):
            found.append("table without caption")
        if not any(c.tag == "th" for c in inner):
            found.append("table without header cells")
        for th in (c for c in inner if c.tag == "th"):
            if th.attrs.get("scope") not in ("col", "row", "colgroup", "rowgroup"):
                found.append(f"<th> {_name(th)[:30]!r} without scope")
    return found


def title_of(html: str) -> str:
    tree = _Tree()
    tree.feed(html)
    return next((" ".join(e.text.split()) for e in tree.all if e.tag == "title"), "")
