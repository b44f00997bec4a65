"""The focal points of a forum's delegations: the people who speak for a country or organisation
and nominate its delegation. They become focal points by accepting an invitation
(``invitations``); only administrators and the forum's organisers may remove them, and every
change is audited."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from planner.accounts.models import User
from planner.accounts.permissions import require_organiser
from planner.accounts.services import AppointmentError
from planner.audit.services import record
from planner.delegations.models import Delegation, DelegationFocalPoint, FocalPointRole
from planner.extensions import db
from planner.forums.models import Forum
from planner.forums.services import require_not_archived


def focal_points_of(forum: Forum) -> list[tuple[Delegation, DelegationFocalPoint]]:
    rows = db.session.execute(
        select(Delegation, DelegationFocalPoint)
        .join(DelegationFocalPoint, DelegationFocalPoint.delegation_id == Delegation.id)
        .where(Delegation.forum_id == forum.id)
        .options(joinedload(DelegationFocalPoint.user))
        .order_by(Delegation.name, DelegationFocalPoint.role != FocalPointRole.FOCAL_POINT)
    )
    return [(d, f) for d, f in rows]


def remove_focal_point(actor: User, forum: Forum, delegation_id: int, user_id: int) -> None:
    require_organiser(actor, forum)
    require_not_archived(forum)
    appointment = db.session.get(DelegationFocalPoint, (delegation_id, user_id))
    delegation = db.session.get(Delegation, delegation_id)
    if appointment is None or delegation is None or delegation.forum_id != forum.id:
        raise AppointmentError(_("That person is not a focal point of this delegation."))
    record(
        actor,
        "focal_point.removed",
        forum_id=forum.id,
        target=("delegation", delegation_id),
        summary=_(
            "%(name)s no longer focal point of %(delegation)s", name=appointment.user.name, delegation=delegation.name
        ),
        before={"email": appointment.user.email, "delegation": delegation.name},
    )
    db.session.delete(appointment)
    db.session.flush()
