"""Carrying delegations over in a series: a new forum takes the delegations of an earlier forum
of the same series (ISEF3 from ISEF2) in one step, with their kind, country, organisation,
space agency, seat quota and names in other languages, each marked as carried from the earlier
one and invited afresh. Their focal points (and deputy) are invited again by email, never
appointed silently: a person may have changed post since.

Organisers of the new forum may do it without organising the earlier one: an earlier forum's
delegations are public record, and the focal points' addresses are used only to invite the
same people again (they appear on the new forum's invitations, as any invitation does).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from planner.accounts.models import User
from planner.accounts.permissions import require_organiser
from planner.audit.services import record
from planner.delegations.invitations import send_invitation
from planner.delegations.models import (
    Delegation,
    DelegationFocalPoint,
    DelegationStatus,
    FocalPointInvitation,
    FocalPointRole,
)
from planner.extensions import db
from planner.forums.models import Forum
from planner.forums.services import lock_forum, require_not_archived
from planner.refusals import Refused


class CarryOverError(Refused):
    """A carry-over the rules refuse."""


@dataclass
class Taken:
    """A delegation of the earlier forum that the new one takes, and the focal points to invite."""

    source: Delegation
    focal_points: list[DelegationFocalPoint] = field(default_factory=list)


@dataclass
class CarryOver:
    """What a carry-over takes and leaves: ``skipped`` pairs each earlier delegation with the one
    of the new forum that has its country, list organisation or name already."""

    source: Forum
    taken: list[Taken] = field(default_factory=list)
    skipped: list[tuple[Delegation, Delegation]] = field(default_factory=list)
    created: list[Delegation] = field(default_factory=list)
    invitations: list[FocalPointInvitation] = field(default_factory=list)

    @property
    def focal_points(self) -> int:
        return sum(len(t.focal_points) for t in self.taken)


def earlier_forums(forum: Forum) -> list[Forum]:
    """The forums of the same series before this one, the latest first."""
    if forum.series_id is None:
        return []
    return list(
        db.session.scalars(
            select(Forum)
            .where(Forum.series_id == forum.series_id, Forum.id != forum.id, Forum.first_day < forum.first_day)
            .order_by(Forum.first_day.desc(), Forum.id.desc())
        )
    )


def _delegations(forum_id: int) -> list[Delegation]:
    return list(
        db.session.scalars(
            select(Delegation).where(Delegation.forum_id == forum_id).order_by(func.lower(Delegation.name))
        )
    )


def plan(forum: Forum, source: Forum) -> CarryOver:
    """What carrying ``source``'s delegations over to ``forum`` would take and skip: a
    delegation whose country, entry of the site's list of organisations, or name in any letter
    case, the new forum has already is skipped."""
    present = _delegations(forum.id)
    by_country = {d.country_code: d for d in present if d.country_code}
    by_organisation = {d.organisation_id: d for d in present if d.organisation_id is not None}
    by_name = {d.name.casefold(): d for d in present}
    carried = {d.carried_from_id: d for d in present if d.carried_from_id is not None}
    result = CarryOver(source=source)
    sources = _delegations(source.id)
    focal_points: dict[int, list[DelegationFocalPoint]] = {}
    for appointment in db.session.scalars(
        select(DelegationFocalPoint)
        .join(DelegationFocalPoint.user)
        .options(joinedload(DelegationFocalPoint.user))
        .where(DelegationFocalPoint.delegation_id.in_([d.id for d in sources]), User.deleted_at.is_(None))
        .order_by(DelegationFocalPoint.role != FocalPointRole.FOCAL_POINT, User.name)
    ):
        focal_points.setdefault(appointment.delegation_id, []).append(appointment)
    for delegation in sources:
        existing = (
            carried.get(delegation.id)
            or (by_country.get(delegation.country_code) if delegation.country_code else None)
            or (by_organisation.get(delegation.organisation_id) if delegation.organisation_id is not None else None)
            or by_name.get(delegation.name.casefold())
        )
        if existing is not None:
            result.skipped.append((delegation, existing))
        else:
            result.taken.append(Taken(delegation, focal_points.get(delegation.id, [])))
    return result


def carry_over(actor: User, forum: Forum, source_id: int) -> CarryOver:
    """Take the delegations of an earlier forum of the same series, all of them or none: each
    one new, with the status "invited", and its focal points invited again. Only organisers of
    ``forum`` may, not for an archived forum."""
    require_organiser(actor, forum)
    require_not_archived(forum)
    # A second carry-over sent at once (a double click) waits, then skips what the first took.
    lock_forum(forum)
    source = db.session.get(Forum, source_id)
    if source is None or source not in earlier_forums(forum):
        raise CarryOverError(
            _("Choose an earlier forum of the series %(forum)s belongs to.", forum=forum.name), field="source"
        )
    result = plan(forum, source)
    for taken in result.taken:
        earlier = taken.source
        delegation = Delegation(
            forum=forum,
            name=earlier.name,
            kind=earlier.kind,
            country_code=earlier.country_code,
            organisation_id=earlier.organisation_id,
            space_agency=earlier.space_agency,
            seat_quota=earlier.seat_quota,
            translations=copy.deepcopy(earlier.translations or {}),
            carried_from_id=earlier.id,
            status=DelegationStatus.INVITED,
        )
        db.session.add(delegation)
        db.session.flush()
        result.created.append(delegation)
        for appointment in taken.focal_points:
            result.invitations.append(send_invitation(actor, delegation, appointment.user.email, appointment.role))
    record(
        actor,
        "delegations.carried_over",
        forum_id=forum.id,
        target=("forum", forum.id),
        summary=_(
            "Delegations taken from %(source)s: %(taken)d; focal points invited again: %(invited)d; skipped: "
            "%(skipped)d",
            taken=len(result.created),
            source=source.name,
            invited=len(result.invitations),
            skipped=len(result.skipped),
        ),
        after={
            "source": source.slug,
            "taken": [d.name for d in result.created],
            "skipped": [d.name for d, _existing in result.skipped],
            "invited": [i.email for i in result.invitations],
        },
    )
    db.session.flush()
    return result
