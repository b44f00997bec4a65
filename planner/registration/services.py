"""Applying to events, deciding on applications, and the waiting list.

Rules enforced here, for every entry point:
- one registration per person and event, however often the form is sent;
- a seat is taken only through ``seats`` (atomic), so capacity holds under load;
- the waiting list is served in order of application, and only while registration is
  open and the event has not started;
- every decision by an organiser is in the audit log, every change of status is emailed;
- a minor's application waits for their guardian's consent (``guardians``, ``consent``),
  keeping the seat it took.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass
from typing import Any

from flask import url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import Select, bindparam, select
from sqlalchemy.orm import contains_eager, joinedload, load_only

from planner.accounts.models import User
from planner.accounts.permissions import require_organiser
from planner.accounts.services import account_deleting
from planner.audit.services import record
from planner.calendar import invites
from planner.db import utcnow
from planner.delegations.models import Delegation
from planner.extensions import db
from planner.forums.models import Event, Forum
from planner.mail.services import message_values, message_variant, queue_email, written_in
from planner.refusals import Refused
from planner.registration import agenda, guardians, seats
from planner.registration.eligibility import (
    Application,
    RegistrationRefused,
    check_answers,
    check_eligibility,
    check_window,
)
from planner.registration.models import (
    Question,
    Registration,
    RegistrationMode,
    RegistrationPolicy,
)
from planner.registration.models import (
    RegistrationStatus as Status,
)
from planner.translated import localized

ACTIVE = {Status.PENDING, Status.CONFIRMED, Status.WAITLISTED, Status.AWAITING_CONSENT}


class RegistrationError(Refused):
    """A refused organiser action, with a message for them."""


def policy_of(event: Event) -> RegistrationPolicy | None:
    return db.session.get(RegistrationPolicy, event.id)


def questions_of(event: Event) -> list[Question]:
    return list(
        db.session.scalars(
            select(Question).where(Question.event_id == event.id).order_by(Question.position, Question.id)
        )
    )


def closed_because(policy: RegistrationPolicy, now: dt.datetime | None = None) -> str | None:
    """Why the event takes no applications now, or None while it does."""
    try:
        check_window(policy, now or utcnow())
    except RegistrationRefused as refusal:
        return str(refusal)
    return None


@dataclass
class ApplicationContext:
    event: Event
    policy: RegistrationPolicy | None
    questions: list[Question]
    registration: Registration | None  # the applicant's, if they have one


def application_context(slug: str, code: str, user: User) -> ApplicationContext | None:
    """The event of forum ``slug`` with ``code``, with its forum, venue, registration policy,
    questions and ``user``'s registration: what every application needs, in one query (a row
    per question; a rush of applicants should not wait on several round trips)."""
    rows = db.session.execute(_application_query(), {"slug": slug, "code": code.upper(), "user_id": user.id}).all()
    if not rows:
        return None
    event, policy, registration, _question = rows[0]
    return ApplicationContext(event, policy, [row[3] for row in rows if row[3] is not None], registration)


@functools.cache
def _application_query() -> Select[Event, RegistrationPolicy, Registration, Question]:
    """Built once: applications are the busiest write, and building and keying this select
    per request took as long as running it."""
    return (
        select(Event, RegistrationPolicy, Registration, Question)
        .join(Event.forum)
        .outerjoin(RegistrationPolicy, RegistrationPolicy.event_id == Event.id)
        .outerjoin(Registration, (Registration.event_id == Event.id) & (Registration.user_id == bindparam("user_id")))
        .outerjoin(Question, Question.event_id == Event.id)
        .where(Forum.slug == bindparam("slug"), Event.code == bindparam("code"))
        # Of the forum and the applicant's registration, what an application reads (the
        # rest is loaded if asked for): every column is work for every applicant in a rush.
        .options(
            contains_eager(Event.forum).load_only(
                Forum.id, Forum.slug, Forum.name, Forum.timezone, Forum.updated_at, Forum.age_of_majority
            ),
            load_only(Registration.id, Registration.status),
            joinedload(Event.venue),
        )
        .order_by(Question.position, Question.id)
    )


def registration_of(user: User, event: Event) -> Registration | None:
    return db.session.scalar(
        select(Registration).where(Registration.event_id == event.id, Registration.user_id == user.id)
    )


#: The subject of each registration email; only the one sent is translated.
_SUBJECTS = {
    "received": lambda event: _("We received your application for %(event)s", event=event),
    "confirmed": lambda event: _("Your place at %(event)s is confirmed", event=event),
    "waitlisted": lambda event: _("You are on the waiting list for %(event)s", event=event),
    "promoted": lambda event: _("A place at %(event)s is now yours", event=event),
    "declined": lambda event: _("Your application for %(event)s was declined", event=event),
    "cancelled": lambda event: _("Your registration for %(event)s is cancelled", event=event),
    "awaiting_consent": lambda event: _(
        "Your application for %(event)s waits for your guardian's consent", event=event
    ),
    "consent_refused": lambda event: _("Your guardian did not consent to %(event)s", event=event),
    "consent_expired": lambda event: _(
        "Your application for %(event)s ended without your guardian's answer", event=event
    ),
}


def _notify(registration: Registration, what: str, held_seat: bool = False) -> None:
    """Email the applicant about ``what`` happened, in their language (subject included),
    with a calendar invitation (REQUEST) when the place is confirmed and its CANCEL when a
    confirmed registration (``held_seat``) ends."""
    user, event = registration.user, registration.event
    with written_in(user.language):
        queue_email(**_mail_arguments(user, event, what, held_seat))


def _outcome_mail(user: User, event: Event) -> dict[Status, dict[str, Any]]:
    """The outbox row of the email for either outcome of taking a seat (confirmed or
    waitlisted): ``seats`` writes the one that applies with the registration."""
    with written_in(user.language):
        confirmed = message_values(**_mail_arguments(user, event, "confirmed"))
        waitlisted = message_variant(
            confirmed, "registration/waitlisted", subject=_SUBJECTS["waitlisted"](localized(event, "title"))
        )
    return {Status.CONFIRMED: confirmed, Status.WAITLISTED: waitlisted}


def _mail_arguments(user: User, event: Event, what: str, held_seat: bool = False) -> dict[str, Any]:
    """``queue_email``'s arguments for the email about ``what`` happened to ``user``'s
    registration for ``event``, in the current language. The bodies are rendered by the
    sender, in the same language: a rush of applications should not spend its time on templates."""
    return dict(
        to=user.email,
        template=f"registration/{what}",
        subject=_SUBJECTS[what](localized(event, "title")),
        forum_id=event.forum_id,
        attachment=invites.registration_attachment(user, event, what, held_seat),
        render_later=True,
        name=user.name,
        event=localized(event, "title"),
        forum=event.forum.name,
        link=url_for("registration.my_registrations", _external=True),
    )


#: ``apply``'s ``existing`` when the caller has not looked the registration up.
UNKNOWN: Any = object()


def apply(
    user: User,
    event: Event,
    application: Application,
    now: dt.datetime | None = None,
    questions: list[Question] | None = None,
    existing: Registration | None = UNKNOWN,
) -> Registration:
    """Register ``user`` for ``event``: confirmed, pending approval or waitlisted, or
    ``RegistrationRefused`` naming the rule that failed. ``questions`` and ``existing`` (the
    user's registration for the event, or None): what the caller has read already."""
    now = now or utcnow()
    policy = policy_of(event)
    if policy is None:
        raise RegistrationRefused(_("This event does not take registrations."))
    if policy.mode is RegistrationMode.NOMINATION:
        raise RegistrationRefused(_("Places at this meeting are by nomination: ask your delegation's focal point."))
    if existing is UNKNOWN:
        existing = registration_of(user, event)
    if existing is not None and existing.status in ACTIVE:
        return existing  # sent twice: still one registration
    if existing is not None and existing.status is Status.DECLINED:
        raise RegistrationRefused(_("The organisers declined your application for this event."))
    check_window(policy, now)
    check_eligibility(policy, event, application)
    if application.delegation_id is not None:
        delegation = db.session.get(Delegation, application.delegation_id)
        if delegation is None or delegation.forum_id != event.forum_id:
            raise RegistrationRefused(_("Choose one of this forum's delegations, or none."))
    answers = check_answers(questions if questions is not None else questions_of(event), application.answers)
    minor = guardians.needs_consent(policy, event, application.date_of_birth)
    if minor and application.guardian_email.strip().lower() == user.email.lower():
        raise RegistrationRefused(_("Give your parent or guardian's email address, not your own."))

    details = dict(
        applied_at=now,
        decided_at=None,
        delegation_id=application.delegation_id,
        date_of_birth=application.date_of_birth,
        organisation=application.organisation.strip(),
        country_code=application.country_code,
        # Only a minor's guardian is kept: an adult is never asked for one.
        guardian_name=application.guardian_name.strip() if minor else "",
        guardian_email=application.guardian_email.strip() if minor else "",
        guardian_consent=False,
        consent_requested_at=now if minor else None,
        consent_reminded_at=None,
        seat_kept_for_consent=False,
        answers=answers,
    )
    if minor:
        return _await_consent(user, event, policy, existing, details)
    if existing is not None:
        # Someone coming back after cancelling (they join the end of the line): re-activate
        # the row only if this request is the one that moves it out of CANCELLED, so that
        # sending the form twice at once cannot take two seats for one registration.
        if not seats.move_registration(existing.id, {Status.CANCELLED}, Status.PENDING):
            db.session.refresh(existing)
            return existing
        db.session.refresh(existing)
        for name, value in details.items():
            setattr(existing, name, value)
        registration = existing
        registration.status = _place_for(policy, event)
    else:
        # The place is decided first, then the row is inserted unless one exists already: in
        # the same transaction, so a concurrent duplicate's seat is never visible to others.
        values = dict(event_id=event.id, user_id=user.id, **details)
        # Without approval, the email goes into the outbox with the row and its seat (one
        # statement on PostgreSQL: the busiest write planner has).
        mail = None if policy.approval_required else _outcome_mail(user, event)
        if mail is None:
            inserted, took_seat = seats.insert_registration({**values, "status": Status.PENDING}), False
        else:
            inserted, took_seat = seats.insert_registration_taking_seat(values, mail=mail)
        if inserted is None:  # the same person's other request won
            if took_seat:
                seats.release_event_seat(event.id)
            concurrent = registration_of(user, event)
            if concurrent is None:  # cannot happen: the conflict was with this very row
                raise RuntimeError("a registration conflicted but cannot be read")
            return concurrent
        registration = inserted
        if mail is not None:
            return registration
    _notify(
        registration,
        {Status.PENDING: "received", Status.CONFIRMED: "confirmed", Status.WAITLISTED: "waitlisted"}[
            registration.status
        ],
    )
    db.session.flush()
    return registration


def _await_consent(
    user: User, event: Event, policy: RegistrationPolicy, existing: Registration | None, details: dict[str, Any]
) -> Registration:
    """A minor's application: it waits for the guardian's answer, keeping a seat if the event
    needs no approval and one is free, and the guardian is emailed the link to answer."""
    kept = not policy.approval_required and seats.take_event_seat(event.id)
    details = {**details, "seat_kept_for_consent": kept}
    if existing is not None:
        # As for anyone coming back: only the request that moves the row out of CANCELLED.
        if not seats.move_registration(existing.id, {Status.CANCELLED}, Status.AWAITING_CONSENT):
            if kept:
                seats.release_event_seat(event.id)
            db.session.refresh(existing)
            return existing
        db.session.refresh(existing)
        for name, value in details.items():
            setattr(existing, name, value)
        registration = existing
    else:
        inserted = seats.insert_registration(
            {**details, "event_id": event.id, "user_id": user.id, "status": Status.AWAITING_CONSENT}
        )
        if inserted is None:  # the same person's other request won
            if kept:
                seats.release_event_seat(event.id)
            concurrent = registration_of(user, event)
            if concurrent is None:
                raise RuntimeError("a registration conflicted but cannot be read")
            return concurrent
        registration = inserted
    db.session.flush()
    guardians.ask(registration)
    _notify(registration, "awaiting_consent")
    return registration


def _place_for(policy: RegistrationPolicy, event: Event) -> Status:
    """Pending if organisers approve; else confirmed, taking a seat, or waitlisted."""
    if policy.approval_required:
        return Status.PENDING
    return Status.CONFIRMED if seats.take_event_seat(event.id) else Status.WAITLISTED


def _reload(registration: Registration) -> Registration:
    db.session.refresh(registration)
    return registration


def cancel_own(user: User, registration: Registration, now: dt.datetime | None = None) -> None:
    """A delegate cancels their registration; a seat they held goes to the waiting list."""
    if registration.user_id != user.id:
        raise RegistrationError(_("This is not your registration."))
    _cancel(registration, now)


@dataclass(frozen=True)
class Ended:
    freed_seat: bool  # a seat went back to the event: serve the waiting list
    was_confirmed: bool  # the place was in the person's calendar: send its CANCEL


def _end(registration: Registration, to: Status) -> Ended:
    """Move an active registration to ``to``, freeing the seat it held. Decided by the
    database, not by the status loaded earlier: if someone else confirmed or promoted the
    person meanwhile, their seat is still given back."""
    if seats.move_registration(registration.id, {Status.CONFIRMED}, to):
        seats.release_event_seat(registration.event_id)
        ended = Ended(freed_seat=True, was_confirmed=True)
    elif seats.move_registration(registration.id, {Status.AWAITING_CONSENT}, to, seat_kept=True):
        seats.release_event_seat(registration.event_id)
        ended = Ended(freed_seat=True, was_confirmed=False)
    elif seats.move_registration(registration.id, {Status.PENDING, Status.WAITLISTED, Status.AWAITING_CONSENT}, to):
        ended = Ended(freed_seat=False, was_confirmed=False)
    else:
        raise RegistrationError(_("This registration is no longer active."))
    _reload(registration)
    return ended


def end_waiting_for_consent(registration: Registration, what: str, now: dt.datetime | None = None) -> bool:
    """End an application awaiting consent (the guardian refused, or the wait is over): its
    kept seat goes to the waiting list and the applicant is told ``what`` happened. False if
    it no longer awaited consent (answered meanwhile)."""
    if not seats.move_registration(registration.id, {Status.AWAITING_CONSENT}, Status.CANCELLED, seat_kept=True):
        if not seats.move_registration(registration.id, {Status.AWAITING_CONSENT}, Status.CANCELLED, seat_kept=False):
            return False
        freed_seat = False
    else:
        seats.release_event_seat(registration.event_id)
        freed_seat = True
    _notify(_reload(registration), what)
    if freed_seat:
        promote_waitlisted(registration.event, now)
    return True


def proceed_with_consent(registration: Registration) -> bool:
    """The guardian consented: the application goes on as an adult's would have, confirmed
    with the seat it kept, else pending approval, confirmed or waitlisted. False if it no
    longer awaited consent."""
    policy = policy_of(registration.event)
    if registration.seat_kept_for_consent:
        to, what = Status.CONFIRMED, "confirmed"
    elif policy is not None and policy.approval_required:
        to, what = Status.PENDING, "received"
    elif seats.take_event_seat(registration.event_id):
        to, what = Status.CONFIRMED, "confirmed"
    else:
        to, what = Status.WAITLISTED, "waitlisted"
    if not seats.move_registration(
        registration.id, {Status.AWAITING_CONSENT}, to, seat_kept=registration.seat_kept_for_consent
    ):
        if to is Status.CONFIRMED and not registration.seat_kept_for_consent:
            seats.release_event_seat(registration.event_id)
        return False
    registration = _reload(registration)
    registration.guardian_consent = True
    db.session.flush()
    _notify(registration, what)
    return True


def _cancel(registration: Registration, now: dt.datetime | None, notify: bool = True) -> None:
    ended = _end(registration, Status.CANCELLED)
    if notify:
        _notify(registration, "cancelled", ended.was_confirmed)
    if ended.was_confirmed:
        if notify:
            invites.registration_ended(registration, now)
        agenda.leave_event(registration)
    if ended.freed_seat:
        promote_waitlisted(registration.event, now)


@account_deleting.connect
def _cancel_registrations_of_deleted(user: User, **_: object) -> None:
    cancel_all_of(user)


def cancel_all_of(user: User, now: dt.datetime | None = None) -> int:
    """Cancel every active registration of someone deleting their account; their seats go
    to the waiting lists. No email: the address is about to be erased."""
    registrations = db.session.scalars(
        select(Registration).where(Registration.user_id == user.id, Registration.status.in_(ACTIVE))
    ).all()
    for registration in registrations:
        _cancel(registration, now, notify=False)
    return len(registrations)


def promote_waitlisted(event: Event, now: dt.datetime | None = None) -> list[Registration]:
    """Give free seats to the waiting list in order of application, unless registration
    has closed or the event has begun."""
    now = now or utcnow()
    policy = policy_of(event)
    if policy is None or now >= event.starts_at or (policy.closes_at and now >= policy.closes_at):
        return []
    promoted: list[Registration] = []
    while seats.take_event_seat(event.id):
        winner = _claim_first_waiting(event)
        if winner is None:
            seats.release_event_seat(event.id)  # nobody waiting: the seat stays free
            break
        claimed = db.session.get(Registration, winner)
        assert claimed is not None, "the registration just claimed exists"
        registration = _reload(claimed)
        _notify(registration, "promoted")
        promoted.append(registration)
    return promoted


def _claim_first_waiting(event: Event) -> int | None:
    """Confirm the first person in line that nobody else confirmed meanwhile."""
    while True:
        candidates = db.session.scalars(
            select(Registration.id)
            .where(Registration.event_id == event.id, Registration.status == Status.WAITLISTED)
            .order_by(Registration.applied_at, Registration.id)
            .limit(20)
        ).all()
        if not candidates:
            return None
        for candidate in candidates:
            if seats.move_registration(candidate, {Status.WAITLISTED}, Status.CONFIRMED):
                return candidate


def approve(organiser: User, registration: Registration, now: dt.datetime | None = None) -> Registration:
    """Approve a pending application: confirmed if a seat is free, else waitlisted."""
    event = registration.event
    require_organiser(organiser, event.forum)
    if registration.status is not Status.PENDING:
        raise RegistrationError(_("Only pending applications can be approved."))
    # Late approvals after registration closes are the organisers' call; after the start, no.
    if (now or utcnow()) >= event.starts_at:
        raise RegistrationError(_("The event has started: applications can no longer be approved."))
    if seats.take_event_seat(event.id):
        if not seats.move_registration(registration.id, {Status.PENDING}, Status.CONFIRMED):
            seats.release_event_seat(event.id)
            raise RegistrationError(_("This application was changed meanwhile; reload the page."))
        what = "confirmed"
    else:
        if not seats.move_registration(registration.id, {Status.PENDING}, Status.WAITLISTED):
            raise RegistrationError(_("This application was changed meanwhile; reload the page."))
        what = "waitlisted"
    _reload(registration)
    record(
        organiser,
        f"registration.{'approved' if what == 'confirmed' else 'approved_waitlisted'}",
        forum_id=event.forum_id,
        target=("registration", registration.id),
        summary=_("%(name)s approved for %(event)s", name=registration.user.name, event=event.code),
        before={"status": "pending"},
        after={"status": registration.status.value},
    )
    _notify(registration, what)
    return registration


def decline(organiser: User, registration: Registration, now: dt.datetime | None = None) -> Registration:
    event = registration.event
    require_organiser(organiser, event.forum)
    before = registration.status
    ended = _end(registration, Status.DECLINED)
    record(
        organiser,
        "registration.declined",
        forum_id=event.forum_id,
        target=("registration", registration.id),
        summary=_("%(name)s declined for %(event)s", name=registration.user.name, event=event.code),
        before={"status": before.value},
        after={"status": "declined"},
    )
    _notify(registration, "declined", ended.was_confirmed)
    if ended.was_confirmed:
        invites.registration_ended(registration, now)
        agenda.leave_event(registration)
    if ended.freed_seat:
        promote_waitlisted(event, now)
    return registration


def cancel_by_organiser(organiser: User, registration: Registration, now: dt.datetime | None = None) -> None:
    require_organiser(organiser, registration.event.forum)
    before = registration.status
    _cancel(registration, now)
    record(
        organiser,
        "registration.cancelled",
        forum_id=registration.event.forum_id,
        target=("registration", registration.id),
        summary=_("%(name)s cancelled for %(event)s", name=registration.user.name, event=registration.event.code),
        before={"status": before.value},
        after={"status": "cancelled"},
    )


def change_capacity(
    organiser: User, event: Event, capacity: int | None, now: dt.datetime | None = None
) -> list[Registration]:
    """Raise or lower the capacity; never below the seats already taken. Raising it
    serves the waiting list."""
    require_organiser(organiser, event.forum)
    policy = policy_of(event)
    if policy is None:
        raise RegistrationError(_("This event does not take registrations."))
    if capacity is not None and capacity < 1:
        raise RegistrationError(_("The capacity must be at least 1, or empty for no limit."))
    before = policy.capacity
    if capacity == before:
        return []
    db.session.flush()  # the refreshes below must not drop a caller's pending changes
    if not seats.set_capacity(event.id, capacity):
        db.session.refresh(policy)
        raise RegistrationError(
            ngettext(
                "%(num)d seat is taken: cancel or decline registrations before lowering the capacity below that.",
                "%(num)d seats are taken: cancel or decline registrations before lowering the capacity below that.",
                policy.seats_taken,
            )
        )
    db.session.refresh(policy)
    record(
        organiser,
        "registration.capacity_changed",
        forum_id=event.forum_id,
        target=("event", event.id),
        summary=_("Capacity of %(event)s changed", event=event.code),
        before={"capacity": before},
        after={"capacity": capacity},
    )
    return promote_waitlisted(event, now)
