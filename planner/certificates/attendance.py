"""Who attended an event, for its organisers: the people who should hold its badges (accredited
delegates for the ministerial meeting, confirmed participants for a side or student event, as
``badges.issuing`` finds them), each with their first check-in at one of the event's doors and
the organisers' mark, if any; and marking someone present, or no longer.

A check-in counts for an event when it was at a zone the event opens (``ZoneEvent``) or the
scanner named the event. The list costs the same few queries however many attend."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from flask_babel import gettext as _
from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError

from planner.accounts.models import User
from planner.accounts.permissions import require_organiser
from planner.audit.services import record
from planner.badges import issuing
from planner.badges.models import Arrival, Badge, ZoneEvent
from planner.certificates.models import AttendanceMark, Certificate
from planner.db import current_time
from planner.delegations.names import delegation_name
from planner.extensions import db
from planner.forums.models import Event
from planner.forums.services import lock_forum, require_not_archived
from planner.refusals import Refused

if TYPE_CHECKING:
    from planner.delegations.models import Delegation

#: How the organisers' forms name an attendee: an account ("user-12") or a delegate ("person-34").
ATTENDEE_KEY = re.compile(r"(user|person)-([1-9][0-9]{0,9})")


class AttendanceError(Refused):
    """A mark the rules refuse, with a message for the organiser."""


@dataclass
class Attendee:
    key: str
    user_id: int | None
    person_id: int | None
    name: str
    email: str | None
    language: str | None  # the account's, for a registration; a delegate's is looked up by address
    checked_in_at: dt.datetime | None = None
    mark: AttendanceMark | None = None
    certificate: Certificate | None = None  # the one standing (not revoked), if any
    revoked: list[Certificate] = field(default_factory=list)
    delegation: Delegation | None = None  # for its name in the certificate's language
    organisation: str = ""

    @property
    def present(self) -> bool:
        return self.checked_in_at is not None or self.mark is not None

    def affiliation(self, language: str) -> str:
        if self.delegation is not None:
            return delegation_name(self.delegation, language)
        return self.organisation


def _holders(event: Event) -> dict[str, tuple[Attendee, tuple[int | None, int | None, int | None]]]:
    """The event's attendees by key, each with the badge's holder columns that would be theirs
    (delegation, person, registration)."""
    found: dict[str, tuple[Attendee, tuple[int | None, int | None, int | None]]] = {}
    for holder in issuing.eligible_holders(event.forum, event):
        if holder.member is not None:
            member = holder.member
            attendee = Attendee(
                key=f"person-{member.person_id}",
                user_id=None,
                person_id=member.person_id,
                name=member.person.name,
                email=member.person.email,
                language=None,
                delegation=member.delegation,
            )
            badge_holder: tuple[int | None, int | None, int | None] = (member.delegation_id, member.person_id, None)
        else:
            registration = holder.registration
            assert registration is not None
            attendee = Attendee(
                key=f"user-{registration.user_id}",
                user_id=registration.user_id,
                person_id=None,
                name=registration.user.name,
                email=registration.user.email if registration.user.deleted_at is None else None,
                language=registration.user.language,
                delegation=registration.delegation,
                organisation=registration.organisation,
            )
            badge_holder = (None, None, registration.id)
        found.setdefault(attendee.key, (attendee, badge_holder))
    return found


def attendees(actor: User, event: Event) -> list[Attendee]:
    """Everyone who should attend ``event``, by name: when they first checked in at its doors,
    the organisers' mark, the certificate issued that stands, if any, and those revoked."""
    require_organiser(actor, event.forum)
    holders = _holders(event)
    event_zones = select(ZoneEvent.zone_id).where(ZoneEvent.event_id == event.id)
    first_check_ins = db.session.execute(
        select(Badge.delegation_id, Badge.person_id, Badge.registration_id, func.min(Arrival.first_scanned_at))
        .join(Badge, Badge.id == Arrival.badge_id)
        .where(Arrival.forum_id == event.forum_id, or_(Arrival.zone_id.in_(event_zones), Arrival.event_id == event.id))
        .group_by(Badge.delegation_id, Badge.person_id, Badge.registration_id)
    ).all()
    by_badge_holder = {badge_holder: attendee for attendee, badge_holder in holders.values()}
    for delegation_id, person_id, registration_id, first in first_check_ins:
        if registration_id is not None:
            attendee = by_badge_holder.get((None, None, registration_id))
        else:
            attendee = by_badge_holder.get((delegation_id, person_id, None))
        if attendee is not None:
            attendee.checked_in_at = first
    by_key = {key: attendee for key, (attendee, _holder) in holders.items()}
    for mark in db.session.scalars(select(AttendanceMark).where(AttendanceMark.event_id == event.id)):
        key = f"user-{mark.user_id}" if mark.user_id is not None else f"person-{mark.person_id}"
        if key in by_key:
            by_key[key].mark = mark
    certificates = select(Certificate).where(Certificate.event_id == event.id).order_by(Certificate.id)
    for certificate in db.session.scalars(certificates):
        key = f"user-{certificate.user_id}" if certificate.user_id is not None else f"person-{certificate.person_id}"
        if key in by_key:
            if certificate.revoked_at is None:
                by_key[key].certificate = certificate
            else:
                by_key[key].revoked.append(certificate)
    return sorted(by_key.values(), key=lambda a: (a.name.casefold(), a.key))


