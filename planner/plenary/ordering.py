"""The order of a speakers' list, as pure functions of its entries.

The computed order (``precedence``): countries before international organisations where the
list says so, then by level of representation (head of State or Government, minister,
vice-minister, head of agency, ambassador, other), then by time of inscription (the entry's id
breaks a tie to the microsecond).

The list keeps its order in each entry's ``position``, so that an organiser's moves last:

- a new inscription goes right before the first entry that is still waiting, was not moved by
  an organiser and comes after it in the computed order; at the end if there is none. It never
  goes before anyone who has spoken. So a moved entry keeps its place against later
  inscriptions: a newcomer passes it only where it also passes an unmoved entry ahead of it;
- a move puts the entry at a given place among the entries shown (not withdrawn), never
  before one who has spoken, and marks it as moved;
- when the list's order rule changes (countries first or not), the entries not moved are
  sorted again into the places they hold, and moved ones stay where they are.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Protocol, TypeVar

from planner.delegations.models import DelegationKind, RepresentationLevel
from planner.plenary.models import SpeakerStatus

LEVEL_RANK = {level: rank for rank, level in enumerate(RepresentationLevel)}


class Ordered(Protocol):
    """What the order reads of an entry (a ``SpeakerEntry``, or a test's stand-in)."""

    @property
    def id(self) -> int: ...
    @property
    def kind(self) -> DelegationKind: ...
    @property
    def level(self) -> RepresentationLevel: ...
    @property
    def inscribed_at(self) -> dt.datetime: ...
    @property
    def moved(self) -> bool: ...
    @property
    def status(self) -> SpeakerStatus: ...


E = TypeVar("E", bound=Ordered)


def precedence(entry: Ordered, states_first: bool) -> tuple[int, int, dt.datetime, int]:
    group = 1 if states_first and entry.kind is DelegationKind.ORGANISATION else 0
    return group, LEVEL_RANK[entry.level], entry.inscribed_at, entry.id


def _first_open_index(sequence: Sequence[Ordered]) -> int:
    """The index after the last entry that has spoken: nothing is put before it."""
    spoken = [n for n, e in enumerate(sequence) if e.status is SpeakerStatus.SPOKE]
    return spoken[-1] + 1 if spoken else 0


def insertion_index(sequence: Sequence[E], new: Ordered, states_first: bool) -> int:
    """Where ``new`` goes in ``sequence`` (the list in its order, withdrawn entries included)."""
    key = precedence(new, states_first)
    for n in range(_first_open_index(sequence), len(sequence)):
        entry = sequence[n]
        if entry.status is SpeakerStatus.WAITING and not entry.moved and precedence(entry, states_first) > key:
            return n
    return len(sequence)


def inserted(sequence: Sequence[E], new: E, states_first: bool) -> list[E]:
    at = insertion_index(sequence, new, states_first)
    return [*sequence[:at], new, *sequence[at:]]


def shown(sequence: Sequence[E]) -> list[E]:
    """The entries a list shows and numbers: all but the withdrawn."""
    return [e for e in sequence if e.status is not SpeakerStatus.WITHDRAWN]


def earliest_place(sequence: Sequence[E]) -> int:
    """The first place (counted from 1 among those shown) a waiting entry may move to."""
    return sum(1 for e in sequence if e.status is SpeakerStatus.SPOKE) + 1


def moved_to(sequence: Sequence[E], entry: E, place: int) -> list[E]:
    """``sequence`` with ``entry`` at ``place`` (from 1, among the entries shown; past the end
    is the end). The caller checks that the entry waits and that ``place`` is not before
    ``earliest_place``."""
    rest = [e for e in sequence if e is not entry]
    others = shown(rest)
    if place > len(others):
        return [*rest, entry]
    before = others[place - 1]
    at = next(n for n, e in enumerate(rest) if e is before)
    return [*rest[:at], entry, *rest[at:]]


def resorted(sequence: Sequence[E], states_first: bool) -> list[E]:
    """The waiting entries not moved sorted again (into the indexes they hold) by the computed
    order; spoken, withdrawn and moved entries stay at their indexes."""
    start = _first_open_index(sequence)
    tail = list(sequence[start:])
    free = [n for n, e in enumerate(tail) if e.status is SpeakerStatus.WAITING and not e.moved]
    ordered = sorted((tail[n] for n in free), key=lambda e: precedence(e, states_first))
    for n, e in zip(free, ordered, strict=True):
        tail[n] = e
    return [*sequence[:start], *tail]
