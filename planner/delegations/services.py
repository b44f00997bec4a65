"""Ministerial accreditation: focal points nominate their delegation's members up to the
seat quota organisers set; organisers accredit or decline.

The quota is a counter on the delegation taken with a conditional UPDATE, so two focal
points nominating at once cannot both take the last seat.
"""

from __future__ import annotations

from blinker import Namespace
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import contains_eager

from planner.accounts import services as accounts
from planner.accounts.models import User
from planner.accounts.permissions import is_focal_point, is_organiser, require_organiser
from planner.audit.services import record
from planner.calendar import invites
from planner.db import utcnow
from planner.delegations import seats
from planner.delegations.models import (
    Delegation,
    DelegationMember,
    DelegationStatus,
    MemberRole,
    NominationStatus,
    Person,
    RepresentationLevel,
)
from planner.extensions import db
from planner.forums.models import Forum
from planner.forums.services import require_not_archived
from planner.labels import label
from planner.mail.services import queue_email, written_in
from planner.refusals import NotAllowed, Refused
from planner.validators import EMAIL_PATTERN, name_problem

#: Sent with the member an organiser is about to accredit, before anything changes: the domains
#: above this one refuse it by raising a ``NominationError`` (accreditation: identity data the
#: forum requires is missing, credentials not verified). A signal, as
#: ``accounts.services.account_deleting``: accreditation builds on delegations, so delegations
#: cannot import it.
accrediting = Namespace().signal("accrediting")

HOLDING_SEAT = {NominationStatus.NOMINATED, NominationStatus.ACCREDITED}
#: The longest function the list of participants prints.
FUNCTION_MAX = 200  # the length of DelegationMember.function (a test checks it)


class NominationError(Refused):
    """A refused nomination or decision, with a message for the person."""


class SeatQuotaExceeded(NominationError):
    pass


def members_of(delegation: Delegation) -> list[DelegationMember]:
    return list(
        db.session.scalars(
            select(DelegationMember)
            .join(DelegationMember.person)
            .options(contains_eager(DelegationMember.person))
            .where(DelegationMember.delegation_id == delegation.id)
            .order_by(Person.name)
        )
    )


def checked_function(function: str) -> str:
    """The function as the list of participants prints it: stripped, printable, not too long."""
    function = function.strip()
    if len(function) > FUNCTION_MAX or any(ord(c) < 32 or c == "\ufffd" for c in function):
        raise NominationError(
            _("Enter the function in at most %(max)d characters, without control characters.", max=FUNCTION_MAX),
            field="function",
        )
    return function


def _person_for(name: tuple[str, str, bool], email: str, organisation: str, country_code: str | None) -> Person:
    """The person with this address, created if new (``name``: given name, family name and
    whether the family name comes first); a concurrent creation is reused."""
    person = db.session.scalar(select(Person).where(Person.email == email))
    if person is not None:
        return person
    try:
        with db.session.begin_nested():
            person = Person(email=email, organisation=organisation, country_code=country_code)
            person.set_name(*name)
            db.session.add(person)
            db.session.flush()
    except IntegrityError:
        person = db.session.scalar(select(Person).where(Person.email == email))
        if person is None:
            raise
    return person


