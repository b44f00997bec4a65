"""A guardian answers a minor's application through the emailed link; reminders and expiry.

Rules enforced here, for every entry point:
- a link works while its application awaits consent, for ``CONSENT_DAYS`` after it was
  asked, and only the newest link of the application; the guardian needs no account;
- consent lets the application go on as an adult's would have (``services.proceed_with_consent``);
  a refusal, or no answer in time, cancels it and its kept seat goes to the waiting list;
- the guardian is reminded at most once every ``CONSENT_REMINDER_DAYS``, however often the
  command runs;
- the guardian's answer and every expiry are in the audit log.
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import or_, select, update
from sqlalchemy.orm import joinedload

from planner import counters
from planner.audit.services import record
from planner.db import table_of, utcnow
from planner.extensions import db
from planner.forums.models import Event
from planner.registration import guardians, services
from planner.registration.guardians import ConsentLinkInvalid
from planner.registration.models import Question, Registration
from planner.registration.models import RegistrationStatus as Status

_registrations = table_of(Registration)

__all__ = ["ConsentLinkInvalid", "Decision", "application_for_link", "decide", "send_reminders"]


class Decision(enum.StrEnum):
    GIVE = "give"
    REFUSE = "refuse"


@dataclass
class ConsentRequest:
    """What the guardian sees: the application and the questions it answered."""

    registration: Registration
    questions: list[Question]
    deadline: dt.datetime


def application_for_link(token: str, now: dt.datetime | None = None) -> ConsentRequest:
    """The application a guardian's link names, while it awaits their answer; else
    ``ConsentLinkInvalid`` saying why (damaged, too old, answered, replaced)."""
    now = now or utcnow()
    registration_id, asked = guardians.read_link(token)
    registration = db.session.scalar(
        select(Registration)
        .where(Registration.id == registration_id)
        .options(joinedload(Registration.user), joinedload(Registration.event).joinedload(Event.forum))
    )
    if registration is None:
        raise ConsentLinkInvalid(_("This application no longer exists: there is nothing to consent to."))
    if not guardians.matches(registration, asked):
        raise ConsentLinkInvalid(
            _("This consent link was replaced by a newer one: use the link in the latest email about this application.")
        )
    if registration.status is not Status.AWAITING_CONSENT:
        if registration.guardian_consent:
            raise ConsentLinkInvalid(_("This consent link was used already: consent was given. Thank you."))
        raise ConsentLinkInvalid(
            _("This consent link can no longer be used: the application was refused, withdrawn or has expired.")
        )
    deadline = guardians.deadline_of(registration)
    assert deadline is not None, "an application awaiting consent was asked for it"
    if now >= deadline:
        raise ConsentLinkInvalid(
            _(
                "This consent link has expired: the application waited %(days)d days for an answer. "
                "The applicant can apply again.",
                days=guardians.wait().days,
            )
        )
    return ConsentRequest(registration, services.questions_of(registration.event), deadline)


def decide(token: str, decision: Decision, now: dt.datetime | None = None) -> Registration:
    """Record the guardian's answer to the application the link names."""
    now = now or utcnow()
    registration = application_for_link(token, now).registration
    if decision is Decision.GIVE:
        done = services.proceed_with_consent(registration)
    else:
        done = services.end_waiting_for_consent(registration, "consent_refused", now)
    if not done:  # the other answer, or the applicant, came first
        raise ConsentLinkInvalid(_("This application was answered or withdrawn meanwhile: nothing was changed."))
    event, name = registration.event, registration.user.name
    record(
        None,
        "registration.consent_given" if decision is Decision.GIVE else "registration.consent_refused",
        forum_id=event.forum_id,
        target=("registration", registration.id),
        summary=(
            _("The guardian of %(name)s consented to %(event)s", name=name, event=event.code)
            if decision is Decision.GIVE
            else _("The guardian of %(name)s refused consent to %(event)s", name=name, event=event.code)
        ),
        before={"status": Status.AWAITING_CONSENT.value},
        after={"status": registration.status.value, "guardian": registration.guardian_email},
    )
    return registration


@dataclass
class ReminderReport:
    reminded: int = 0
    expired: int = 0


def send_reminders(now: dt.datetime | None = None) -> ReminderReport:
    """Remind the guardians whose answer is due (at most once per interval) and end the
    applications whose wait is over, freeing their seats."""
    now = now or utcnow()
    report = ReminderReport()
    waiting = db.session.scalars(
        select(Registration)
        .where(Registration.status == Status.AWAITING_CONSENT)
        .options(joinedload(Registration.user), joinedload(Registration.event).joinedload(Event.forum))
        .order_by(Registration.consent_requested_at, Registration.id)
    ).all()
    for registration in waiting:
        deadline = guardians.deadline_of(registration)
        if deadline is None or now >= deadline:
            if _expire(registration, now):
                report.expired += 1
        elif _claim_reminder(registration, now):
            guardians.ask(registration, reminder=True)
            report.reminded += 1
    return report


def _claim_reminder(registration: Registration, now: dt.datetime) -> bool:
    """Mark the reminder as sent if one is due: one conditional UPDATE, so that two runs at
    once (or a run repeated within the interval) send one reminder, not two."""
    due_before = now - guardians.reminder_interval()
    columns = _registrations.c
    claimed = counters.changed(
        update(_registrations)
        .where(
            columns.id == registration.id,
            columns.status == Status.AWAITING_CONSENT.value,
            columns.consent_requested_at <= due_before,
            or_(columns.consent_reminded_at.is_(None), columns.consent_reminded_at <= due_before),
        )
        .values(consent_reminded_at=now)
    )
    if claimed:
        db.session.refresh(registration)
    return claimed


def _expire(registration: Registration, now: dt.datetime) -> bool:
    if not services.end_waiting_for_consent(registration, "consent_expired", now):
        return False
    record(
        None,
        "registration.consent_expired",
        forum_id=registration.event.forum_id,
        target=("registration", registration.id),
        summary=_(
            "%(name)s's application to %(event)s ended without a guardian's answer",
            name=registration.user.name,
            event=registration.event.code,
        ),
        before={"status": Status.AWAITING_CONSENT.value},
        after={"status": registration.status.value},
    )
    return True
