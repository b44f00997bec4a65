"""The list of participants in protocol order (planner/delegations/participants.py): delegations
by name in the list's language, countries first where the forum says so, from the delegation
drawn by lot and wrapping round; inside a delegation the head first, then by level, then by name."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from planner.audit.models import AuditEntry
from planner.delegations import forms, participants, services
from planner.delegations.models import (
    Delegation,
    DelegationKind,
    DelegationMember,
    DelegationStatus,
    MemberRole,
    NominationStatus,
    ParticipantListDraw,
    RepresentationLevel,
)
from planner.extensions import db
from planner.forums.models import Forum, ForumStatus
from planner.forums.services import ForumArchived
from planner.refusals import NotAllowed
from tests.factories import (
    make_delegation,
    make_focal_point,
    make_forum,
    make_kept_list,
    make_organiser,
    make_person,
    make_user,
)

L = RepresentationLevel


def country(forum: Forum, code: str, name: str, **overrides) -> Delegation:
    return make_delegation(forum, name=name, kind=DelegationKind.COUNTRY, country_code=code, **overrides)


def member(
    delegation: Delegation,
    name: str,
    level: RepresentationLevel = L.OTHER,
    *,
    role: MemberRole = MemberRole.MEMBER,
    status: NominationStatus = NominationStatus.ACCREDITED,
    listed: bool = True,
    function: str = "",
) -> DelegationMember:
    row = DelegationMember(
        delegation_id=delegation.id,
        person_id=make_person(name=name).id,
        role=role,
        level=level,
        status=status,
        listed_publicly=listed,
        function=function,
    )
    db.session.add(row)
    db.session.flush()
    return row


def order(forum: Forum, language: str = "en", **options) -> list[str]:
    return [d.name for d in participants.protocol_order(forum, language, **options).delegations]


def people(forum: Forum, language: str = "en", **options) -> list[str]:
    listing = participants.protocol_order(forum, language, **options)
    return [m.name for d in listing.delegations for m in d.members]


@pytest.fixture
def world(app_context) -> Forum:
    """Japan, Italy, France and the United States, each with someone accredited and listed."""
    forum = make_forum(slug="isef3", name="ISEF3")
    for code, name in (("JP", "Japan"), ("IT", "Italy"), ("FR", "France"), ("US", "United States")):
        member(country(forum, code, name), f"Delegate of {name}")
    return forum


def test_inside_a_delegation_the_head_comes_first_then_the_levels_then_the_name(app_context):
    forum = make_forum()
    japan = country(forum, "JP", "Japan")
    member(japan, "Zoe Other")
    member(japan, "Yuki Ambassador", L.AMBASSADOR)
    member(japan, "Bob Minister", L.MINISTER)
    member(japan, "Hana Head", L.VICE_MINISTER, role=MemberRole.HEAD)
    member(japan, "Ann Minister", L.MINISTER)
    member(japan, "Vera Vice", L.VICE_MINISTER)
    member(japan, "Sam Prime", L.HEAD_OF_STATE)
    member(japan, "Aki Agency", L.HEAD_OF_AGENCY)
    assert people(forum) == [
        "Hana Head",
        "Sam Prime",
        "Ann Minister",
        "Bob Minister",
        "Vera Vice",
        "Aki Agency",
        "Yuki Ambassador",
        "Zoe Other",
    ]
    # The levels' declared order is the protocol order.
    assert list(RepresentationLevel) == [
        L.HEAD_OF_STATE,
        L.MINISTER,
        L.VICE_MINISTER,
        L.HEAD_OF_AGENCY,
        L.AMBASSADOR,
        L.OTHER,
    ]


def test_names_inside_a_delegation_are_collated_in_the_lists_language(app_context):
    forum = make_forum()
    japan = country(forum, "JP", "Japan")
    for name in ("Émile Zola", "ayumi Sato", "Daniel Abe", "田中 愛子", "いとう ひろ", "アベ ケン"):
        member(japan, name)
    # Letter case and accents do not move a name.
    assert people(forum, "en")[:3] == ["ayumi Sato", "Daniel Abe", "Émile Zola"]
    # Kana in gojūon order whichever script (アベ before いとう), then kanji.
    assert people(forum, "ja")[-3:] == ["アベ ケン", "いとう ひろ", "田中 愛子"]


def test_delegations_are_alphabetical_in_english(world):
    assert order(world, "en") == ["France", "Italy", "Japan", "United States"]


def test_a_japanese_list_follows_japanese_order(world):
    listing = participants.protocol_order(world, "ja")
    # 日本 by its reading, にほん: between イタリア and フランス, as Japanese lists have it.
    assert [d.name for d in listing.delegations] == ["アメリカ合衆国", "イタリア", "日本", "フランス"]
    assert {d.name_language for d in listing.delegations} == {"ja"}


def test_an_organisation_of_the_sites_list_takes_its_place_by_its_reading(world):
    """欧州宇宙機関 (おうしゅう...) comes before カナダ, as in a Japanese list; by its characters
    alone it would come after every name in kana."""
    kept = make_kept_list()
    member(make_delegation(world, name="ESA", organisation_id=kept["ESA"].id), "Josef")
    member(country(world, "CA", "Canada"), "Delegate of Canada")
    db.session.expire_all()
    names = [d.name for d in participants.protocol_order(world, "ja").delegations]
    assert names.index("イタリア") < names.index("欧州宇宙機関") < names.index("カナダ") < names.index("日本")


def test_a_name_with_no_japanese_version_is_shown_as_stored_and_marked_english(world):
    member(make_delegation(world, name="Moon Village Association"), "Someone")
    esa = make_delegation(world, name="European Space Agency", translations={"ja": {"name": "欧州宇宙機関"}})
    member(esa, "Josef")
    listing = {d.name: d.name_language for d in participants.protocol_order(world, "ja").delegations}
    assert listing["Moon Village Association"] == "en" and listing["欧州宇宙機関"] == "ja"


def test_countries_come_before_organisations_where_the_forum_says_so(world):
    member(make_delegation(world, name="European Space Agency"), "Josef")
    assert order(world) == ["European Space Agency", "France", "Italy", "Japan", "United States"]
    world.countries_listed_first = True
    assert order(world) == ["France", "Italy", "Japan", "United States", "European Space Agency"]


def draw(forum: Forum, name: str) -> None:
    drawn = db.session.scalar(select(Delegation).where(Delegation.forum_id == forum.id, Delegation.name == name))
    db.session.merge(ParticipantListDraw(forum_id=forum.id, delegation_id=drawn.id))
    db.session.flush()


def test_the_list_starts_from_the_drawn_delegation_and_wraps_round(world):
    draw(world, "Japan")
    listing = participants.protocol_order(world, "en")
    assert [d.name for d in listing.delegations] == ["Japan", "United States", "France", "Italy"]
    assert listing.drawn == "Japan"
    # In Japanese the alphabet is another one, and so is the round.
    assert order(world, "ja") == ["日本", "フランス", "アメリカ合衆国", "イタリア"]


def test_a_drawn_delegation_no_longer_listed_leaves_the_start_where_it_was(world):
    draw(world, "Italy")
    db.session.scalar(select(Delegation).where(Delegation.name == "Italy")).status = DelegationStatus.WITHDRAWN
    assert order(world) == ["Japan", "United States", "France"]


def test_with_countries_first_the_draw_turns_the_countries_only(world):
    member(make_delegation(world, name="European Space Agency"), "Josef")
    member(make_delegation(world, name="Asia-Pacific Space Cooperation Organization"), "Li")
    world.countries_listed_first = True
    draw(world, "Japan")
    assert order(world) == [
        "Japan",
        "United States",
        "France",
        "Italy",
        "Asia-Pacific Space Cooperation Organization",
        "European Space Agency",
    ]


def test_declined_and_withdrawn_delegations_and_people_are_not_listed(world):
    spain = country(world, "ES", "Spain", status=DelegationStatus.DECLINED)
    member(spain, "Declined delegation's delegate")
    japan = db.session.scalar(select(Delegation).where(Delegation.name == "Japan"))
    member(japan, "Awaiting", status=NominationStatus.NOMINATED)
    member(japan, "Declined", status=NominationStatus.DECLINED)
    member(japan, "Withdrawn", status=NominationStatus.WITHDRAWN)
    member(japan, "Private", listed=False)
    everyone = people(world, statuses=participants.ACCREDITED_AND_NOMINATED)
    assert "Awaiting" in everyone and "Private" in everyone
    assert not {"Declined", "Withdrawn", "Declined delegation's delegate"} & set(everyone)
    public = [m.name for d in participants.public_list(world, "en").delegations for m in d.members]
    assert public == ["Delegate of France", "Delegate of Italy", "Delegate of Japan", "Delegate of United States"]


def test_a_delegation_with_nobody_to_show_is_left_out_unless_asked(world):
    country(world, "DE", "Germany")
    assert "Germany" not in order(world)
    assert "Germany" in order(world, keep_empty=True)


def _forum_of(size: int, slug: str) -> Forum:
    forum = make_forum(slug=slug)
    for n in range(size):
        delegation = make_delegation(forum, name=f"Delegation {n:02d}", organisation_id=None)
        for level in (L.MINISTER, L.OTHER):
            member(delegation, f"{slug} {n} {level.value}", level)
    return forum


def test_the_order_costs_the_same_queries_for_5_and_10_delegations(app, app_context, count_queries):
    small, large = _forum_of(5, "small"), _forum_of(10, "large")
    counts = {}
    for forum in (small, large):
        db.session.expire_all()
        forum = db.session.get(Forum, forum.id)
        with count_queries() as counter:
            listing = participants.protocol_order(forum, "ja")
            names = [(d.name, m.name) for d in listing.delegations for m in d.members]
        counts[forum.slug] = counter.count
        assert len(names) == 2 * len(listing.delegations)
    assert counts["small"] == counts["large"] <= 3, counts


# Decisions ----------------------------------------------------------------------------------


def test_drawing_by_lot_picks_with_secrets_among_the_listed_delegations(world, monkeypatch):
    organiser = make_organiser(world)
    country(world, "ES", "Spain", status=DelegationStatus.WITHDRAWN)
    offered = []

    def choose(candidates):
        offered.extend(d.name for d in candidates)
        return candidates[-1]

    monkeypatch.setattr(participants.secrets, "choice", choose)
    drawn = participants.draw_by_lot(organiser, world)
    assert sorted(offered) == ["France", "Italy", "Japan", "United States"]
    assert db.session.get(ParticipantListDraw, world.id).delegation_id == drawn.id
    assert order(world)[0] == drawn.name
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "participants.drawn"))
    assert entry.after == {"delegation": drawn.name} and entry.actor_id == organiser.id
    # A second draw replaces the first; clearing it goes back to the alphabet.
    participants.draw_by_lot(organiser, world)
    participants.clear_draw(organiser, world)
    assert db.session.get(ParticipantListDraw, world.id) is None
    assert order(world)[0] == "France"
    with pytest.raises(participants.ParticipantListError):
        participants.clear_draw(organiser, world)


def test_with_countries_first_only_countries_are_drawn(world, monkeypatch):
    organiser = make_organiser(world)
    make_delegation(world, name="European Space Agency")
    world.countries_listed_first = True
    seen = []
    monkeypatch.setattr(participants.secrets, "choice", lambda c: seen.extend(c) or c[0])
    participants.draw_by_lot(organiser, world)
    assert all(d.kind is DelegationKind.COUNTRY for d in seen)


def test_a_forum_without_delegations_has_nothing_to_draw(app_context):
    forum = make_forum()
    with pytest.raises(participants.ParticipantListError, match="no delegations to draw from"):
        participants.draw_by_lot(make_organiser(forum), forum)


def test_only_organisers_draw_order_and_read_the_organisers_list(world):
    someone = make_user()
    with pytest.raises(NotAllowed):
        participants.draw_by_lot(someone, world)
    with pytest.raises(NotAllowed):
        participants.list_countries_first(someone, world, True)
    with pytest.raises(NotAllowed):
        participants.organisers_list(make_organiser(make_forum()), world, "en")


def test_an_archived_forums_list_stays_as_it_was(world):
    organiser = make_organiser(world)
    world.status = ForumStatus.ARCHIVED
    with pytest.raises(ForumArchived):
        participants.draw_by_lot(organiser, world)
    with pytest.raises(ForumArchived):
        participants.list_countries_first(organiser, world, True)
    japan_member = db.session.scalar(select(DelegationMember).join(Delegation).where(Delegation.name == "Japan"))
    with pytest.raises(ForumArchived):
        participants.change_listing(organiser, japan_member, level=L.MINISTER, function="", listed_publicly=True)


def test_listing_countries_first_is_audited(world):
    organiser = make_organiser(world)
    participants.list_countries_first(organiser, world, True)
    participants.list_countries_first(organiser, world, True)  # no change, no entry
    entries = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "participants.order_changed")).all()
    assert [e.after for e in entries] == [{"countries_listed_first": True}]


def test_a_focal_point_changes_how_a_member_is_listed_and_it_is_audited(world):
    japan = db.session.scalar(select(Delegation).where(Delegation.name == "Japan"))
    focal = make_focal_point(japan)
    row = member(japan, "Aiko Tanaka", listed=False)
    changed = participants.change_listing(
        focal, row, level=L.MINISTER, function="  Minister of Education  ", listed_publicly=True
    )
    assert changed and (row.level, row.function, row.listed_publicly) == (L.MINISTER, "Minister of Education", True)
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "nomination.listing_changed"))
    assert entry.before == {"level": "other", "function": "", "listed_publicly": False}
    assert entry.after == {"level": "minister", "function": "Minister of Education", "listed_publicly": True}
    assert not participants.change_listing(
        focal, row, level=L.MINISTER, function="Minister of Education", listed_publicly=True
    )


def test_a_focal_point_of_another_delegation_cannot_change_the_listing(world):
    japan, italy = (db.session.scalar(select(Delegation).where(Delegation.name == n)) for n in ("Japan", "Italy"))
    row = member(japan, "Aiko Tanaka")
    with pytest.raises(NotAllowed):
        participants.change_listing(make_focal_point(italy), row, level=L.OTHER, function="", listed_publicly=False)


@pytest.mark.parametrize("function", ["x" * 201, "Minister\x00", "Minister\ufffd"])
def test_a_bad_function_is_refused(world, function):
    japan = db.session.scalar(select(Delegation).where(Delegation.name == "Japan"))
    row = member(japan, "Aiko Tanaka")
    with pytest.raises(services.NominationError) as refused:
        participants.change_listing(make_organiser(world), row, level=L.OTHER, function=function, listed_publicly=True)
    assert refused.value.field == "function" and row.function == ""


def test_nominating_stores_the_level_function_and_consent(world):
    japan = db.session.scalar(select(Delegation).where(Delegation.name == "Japan"))
    row = services.nominate(
        make_focal_point(japan),
        japan,
        given_name="Aiko",
        family_name="Tanaka",
        email="aiko@example.org",
        level=L.MINISTER,
        function="Minister of Education, Culture, Sports, Science and Technology",
        listed_publicly=True,
    )
    assert (row.level, row.listed_publicly) == (L.MINISTER, True)
    assert row.function.startswith("Minister of Education")
    with pytest.raises(services.NominationError):
        services.nominate(make_organiser(world), japan, given_name="B", email="b@example.org", function="x" * 201)


def test_the_functions_longest_is_the_columns_length():
    assert forms.FUNCTION_MAX == services.FUNCTION_MAX == DelegationMember.__table__.c.function.type.length