def nominate(
    actor: User,
    delegation: Delegation,
    *,
    given_name: str,
    family_name: str = "",
    family_name_first: bool = False,
    email: str,
    organisation: str = "",
    role: MemberRole = MemberRole.MEMBER,
    level: RepresentationLevel = RepresentationLevel.OTHER,
    function: str = "",
    listed_publicly: bool = False,
) -> DelegationMember:
    """Nominate a person for the delegation, taking one of its seats. A person holds a seat
    in one delegation of a forum at most. Someone nominated before keeps the name they have.
    ``level``, ``function`` and ``listed_publicly`` say how the list of participants shows them."""
    if not (is_focal_point(actor, delegation) or is_organiser(actor, delegation.forum)):
        raise NotAllowed(_("You cannot nominate members of %(delegation)s.", delegation=delegation.name))
    require_not_archived(delegation.forum)
    if delegation.status in (DelegationStatus.DECLINED, DelegationStatus.WITHDRAWN):
        # Nominations made before stay as they are; organisers decide on them.
        raise NominationError(
            _(
                "%(delegation)s cannot nominate members: its status is “%(status)s”.",
                delegation=delegation.name,
                status=label(delegation.status),
            )
        )
    email, given_name, family_name = email.strip().lower(), given_name.strip(), family_name.strip()
    if not EMAIL_PATTERN.match(email) or len(email) > 320:
        raise NominationError(_("Enter an email address like name@example.org."))
    if not given_name:
        raise NominationError(_("Enter the person's name."))
    problem = name_problem(given_name, family_name)
    if problem:
        raise NominationError(problem)
    function = checked_function(function)
    person = _person_for(
        (given_name, family_name, family_name_first), email, organisation.strip()[:200], delegation.country_code
    )
    elsewhere = db.session.scalar(
        select(Delegation.name)
        .join(DelegationMember, DelegationMember.delegation_id == Delegation.id)
        .where(
            DelegationMember.person_id == person.id,
            Delegation.forum_id == delegation.forum_id,
            Delegation.id != delegation.id,
            DelegationMember.status.in_(HOLDING_SEAT),
        )
    )
    if elsewhere is not None:
        raise NominationError(_("This person is already nominated by another delegation."))
    if not seats.take_delegation_seat(delegation.id):
        raise SeatQuotaExceeded(
            ngettext(
                "The %(num)d seat of %(delegation)s is taken.",
                "All %(num)d seats of %(delegation)s are taken.",
                delegation.seat_quota or 0,
                delegation=delegation.name,
            )
        )
    member = db.session.get(DelegationMember, (delegation.id, person.id))
    if member is None:
        try:
            with db.session.begin_nested():
                member = DelegationMember(
                    delegation_id=delegation.id,
                    person_id=person.id,
                    role=role,
                    level=level,
                    function=function,
                    listed_publicly=listed_publicly,
                )
                db.session.add(member)
                db.session.flush()
        except IntegrityError:
            member = None  # nominated at this very moment by someone else
    elif seats.move_member(
        delegation.id, person.id, {NominationStatus.WITHDRAWN, NominationStatus.DECLINED}, NominationStatus.NOMINATED
    ):
        db.session.refresh(member)
        member.role = role
        member.level, member.function, member.listed_publicly = level, function, listed_publicly
        member.nominated_at = utcnow()
        member.decided_at = None
    else:
        member = None  # already holding a seat
    if member is None:
        seats.release_delegation_seat(delegation.id)  # give back the seat taken above
        raise NominationError(_("%(name)s is already nominated.", name=person.name))
    db.session.flush()
    record(
        actor,
        "nomination.nominated",
        forum_id=delegation.forum_id,
        target=("delegation", delegation.id),
        summary=_("%(name)s nominated for %(delegation)s", name=person.name, delegation=delegation.name),
        after={
            "email": email,
            "role": role.value,
            "level": level.value,
            "function": function,
            "listed_publicly": listed_publicly,
        },
    )
    return member


def withdraw(actor: User, member: DelegationMember) -> None:
    delegation = member.delegation
    if not (is_focal_point(actor, delegation) or is_organiser(actor, delegation.forum)):
        raise NotAllowed(_("You cannot make this decision."))
    require_not_archived(delegation.forum)
    _leave_seat(actor, member, NominationStatus.WITHDRAWN, "nomination.withdrawn")


def accredit(organiser: User, member: DelegationMember) -> None:
    delegation = member.delegation
    require_organiser(organiser, delegation.forum)
    require_not_archived(delegation.forum)
    if member.status is NominationStatus.NOMINATED:
        accrediting.send(member, organiser=organiser)
    if not seats.move_member(
        delegation.id, member.person_id, {NominationStatus.NOMINATED}, NominationStatus.ACCREDITED
    ):
        raise NominationError(_("Only nominated members can be accredited."))
    db.session.refresh(member)
    record(
        organiser,
        "nomination.accredited",
        forum_id=delegation.forum_id,
        target=("delegation", delegation.id),
        summary=_("%(name)s accredited for %(delegation)s", name=member.person.name, delegation=delegation.name),
        before={"status": "nominated"},
        after={"status": "accredited"},
    )
    if member.person.email:
        with written_in(accounts.language_of(member.person.email)):
            queue_email(
                member.person.email,
                "registration/accredited",
                subject=_("You are accredited to %(forum)s", forum=delegation.forum.name),
                forum_id=delegation.forum_id,
                name=member.person.name,
                delegation=delegation.name,
                forum=delegation.forum.name,
                attachment=invites.accreditation_attachment(
                    delegation.forum, member.person.email, member.person.name, invites.REQUEST
                ),
            )


