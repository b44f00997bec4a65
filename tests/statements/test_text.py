"""Markdown is rendered safely, and two versions compare paragraph by paragraph, word by word."""

from html.parser import HTMLParser

import pytest

from planner.statements.diffing import compare
from planner.statements.rendering import render_markdown


class Elements(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, list[tuple[str, str]]]] = []

    def handle_starttag(self, tag, attrs) -> None:  # noqa: ANN001
        self.found.append((tag, [(name, value or "") for name, value in attrs]))


@pytest.mark.parametrize(
    "source",
    [
        "<script>alert('x')</script>",
        "Hello <script>alert('x')</script> world",
        "[click](javascript:alert('x'))",
        "[click](JaVaScRiPt:alert('x'))",
        "[click](&#106;avascript:alert(1))",
        "[click](java\tscript:alert(1))",
        "[click](  javascript:alert(1) )",
        '<a href="javascript:alert(1)">x</a>',
        "<img src=x onerror=alert(1)>",
        "![x](javascript:alert(1))",
        "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
        '<iframe src="https://example.org"></iframe>',
    ],
)
def test_no_script_or_javascript_link_survives(source):
    elements = Elements()
    elements.feed(str(render_markdown(source)))
    # What a browser would build from the HTML: no script, no frame, no handler, no unsafe link.
    assert not {"script", "iframe", "img"} & {tag for tag, _ in elements.found}
    for tag, attributes in elements.found:
        for name, value in attributes:
            assert not name.startswith("on"), (tag, name)
            if name in {"href", "src"}:
                assert value.split(":")[0].strip().lower() in {"http", "https", "mailto"}, value


def test_markdown_formatting_and_safe_links_remain():
    html = str(
        render_markdown("# Title\n\n## Part\n\nSome *emphasis* and [a link](https://example.org/x).\n\n* one\n* two")
    )
    # The page's h1 is the document's title and its h2 "Text": the document's headings go below.
    assert "<h3>Title</h3>" in html and "<h4>Part</h4>" in html
    assert "<em>emphasis</em>" in html
    assert '<a href="https://example.org/x" rel="noopener noreferrer nofollow">a link</a>' in html
    assert "<li>one</li>" in html


def test_raw_html_is_shown_as_text():
    assert "&lt;b&gt;bold&lt;/b&gt;" in str(render_markdown("<b>bold</b> text"))


def test_diff_marks_changed_words_inside_a_paragraph_and_whole_new_paragraphs():
    blocks = compare(
        "Participants recognised the roadmap.\n\nSecond.",
        "Participants welcomed the roadmap.\n\nSecond.\n\nThird paragraph.",
    )
    assert [b.kind for b in blocks] == ["changed", "same", "added"]
    assert str(blocks[0].html) == "Participants <del>recognised</del><ins>welcomed</ins> the roadmap."
    assert str(blocks[2].html) == "<ins>Third paragraph.</ins>"


def test_diff_of_removed_paragraph_and_escaping():
    blocks = compare("Keep.\n\n<script>gone</script>", "Keep.")
    assert [b.kind for b in blocks] == ["same", "removed"]
    assert str(blocks[1].html) == "<del>&lt;script&gt;gone&lt;/script&gt;</del>"


def test_diff_of_japanese_compares_characters():
    blocks = compare("国際宇宙探査フォーラム", "第2回国際宇宙探査フォーラム")
    assert str(blocks[0].html) == "<ins>第2回</ins>国際宇宙探査フォーラム"
