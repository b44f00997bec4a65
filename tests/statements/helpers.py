"""A forum with an organiser, a focal point and delegations, for the record's tests."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from planner.accounts.models import User
from planner.delegations.models import Delegation, DelegationKind
from planner.forums.models import Event, EventKind, Forum
from planner.statements import services
from planner.statements.forms import MAX_TEXT
from planner.statements.models import DocumentKind, OutcomeDocument
from tests.factories import (
    make_delegation,
    make_event,
    make_focal_point,
    make_forum,
    make_isef2,
    make_organiser,
    make_user,
    tokyo,
)


@dataclass
class World:
    forum: Forum  # ISEF2
    other_forum: Forum  # ISEF3
    organiser: User
    focal_point: User  # of Japan
    delegate: User
    other_organiser: User  # of ISEF3
    japan: Delegation
    esa: Delegation
    other_japan: Delegation  # Japan at ISEF3
    ministerial: Event


def build_world() -> World:
    forum = make_isef2()
    other = make_forum(slug="isef3", name="ISEF3", first_day=dt.date(2021, 1, 1), last_day=dt.date(2021, 1, 2))
    ministerial = make_event(
        forum,
        "MINISTERIAL",
        kind=EventKind.MINISTERIAL,
        title="Ministerial meeting",
        starts_at=tokyo("2018-03-03 09:00"),
        ends_at=tokyo("2018-03-03 18:00"),
    )
    japan = make_delegation(forum, name="Japan", kind=DelegationKind.COUNTRY, country_code="JP")
    esa = make_delegation(forum, name="European Space Agency")
    other_japan = make_delegation(other, name="Japan", kind=DelegationKind.COUNTRY, country_code="JP")
    return World(
        forum=forum,
        other_forum=other,
        organiser=make_organiser(forum),
        focal_point=make_focal_point(japan),
        delegate=make_user(),
        other_organiser=make_organiser(other),
        japan=japan,
        esa=esa,
        other_japan=other_japan,
        ministerial=ministerial,
    )


def draft(
    user,
    forum,
    slug="joint-statement",
    text="First paragraph.\n\nSecond paragraph.",  # noqa: ANN001
    title="ISEF2 Joint Statement",
    **kw,
) -> OutcomeDocument:
    return services.create_document(
        user, forum, kind=kw.pop("kind", DocumentKind.JOINT_STATEMENT), title=title, slug=slug, text=text, **kw
    )


_WORDS = (
    "participants space exploration roadmap agencies cooperation international lunar mars mission science "
    "technology forum ministers welcomed recognised noted the of and to in a for with on by as sustainable "
    "benefit humanity robotic human"
).split()


def longest_texts(paragraph: int, seed: int = 1) -> tuple[str, str]:
    """Two versions of the longest text the form accepts (MAX_TEXT characters), in paragraphs
    of about ``paragraph`` characters, every paragraph of the second with a word in every 60
    changed: edits throughout, like a long negotiation."""
    rng = random.Random(seed)
    before: list[str] = []
    size = 0
    while size + paragraph // 2 < MAX_TEXT:
        words, length = [], 0
        while length < min(paragraph, MAX_TEXT - size - 2):
            word = rng.choice(_WORDS) + rng.choice([" "] * 16 + [", ", ". "])
            words.append(word)
            length += len(word)
        text = "".join(words)[: min(paragraph, MAX_TEXT - size - 2)].strip()
        before.append(text)
        size += len(text) + 2
    after = []
    for text in before:
        words = text.split(" ")
        for at in range(rng.randrange(min(60, len(words))), len(words), 60):
            words[at] = rng.choice([w for w in _WORDS if w != words[at]])
        after.append(" ".join(words)[: len(text)])
    return "\n\n".join(before), "\n\n".join(after)
