"""Who may do what. Every entry point (HTML, CLI, later the API) asks these."""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeGuard

from flask_babel import gettext as _
from sqlalchemy import exists, select

from planner.accounts.models import User
from planner.delegations.models import Delegation, DelegationFocalPoint
from planner.extensions import db
from planner.forums.models import ForumOrganiser
from planner.refusals import NotAllowed

if TYPE_CHECKING:
    from planner.forums.models import Forum


def _acting(user: User | None) -> TypeGuard[User]:
    """A signed-in, active account (not None, not Flask-Login's anonymous user)."""
    return user is not None and not getattr(user, "is_anonymous", True) and bool(getattr(user, "is_active", False))


def is_admin(user: User | None) -> bool:
    return _acting(user) and bool(user.is_admin)


def is_organiser(user: User | None, forum: Forum) -> bool:
    """Administrators organise every forum; others where they are appointed."""
    if not _acting(user):
        return False
    if user.is_admin:
        return True
    return bool(
        db.session.scalar(
            select(exists().where(ForumOrganiser.forum_id == forum.id, ForumOrganiser.user_id == user.id))
        )
    )


def is_focal_point(user: User | None, delegation: Delegation) -> bool:
    if not _acting(user):
        return False
    return bool(
        db.session.scalar(
            select(
                exists().where(
                    DelegationFocalPoint.delegation_id == delegation.id, DelegationFocalPoint.user_id == user.id
                )
            )
        )
    )


def focal_point_delegations(user: User | None, forum: Forum) -> list[Delegation]:
    """The forum's delegations ``user`` speaks for, to lead them to their pages."""
    if not _acting(user):
        return []
    return list(
        db.session.scalars(
            select(Delegation)
            .join(DelegationFocalPoint, DelegationFocalPoint.delegation_id == Delegation.id)
            .where(Delegation.forum_id == forum.id, DelegationFocalPoint.user_id == user.id)
            .order_by(Delegation.name)
        )
    )


def handles_accreditation(user: User | None, forum: Forum) -> bool:
    """Administrators, and the forum's organisers given the accreditation role: they see
    identity data unmasked, verify credentials and issue visa letters."""
    if not _acting(user):
        return False
    if user.is_admin:
        return True
    return bool(
        db.session.scalar(
            select(
                exists().where(
                    ForumOrganiser.forum_id == forum.id,
                    ForumOrganiser.user_id == user.id,
                    ForumOrganiser.handles_accreditation.is_(True),
                )
            )
        )
    )


def may_read_identity(user: User | None, delegation: Delegation) -> bool:
    """Who sees a member's identity data in full: the accreditation role and the delegation's
    own focal points (who typed it). Other organisers see it masked."""
    return handles_accreditation(user, delegation.forum) or is_focal_point(user, delegation)


def require_accreditation_role(user: User | None, forum: Forum) -> None:
    if not handles_accreditation(user, forum):
        raise NotAllowed(_("Only organisers of %(forum)s who handle accreditation can do this.", forum=forum.name))


def require_admin(user: User | None) -> None:
    if not is_admin(user):
        raise NotAllowed(_("Only site administrators can do this."))


def require_organiser(user: User | None, forum: Forum) -> None:
    if not is_organiser(user, forum):
        raise NotAllowed(_("Only organisers of %(forum)s can do this.", forum=forum.name))
