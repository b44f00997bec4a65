"""Comparisons of two versions: they read back as both texts, find the fewest edits, and stay
quick on the longest text the form accepts, coarsely where word by word would cost too much."""

from __future__ import annotations

import html
import random
import re
import time

import pytest

from planner.statements.diffing import Block, Budget, compare, edit_script, paragraphs
from planner.statements.forms import MAX_TEXT
from tests.statements.helpers import longest_texts

# The history page must answer within 0.5 s; the comparison is most of it.
QUICK = 0.5


def sides(blocks: list[Block]) -> tuple[list[str], list[str]]:
    """The paragraphs of the old text (same and removed) and of the new (same and added)."""
    old, new = [], []
    for block in blocks:
        text = str(block.html)
        if block.kind != "added":
            old.append(html.unescape(re.sub(r"<ins>.*?</ins>|</?del>", "", text, flags=re.S)))
        if block.kind != "removed":
            new.append(html.unescape(re.sub(r"<del>.*?</del>|</?ins>", "", text, flags=re.S)))
    return old, new


def fewest_edits(a: list[str], b: list[str]) -> int:
    """Insertions plus deletions of a shortest edit script, by the textbook table."""
    longest = [[0] * (len(b) + 1) for _ in range(len(a) + 1)]
    for i in range(len(a) - 1, -1, -1):
        for j in range(len(b) - 1, -1, -1):
            longest[i][j] = longest[i + 1][j + 1] + 1 if a[i] == b[j] else max(longest[i + 1][j], longest[i][j + 1])
    return len(a) + len(b) - 2 * longest[0][0]


def edited(rng: random.Random, text: str, alphabet: str) -> str:
    """``text`` with a few characters replaced, inserted or deleted anywhere, paragraph breaks
    included."""
    chars = list(text)
    for _ in range(rng.randint(0, 6)):
        at = rng.randint(0, len(chars))
        what = rng.choice(["insert", "delete", "replace"])
        if what == "insert" or not chars or at == len(chars):
            chars.insert(at, rng.choice(alphabet))
        elif what == "delete":
            del chars[at]
        else:
            chars[at] = rng.choice(alphabet)
    return "".join(chars)


@pytest.mark.parametrize("alphabet", ["ab \n.", "the cat sat, on a mat.\n", "国際宇宙探査フォーラム、。\n"])
def test_both_texts_read_back_from_any_comparison(alphabet):
    rng = random.Random(alphabet)
    for _ in range(300):
        before = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 80)))
        after = edited(rng, before, alphabet) if rng.random() < 0.8 else "".join(rng.sample(before, len(before)))
        assert sides(compare(before, after)) == (paragraphs(before), paragraphs(after)), (before, after)


def test_edit_scripts_are_shortest_and_contiguous():
    rng = random.Random(13)
    for _ in range(500):
        alphabet = rng.choice(["ab", "abc", "abcdefgh"])
        a = [rng.choice(alphabet) for _ in range(rng.randint(0, 25))]
        b = [rng.choice(alphabet) for _ in range(rng.randint(0, 25))]
        opcodes, exact = edit_script(a, b, Budget())
        assert exact
        at = (0, 0)
        for op, i1, i2, j1, j2 in opcodes:
            assert (i1, j1) == at and op in {"equal", "delete", "insert"}
            if op == "equal":
                assert a[i1:i2] == b[j1:j2]
            at = (i2, j2)
        assert at == (len(a), len(b))
        edits = sum(i2 - i1 if op == "delete" else j2 - j1 for op, i1, i2, j1, j2 in opcodes if op != "equal")
        assert edits == fewest_edits(a, b), (a, b, opcodes)


def test_japanese_is_still_compared_character_by_character():
    blocks = compare("各国は国際宇宙探査の重要性を認識した。", "各国は国際月探査の重要性を確認した。")
    assert (
        str(blocks[0].html) == "各国は国際<del>宇宙</del><ins>月</ins>探査の重要性を<ins>確</ins>認<del>識</del>した。"
    )
    assert not blocks[0].coarse


def test_a_replaced_word_reads_old_then_new_and_unchanged_paragraphs_stay_same():
    blocks = compare("One.\n\nThe agencies recognised it.\n\nThree.", "One.\n\nThe agencies welcomed it.\n\nThree.")
    assert [b.kind for b in blocks] == ["same", "changed", "same"]
    assert str(blocks[1].html) == "The agencies <del>recognised</del><ins>welcomed</ins> it."


def test_a_paragraph_too_costly_to_compare_word_by_word_is_coarse_and_keeps_its_ends():
    rng = random.Random(5)
    before = "Shared start. " + " ".join(rng.choice("ab") for _ in range(60_000)) + " shared end."
    after = "Shared start. " + " ".join(rng.choice("ab") for _ in range(60_000)) + " shared end."
    (block,) = compare(before, after)
    assert block.kind == "changed" and block.coarse
    assert str(block.html).startswith("Shared start. ") and str(block.html).endswith(" shared end.")
    assert sides([block]) == ([before], [after])


def test_scattered_edits_in_a_long_paragraph_are_still_shown_word_by_word():
    before, after = longest_texts(paragraph=MAX_TEXT)
    (block,) = compare(before, after)
    assert block.kind == "changed" and not block.coarse
    assert str(block.html).count("<ins>") > 300


@pytest.mark.parametrize("paragraph", [MAX_TEXT, 12_000, 500], ids=["one paragraph", "12000 a paragraph", "500 a"])
def test_the_longest_text_the_form_accepts_is_compared_quickly(paragraph):
    before, after = longest_texts(paragraph=paragraph)
    assert len(before) <= MAX_TEXT and len(after) <= MAX_TEXT and len(before) > MAX_TEXT * 0.95
    elapsed = []
    for _ in range(3):  # the fastest of three: what it costs, not what a busy machine adds
        started = time.perf_counter()
        blocks = compare(before, after)
        elapsed.append(time.perf_counter() - started)
    assert sides(blocks) == (paragraphs(before), paragraphs(after))
    assert all(block.kind == "changed" for block in blocks)
    assert min(elapsed) < QUICK, f"{min(elapsed):.2f} s"
