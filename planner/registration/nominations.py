"""Ministerial accreditation: focal points nominate their delegation's members up to the
seat quota organisers set; organisers accredit or decline.

The quota is a counter on the delegation taken with a conditional UPDATE, so two focal
points nominating at once cannot both take the last seat.
"""
from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from planner.accounts.models import User
from planner.accounts.permissions import NotAllowed, is_focal_point, is_organiser, require_organiser
from planner.audit.services import record
from planner.delegations.models import Delegation, DelegationMember, MemberRole, NominationStatus, Person
from planner.extensions import db
from planner.mail.services import queue_email
from planner.registration import seats

HOLDING_SEAT = {NominationStatus.NOMINATED, NominationStatus.ACCREDITED}


class NominationError(Exception):
    """A refused nomination or decision, with a message for the person."""


class SeatQuotaExceeded(NominationError):
    pass


def members_of(delegation: Delegation) -> list[DelegationMember]:
    return list(db.session.scalars(
        select(DelegationMember).join(DelegationMember.person)
        .where(DelegationMember.delegation_id == delegation.id).order_by(Person.name)
    ))


def nominate(actor: User, delegation: Delegation, *, name: str, email: str, organisation: str = "",
             role: MemberRole = MemberRole.MEMBER) -> DelegationMember:
    """Nominate a person for the delegation, taking one of its seats."""
    if not (is_focal_point(actor, delegation) or is_organiser(actor, delegation.forum)):
        raise NotAllowed
    email = email.strip().lower()
    person = db.session.scalar(select(Person).where(Person.email == email))
    if person is None:
        person = Person(name=name.strip(), email=email, organisation=organisation.strip(),
                        country_code=delegation.country_code)
        db.session.add(person)
        db.session.flush()
    member = db.session.get(DelegationMember, (delegation.id, person.id))
    if member is not None and member.status in HOLDING_SEAT:
        raise NominationError(_("%(name)s is already nominated.", name=person.name))
    if not seats.take_delegation_seat(delegation.id):
        raise SeatQuotaExceeded(_("All %(quota)d seats of %(delegation)s are taken.",
                                  quota=delegation.seat_quota or 0, delegation=delegation.name))
    try:
        with db.session.begin_nested():
            if member is None:
                member = DelegationMember(delegation_id=delegation.id, person_id=person.id)
                db.session.add(member)
            member.role = role
            member.status = NominationStatus.NOMINATED
            member.decided_at = None
            db.session.flush()
    except IntegrityError:
        raise NominationError(_("%(name)s is already nominated.", name=person.name)) from None
    record(actor, "nomination.nominated", forum_id=delegation.forum_id, target=("delegation", delegation.id),
           summary=_("%(name)s nominated for %(delegation)s", name=person.name, delegation=delegation.name),
           after={"email": email, "role": role.value})
    return member


def withdraw(actor: User, member: DelegationMember) -> None:
    delegation = member.delegation
    if not (is_focal_point(actor, delegation) or is_organiser(actor, delegation.forum)):
        raise NotAllowed
    _leave_seat(actor, member, NominationStatus.WITHDRAWN, "nomination.withdrawn")


def accredit(organiser: User, member: DelegationMember) -> None:
    delegation = member.delegation
    require_organiser(organiser, delegation.forum)
    if not seats.move_member(delegation.id, member.person_id, {NominationStatus.NOMINATED},
                             NominationStatus.ACCREDITED):
        raise NominationError(_("Only nominated members can be accredited."))
    db.session.refresh(member)
    record(organiser, "nomination.accredited", forum_id=delegation.forum_id, target=("delegation", delegation.id),
           summary=_("%(name)s accredited for %(delegation)s", name=member.person.name, delegation=delegation.name),
           before={"status": "nominated"}, after={"status": "accredited"})
    if member.person.email:
        queue_email(member.person.email, "registration/accredited",
                    subject=_("You are accredited to %(forum)s", forum=delegation.forum.name),
                    forum_id=delegation.forum_id, name=member.person.name, delegation=delegation.name,
                    forum=delegation.forum.name)


def decline(organiser: User, member: DelegationMember) -> None:
    require_organiser(organiser, member.delegation.forum)
    _leave_seat(organiser, member, NominationStatus.DECLINED, "nomination.declined")


def _leave_seat(actor: User, member: DelegationMember, to: NominationStatus, action: str) -> None:
    delegation = member.delegation
    before = member.status
    if not seats.move_member(delegation.id, member.person_id, HOLDING_SEAT, to):
        raise NominationError(_("This nomination is no longer active."))
    seats.release_delegation_seat(delegation.id)
    db.session.refresh(member)
    record(actor, action, forum_id=delegation.forum_id, target=("delegation", delegation.id),
           summary=_("%(name)s: %(status)s", name=member.person.name, status=to.value),
           before={"status": before.value}, after={"status": to.value})


def set_quota(organiser: User, delegation: Delegation, quota: int | None) -> None:
    """Set the delegation's seats; never below the seats its nominations hold."""
    require_organiser(organiser, delegation.forum)
    if quota is not None and quota < 0:
        raise NominationError(_("The quota cannot be negative."))
    before = delegation.seat_quota
    if not seats.set_quota(delegation.id, quota):
        db.session.refresh(delegation)
        raise NominationError(_("%(used)d seats are held by nominations: withdraw or decline some first.",
                                used=delegation.seats_used))
    db.session.refresh(delegation)
    record(organiser, "nomination.quota_changed", forum_id=delegation.forum_id, target=("delegation", delegation.id),
           summary=_("Seat quota of %(delegation)s changed", delegation=delegation.name),
           before={"seat_quota": before}, after={"seat_quota": quota})
