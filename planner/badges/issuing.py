"""Who gets a badge, and issuing, reprinting and revoking them.

Accredited members of a delegation get a delegate's badge, confirmed participants of a side event
a participant's, and press, staff and security theirs by hand. A badge whose holder is no longer
accredited (or confirmed) counts as revoked at once, without anyone pressing a button: the
scanners' revocation list and the server's checks both ask ``holder_lapsed``.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import ColumnElement, and_, exists, func, or_, select
from sqlalchemy.orm import joinedload

from planner.accounts.models import User
from planner.accounts.permissions import require_organiser
from planner.accreditation.models import IdentityDetails
from planner.audit.services import record
from planner.badges import signing
from planner.badges import zones as zone_rules
from planner.badges.models import HAND_ISSUED, Badge, BadgeCategory
from planner.db import utcnow
from planner.delegations.models import Delegation, DelegationMember, DelegationStatus, NominationStatus
from planner.delegations.names import delegation_name
from planner.extensions import db
from planner.forums.models import Event, EventKind, Forum
from planner.forums.services import lock_forum, require_not_archived
from planner.refusals import Refused
from planner.registration.models import Registration, RegistrationStatus

#: Delegations whose accredited members hold badges.
ATTENDING = (DelegationStatus.INVITED, DelegationStatus.CONFIRMED)
#: Events whose confirmed participants hold their own badge (the ministerial meeting's
#: delegates hold theirs through accreditation).
WITH_PARTICIPANTS = (EventKind.SIDE_EVENT, EventKind.STUDENT)
#: Longest reason a revocation keeps.
REASON_MAX = 300


class BadgeRefused(Refused):
    pass


@dataclass(frozen=True)
class Holder:
    """Someone who should have a badge: a member or a registration, and what is printed."""

    category: BadgeCategory
    name: str
    latin_name: str
    affiliation: str
    function: str
    valid_from: dt.datetime
    valid_until: dt.datetime
    event_ids: tuple[int, ...]
    member: DelegationMember | None = None
    registration: Registration | None = None


def _day_start(day: dt.date, forum: Forum) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), forum.zone).astimezone(dt.UTC)


def forum_validity(forum: Forum) -> tuple[dt.datetime, dt.datetime]:
    """From the first day's midnight to the end of the last day, in the forum's timezone."""
    return _day_start(forum.first_day, forum), _day_start(forum.last_day + dt.timedelta(days=1), forum)


def event_validity(event: Event, forum: Forum) -> tuple[dt.datetime, dt.datetime]:
    first = event.starts_at.astimezone(forum.zone).date()
    last = event.ends_at.astimezone(forum.zone).date()
    return _day_start(first, forum), _day_start(last + dt.timedelta(days=1), forum)


def _ministerial_event_ids(forum: Forum) -> tuple[int, ...]:
    return tuple(event.id for event in forum.events if event.kind is EventKind.MINISTERIAL)


def eligible_holders(forum: Forum, event: Event | None = None, of_badge: Badge | None = None) -> list[Holder]:
    """Everyone who should hold a badge (of ``event`` only, when given; only the holder of
    ``of_badge``, if they still should, when that is given), in a few queries."""
    language = forum.first_language
    holders: list[Holder] = []
    ministerial = _ministerial_event_ids(forum)
    member_of_badge = (
        [DelegationMember.delegation_id == of_badge.delegation_id, DelegationMember.person_id == of_badge.person_id]
        if of_badge is not None
        else []
    )
    wants_members = of_badge is None or of_badge.person_id is not None
    if wants_members and (event is None or event.kind is EventKind.MINISTERIAL):
        members = db.session.scalars(
            select(DelegationMember)
            .join(Delegation, Delegation.id == DelegationMember.delegation_id)
            .where(
                Delegation.forum_id == forum.id,
                Delegation.status.in_(ATTENDING),
                DelegationMember.status == NominationStatus.ACCREDITED,
                *member_of_badge,
            )
            .options(joinedload(DelegationMember.person), joinedload(DelegationMember.delegation))
        ).all()
        latin = dict(
            db.session.execute(
                select(IdentityDetails.person_id, IdentityDetails.latin_transcription)
                .join(Delegation, Delegation.id == IdentityDetails.delegation_id)
                .where(Delegation.forum_id == forum.id, IdentityDetails.latin_transcription != "")
            ).all()
        )
        start, end = forum_validity(forum)
        for member in members:
            transcription = latin.get(member.person_id, "")
            holders.append(
                Holder(
                    category=BadgeCategory.DELEGATE,
                    name=member.person.name,
                    latin_name="" if transcription == member.person.name else transcription,
                    affiliation=delegation_name(member.delegation, language),
                    function=member.function,
                    valid_from=start,
                    valid_until=end,
                    event_ids=ministerial,
                    member=member,
                )
            )
    if of_badge is not None and of_badge.registration_id is None:
        return holders
    registrations = db.session.scalars(
        select(Registration)
        .join(Event, Event.id == Registration.event_id)
        .where(
            Event.forum_id == forum.id,
            Event.kind.in_(WITH_PARTICIPANTS),
            Registration.status == RegistrationStatus.CONFIRMED,
            *([Registration.event_id == event.id] if event is not None else []),
            *([Registration.id == of_badge.registration_id] if of_badge is not None else []),
        )
        .options(joinedload(Registration.user), joinedload(Registration.event), joinedload(Registration.delegation))
    ).all()
    for registration in registrations:
        start, end = event_validity(registration.event, forum)
        affiliation = (
            delegation_name(registration.delegation, language)
            if registration.delegation is not None
            else registration.organisation
        )
        holders.append(
            Holder(
                category=BadgeCategory.PARTICIPANT,
                name=registration.user.name,
                latin_name="",
                affiliation=affiliation,
                function="",
                valid_from=start,
                valid_until=end,
                event_ids=(registration.event_id,),
                registration=registration,
            )
        )
    return holders


def holders_without_badge(forum: Forum, event: Event | None = None) -> list[Holder]:
    """Those who should hold a badge (of ``event``, when given) and have none yet."""
    held = db.session.execute(
        select(Badge.delegation_id, Badge.person_id, Badge.registration_id).where(Badge.forum_id == forum.id)
    ).all()
    members = {(delegation_id, person_id) for delegation_id, person_id, _ in held if person_id is not None}
    registrations = {registration_id for _, _, registration_id in held if registration_id is not None}
    return [
        holder
        for holder in eligible_holders(forum, event)
        if not (holder.member and (holder.member.delegation_id, holder.member.person_id) in members)
        and not (holder.registration and holder.registration.id in registrations)
    ]


def badges_of(forum: Forum) -> list[Badge]:
    return list(db.session.scalars(select(Badge).where(Badge.forum_id == forum.id).order_by(Badge.number)))


@functools.cache  # a fixed expression: built once, not for every batch of scans
def holder_lapsed() -> ColumnElement[bool]:
    """The condition of a badge not revoked whose holder no longer holds the right to one: a
    member no longer accredited (or of a delegation that withdrew or declined), a registration
    no longer confirmed, or a holder deleted. Such a badge is refused like a revoked one."""
    member_holds = exists().where(
        DelegationMember.delegation_id == Badge.delegation_id,
        DelegationMember.person_id == Badge.person_id,
        DelegationMember.status == NominationStatus.ACCREDITED,
        Delegation.id == DelegationMember.delegation_id,
        Delegation.status.in_(ATTENDING),
    )
    registration_holds = exists().where(
        Registration.id == Badge.registration_id,
        Registration.status == RegistrationStatus.CONFIRMED,
    )
    return and_(
        Badge.revoked_at.is_(None),
        or_(
            and_(Badge.category == BadgeCategory.DELEGATE, ~member_holds),
            and_(Badge.category == BadgeCategory.PARTICIPANT, ~registration_holds),
        ),
    )


def lapsed_badge_ids(forum_id: int, among: Iterable[int] | None = None) -> set[int]:
    """Badges whose holder lost the right to one (``holder_lapsed``), of ``among`` when given."""
    only = [Badge.id.in_(set(among))] if among is not None else []
    return set(db.session.scalars(select(Badge.id).where(Badge.forum_id == forum_id, *only, holder_lapsed())))


def revocations(forum_id: int) -> dict[int, int]:
    """For each badge with something revoked, the lowest version still valid: every version
    below it is refused (so a revoked or lapsed badge maps to one past its current version)."""
    refused = or_(Badge.revoked_at.is_not(None), holder_lapsed())
    rows = db.session.execute(
        select(Badge.id, Badge.version, refused).where(Badge.forum_id == forum_id, or_(Badge.version > 1, refused))
    )
    return {badge_id: version + 1 if all_refused else version for badge_id, version, all_refused in rows}


def _next_number(forum: Forum) -> int:
    highest = db.session.scalar(select(func.coalesce(func.max(Badge.number), 0)).where(Badge.forum_id == forum.id))
    return int(highest or 0) + 1


def _print(badge: Badge, holder: Holder) -> None:
    badge.name, badge.latin_name = holder.name, holder.latin_name
    badge.affiliation, badge.function = holder.affiliation, holder.function
    badge.valid_from, badge.valid_until = holder.valid_from, holder.valid_until


def _holder_of(badge: Badge, forum: Forum) -> Holder | None:
    """What the badge's holder should have printed now; None for a hand-issued badge or a
    holder who no longer qualifies."""
    if badge.category in HAND_ISSUED:
        return None
    holders = eligible_holders(forum, of_badge=badge)
    return holders[0] if holders else None


def issue_missing(actor: User, forum: Forum, event: Event | None = None) -> list[Badge]:
    """A badge for everyone who should have one and has none yet (of ``event``, when given)."""
    require_organiser(actor, forum)
    require_not_archived(forum)
    lock_forum(forum)
    number = _next_number(forum)
    openers = zone_rules.openers(forum)
    key = signing.signing_key(forum)
    issued: list[Badge] = []
    for holder in holders_without_badge(forum, event):
        badge = Badge(
            forum_id=forum.id,
            number=number,
            category=holder.category,
            version=1,
            delegation_id=holder.member.delegation_id if holder.member else None,
            person_id=holder.member.person_id if holder.member else None,
            registration_id=holder.registration.id if holder.registration else None,
            zone_numbers=openers.zones_for(holder.category, holder.event_ids),
            signing_key_id=key.id,
            issued_by_id=actor.id,
        )
        _print(badge, holder)
        db.session.add(badge)
        issued.append(badge)
        number += 1
    db.session.flush()
    if issued:
        record(
            actor,
            "badges.issued",
            forum_id=forum.id,
            summary=_("%(count)d badges issued", count=len(issued)),
            after={"numbers": [badge.number for badge in issued]},
        )
    return issued


def issue_by_hand(
    actor: User, forum: Forum, *, category: BadgeCategory, name: str, affiliation: str, function: str
) -> Badge:
    """A badge for press, staff or security, who are not accredited in a delegation."""
    require_organiser(actor, forum)
    require_not_archived(forum)
    if category not in HAND_ISSUED:
        raise BadgeRefused(
            _("Delegates' and participants' badges come from accreditation and registration."), field="category"
        )
    name = name.strip()
    if not name:
        raise BadgeRefused(_("Give the holder's name."), field="name")
    lock_forum(forum)
    start, end = forum_validity(forum)
    badge = Badge(
        forum_id=forum.id,
        number=_next_number(forum),
        category=category,
        name=name,
        affiliation=affiliation.strip(),
        function=function.strip(),
        zone_numbers=zone_rules.openers(forum).zones_for(category, ()),
        signing_key_id=signing.signing_key(forum).id,
        valid_from=start,
        valid_until=end,
        issued_by_id=actor.id,
    )
    db.session.add(badge)
    db.session.flush()
    record(
        actor,
        "badge.issued",
        forum_id=forum.id,
        target=("badge", badge.id),
        summary=_("Badge %(number)s for %(name)s", number=badge.printed_number, name=name),
        after={"category": category.value},
    )
    return badge


def reprint(actor: User, badge: Badge, forum: Forum) -> Badge:
    """A new version of the badge, printed from what is stored now (name, delegation, zones,
    dates); every earlier version is refused from now on."""
    require_organiser(actor, forum)
    require_not_archived(forum)
    holder = _holder_of(badge, forum)
    if badge.category not in HAND_ISSUED:
        if holder is None:
            raise BadgeRefused(_("%(name)s no longer holds a right to a badge: it stays revoked.", name=badge.name))
        _print(badge, holder)
    event_ids = holder.event_ids if holder is not None else ()
    before = {"version": badge.version, "zones": list(badge.zone_numbers)}
    badge.version += 1
    badge.zone_numbers = zone_rules.openers(forum).zones_for(badge.category, event_ids)
    badge.revoked_at, badge.revoked_reason = None, ""
    badge.signing_key_id = signing.signing_key(forum).id
    badge.issued_at, badge.issued_by_id = utcnow(), actor.id
    db.session.flush()
    record(
        actor,
        "badge.reprinted",
        forum_id=forum.id,
        target=("badge", badge.id),
        summary=_("Badge %(number)s for %(name)s", number=badge.printed_number, name=badge.name),
        before=before,
        after={"version": badge.version, "zones": list(badge.zone_numbers)},
    )
    return badge


def revoke(actor: User, badge: Badge, forum: Forum, reason: str) -> None:
    """Every version of the badge is refused from now on (a lost badge, a holder sent away)."""
    require_organiser(actor, forum)
    require_not_archived(forum)
    if badge.is_revoked:
        raise BadgeRefused(_("Badge %(number)s is already revoked.", number=badge.printed_number))
    reason = reason.strip()
    if not reason:
        raise BadgeRefused(_("Say why the badge is revoked."), field="reason")
    if len(reason) > REASON_MAX:
        raise BadgeRefused(_("Keep the reason under %(count)d characters.", count=REASON_MAX), field="reason")
    badge.revoked_at, badge.revoked_reason = utcnow(), reason
    db.session.flush()
    record(
        actor,
        "badge.revoked",
        forum_id=forum.id,
        target=("badge", badge.id),
        summary=_("Badge %(number)s for %(name)s", number=badge.printed_number, name=badge.name),
        after={"version": badge.version, "reason": reason},
    )
