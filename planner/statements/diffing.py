"""Readable differences between two texts: paragraph by paragraph, then word by word.

Both levels use Myers' shortest edit script, whose cost grows with the size of the texts
times the number of edits; a work budget shared by the whole comparison bounds it. A pair of
paragraphs that would cost more than its share is shown coarsely instead (unchanged start
and end, then the old middle struck through and the new one inserted), and its block says so.
"""

from __future__ import annotations

import html
import re
from bisect import bisect_left
from collections import Counter
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from typing import Literal

from markupsafe import Markup

# Japanese and Chinese have no spaces between words: compare them character by character.
_CJK = "\u3005\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff"
_WORDS = re.compile(rf"[{_CJK}]|[^\W{_CJK}]+|\s+|[^\w\s]")

# Steps of the edit-script search (diagonals tried and tokens matched) one comparison may
# take: about 0.15 s here. Past it, paragraphs are compared coarsely. Matching up the
# paragraphs may take half of it.
WORK_LIMIT = 150_000
# One pair of paragraphs may take this many steps per token, so that a hopeless pair does not
# use up the budget of the paragraphs after it.
WORK_PER_TOKEN = 12
# What comparing one pair of paragraphs costs besides the search (splitting, rendering), in
# steps: thousands of changed one-line paragraphs are bounded too.
PAIR_COST = 10
# Enough for a short paragraph rewritten completely (50 words and spaces each side).
MIN_PAIR_WORK = 10_000
# Past this many tokens on both sides, the runs of five (three words and the spaces between)
# found once in each text anchor the comparison, and only the gaps between anchors are
# searched: scattered edits in a long paragraph then cost little (as in patience diff).
ANCHORED_FROM = 400
_RUN = 5

Operation = Literal["equal", "delete", "insert"]
Opcode = tuple[Operation, int, int, int, int]


def paragraphs(text: str) -> list[str]:
    return [p.strip() for p in re.split(r"\n\s*\n", (text or "").replace("\r\n", "\n")) if p.strip()]


@dataclass(frozen=True)
class Block:
    """One paragraph of the comparison: ``kind`` is same, added, removed or changed. A
    changed paragraph that was too long or changed too much to compare word by word is
    ``coarse``: only its unchanged start and end are kept apart from the old and new text."""

    kind: str
    html: Markup
    coarse: bool = False


class Budget:
    """The steps a comparison has left; every edit script it searches draws on them."""

    def __init__(self, steps: int = WORK_LIMIT) -> None:
        self.steps = steps


def edit_script(
    a: Sequence[Hashable], b: Sequence[Hashable], budget: Budget, limit: int = WORK_LIMIT, anchored: bool = True
) -> tuple[list[Opcode], bool]:
    """Opcodes (like difflib's, without "replace") turning ``a`` into ``b``, and whether they
    are exact. Exact: the fewest insertions and deletions, found in at most ``limit`` steps of
    what the budget has left. Otherwise: the common start and end, and between them all of
    ``a`` deleted and all of ``b`` inserted. The common start and end cost no steps."""
    n, m = len(a), len(b)
    start = 0
    while start < n and start < m and a[start] == b[start]:
        start += 1
    end_a, end_b = n, m
    while end_a > start and end_b > start and a[end_a - 1] == b[end_b - 1]:
        end_a, end_b = end_a - 1, end_b - 1
    middle: list[Opcode] | None
    if anchored and min(end_a, end_b) - start > ANCHORED_FROM:
        middle, exact = _anchored_script(a[start:end_a], b[start:end_b], budget, limit)
    else:
        middle = _shortest_script(a[start:end_a], b[start:end_b], budget, min(budget.steps, limit))
        exact = middle is not None
    if middle is None:
        middle = [("delete", 0, end_a - start, 0, 0), ("insert", end_a - start, end_a - start, 0, end_b - start)]
    opcodes: list[Opcode] = [("equal", 0, start, 0, start)]
    opcodes += [(op, i1 + start, i2 + start, j1 + start, j2 + start) for op, i1, i2, j1, j2 in middle]
    opcodes.append(("equal", end_a, n, end_b, m))
    return _merged(opcodes), exact


