"""Readable differences between two texts: paragraph by paragraph, then word by word."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

from markupsafe import Markup, escape

# Japanese and Chinese have no spaces between words: compare them character by character.
_CJK = "\u3005\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff"
_WORDS = re.compile(rf"[{_CJK}]|[^\W{_CJK}]+|\s+|[^\w\s]")


def paragraphs(text: str) -> list[str]:
    return [p.strip() for p in re.split(r"\n\s*\n", (text or "").replace("\r\n", "\n")) if p.strip()]


@dataclass(frozen=True)
class Block:
    """One paragraph of the comparison: ``kind`` is same, added, removed or changed."""

    kind: str
    html: Markup


def _words(before: str, after: str) -> Markup:
    a, b = _WORDS.findall(before), _WORDS.findall(after)
    out: list[Markup] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            out.append(escape("".join(a[i1:i2])))
            continue
        if i2 > i1:
            out.append(Markup("<del>%s</del>") % "".join(a[i1:i2]))
        if j2 > j1:
            out.append(Markup("<ins>%s</ins>") % "".join(b[j1:j2]))
    return Markup("").join(out)


def compare(before: str, after: str) -> list[Block]:
    a, b = paragraphs(before), paragraphs(after)
    blocks: list[Block] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            blocks += [Block("same", Markup(escape(p))) for p in a[i1:i2]]
        elif op == "delete":
            blocks += [Block("removed", Markup("<del>%s</del>") % p) for p in a[i1:i2]]
        elif op == "insert":
            blocks += [Block("added", Markup("<ins>%s</ins>") % p) for p in b[j1:j2]]
        else:
            # Pair changed paragraphs in order; any left over were added or removed.
            old, new = a[i1:i2], b[j1:j2]
            for k in range(max(len(old), len(new))):
                if k < len(old) and k < len(new):
                    blocks.append(Block("changed", _words(old[k], new[k])))
                elif k < len(old):
                    blocks.append(Block("removed", Markup("<del>%s</del>") % old[k]))
                else:
                    blocks.append(Block("added", Markup("<ins>%s</ins>") % new[k]))
    return blocks
