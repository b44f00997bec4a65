"""A delegation's participation across its forum's series: the same country or organisation at
each forum of the series, with what is public of it (its status, how many members were
accredited, the names of those who agreed to be listed, where the forum's public list names
them, its endorsements of adopted documents).

The same delegation is, in order: the one it was carried over from or to (``carried_from_id``,
followed both ways); for a country, the one with the same country code; for an organisation,
the one from the same entry of the site's list, else the one with the same name in any
letter case. The queries are a fixed number, whatever the number of forums or endorsements.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import contains_eager, selectinload

from planner.delegations.models import Delegation, DelegationKind, DelegationMember, NominationStatus, Person
from planner.delegations.names import delegation_name
from planner.delegations.participants import NOT_LISTED
from planner.extensions import db
from planner.forums.models import Forum
from planner.statements.models import Endorsement, OutcomeDocument


@dataclass
class Participation:
    """One forum of the series and the delegation's part in it (None: it did not take part)."""

    forum: Forum
    delegation: Delegation | None
    name: str = ""  # the delegation's name there, in the reader's language
    accredited: int = 0
    listed: list[DelegationMember] = field(default_factory=list)  # accredited and agreed to be listed
    endorsements: list[Endorsement] = field(default_factory=list)


def forums_of_series(forum: Forum) -> list[Forum]:
    """The forums of ``forum``'s series by first day; only itself when it has none."""
    if forum.series_id is None:
        return [forum]
    return list(
        db.session.scalars(select(Forum).where(Forum.series_id == forum.series_id).order_by(Forum.first_day, Forum.id))
    )


def _carried_chain(delegation: Delegation, candidates: list[Delegation]) -> set[int]:
    """The delegations ``delegation`` was carried over from, or that were carried over from
    it, at any remove (``candidates`` hold ``delegation`` itself)."""
    children: dict[int, list[int]] = defaultdict(list)
    parent: dict[int, int] = {}
    for d in candidates:
        if d.carried_from_id is not None:
            children[d.carried_from_id].append(d.id)
            parent[d.id] = d.carried_from_id
    chain, waiting = {delegation.id}, [delegation.id]
    while waiting:
        at = waiting.pop()
        for near in [*children.get(at, []), *([parent[at]] if at in parent else [])]:
            if near not in chain:
                chain.add(near)
                waiting.append(near)
    return chain


def _same_by_kind(delegation: Delegation, other: Delegation) -> bool:
    if delegation.kind is not other.kind:
        return False
    if delegation.kind is DelegationKind.COUNTRY:
        return delegation.country_code is not None and delegation.country_code == other.country_code
    if delegation.organisation_id is not None and other.organisation_id is not None:
        return delegation.organisation_id == other.organisation_id
    return delegation.name.casefold() == other.name.casefold()


def same_delegations(delegation: Delegation, forums: list[Forum]) -> dict[int, Delegation]:
    """The same delegation at each of ``forums`` where it took part, by forum id."""
    candidates = list(
        db.session.scalars(
            select(Delegation)
            .where(Delegation.forum_id.in_([f.id for f in forums]))
            .options(selectinload(Delegation.organisation))
        )
    )
    chain = _carried_chain(delegation, candidates)
    found: dict[int, Delegation] = {}
    for d in sorted(candidates, key=lambda d: (d.id not in chain, d.id != delegation.id)):
        if d.forum_id not in found and (d.id in chain or _same_by_kind(delegation, d)):
            found[d.forum_id] = d
    return found


def across_series(delegation: Delegation) -> list[Participation]:
    """The delegation's part in every forum of its forum's series, in the series' order."""
    forums = forums_of_series(delegation.forum)
    same = same_delegations(delegation, forums)
    ids = [d.id for d in same.values()]
    accredited = dict(
        db.session.execute(
            select(DelegationMember.delegation_id, func.count())
            .where(DelegationMember.delegation_id.in_(ids), DelegationMember.status == NominationStatus.ACCREDITED)
            .group_by(DelegationMember.delegation_id)
        ).all()
    )
    listed: dict[int, list[DelegationMember]] = defaultdict(list)
    # Named only where the forum's public list of participants names them: not for a
    # delegation that declined or withdrew.
    named = [d.id for d in same.values() if d.status not in NOT_LISTED]
    for member in db.session.scalars(
        select(DelegationMember)
        .join(DelegationMember.person)
        .options(contains_eager(DelegationMember.person))
        .where(
            DelegationMember.delegation_id.in_(named),
            DelegationMember.status == NominationStatus.ACCREDITED,
            DelegationMember.listed_publicly.is_(True),
        )
        .order_by(Person.family_name, Person.name)
    ):
        listed[member.delegation_id].append(member)
    endorsements: dict[int, list[Endorsement]] = defaultdict(list)
    for endorsement in db.session.scalars(
        select(Endorsement)
        .join(Endorsement.document)
        .options(contains_eager(Endorsement.document))
        .where(Endorsement.delegation_id.in_(ids), OutcomeDocument.is_public)
        .order_by(Endorsement.endorsed_on, OutcomeDocument.title)
    ):
        endorsements[endorsement.delegation_id].append(endorsement)
    return [
        Participation(
            forum=forum,
            delegation=d,
            name=delegation_name(d),
            accredited=accredited.get(d.id, 0),
            listed=listed[d.id],
            endorsements=endorsements[d.id],
        )
        if (d := same.get(forum.id)) is not None
        else Participation(forum=forum, delegation=None)
        for forum in forums
    ]