def _shortest_script(a: Sequence[Hashable], b: Sequence[Hashable], budget: Budget, limit: int) -> list[Opcode] | None:
    """Myers' greedy search (1986): after d edits, the furthest x reached on each diagonal
    k = x - y; the trace of those leads back from the end. None past ``limit`` steps."""
    n, m = len(a), len(b)
    if not n or not m:
        return [("delete", 0, n, 0, 0), ("insert", n, n, 0, m)]
    offset = n + m + 1
    furthest = [0] * (2 * offset + 1)
    trace: list[list[int]] = []
    steps = 0
    for d in range(n + m + 1):
        for k in range(-d, d + 1, 2):
            if k == -d or (k != d and furthest[offset + k - 1] < furthest[offset + k + 1]):
                x = furthest[offset + k + 1]  # down: an insertion
            else:
                x = furthest[offset + k - 1] + 1  # right: a deletion
            y = x - k
            matched = x
            while x < n and y < m and a[x] == b[y]:
                x, y = x + 1, y + 1
            furthest[offset + k] = x
            steps += 1 + x - matched
            if x >= n and y >= m:
                budget.steps -= steps
                trace.append(furthest[offset - d : offset + d + 1])
                return _backtrack(trace, n, m)
            if steps > limit:
                budget.steps -= steps
                return None
        trace.append(furthest[offset - d : offset + d + 1])
    raise AssertionError("n + m edits always reach the end")


