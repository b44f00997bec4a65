"""Whether a bilateral can still go ahead: both delegations still take part in the forum (they
have not declined or withdrawn), and every participant named is still a nominated or accredited
member of their delegation. Accepting, proposing and the organisers' allocation all ask it
here, so the allocation never places what an acceptance would refuse."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from flask_babel import gettext as _

from planner.bilaterals.models import Bilateral, BilateralParticipant
from planner.delegations.models import Delegation, DelegationStatus, NominationStatus, Person

#: A delegation in one of these no longer takes part in the forum.
LEFT_THE_FORUM = frozenset({DelegationStatus.DECLINED, DelegationStatus.WITHDRAWN})
#: A member in one of these may take part in a bilateral.
TAKING_PART = frozenset({NominationStatus.NOMINATED, NominationStatus.ACCREDITED})


def takes_part(delegation: Delegation) -> bool:
    return delegation.status not in LEFT_THE_FORUM


def still_a_member(participant: BilateralParticipant) -> bool:
    membership = participant.membership
    return membership is not None and membership.status in TAKING_PART


@dataclass(frozen=True)
class Hindrance:
    """What keeps a bilateral from going ahead: ``delegation`` no longer takes part, or (with
    ``person``) one of its participants is no longer a member of it."""

    delegation: Delegation
    person: Person | None = None

    @property
    def reason(self) -> str:
        if self.person is None:
            return _("%(delegation)s no longer takes part in this forum.", delegation=self.delegation.name)
        return _(
            "%(person)s is no longer a nominated or accredited member of %(delegation)s.",
            person=self.person.name,
            delegation=self.delegation.name,
        )


def hindrance(bilateral: Bilateral, participants_of: Sequence[int] | None = None) -> Hindrance | None:
    """The first thing that keeps ``bilateral`` from going ahead, or None: a delegation that
    left the forum, then a participant no longer a member of their delegation. Only the
    participants of the delegations ``participants_of`` count, in that order, when it is given
    (a side about to name others is not held to those it had); both sides' otherwise. It reads
    only what ``reading.accepted_waiting`` loads with the bilaterals."""
    sides = {d.id: d for d in (bilateral.requester, bilateral.requested)}
    for delegation in sides.values():
        if not takes_part(delegation):
            return Hindrance(delegation)
    for delegation_id in bilateral.delegation_ids if participants_of is None else participants_of:
        gone = sorted(
            (p for p in bilateral.participants if p.delegation_id == delegation_id and not still_a_member(p)),
            key=lambda p: p.person_id,
        )
        if gone:
            return Hindrance(sides[delegation_id], gone[0].person)
    return None


def sorted_out(bilaterals: Sequence[Bilateral]) -> tuple[list[Bilateral], list[tuple[Bilateral, Hindrance]]]:
    """``bilaterals`` split into those that can go ahead and those held back, with what holds
    each back."""
    going_ahead: list[Bilateral] = []
    held_back: list[tuple[Bilateral, Hindrance]] = []
    for bilateral in bilaterals:
        found = hindrance(bilateral)
        if found is None:
            going_ahead.append(bilateral)
        else:
            held_back.append((bilateral, found))
    return going_ahead, held_back
