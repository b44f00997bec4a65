"""What the bilaterals' pages read: who may see a bilateral, a delegation's bilaterals, the
forum's slots (and which are still to come), the members who may take part, the delegations one
may meet, and the accepted bilaterals waiting for a place."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import or_, select
from sqlalchemy.orm import joinedload, selectinload

from planner.accounts.models import User
from planner.accounts.permissions import is_focal_point, is_organiser
from planner.bilaterals.models import (
    Bilateral,
    BilateralParticipant,
    BilateralPreference,
    BilateralSlot,
    BilateralStatus,
)
from planner.bilaterals.standing import LEFT_THE_FORUM, TAKING_PART
from planner.delegations.models import Delegation, DelegationMember, Person
from planner.extensions import db
from planner.forums.models import Forum


def may_see(user: User | None, bilateral: Bilateral) -> bool:
    """The two delegations' focal points and the forum's organisers; nobody else."""
    return (
        is_organiser(user, bilateral.forum)
        or is_focal_point(user, bilateral.requester)
        or is_focal_point(user, bilateral.requested)
    )


def visible_bilateral(user: User | None, forum: Forum, bilateral_id: int) -> Bilateral | None:
    """The forum's bilateral, if ``user`` may see it; None otherwise, as if there were none."""
    bilateral = db.session.get(Bilateral, bilateral_id)
    if bilateral is None or bilateral.forum_id != forum.id or not may_see(user, bilateral):
        return None
    return bilateral


def bilaterals_of(delegation: Delegation) -> list[Bilateral]:
    return list(
        db.session.scalars(
            select(Bilateral)
            .where(or_(Bilateral.requester_id == delegation.id, Bilateral.requested_id == delegation.id))
            .options(
                selectinload(Bilateral.preferences).joinedload(BilateralPreference.slot),
                selectinload(Bilateral.participants).joinedload(BilateralParticipant.person),
            )
            .order_by(Bilateral.created_at.desc(), Bilateral.id.desc())
        )
    )


def slots_of(forum: Forum) -> list[BilateralSlot]:
    return list(
        db.session.scalars(
            select(BilateralSlot).where(BilateralSlot.forum_id == forum.id).order_by(BilateralSlot.starts_at)
        )
    )


def has_started(slot: BilateralSlot, now: dt.datetime) -> bool:
    """A slot that has started by ``now`` is no time to meet: none is offered, asked for or given."""
    return slot.starts_at <= now


def members_of(delegation: Delegation) -> list[Person]:
    """The members who may take part: nominated or accredited."""
    return list(
        db.session.scalars(
            select(Person)
            .join(DelegationMember, DelegationMember.person_id == Person.id)
            .where(
                DelegationMember.delegation_id == delegation.id,
                DelegationMember.status.in_(TAKING_PART),
            )
            .order_by(Person.family_name, Person.given_name, Person.id)
        )
    )


def partners_of(delegation: Delegation) -> list[Delegation]:
    """The forum's other delegations that take part (not declined or withdrawn)."""
    return list(
        db.session.scalars(
            select(Delegation)
            .where(
                Delegation.forum_id == delegation.forum_id,
                Delegation.id != delegation.id,
                Delegation.status.not_in(LEFT_THE_FORUM),
            )
            .order_by(Delegation.name)
        )
    )


def accepted_waiting(forum: Forum) -> list[Bilateral]:
    """Accepted bilaterals without a place yet, oldest first, with what ``standing.hindrance``
    reads (the two delegations, each participant's membership): three queries however many."""
    return list(
        db.session.scalars(
            select(Bilateral)
            .where(Bilateral.forum_id == forum.id, Bilateral.status == BilateralStatus.ACCEPTED)
            .options(
                joinedload(Bilateral.requester),
                joinedload(Bilateral.requested),
                selectinload(Bilateral.preferences),
                selectinload(Bilateral.participants).options(
                    joinedload(BilateralParticipant.membership), joinedload(BilateralParticipant.person)
                ),
            )
            .order_by(Bilateral.created_at, Bilateral.id)
        )
    )