def _anchored_script(
    a: Sequence[Hashable], b: Sequence[Hashable], budget: Budget, limit: int
) -> tuple[list[Opcode], bool]:
    """Matches runs found once in each text, the longest series of them in the same order in
    both, then edit scripts of the gaps between them (each within its share of ``limit``)."""
    # Runs kept as their hashes: ints, which (unlike tuples) the garbage collector never scans;
    # an anchor whose runs only share a hash is skipped below.
    runs_a = list(map(hash, zip(*(a[i:] for i in range(_RUN)), strict=False)))
    runs_b = list(map(hash, zip(*(b[i:] for i in range(_RUN)), strict=False)))
    seen_a, seen_b = Counter(runs_a), Counter(runs_b)
    where_b = {run: j for j, run in enumerate(runs_b) if seen_b[run] == 1}
    pairs = [(i, where_b[run]) for i, run in enumerate(runs_a) if seen_a[run] == 1 and run in where_b]
    opcodes: list[Opcode] = []
    exact = True
    x = y = 0
    for i, j in _in_order(pairs) + [(len(a), len(b))]:
        if i < x or j < y or a[i : i + _RUN] != b[j : j + _RUN]:
            continue  # overlaps the anchor before it (or only its hash matched)
        share = max(MIN_PAIR_WORK, limit * (i - x + j - y) // max(1, len(a) + len(b)))
        gap, gap_exact = edit_script(a[x:i], b[y:j], budget, share, anchored=False)
        opcodes += [(op, i1 + x, i2 + x, j1 + y, j2 + y) for op, i1, i2, j1, j2 in gap]
        opcodes.append(("equal", i, min(i + _RUN, len(a)), j, min(j + _RUN, len(b))))
        exact = exact and gap_exact
        x, y = i + _RUN, j + _RUN
    return opcodes[:-1], exact


def _in_order(pairs: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The longest series of ``pairs`` (ordered by their first number) whose second numbers
    increase too: patience sorting, keeping for each pile the pair below it."""
    tops: list[int] = []  # the smallest second number ending a series of each length
    ends: list[int] = []  # the index in pairs of that series' last pair
    below: list[int] = []
    for index, (_, j) in enumerate(pairs):
        pile = bisect_left(tops, j)
        if pile == len(tops):
            tops.append(j)
            ends.append(index)
        else:
            tops[pile], ends[pile] = j, index
        below.append(ends[pile - 1] if pile else -1)
    series: list[tuple[int, int]] = []
    index = ends[-1] if ends else -1
    while index >= 0:
        series.append(pairs[index])
        index = below[index]
    return series[::-1]


def _backtrack(trace: list[list[int]], n: int, m: int) -> list[Opcode]:
    """From the end back to the start: each d took one edit and the matches after it."""
    opcodes: list[Opcode] = []
    x, y = n, m
    for d in range(len(trace) - 1, 0, -1):
        k = x - y
        previous = trace[d - 1]  # diagonals -(d - 1) .. d - 1, from index 0
        came_down = k == -d or (k != d and previous[k - 1 + d - 1] < previous[k + 1 + d - 1])
        prev_k = k + 1 if came_down else k - 1
        prev_x = previous[prev_k + d - 1]
        prev_y = prev_x - prev_k
        edit_x, edit_y = (prev_x, prev_y + 1) if came_down else (prev_x + 1, prev_y)
        opcodes.append(("equal", edit_x, x, edit_y, y))
        if came_down:
            opcodes.append(("insert", prev_x, prev_x, prev_y, edit_y))
        else:
            opcodes.append(("delete", prev_x, edit_x, prev_y, prev_y))
        x, y = prev_x, prev_y
    opcodes.append(("equal", 0, x, 0, y))
    opcodes.reverse()
    return opcodes


def _merged(opcodes: list[Opcode]) -> list[Opcode]:
    """Neighbouring opcodes of one kind as one, empty ones left out, and within a change the
    deletions first, so that a replaced word reads <del>old</del><ins>new</ins>."""
    merged: list[Opcode] = []
    for opcode in opcodes:
        op, i1, i2, j1, j2 = opcode
        if i1 == i2 and j1 == j2:
            continue
        if op == "delete" and merged and merged[-1][0] == "insert":
            # Swap: the deletion joins one before the insertion, if any, at the same place.
            _, _, _, ins_j1, ins_j2 = merged.pop()
            deleted_before = merged[-1] if merged else None
            if deleted_before is not None and deleted_before[0] == "delete":
                i1 = merged.pop()[1]
            merged += [("delete", i1, i2, ins_j1, ins_j1), ("insert", i2, i2, ins_j1, ins_j2)]
        elif merged and merged[-1][0] == op:
            _, first_i, _, first_j, _ = merged[-1]
            merged[-1] = (op, first_i, i2, first_j, j2)
        else:
            merged.append(opcode)
    return merged


def _words(before: str, after: str, budget: Budget) -> Block:
    budget.steps -= PAIR_COST
    if budget.steps <= 0:  # spent: not even the words are worth finding
        return Block("changed", Markup(_marked("del", before) + _marked("ins", after)), coarse=True)
    a, b = _WORDS.findall(before), _WORDS.findall(after)
    limit = max(MIN_PAIR_WORK, WORK_PER_TOKEN * (len(a) + len(b)))
    opcodes, exact = edit_script(a, b, budget, limit)
    # Escaped piece by piece and wrapped once: a Markup for each of thousands of pieces costs more.
    out: list[str] = []
    for op, i1, i2, j1, j2 in opcodes:
        if op == "equal":
            out.append(html.escape("".join(a[i1:i2])))
        elif op == "delete":
            out.append(_marked("del", "".join(a[i1:i2])))
        else:
            out.append(_marked("ins", "".join(b[j1:j2])))
    return Block("changed", Markup("".join(out)), coarse=not exact)


def _marked(tag: str, text: str) -> str:
    return f"<{tag}>{html.escape(text)}</{tag}>"


def compare(before: str, after: str) -> list[Block]:
    a, b = paragraphs(before), paragraphs(after)
    budget = Budget()
    # Paragraphs compared as small numbers: equal texts, equal numbers, one hash each.
    numbers: dict[str, int] = {}
    # Too many paragraphs changed to match them up (not exact): they are paired in order.
    opcodes, _ = edit_script(
        [numbers.setdefault(p, len(numbers)) for p in a],
        [numbers.setdefault(p, len(numbers)) for p in b],
        budget,
        WORK_LIMIT // 2,
    )
    blocks: list[Block] = []
    # A deletion followed by an insertion is a change: its paragraphs are paired in order.
    removed: list[str] = []
    for op, i1, i2, j1, j2 in [*opcodes, ("equal", len(a), len(a), len(b), len(b))]:
        if op == "delete":
            removed = a[i1:i2]
            continue
        added = b[j1:j2] if op == "insert" else []
        for k in range(max(len(removed), len(added))):
            if k < len(removed) and k < len(added) and removed[k] == added[k]:
                blocks.append(Block("same", Markup(html.escape(removed[k]))))  # paired in order, unchanged
            elif k < len(removed) and k < len(added):
                blocks.append(_words(removed[k], added[k], budget))
            elif k < len(removed):
                blocks.append(Block("removed", Markup(_marked("del", removed[k]))))
            else:
                blocks.append(Block("added", Markup(_marked("ins", added[k]))))
        removed = []
        if op == "equal":
            blocks += [Block("same", Markup(html.escape(p))) for p in a[i1:i2]]
    return blocks
