"""Focal points invited by email: organisers invite an address to be a delegation's focal point
(or its one deputy); the person follows the emailed link to accept, making an account on the
way if they have none. Invitations are sent, accepted, expired (derived from ``expires_at``)
or revoked; organisers can send one again (a new link; the old one stops working) or revoke it.

The link holds a random secret (``secrets.token_urlsafe``, 256 bits) and planner keeps only its
SHA-256. That is chosen over an itsdangerous signature around it: a signature adds nothing to a
secret nobody can guess; the row, not the link, says whether it is still good (used, revoked,
sent again, expired on the date shown to organisers), so there is one clock and not two; a
copy of the database yields no working link, since only hashes are in it; and changing the
site's SECRET_KEY does not silently break every invitation waiting for an answer.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets

from flask import current_app, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from sqlalchemy import exists, func, select, update
from sqlalchemy.orm import contains_eager

from planner.accounts.models import User
from planner.accounts.permissions import require_organiser
from planner.accounts.services import create_verified_account, language_of, normalise_email
from planner.audit.services import record
from planner.counters import changed, move_status
from planner.crypto import secret_digest
from planner.db import table_of, utcnow
from planner.delegations.models import (
    Delegation,
    DelegationFocalPoint,
    FocalPointInvitation,
    FocalPointRole,
    InvitationStatus,
)
from planner.delegations.names import delegation_name
from planner.extensions import db
from planner.formatting import when_in
from planner.forums.services import require_not_archived
from planner.mail.services import queue_email, written_in
from planner.refusals import NotAllowed, Refused

_SECRET = re.compile(r"[A-Za-z0-9_-]{20,100}")
_invitations = table_of(FocalPointInvitation)


class InvitationError(Refused):
    """An invitation the rules refuse to send, send again, revoke or accept."""


class InvitationLinkInvalid(Refused):
    """A link that cannot be used, and why: ``status`` is 400 for a link planner does not know
    (damaged, or replaced by a newer one) and 410 for one that was used, expired or revoked."""

    def __init__(self, message: str, status: int = 410, invitation: FocalPointInvitation | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.invitation = invitation


class WrongAccount(NotAllowed):
    """Signed in with another address than the one invited: nobody else may take the role."""


def validity() -> dt.timedelta:
    return dt.timedelta(days=current_app.config["FOCAL_POINT_INVITATION_DAYS"])


def role_of(role: FocalPointRole, delegation: str) -> str:
    """The role as a phrase: "focal point of Japan", "deputy focal point of Japan"."""
    if role is FocalPointRole.DEPUTY:
        return _("deputy focal point of %(delegation)s", delegation=delegation)
    return _("focal point of %(delegation)s", delegation=delegation)


def invitations_of(forum_id: int) -> list[FocalPointInvitation]:
    """The invitations to the forum's delegations, by delegation, newest first."""
    return list(
        db.session.scalars(
            select(FocalPointInvitation)
            .join(FocalPointInvitation.delegation)
            .options(contains_eager(FocalPointInvitation.delegation))
            .where(Delegation.forum_id == forum_id)
            .order_by(func.lower(Delegation.name), FocalPointInvitation.sent_at.desc(), FocalPointInvitation.id.desc())
        )
    )


def _live(now: dt.datetime):  # noqa: ANN202  (a SQL condition)
    return (FocalPointInvitation.status == InvitationStatus.SENT) & (FocalPointInvitation.expires_at > now)


def _check_invitable(
    delegation: Delegation, email: str, role: FocalPointRole, now: dt.datetime, ignoring: int | None = None
) -> None:
    """An address already speaking for the delegation, or with a live invitation to it, is not
    invited again; nor is a second deputy."""
    name = delegation.name
    if db.session.scalar(
        select(
            exists().where(
                DelegationFocalPoint.delegation_id == delegation.id,
                DelegationFocalPoint.user_id == User.id,
                User.email == email,
            )
        )
    ):
        raise InvitationError(
            _("%(email)s is already a focal point of %(delegation)s.", email=email, delegation=name), field="email"
        )
    others = select(FocalPointInvitation).where(FocalPointInvitation.delegation_id == delegation.id, _live(now))
    if ignoring is not None:
        others = others.where(FocalPointInvitation.id != ignoring)
    if db.session.scalar(others.where(FocalPointInvitation.email == email).limit(1)) is not None:
        raise InvitationError(
            _(
                "%(email)s has an invitation to %(delegation)s waiting for an answer already: send it again or "
                "revoke it.",
                email=email,
                delegation=name,
            ),
            field="email",
        )
    if role is not FocalPointRole.DEPUTY:
        return
    deputy = db.session.scalar(
        select(User)
        .join(DelegationFocalPoint, DelegationFocalPoint.user_id == User.id)
        .where(DelegationFocalPoint.delegation_id == delegation.id, DelegationFocalPoint.role == FocalPointRole.DEPUTY)
    )
    if deputy is not None:
        raise InvitationError(
            _(
                "%(delegation)s has a deputy focal point already (%(name)s): a delegation has one at most.",
                delegation=name,
                name=deputy.name,
            ),
            field="role",
        )
    waiting = db.session.scalar(others.where(FocalPointInvitation.role == FocalPointRole.DEPUTY).limit(1))
    if waiting is not None:
        raise InvitationError(
            _(
                "An invitation to be deputy focal point of %(delegation)s is waiting for an answer already "
                "(%(email)s): revoke it first.",
                delegation=name,
                email=waiting.email,
            ),
            field="role",
        )


