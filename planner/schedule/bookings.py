"""What else holds a room or a person's time besides sessions: the placed bilateral meetings,
read for the schedule's rules (``conflicts``) in one query."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import aliased

from planner.bilaterals.models import Bilateral, BilateralParticipant, BilateralSlot, BilateralStatus
from planner.delegations.models import Delegation
from planner.extensions import db
from planner.forums.models import Forum


@dataclass(frozen=True)
class BilateralFacts:
    """A placed bilateral meeting as the rules see it: its room and slot, its participants,
    and the two delegations' names for the organisers' messages."""

    id: int
    revision: int
    room_id: int
    starts_at: dt.datetime
    ends_at: dt.datetime
    delegations: tuple[str, str]
    person_ids: frozenset[int] = frozenset()


def placed_bilaterals(forum: Forum) -> tuple[BilateralFacts, ...]:
    """The forum's placed bilaterals, one row per participant (one query)."""
    requester, requested = aliased(Delegation), aliased(Delegation)
    rows = db.session.execute(
        select(
            Bilateral.id,
            Bilateral.revision,
            Bilateral.room_id,
            BilateralSlot.starts_at,
            BilateralSlot.ends_at,
            requester.name,
            requested.name,
            BilateralParticipant.person_id,
        )
        .join(BilateralSlot, BilateralSlot.id == Bilateral.slot_id)
        .join(requester, requester.id == Bilateral.requester_id)
        .join(requested, requested.id == Bilateral.requested_id)
        .outerjoin(BilateralParticipant, BilateralParticipant.bilateral_id == Bilateral.id)
        .where(Bilateral.forum_id == forum.id, Bilateral.status == BilateralStatus.SCHEDULED)
        .order_by(BilateralSlot.starts_at, Bilateral.id)
    ).all()
    people: dict[int, set[int]] = defaultdict(set)
    for row in rows:
        if row.person_id is not None:
            people[row.id].add(row.person_id)
    placed = {r.id: r for r in rows}
    return tuple(
        BilateralFacts(r.id, r.revision, r.room_id, r.starts_at, r.ends_at, (r[5], r[6]), frozenset(people[r.id]))
        for r in placed.values()
    )