def decline(organiser: User, member: DelegationMember) -> None:
    require_organiser(organiser, member.delegation.forum)
    require_not_archived(member.delegation.forum)
    was_accredited = member.status is NominationStatus.ACCREDITED  # then it is in their calendar
    _leave_seat(organiser, member, NominationStatus.DECLINED, "nomination.declined")
    delegation = member.delegation
    if member.person.email:
        with written_in(accounts.language_of(member.person.email)):
            queue_email(
                member.person.email,
                "registration/nomination_declined",
                subject=_("Your accreditation to %(forum)s was declined", forum=delegation.forum.name),
                forum_id=delegation.forum_id,
                name=member.person.name,
                delegation=delegation.name,
                forum=delegation.forum.name,
                attachment=invites.accreditation_attachment(
                    delegation.forum, member.person.email, member.person.name, invites.CANCEL
                )
                if was_accredited
                else None,
            )


def _leave_seat(actor: User, member: DelegationMember, to: NominationStatus, action: str) -> None:
    delegation = member.delegation
    before = member.status
    if not seats.move_member(delegation.id, member.person_id, HOLDING_SEAT, to):
        raise NominationError(_("This nomination is no longer active."))
    seats.release_delegation_seat(delegation.id)
    db.session.refresh(member)
    record(
        actor,
        action,
        forum_id=delegation.forum_id,
        target=("delegation", delegation.id),
        summary=_("%(name)s: %(status)s", name=member.person.name, status=label(to)),
        before={"status": before.value},
        after={"status": to.value},
    )


def set_quota(organiser: User, delegation: Delegation, quota: int | None) -> None:
    """Set the delegation's seats; never below the seats its nominations hold."""
    require_organiser(organiser, delegation.forum)
    require_not_archived(delegation.forum)
    if quota is not None and quota < 0:
        raise NominationError(_("The quota cannot be negative."))
    before = delegation.seat_quota
    if not seats.set_quota(delegation.id, quota):
        db.session.refresh(delegation)
        raise NominationError(
            ngettext(
                "%(num)d seat is held by a nomination: withdraw or decline it first.",
                "%(num)d seats are held by nominations: withdraw or decline some first.",
                delegation.seats_used,
            )
        )
    db.session.refresh(delegation)
    record(
        organiser,
        "nomination.quota_changed",
        forum_id=delegation.forum_id,
        target=("delegation", delegation.id),
        summary=_("Seat quota of %(delegation)s changed", delegation=delegation.name),
        before={"seat_quota": before},
        after={"seat_quota": quota},
    )


def nomination_counts(forum: Forum, delegations: list[Delegation]) -> dict[int, dict[NominationStatus, int]]:
    """Members per delegation and status, in one query whatever the number of delegations."""
    counts = {d.id: dict.fromkeys(NominationStatus, 0) for d in delegations}
    rows = db.session.execute(
        select(DelegationMember.delegation_id, DelegationMember.status, func.count())
        .join(Delegation, Delegation.id == DelegationMember.delegation_id)
        .where(Delegation.forum_id == forum.id)
        .group_by(DelegationMember.delegation_id, DelegationMember.status)
    )
    for delegation_id, status, count in rows:
        counts.setdefault(delegation_id, dict.fromkeys(NominationStatus, 0))[status] = count
    return counts


def awaiting_accreditation(forum: Forum) -> list[DelegationMember]:
    """The forum's nominations no organiser has decided on, oldest first."""
    return list(
        db.session.scalars(
            select(DelegationMember)
            .join(DelegationMember.person)
            .join(DelegationMember.delegation)
            .options(contains_eager(DelegationMember.person), contains_eager(DelegationMember.delegation))
            .where(Delegation.forum_id == forum.id, DelegationMember.status == NominationStatus.NOMINATED)
            .order_by(DelegationMember.nominated_at, Person.name)
        )
    )