def invite(actor: User, delegation: Delegation, email: str, role: FocalPointRole) -> FocalPointInvitation:
    """Invite ``email`` to be ``role`` of the delegation: only its forum's organisers may, not
    for an archived forum, and not an address that speaks for it already or has a live
    invitation to it, nor a second deputy. The link goes by email in the recipient's language."""
    forum = delegation.forum
    require_organiser(actor, forum)
    require_not_archived(forum)
    return send_invitation(actor, delegation, email, role)


def send_invitation(actor: User, delegation: Delegation, email: str, role: FocalPointRole) -> FocalPointInvitation:
    """``invite`` without its permission checks, for a caller that made them (the carry-over)."""
    email = normalise_email(email)
    now = utcnow()
    _check_invitable(delegation, email, role, now)
    secret = secrets.token_urlsafe(32)
    invitation = FocalPointInvitation(
        delegation=delegation,
        email=email,
        role=role,
        status=InvitationStatus.SENT,
        secret_hash=secret_digest(secret),
        invited_by_id=actor.id,
        sent_at=now,
        times_sent=1,
        expires_at=now + validity(),
    )
    db.session.add(invitation)
    db.session.flush()
    record(
        actor,
        "focal_point.invited",
        forum_id=delegation.forum_id,
        target=("delegation", delegation.id),
        summary=_("%(email)s invited as %(role)s", email=email, role=role_of(role, delegation.name)),
        after={"email": email, "role": role.value, "delegation": delegation.name},
    )
    _mail(invitation, secret)
    return invitation


def resend(actor: User, invitation: FocalPointInvitation) -> FocalPointInvitation:
    """Send a sent or expired invitation again: a new link, valid for the full time again; the
    link sent before stops working. One accepted or revoked is over."""
    delegation = invitation.delegation
    require_organiser(actor, delegation.forum)
    require_not_archived(delegation.forum)
    now = utcnow()
    state = invitation.status_at(now)
    if state is InvitationStatus.ACCEPTED:
        raise InvitationError(_("This invitation was accepted already: there is nothing to send again."))
    if state is InvitationStatus.REVOKED:
        raise InvitationError(_("This invitation was revoked: invite the person again instead."))
    _check_invitable(delegation, invitation.email, invitation.role, now, ignoring=invitation.id)
    secret = secrets.token_urlsafe(32)
    invitation.secret_hash = secret_digest(secret)
    invitation.status = InvitationStatus.SENT
    invitation.sent_at = now
    invitation.expires_at = now + validity()
    invitation.times_sent = invitation.times_sent + 1
    db.session.flush()
    record(
        actor,
        "focal_point.invitation_resent",
        forum_id=delegation.forum_id,
        target=("delegation", delegation.id),
        summary=_(
            "Invitation of %(email)s as %(role)s sent again",
            email=invitation.email,
            role=role_of(invitation.role, delegation.name),
        ),
        after={"email": invitation.email, "times_sent": invitation.times_sent},
    )
    _mail(invitation, secret)
    return invitation


def revoke(actor: User, invitation: FocalPointInvitation) -> None:
    """Withdraw an invitation not yet accepted: its link then says so."""
    delegation = invitation.delegation
    require_organiser(actor, delegation.forum)
    require_not_archived(delegation.forum)
    email, role = invitation.email, invitation.role
    row = _invitations.c.id == invitation.id
    if not move_status(row, _invitations.c.status, {InvitationStatus.SENT}, InvitationStatus.REVOKED):
        db.session.refresh(invitation)
        if invitation.status is InvitationStatus.ACCEPTED:
            raise InvitationError(_("This invitation was accepted already: remove the focal point instead."))
        raise InvitationError(_("This invitation was revoked already."))
    db.session.expire(invitation)
    record(
        actor,
        "focal_point.invitation_revoked",
        forum_id=delegation.forum_id,
        target=("delegation", delegation.id),
        summary=_("Invitation of %(email)s as %(role)s revoked", email=email, role=role_of(role, delegation.name)),
        before={"email": email, "role": role.value},
    )


def _mail(invitation: FocalPointInvitation, secret: str) -> None:
    delegation = invitation.delegation
    forum = delegation.forum
    with written_in(language_of(invitation.email)):
        name = delegation_name(delegation, str(get_locale() or "en"))
        subject = (
            _("Invitation to be deputy focal point of %(delegation)s for %(forum)s", delegation=name, forum=forum.name)
            if invitation.role is FocalPointRole.DEPUTY
            else _("Invitation to be focal point of %(delegation)s for %(forum)s", delegation=name, forum=forum.name)
        )
        queue_email(
            invitation.email,
            "delegations/focal_point_invitation",
            subject=subject,
            forum_id=forum.id,
            forum=forum.name,
            role=role_of(invitation.role, name),
            deadline=when_in(invitation.expires_at, forum),
            link=url_for("delegations.invitation", secret=secret, _external=True),
        )


