"""Appointing the organisers of a forum. Only administrators and the forum's organisers may
appoint or remove them; every change is audited and the appointed person is told by email."""

from __future__ import annotations

from flask import url_for
from flask_babel import gettext as _
from sqlalchemy import select

from planner.accounts.models import User
from planner.accounts.permissions import require_accreditation_role, require_organiser
from planner.accounts.services import AppointmentError, appointable_user
from planner.audit.services import record
from planner.extensions import db
from planner.forums.models import Forum, ForumOrganiser
from planner.mail.services import queue_email, written_in


def organisers_of(forum: Forum) -> list[ForumOrganiser]:
    return list(
        db.session.scalars(
            select(ForumOrganiser)
            .join(ForumOrganiser.user)
            .where(ForumOrganiser.forum_id == forum.id)
            .order_by(User.name)
        )
    )


def appoint_organiser(actor: User, forum: Forum, email: str) -> ForumOrganiser:
    require_organiser(actor, forum)
    user = appointable_user(email)
    if db.session.get(ForumOrganiser, (forum.id, user.id)) is not None:
        raise AppointmentError(_("%(name)s already organises this forum.", name=user.name))
    appointment = ForumOrganiser(forum_id=forum.id, user_id=user.id, appointed_by_id=actor.id)
    db.session.add(appointment)
    record(
        actor,
        "organiser.appointed",
        forum_id=forum.id,
        target=("user", user.id),
        summary=_("%(name)s appointed organiser", name=user.name),
        after={"email": user.email},
    )
    with written_in(user.language):
        queue_email(
            user.email,
            "accounts/appointed",
            subject=_("You are an organiser of %(forum)s", forum=forum.name),
            forum_id=forum.id,
            name=user.name,
            role=_("organiser"),
            forum=forum.name,
            link=url_for("forums.manage", slug=forum.slug, _external=True),
        )
    db.session.flush()
    return appointment


def remove_organiser(actor: User, forum: Forum, user_id: int) -> None:
    require_organiser(actor, forum)
    appointment = db.session.get(ForumOrganiser, (forum.id, user_id))
    if appointment is None:
        raise AppointmentError(_("That person is not an organiser of this forum."))
    record(
        actor,
        "organiser.removed",
        forum_id=forum.id,
        target=("user", user_id),
        summary=_("%(name)s no longer an organiser", name=appointment.user.name),
        before={"email": appointment.user.email},
    )
    db.session.delete(appointment)
    db.session.flush()


def set_accreditation_role(actor: User, forum: Forum, user_id: int, handles: bool) -> bool:
    """Give an organiser the accreditation role (identity data unmasked, credentials, visa
    letters) or take it away. Only administrators and organisers who hold it may: the role
    cannot be taken by an organiser for themselves. True when it changed; audited."""
    require_accreditation_role(actor, forum)
    appointment = db.session.get(ForumOrganiser, (forum.id, user_id))
    if appointment is None:
        raise AppointmentError(_("That person is not an organiser of this forum."))
    if appointment.handles_accreditation == handles:
        return False
    appointment.handles_accreditation = handles
    db.session.flush()
    record(
        actor,
        "organiser.accreditation_role_given" if handles else "organiser.accreditation_role_taken",
        forum_id=forum.id,
        target=("user", user_id),
        summary=_("%(name)s now handles accreditation", name=appointment.user.name)
        if handles
        else _("%(name)s no longer handles accreditation", name=appointment.user.name),
        before={"handles_accreditation": not handles},
        after={"handles_accreditation": handles},
    )
    return True