def _attendee(actor: User, event: Event, key: str) -> Attendee:
    found = next((a for a in attendees(actor, event) if a.key == key), None) if ATTENDEE_KEY.fullmatch(key) else None
    if found is None:
        raise AttendanceError(
            _("%(event)s has no such participant: choose someone from its list.", event=event.code), field="attendee"
        )
    return found


def require_started(event: Event) -> None:
    """Refuse, for an event still ahead by the app's clock (``planner.db.current_time``): nobody
    can have attended it (a mark made on the wrong event's list, or before the event was moved
    later, would certify what did not happen)."""
    if event.starts_at > current_time():
        raise AttendanceError(
            _("%(event)s has not started yet: nobody can have attended it.", event=event.code), field="attendee"
        )


def mark_present(actor: User, event: Event, key: str) -> Attendee:
    """Record that a participant of the event attended (for those no scanner saw), once it has started."""
    require_organiser(actor, event.forum)
    require_not_archived(event.forum)
    require_started(event)
    attendee = _attendee(actor, event, key)
    already = AttendanceError(_("%(name)s is marked present already.", name=attendee.name), field="attendee")
    if attendee.mark is not None:
        raise already
    mark = AttendanceMark(
        event_id=event.id, user_id=attendee.user_id, person_id=attendee.person_id, marked_by_id=actor.id
    )
    try:
        with db.session.begin_nested():
            db.session.add(mark)
            db.session.flush()
    except IntegrityError:
        raise already from None  # marked at this very moment by another organiser
    attendee.mark = mark
    record(
        actor,
        "attendance.marked",
        forum_id=event.forum_id,
        target=("event", event.id),
        summary=_("%(name)s marked present at %(event)s", name=attendee.name, event=event.code),
        after={"attendee": attendee.key},
    )
    return attendee


def unmark_present(actor: User, event: Event, key: str) -> Attendee:
    """Take back an organiser's mark; not while it is all that stands behind a certificate not
    revoked (a check-in at the doors also does): that is revoked first."""
    require_organiser(actor, event.forum)
    require_not_archived(event.forum)
    lock_forum(event.forum)  # certificates being sent at this moment: wait for them, then see them
    attendee = _attendee(actor, event, key)
    if attendee.mark is None:
        raise AttendanceError(
            _("%(name)s is not marked present: there is nothing to take back.", name=attendee.name), field="attendee"
        )
    if attendee.certificate is not None and attendee.checked_in_at is None:
        raise AttendanceError(
            _(
                "%(name)s holds certificate %(reference)s of %(event)s: revoke the certificate first.",
                name=attendee.name,
                reference=attendee.certificate.reference,
                event=event.code,
            ),
            field="attendee",
        )
    db.session.delete(attendee.mark)
    db.session.flush()
    attendee.mark = None
    record(
        actor,
        "attendance.unmarked",
        forum_id=event.forum_id,
        target=("event", event.id),
        summary=_("%(name)s no longer marked present at %(event)s", name=attendee.name, event=event.code),
        before={"attendee": attendee.key},
    )
    return attendee
