"""Markdown to safe HTML, and the plain-text and PDF downloads."""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import Any, TypedDict

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup

# Raw HTML in the source is shown as text, not passed on; nh3 then removes anything unsafe
# that Markdown itself could produce (links are limited to the schemes below).
_markdown = MarkdownIt("commonmark", {"html": False}).enable("table").enable("strikethrough")

ALLOWED_TAGS = {
    "p",
    "br",
    "hr",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "em",
    "strong",
    "del",
    "s",
    "code",
    "pre",
    "blockquote",
    "ul",
    "ol",
    "li",
    "a",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}, "th": {"style"}, "td": {"style"}}
URL_SCHEMES = {"http", "https", "mailto"}


#: A document's own headings sit below the page's h1 and its "Text" h2.
HEADING_SHIFT = 2


def render_markdown(text: str) -> Markup:
    tokens = _markdown.parse(text or "")
    for token in tokens:
        if token.type in {"heading_open", "heading_close"}:
            token.tag = f"h{min(6, int(token.tag[1]) + HEADING_SHIFT)}"
    html = _markdown.renderer.render(tokens, _markdown.options, {})
    return Markup(
        nh3.clean(
            html,
            tags=ALLOWED_TAGS,
            attributes=ALLOWED_ATTRIBUTES,
            url_schemes=URL_SCHEMES,
            link_rel="noopener noreferrer nofollow",
        )
    )


def plain_text(markdown: str) -> str:
    """Markdown without its markup, for snippets and downloads as text."""
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", markdown)
    text = re.sub(r"^\s{0,3}(#{1,6}|>|[-*+]|\d+[.)])\s+", "", text, flags=re.M)
    return re.sub(r"[*_`]+", "", text)


# --- PDF ------------------------------------------------------------------------------------

#: IPAexGothic (IPA Font License v1.0, licence text next to it): Latin, kana, kanji, some Greek
#: and Cyrillic. Vendored so that every PDF can show Japanese, whatever the system has installed.
VENDORED_FONT = str(Path(__file__).resolve().parents[2] / "static" / "fonts" / "ipaexg.ttf")

# The configured font first, then the vendored one; the system fonts only if that file is
# missing; without any, PDF's built-in Helvetica (Latin-1 only).
FONT_CANDIDATES = (
    VENDORED_FONT,
    "/usr/share/fonts/truetype/fonts-japanese-gothic.ttf",
    "/usr/share/fonts/opentype/ipaexfont-gothic/ipaexg.ttf",
    "/usr/share/fonts/truetype/noto/NotoSansJP-Regular.ttf",
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
)


class _NextLine(TypedDict):
    new_x: str
    new_y: str


# After each block, go back to the left margin on the next line.
NEXT_LINE: _NextLine = {"new_x": "LMARGIN", "new_y": "NEXT"}


@lru_cache(maxsize=4)
def find_font(configured: str | None) -> str | None:
    for path in ((configured,) if configured else ()) + FONT_CANDIDATES:
        if path and os.path.isfile(path):
            return path
    return None


def pdf_bytes(
    title: str, meta_lines: list[str], text: str, font_path: str | None, notice: str, compress: bool = True
) -> bytes:
    """The document as a PDF. Characters the font lacks become "?", and ``notice`` then says so."""
    return _pdf_bytes(title, tuple(meta_lines), text, font_path, notice, compress)


def start_pdf(
    title: str, font_path: str | None, compress: bool = True, margin: float | None = None
) -> tuple[Any, str, Callable[[str], str]]:
    """An A4 PDF with its first page, the font family to write in and ``fit`` (see ``use_font``).
    Every A4 PDF planner makes starts here: statements, the list of participants, visa letters.
    ``margin``: the page's margins in mm (fpdf2's default else)."""
    from fpdf import FPDF  # fpdf2 is loaded by the first PDF, not by every process at start

    pdf = FPDF(format="A4")
    pdf.set_compression(compress)
    pdf.set_title(title)
    if margin is not None:
        pdf.set_margins(margin, margin, margin)
    pdf.set_auto_page_break(True, margin=margin if margin is not None else 18)
    pdf.add_page()
    family, fit = use_font(pdf, font_path)
    return pdf, family, fit


def use_font(pdf: Any, font_path: str | None) -> tuple[str, Callable[[str], str]]:
    """Adds the font at ``font_path`` to ``pdf`` (once a PDF: fpdf2 parses the file as it is added)
    and gives the family to write in and ``fit``, which turns the characters the font lacks into
    "?" (spaces it lacks, such as the thin ones in Babel's dates, into plain spaces). Without a
    font file, PDF's built-in Helvetica and Latin-1. The badges (any page size) start here too."""
    from fpdf.fonts import TTFFont

    if font_path:
        pdf.add_font("body", "", font_path)
        font = pdf.fonts["body"]
        assert isinstance(font, TTFFont), "a font added from a file is a TrueType font"
        covered = set(font.cmap)

        def fit(s: str) -> str:
            return "".join(c if ord(c) in covered or c in "\n\t" else " " if c.isspace() else "?" for c in s)

        return "body", fit

    def fit_latin(s: str) -> str:
        s = "".join(" " if c.isspace() and c not in "\n\t" else c for c in s)
        return s.encode("latin-1", "replace").decode("latin-1")

    return "helvetica", fit_latin


# Parsing the 6 MB Japanese font costs about 0.1-0.3 s a PDF. fpdf2's subsetter changes the parsed
# font in place, so one loaded font cannot serve several PDFs; the finished PDFs are kept instead
# (the same inputs give the same bytes; an adopted text never changes, a corrigendum is a new input).
@lru_cache(maxsize=32)
def _pdf_bytes(
    title: str, meta_lines: tuple[str, ...], text: str, font_path: str | None, notice: str, compress: bool
) -> bytes:
    pdf, family, fit = start_pdf(title, font_path, compress)
    body = plain_paragraphs(text)
    replaced = any(fit(s) != s for s in [title, *meta_lines, *body])
    pdf.set_font(family, size=16)
    pdf.multi_cell(0, 8, fit(title), **NEXT_LINE)
    pdf.ln(2)
    pdf.set_font(family, size=9)
    for line in [*meta_lines, *([notice] if replaced else [])]:
        pdf.multi_cell(0, 5, fit(line), **NEXT_LINE)
    pdf.ln(4)
    pdf.set_font(family, size=11)
    for paragraph in body:
        pdf.multi_cell(0, 6, fit(paragraph), **NEXT_LINE)
        pdf.ln(3)
    return bytes(pdf.output())


def plain_paragraphs(markdown: str) -> list[str]:
    return [p.strip() for p in plain_text(markdown).split("\n\n") if p.strip()]
