"""Appointing the focal points of a forum's delegations: the people who speak for a country or
organisation and nominate its delegation. Only administrators and the forum's organisers may
appoint or remove them; every change is audited and the appointed person is told by email."""

from __future__ import annotations

from flask import url_for
from flask_babel import gettext as _
from sqlalchemy import select

from planner.accounts.models import User
from planner.accounts.permissions import require_organiser
from planner.accounts.services import AppointmentError, appointable_user
from planner.audit.services import record
from planner.delegations.models import Delegation, DelegationFocalPoint
from planner.extensions import db
from planner.forums.models import Forum
from planner.forums.services import require_not_archived
from planner.mail.services import queue_email, written_in


def focal_points_of(forum: Forum) -> list[tuple[Delegation, DelegationFocalPoint]]:
    rows = db.session.execute(
        select(Delegation, DelegationFocalPoint)
        .join(DelegationFocalPoint, DelegationFocalPoint.delegation_id == Delegation.id)
        .where(Delegation.forum_id == forum.id)
        .order_by(Delegation.name)
    )
    return [(d, f) for d, f in rows]


def appoint_focal_point(actor: User, forum: Forum, delegation_id: int, email: str) -> DelegationFocalPoint:
    require_organiser(actor, forum)
    require_not_archived(forum)
    delegation = db.session.get(Delegation, delegation_id)
    if delegation is None or delegation.forum_id != forum.id:
        raise AppointmentError(_("Choose one of this forum's delegations."))
    user = appointable_user(email)
    if db.session.get(DelegationFocalPoint, (delegation.id, user.id)) is not None:
        raise AppointmentError(
            _("%(name)s is already a focal point of %(delegation)s.", name=user.name, delegation=delegation.name)
        )
    appointment = DelegationFocalPoint(delegation_id=delegation.id, user_id=user.id, appointed_by_id=actor.id)
    db.session.add(appointment)
    record(
        actor,
        "focal_point.appointed",
        forum_id=forum.id,
        target=("delegation", delegation.id),
        summary=_("%(name)s appointed focal point of %(delegation)s", name=user.name, delegation=delegation.name),
        after={"email": user.email, "delegation": delegation.name},
    )
    with written_in(user.language):
        queue_email(
            user.email,
            "accounts/appointed",
            subject=_("You are the focal point of %(delegation)s", delegation=delegation.name),
            forum_id=forum.id,
            name=user.name,
            role=_("focal point of %(delegation)s", delegation=delegation.name),
            forum=forum.name,
            link=url_for("forums.forum", slug=forum.slug, _external=True),
        )
    db.session.flush()
    return appointment


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