# Following the link ----------------------------------------------------------------------------


def invitation_for_link(secret: str, *, lock: bool = False) -> FocalPointInvitation:
    """The invitation the link names, while it can still be accepted; else
    ``InvitationLinkInvalid`` saying why (unknown, used, expired, revoked, or its forum archived).
    With ``lock``, its row is locked until the end of the transaction and read afresh."""
    invitation = None
    if _SECRET.fullmatch(secret):
        query = select(FocalPointInvitation).where(FocalPointInvitation.secret_hash == secret_digest(secret))
        if lock:
            query = query.with_for_update().execution_options(populate_existing=True)
        invitation = db.session.scalar(query)
    if invitation is None:
        raise InvitationLinkInvalid(
            _(
                "This invitation link is not valid: it may have been cut short, or replaced by a newer invitation. "
                "Open the link in the most recent email in full."
            ),
            status=400,
        )
    forum = invitation.delegation.forum
    state = invitation.status_at(utcnow())
    if state is InvitationStatus.ACCEPTED:
        raise InvitationLinkInvalid(
            _("This invitation was accepted already: its link works only once."), invitation=invitation
        )
    if state is InvitationStatus.EXPIRED:
        raise InvitationLinkInvalid(
            _(
                "This invitation expired on %(date)s. Ask the organisers of %(forum)s to send it again.",
                date=when_in(invitation.expires_at, forum),
                forum=forum.name,
            ),
            invitation=invitation,
        )
    if state is InvitationStatus.REVOKED:
        raise InvitationLinkInvalid(
            _("The organisers of %(forum)s have withdrawn this invitation.", forum=forum.name), invitation=invitation
        )
    if forum.is_archived:
        raise InvitationLinkInvalid(
            _("%(forum)s is archived: its delegations can no longer take new focal points.", forum=forum.name),
            invitation=invitation,
        )
    return invitation


def accept(user: User, secret: str) -> DelegationFocalPoint:
    """The signed-in ``user`` accepts: only with the address invited, once."""
    invitation = invitation_for_link(secret)
    if user.email != invitation.email:
        raise WrongAccount(
            _(
                "This invitation is for %(email)s, and you are signed in as %(mine)s. Sign out, then open the "
                "link again and sign in with %(email)s.",
                email=invitation.email,
                mine=user.email,
            )
        )
    return _accept(invitation, user, new_account=False)


def accept_with_new_account(
    secret: str, given_name: str, family_name: str, family_name_first: bool, password: str
) -> tuple[User, DelegationFocalPoint]:
    """Someone without an account makes one with the invited address (the link proves it is
    theirs, so it is confirmed at once) and becomes the focal point, in one step."""
    # Locked first: of two answers sent at once, the second waits here and is told the link was
    # used, instead of failing on the first one's new account (the address is unique).
    invitation = invitation_for_link(secret, lock=True)
    user = create_verified_account(given_name, family_name, family_name_first, invitation.email, password)
    return user, _accept(invitation, user, new_account=True)


def _accept(invitation: FocalPointInvitation, user: User, new_account: bool) -> DelegationFocalPoint:
    delegation = invitation.delegation
    require_not_archived(delegation.forum)
    role, invited_by_id = invitation.role, invitation.invited_by_id
    if db.session.get(DelegationFocalPoint, (delegation.id, user.id)) is not None:
        raise InvitationError(_("You are already a focal point of %(delegation)s.", delegation=delegation.name))
    if role is FocalPointRole.DEPUTY and db.session.scalar(
        select(
            exists().where(
                DelegationFocalPoint.delegation_id == delegation.id, DelegationFocalPoint.role == FocalPointRole.DEPUTY
            )
        )
    ):
        raise InvitationError(
            _(
                "%(delegation)s has a deputy focal point already. Ask the organisers of %(forum)s to invite you "
                "as a focal point instead.",
                delegation=delegation.name,
                forum=delegation.forum.name,
            )
        )
    now = utcnow()
    # Of two answers sent at once with the same link, one wins.
    if not changed(
        update(FocalPointInvitation)
        .where(FocalPointInvitation.id == invitation.id, _live(now))
        .values(status=InvitationStatus.ACCEPTED, accepted_by_id=user.id, decided_at=now)
    ):
        raise InvitationLinkInvalid(_("This invitation was answered or withdrawn a moment ago."))
    db.session.expire(invitation)
    appointment = DelegationFocalPoint(
        delegation_id=delegation.id, user_id=user.id, appointed_by_id=invited_by_id, role=role
    )
    db.session.add(appointment)
    db.session.flush()
    record(
        user,
        "focal_point.invitation_accepted",
        forum_id=delegation.forum_id,
        target=("delegation", delegation.id),
        summary=_(
            "%(name)s accepted the invitation to be %(role)s", name=user.name, role=role_of(role, delegation.name)
        ),
        after={"email": user.email, "role": role.value, "delegation": delegation.name, "new_account": new_account},
    )
    return appointment
