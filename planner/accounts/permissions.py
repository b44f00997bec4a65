"""Who may do what. Every entry point (HTML, CLI, later the API) asks these."""
from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import exists, select

from planner.accounts.models import DelegationFocalPoint, ForumOrganiser, User
from planner.extensions import db

if TYPE_CHECKING:
    from planner.delegations.models import Delegation
    from planner.forums.models import Forum


class NotAllowed(Exception):
    """The acting user's role does not allow this."""


def _acting(user: User | None) -> bool:
    """A signed-in, active account (not None, not Flask-Login's anonymous user)."""
    return user is not None and not getattr(user, "is_anonymous", True) and bool(getattr(user, "is_active", False))


def is_admin(user: User | None) -> bool:
    return _acting(user) and bool(user.is_admin)  # type: ignore[union-attr]


def is_organiser(user: User | None, forum: Forum) -> bool:
    """Administrators organise every forum; others where they are appointed."""
    if not _acting(user):
        return False
    if user.is_admin:  # type: ignore[union-attr]
        return True
    return bool(db.session.scalar(select(exists().where(
        ForumOrganiser.forum_id == forum.id, ForumOrganiser.user_id == user.id
    ))))


def is_focal_point(user: User | None, delegation: Delegation) -> bool:
    if not _acting(user):
        return False
    return bool(db.session.scalar(select(exists().where(
        DelegationFocalPoint.delegation_id == delegation.id, DelegationFocalPoint.user_id == user.id
    ))))


def focal_point_delegations(user: User | None, forum: Forum) -> list[Delegation]:
    """The forum's delegations ``user`` speaks for, to lead them to their pages."""
    from planner.delegations.models import Delegation

    if not _acting(user):
        return []
    return list(db.session.scalars(
        select(Delegation).join(DelegationFocalPoint, DelegationFocalPoint.delegation_id == Delegation.id)
        .where(Delegation.forum_id == forum.id, DelegationFocalPoint.user_id == user.id)
        .order_by(Delegation.name)
    ))


def require_admin(user: User | None) -> None:
    if not is_admin(user):
        raise NotAllowed


def require_organiser(user: User | None, forum: Forum) -> None:
    if not is_organiser(user, forum):
        raise NotAllowed
