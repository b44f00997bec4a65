"""Who sits where (planner/seating/services.py): delegations in the list of participants'
protocol order, from the delegation drawn by lot; heads of delegation in the front rows, the
rest of each delegation behind in the same order, up to the plan's seats a delegation; a hall
too small is refused with what is missing, and nothing is saved."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from planner.audit.models import AuditEntry
from planner.delegations.models import (
    Delegation,
    DelegationKind,
    DelegationMember,
    MemberRole,
    NominationStatus,
    ParticipantListDraw,
    RepresentationLevel,
)
from planner.extensions import db
from planner.forums.models import Forum, ForumStatus
from planner.forums.services import ForumArchived
from planner.refusals import NotAllowed
from planner.seating import services
from planner.seating.models import SeatingPlan
from tests.factories import make_delegation, make_forum, make_organiser, make_person, make_room, make_user


def country(forum: Forum, code: str, name: str) -> Delegation:
    return make_delegation(forum, name=name, kind=DelegationKind.COUNTRY, country_code=code)


def member(
    delegation: Delegation,
    name: str,
    *,
    role: MemberRole = MemberRole.MEMBER,
    level: RepresentationLevel = RepresentationLevel.OTHER,
    status: NominationStatus = NominationStatus.ACCREDITED,
) -> None:
    db.session.add(
        DelegationMember(
            delegation_id=delegation.id, person_id=make_person(name=name).id, role=role, level=level, status=status
        )
    )
    db.session.flush()


@pytest.fixture
def forum(app_context) -> Forum:
    """France, Italy, Japan and the United States: each a head of delegation (listed last by
    name, so that only the role puts them first) and two accredited members; Japan also one
    still nominated."""
    forum = make_forum(slug="isef3", name="ISEF3", languages=["en", "ja"])
    for code, name in (("JP", "Japan"), ("IT", "Italy"), ("FR", "France"), ("US", "United States")):
        delegation = country(forum, code, name)
        member(delegation, f"Zed Head of {name}", role=MemberRole.HEAD, level=RepresentationLevel.MINISTER)
        member(delegation, f"Adviser of {name}")
        member(delegation, f"Minister of {name}", level=RepresentationLevel.MINISTER)
    member(forum.delegations[0], "Awaiting Person", status=NominationStatus.NOMINATED)
    return forum


def plan(rows: list[int], per: int = 3) -> SeatingPlan:
    return SeatingPlan(rows=rows, seats_per_delegation=per)


def seating(forum: Forum, rows: list[int], per: int = 3, language: str = "en") -> services.Seating:
    return services.seating_of(make_organiser(forum), forum, plan(rows, per), language)


def grid(result: services.Seating) -> list[list[str]]:
    """Each row as "delegation/person" per seat, "-" for an empty one."""
    return [
        [
            "-" if seat is None else f"{seat.delegation.delegation.country_code}/{seat.member.name.split()[0]}"
            for seat in row
        ]
        for row in result.rows
    ]


def test_heads_sit_in_front_in_protocol_order_and_their_delegations_behind(forum):
    result = seating(forum, [4, 4, 4])
    assert grid(result) == [
        ["FR/Zed", "IT/Zed", "JP/Zed", "US/Zed"],
        ["FR/Minister", "FR/Adviser", "IT/Minister", "IT/Adviser"],
        ["JP/Minister", "JP/Adviser", "US/Minister", "US/Adviser"],
    ]
    assert result.head_rows == 1
    assert [s.label for s in result.seats][:5] == ["A1", "A2", "A3", "A4", "B1"]
    assert all(s.is_head and s.is_head_of_delegation for s in result.seats[:4])
    assert not any(s.is_head for s in result.seats[4:])


def test_the_plan_starts_from_the_delegation_drawn_by_lot(forum):
    japan = next(d for d in forum.delegations if d.country_code == "JP")
    db.session.add(ParticipantListDraw(forum_id=forum.id, delegation_id=japan.id))
    db.session.flush()
    result = seating(forum, [4, 8], per=2)
    assert grid(result) == [
        ["JP/Zed", "US/Zed", "FR/Zed", "IT/Zed"],
        ["JP/Minister", "US/Minister", "FR/Minister", "IT/Minister", "-", "-", "-", "-"],
    ]


def test_heads_take_as_many_front_rows_as_they_need_and_the_rest_start_behind_them(forum):
    result = seating(forum, [3, 3, 6], per=2)
    assert grid(result) == [
        ["FR/Zed", "IT/Zed", "JP/Zed"],
        ["US/Zed", "-", "-"],
        ["FR/Minister", "IT/Minister", "JP/Minister", "US/Minister", "-", "-"],
    ]
    assert result.head_rows == 2
    assert result.empty_seats == 4


def test_the_seats_a_delegation_gets_cap_its_members_in_their_protocol_order(forum):
    result = seating(forum, [4, 4], per=1)
    assert grid(result) == [["FR/Zed", "IT/Zed", "JP/Zed", "US/Zed"], ["-"] * 4]
    # Nobody nominated but not accredited is seated.
    assert "Awaiting Person" not in {s.member.name for s in seating(forum, [4, 20], per=10).seats}


def test_the_plan_is_in_the_readers_language_order(forum):
    result = seating(forum, [4, 8], per=2, language="ja")
    assert [s.delegation.name for s in result.seats if s.is_head] == ["アメリカ合衆国", "イタリア", "日本", "フランス"]


def test_more_delegations_than_seats_is_refused_with_a_clear_message(forum):
    with pytest.raises(services.HallTooSmall, match="The hall has 3 seats not reserved for 4 delegations") as refused:
        seating(forum, [3], per=1)
    assert refused.value.field == "rows"


def test_too_few_seats_behind_the_heads_says_what_is_missing(forum):
    with pytest.raises(
        services.HallTooSmall,
        match=r"heads of 4 delegations sit in the front rows up to row A; the 8 other members need as many seats"
        r" behind them, but the rows behind have 7 seats not reserved\.",
    ):
        seating(forum, [4, 7])
    assert len(seating(forum, [4, 8]).seats) == 12


def test_an_empty_forum_fits_any_hall(app_context):
    forum = make_forum()
    result = seating(forum, [2])
    assert result.seats == [] and result.head_rows == 0


def test_the_same_list_gives_the_same_plan(forum):
    assert grid(seating(forum, [5, 5, 5])) == grid(seating(forum, [5, 5, 5]))


def test_row_labels_run_past_z():
    assert [services.row_label(n) for n in (0, 1, 25, 26, 27, 51, 52)] == ["A", "B", "Z", "AA", "AB", "AZ", "BA"]


def test_saving_a_plan_records_it_and_its_change(forum):
    organiser = make_organiser(forum)
    hall = make_room(forum, "Plenary Hall")
    saved = services.save_plan(organiser, forum, rows=[4, 8], seats_per_delegation=3, room_id=hall.id, language="en")
    assert (saved.rows, saved.seats_per_delegation, saved.room_id) == ([4, 8], 3, hall.id)
    services.save_plan(organiser, forum, rows=[6, 6], seats_per_delegation=2, room_id=None, language="en")
    assert services.plan_of(forum).rows == [6, 6]
    entries = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "seating.plan_saved")).all()
    assert [e.after for e in entries] == [
        {"rows": [4, 8], "reserved_seats": [], "seats_per_delegation": 3},
        {"rows": [6, 6], "reserved_seats": [], "seats_per_delegation": 2},
    ]
    assert entries[1].before == {"rows": [4, 8], "reserved_seats": [], "seats_per_delegation": 3}


@pytest.mark.parametrize(
    ("rows", "per", "field", "message"),
    [
        ([], 2, "rows", "at least one row"),
        ([4] * 41, 2, "rows", "at most 40 rows"),
        ([4, 0], 2, "rows", "from 1 to 60 seats"),
        ([4, 61], 2, "rows", "from 1 to 60 seats"),
        ([4, 8], 0, "seats_per_delegation", "from 1 to 20 seats"),
        ([4, 8], 21, "seats_per_delegation", "from 1 to 20 seats"),
        ([3], 2, "rows", "3 seats not reserved for 4 delegations"),
    ],
)
def test_a_plan_the_rules_refuse_is_not_saved(forum, rows, per, field, message):
    with pytest.raises(services.SeatingError, match=message) as refused:
        services.save_plan(
            make_organiser(forum), forum, rows=rows, seats_per_delegation=per, room_id=None, language="en"
        )
    assert refused.value.field == field
    assert services.plan_of(forum) is None


def test_a_room_of_another_forum_is_refused(forum):
    elsewhere = make_room(make_forum(), "Elsewhere")
    with pytest.raises(services.SeatingError, match="Choose one of the rooms of ISEF3"):
        services.save_plan(
            make_organiser(forum), forum, rows=[8, 8], seats_per_delegation=2, room_id=elsewhere.id, language="en"
        )


def test_only_organisers_describe_or_read_the_plan(forum):
    someone = make_user()
    with pytest.raises(NotAllowed):
        services.save_plan(someone, forum, rows=[8, 8], seats_per_delegation=2, room_id=None, language="en")
    with pytest.raises(NotAllowed):
        services.seating_of(someone, forum, plan([8, 8]), "en")


def test_an_archived_forums_plan_stays_as_it_was(forum):
    forum.status = ForumStatus.ARCHIVED
    with pytest.raises(ForumArchived):
        services.save_plan(
            make_organiser(forum), forum, rows=[8, 8], seats_per_delegation=2, room_id=None, language="en"
        )


def reserved_plan(rows: list[int], reserved: list[str], per: int = 3) -> SeatingPlan:
    return SeatingPlan(rows=rows, reserved_seats=reserved, seats_per_delegation=per)


def test_nobody_is_seated_in_a_reserved_seat(forum):
    organiser = make_organiser(forum)
    result = services.seating_of(organiser, forum, reserved_plan([5, 4, 5], ["A3", "C1"], per=2), "en")
    assert grid(result) == [
        ["FR/Zed", "IT/Zed", "-", "JP/Zed", "US/Zed"],
        ["FR/Minister", "IT/Minister", "JP/Minister", "US/Minister"],
        ["-"] * 5,
    ]
    assert result.is_reserved(0, 3) and result.is_reserved(2, 1) and not result.is_reserved(0, 1)
    assert result.empty_seats == 4  # C2 to C5; A3 and C1 are reserved, not empty
    assert [label for label, seat in result.taken if seat is None] == ["A3", "C1"]


def test_reserved_seats_count_against_the_room(forum):
    organiser = make_organiser(forum)
    with pytest.raises(services.HallTooSmall, match="The hall has 3 seats not reserved for 4 delegations"):
        services.seating_of(organiser, forum, reserved_plan([4], ["A2"], per=1), "en")
    # The heads' rows are counted in seats not reserved: A holds 3 heads, B the fourth.
    result = services.seating_of(organiser, forum, reserved_plan([4, 4, 4, 4], ["A1"], per=2), "en")
    assert result.head_rows == 2
    assert grid(result)[2] == ["FR/Minister", "IT/Minister", "JP/Minister", "US/Minister"]


def test_reserved_seats_are_saved_in_the_halls_order_once_each(forum):
    plan = services.save_plan(
        make_organiser(forum),
        forum,
        rows=[4, 8, 8],
        reserved_seats=["b2", "A1", " A1", "A4"],
        seats_per_delegation=2,
        room_id=None,
        language="en",
    )
    assert plan.reserved_seats == ["A1", "A4", "B2"]


@pytest.mark.parametrize("label", ["A5", "D1", "A0", "1A", "AAA1", "A"])
def test_a_reserved_seat_the_hall_has_not_is_refused(forum, label):
    with pytest.raises(services.SeatingError, match=f"There is no seat {label} in this hall") as refused:
        services.save_plan(
            make_organiser(forum),
            forum,
            rows=[4, 8, 8],
            reserved_seats=[label],
            seats_per_delegation=2,
            room_id=None,
            language="en",
        )
    assert refused.value.field == "reserved_seats"
    assert services.plan_of(forum) is None


def test_seat_labels_and_places_match():
    assert services.seat_place("B12") == (1, 12)
    assert services.seat_place("aa3") == (26, 3)
    assert services.seat_place("3B") is None
    assert all(services.seat_place(f"{services.row_label(r)}7") == (r, 7) for r in range(60))
