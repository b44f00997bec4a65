"""The order of a speakers' list (planner/plenary/ordering.py): precedence by level, ties by
time of inscription, countries before organisations where the list says so, and how an
organiser's moves combine with later inscriptions."""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass, field

from planner.delegations.models import DelegationKind, RepresentationLevel
from planner.plenary import ordering
from planner.plenary.models import SpeakerStatus

L = RepresentationLevel
COUNTRY, ORGANISATION = DelegationKind.COUNTRY, DelegationKind.ORGANISATION
_ids = itertools.count(1)
START = dt.datetime(2018, 2, 20, 9, tzinfo=dt.UTC)


@dataclass
class Entry:
    name: str
    level: RepresentationLevel
    minute: int  # inscribed this many minutes after START
    kind: DelegationKind = COUNTRY
    moved: bool = False
    status: SpeakerStatus = SpeakerStatus.WAITING
    id: int = field(default_factory=lambda: next(_ids))

    @property
    def inscribed_at(self) -> dt.datetime:
        return START + dt.timedelta(minutes=self.minute)


def names(entries) -> list[str]:
    return [e.name for e in entries]


def build(*entries: Entry, states_first: bool = False) -> list[Entry]:
    """The list as inscriptions one after the other make it."""
    sequence: list[Entry] = []
    for entry in entries:
        sequence = ordering.inserted(sequence, entry, states_first)
    return sequence


def test_precedence_runs_from_heads_of_state_to_other_whatever_the_time_of_inscription():
    sequence = build(
        Entry("other", L.OTHER, 1),
        Entry("ambassador", L.AMBASSADOR, 2),
        Entry("head of agency", L.HEAD_OF_AGENCY, 3),
        Entry("vice-minister", L.VICE_MINISTER, 4),
        Entry("minister", L.MINISTER, 5),
        Entry("head of state", L.HEAD_OF_STATE, 6),
    )
    assert names(sequence) == ["head of state", "minister", "vice-minister", "head of agency", "ambassador", "other"]


def test_a_tie_of_level_goes_by_time_of_inscription_then_by_the_earlier_entry():
    same_moment = Entry("first row", L.MINISTER, 5)
    sequence = build(
        Entry("late minister", L.MINISTER, 30),
        Entry("early minister", L.MINISTER, 1),
        same_moment,
        Entry("same moment, later row", L.MINISTER, 5),
    )
    assert names(sequence) == ["early minister", "first row", "same moment, later row", "late minister"]


def test_organisations_take_their_level_among_countries_unless_the_list_puts_countries_first():
    entries = (
        Entry("ESA director general", L.HEAD_OF_AGENCY, 1, ORGANISATION),
        Entry("Japan ambassador", L.AMBASSADOR, 2),
        Entry("UNOOSA minister-level", L.MINISTER, 3, ORGANISATION),
        Entry("Kenya minister", L.MINISTER, 4),
    )
    assert names(build(*entries)) == [
        "UNOOSA minister-level",
        "Kenya minister",
        "ESA director general",
        "Japan ambassador",
    ]
    assert names(build(*entries, states_first=True)) == [
        "Kenya minister",
        "Japan ambassador",
        "UNOOSA minister-level",
        "ESA director general",
    ]


def test_a_late_inscription_never_goes_before_anyone_who_has_spoken():
    sequence = build(Entry("minister", L.MINISTER, 1), Entry("ambassador", L.AMBASSADOR, 2))
    sequence[0].status = SpeakerStatus.SPOKE
    sequence[1].status = SpeakerStatus.SPOKE
    late = Entry("head of state", L.HEAD_OF_STATE, 60)
    assert names(ordering.inserted(sequence, late, False)) == ["minister", "ambassador", "head of state"]


def test_withdrawn_entries_are_not_numbered_and_do_not_hold_a_newcomer_back():
    sequence = build(Entry("minister", L.MINISTER, 1), Entry("other", L.OTHER, 2))
    sequence[1].status = SpeakerStatus.WITHDRAWN
    sequence = ordering.inserted(sequence, Entry("ambassador", L.AMBASSADOR, 3), False)
    assert names(ordering.shown(sequence)) == ["minister", "ambassador"]


def test_a_moved_entry_keeps_its_place_against_later_inscriptions():
    sequence = build(
        Entry("head of state", L.HEAD_OF_STATE, 1),
        Entry("minister A", L.MINISTER, 2),
        Entry("minister B", L.MINISTER, 3),
        Entry("ambassador", L.AMBASSADOR, 4),
    )
    ambassador = sequence[3]
    # The chair lets the ambassador speak second (their minister had to leave).
    sequence = ordering.moved_to(sequence, ambassador, 2)
    ambassador.moved = True
    assert names(sequence) == ["head of state", "ambassador", "minister A", "minister B"]

    # A minister inscribed later goes by the computed order among the entries not moved: after
    # minister B, and the ambassador stays second.
    sequence = ordering.inserted(sequence, Entry("minister C", L.MINISTER, 10), False)
    # A head of State inscribed later passes the ministers, but not the ambassador moved behind
    # the first head of State.
    sequence = ordering.inserted(sequence, Entry("late head of state", L.HEAD_OF_STATE, 11), False)
    assert names(sequence) == [
        "head of state",
        "ambassador",
        "late head of state",
        "minister A",
        "minister B",
        "minister C",
    ]


def test_a_moved_entry_at_the_top_stays_first_and_one_moved_down_stays_behind_the_one_it_follows():
    sequence = build(Entry("minister", L.MINISTER, 1), Entry("vice-minister", L.VICE_MINISTER, 2))
    other = Entry("other", L.OTHER, 3)
    sequence = ordering.moved_to(ordering.inserted(sequence, other, False), other, 1)
    other.moved = True
    minister = sequence[1]
    sequence = ordering.moved_to(sequence, minister, 3)  # the minister asked to speak last
    minister.moved = True
    assert names(sequence) == ["other", "vice-minister", "minister"]
    sequence = ordering.inserted(sequence, Entry("head of state", L.HEAD_OF_STATE, 9), False)
    sequence = ordering.inserted(sequence, Entry("ambassador", L.AMBASSADOR, 10), False)
    assert names(sequence) == ["other", "head of state", "vice-minister", "minister", "ambassador"]


def test_a_move_counts_places_among_the_entries_shown_and_past_the_end_is_the_end():
    sequence = build(Entry("a", L.MINISTER, 1), Entry("b", L.MINISTER, 2), Entry("c", L.MINISTER, 3))
    sequence[1].status = SpeakerStatus.WITHDRAWN
    a = sequence[0]
    assert names(ordering.shown(ordering.moved_to(sequence, a, 2))) == ["c", "a"]
    assert names(ordering.shown(ordering.moved_to(sequence, a, 99))) == ["c", "a"]
    sequence[0].status = SpeakerStatus.SPOKE
    assert ordering.earliest_place(sequence) == 2


def test_a_new_order_rule_sorts_the_entries_not_moved_again_and_leaves_the_moved_ones_where_they_are():
    sequence = build(
        Entry("ESA", L.MINISTER, 1, ORGANISATION),
        Entry("Japan", L.AMBASSADOR, 2),
        Entry("EU", L.OTHER, 3, ORGANISATION),
        Entry("Kenya", L.OTHER, 4),
    )
    assert names(sequence) == ["ESA", "Japan", "EU", "Kenya"]
    eu = sequence[2]
    eu.moved = True  # the chair placed the EU third
    assert names(ordering.resorted(sequence, states_first=True)) == ["Japan", "Kenya", "EU", "ESA"]
