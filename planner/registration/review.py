"""What the organisers' registration pages read and do: the filtered list, fill levels,
decisions on many applications at once, and the CSV export for badge printing.

Counts come from GROUP BY queries, so a page costs the same few queries however many
people registered. Decisions go through ``services``, which check permissions, log and
email; nothing here commits.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import Select, func, select
from sqlalchemy.orm import contains_eager, joinedload

from planner.accounts.models import User
from planner.db import MAX_ID
from planner.delegations.models import Delegation
from planner.extensions import db
from planner.forums.models import Event, Forum
from planner.registration import answers, services
from planner.registration.eligibility import age_on
from planner.registration.models import Registration, RegistrationPolicy
from planner.registration.models import RegistrationStatus as Status
from planner.spreadsheet_cells import cell

# More rows than an organiser can read; filters narrow the list below it.
LIST_LIMIT = 1000
# One form post decides at most this many applications.
BULK_LIMIT = 500
BULK_ACTIONS = ("approve", "decline")
# What organisers can still decide on (approve, decline, cancel); one awaiting its guardian's
# consent can be declined or cancelled, and is approved only after the consent.
DECIDABLE = frozenset({Status.PENDING, Status.CONFIRMED, Status.WAITLISTED, Status.AWAITING_CONSENT})
CSV_COLUMNS = ("name", "email", "organisation", "delegation", "country", "event_code", "status", "registration_id")


def row_id(text: str) -> int | None:
    """``text`` as a database id, or None: plain digits within the 32 bits ids have."""
    text = text.strip()
    if not (text.isascii() and text.isdigit() and len(text) <= 10) or int(text) > MAX_ID:
        return None
    return int(text)


@dataclass(frozen=True)
class RegistrationFilter:
    event_code: str = ""
    status: Status | None = None
    delegation_id: int | None = None
    country_code: str = ""
    answer: answers.AnswerFilter | None = None

    def as_args(self) -> dict[str, str]:
        """The query arguments that show this selection again."""
        args = {
            "event": self.event_code,
            "status": self.status.value if self.status else "",
            "delegation": str(self.delegation_id or ""),
            "country": self.country_code,
            "answer": self.answer.as_arg() if self.answer else "",
        }
        return {name: value for name, value in args.items() if value}


FILTER_ARGS = ("event", "status", "delegation", "country", "answer")


def filter_from(
    args: Mapping[str, str],
    events: Iterable[Event],
    delegations: Iterable[Delegation],
    questions: answers.ForumQuestions | None = None,
) -> tuple[RegistrationFilter, list[str]]:
    """The filter the query arguments ask for, and what was wrong with them (those parts are
    dropped). ``questions``: the forum's, to filter by an answer to one of them."""
    errors: list[str] = []
    code = args.get("event", "").strip().upper()[:32]
    if code and code not in {e.code for e in events}:
        errors.append(_("This forum has no event with the code %(code)s.", code=code))
        code = ""
    status = None
    if value := args.get("status", "").strip():
        try:
            status = Status(value)
        except ValueError:
            errors.append(_("There is no registration status %(status)s.", status=value[:32]))
    delegation_id = None
    if value := args.get("delegation", "").strip():
        delegation_id = row_id(value)
        if delegation_id not in {d.id for d in delegations}:
            delegation_id = None
            errors.append(_("This forum has no such delegation."))
    country = args.get("country", "").strip().upper()
    if country and not (len(country) == 2 and country.isascii() and country.isalpha()):
        errors.append(_("Countries are chosen by their two-letter ISO code, like JP."))
        country = ""
    answer = None
    if questions is not None:
        try:
            answer = answers.answer_filter_from(args.get("answer", ""), questions)
        except answers.AnswerFilterRefused as refusal:
            errors.append(str(refusal))
    return RegistrationFilter(code, status, delegation_id, country, answer), errors


def _registrations_query(forum: Forum, filters: RegistrationFilter) -> Select[Registration]:
    query = (
        select(Registration)
        .join(Registration.event)
        .where(Event.forum_id == forum.id)
        .options(contains_eager(Registration.event), joinedload(Registration.user), joinedload(Registration.delegation))
        # The waiting list is served in this order, so the list shows it.
        .order_by(Registration.applied_at, Registration.id)
    )
    return narrowed(query, filters)


def narrowed(query: Select[Any], filters: RegistrationFilter) -> Select[Any]:
    """``query``, of registrations joined to their events, narrowed to those ``filters``
    choose: the list's own selection, also used for the people an announcement goes to."""
    if filters.event_code:
        query = query.where(Event.code == filters.event_code)
    if filters.status is not None:
        query = query.where(Registration.status == filters.status)
    if filters.delegation_id is not None:
        query = query.where(Registration.delegation_id == filters.delegation_id)
    if filters.country_code:
        query = query.where(Registration.country_code == filters.country_code)
    if filters.answer is not None:
        query = answers.matching(query, filters.answer)
    return query


def age_at_event(registration: Registration) -> int | None:
    """The applicant's age on the event's first day in the forum's timezone, as the age limits count it."""
    if registration.date_of_birth is None:
        return None
    event = registration.event
    return age_on(event.starts_at.astimezone(event.forum.zone).date(), registration.date_of_birth)


@dataclass(frozen=True)
class RegistrationList:
    registrations: list[Registration]
    truncated: bool  # more matched than LIST_LIMIT


def registrations_for(forum: Forum, filters: RegistrationFilter, limit: int = LIST_LIMIT) -> RegistrationList:
    """The forum's registrations matching ``filters``, in order of application."""
    rows = list(db.session.scalars(_registrations_query(forum, filters).limit(limit + 1)))
    return RegistrationList(rows[:limit], truncated=len(rows) > limit)


@dataclass
class StatusCounts:
    pending: int = 0
    confirmed: int = 0
    waitlisted: int = 0
    declined: int = 0
    cancelled: int = 0
    awaiting_consent: int = 0

    def add(self, status: Status, count: int) -> None:
        setattr(self, status.value, getattr(self, status.value) + count)


@dataclass
class EventFill:
    event: Event
    policy: RegistrationPolicy
    counts: StatusCounts = field(default_factory=StatusCounts)

    @property
    def seats_free(self) -> int | None:
        if self.policy.capacity is None:
            return None
        return max(self.policy.capacity - self.policy.seats_taken, 0)


def fill_levels(forum: Forum) -> list[EventFill]:
    """Every event of the forum that takes registrations, with its seats and counts by status."""
    fills = {
        event.id: EventFill(event, policy)
        for event, policy in db.session.execute(
            select(Event, RegistrationPolicy)
            .join(RegistrationPolicy, RegistrationPolicy.event_id == Event.id)
            .where(Event.forum_id == forum.id)
            .order_by(Event.starts_at, Event.code)
        )
    }
    for event_id, status, count in db.session.execute(
        select(Registration.event_id, Registration.status, func.count())
        .join(Registration.event)
        .where(Event.forum_id == forum.id)
        .group_by(Registration.event_id, Registration.status)
    ):
        if event_id in fills:
            fills[event_id].counts.add(status, count)
    return list(fills.values())


@dataclass
class DelegationFill:
    delegation: Delegation | None  # None: people who came without a delegation
    counts: StatusCounts = field(default_factory=StatusCounts)


def delegation_levels(forum: Forum) -> list[DelegationFill]:
    """Every delegation of the forum with its registrations by status over all events, then
    those without a delegation, if any."""
    delegations = db.session.scalars(
        select(Delegation).where(Delegation.forum_id == forum.id).order_by(func.lower(Delegation.name))
    )
    fills: dict[int | None, DelegationFill] = {d.id: DelegationFill(d) for d in delegations}
    for delegation_id, status, count in db.session.execute(
        select(Registration.delegation_id, Registration.status, func.count())
        .join(Registration.event)
        .where(Event.forum_id == forum.id)
        .group_by(Registration.delegation_id, Registration.status)
    ):
        # A delegation of another forum (chosen by hand in the database) counts as none.
        key = delegation_id if delegation_id in fills else None
        fills.setdefault(key, DelegationFill(None)).counts.add(status, count)
    return list(fills.values())


def countries_of(forum: Forum) -> list[str]:
    """ISO codes of the countries the forum's applicants gave."""
    return list(
        db.session.scalars(
            select(Registration.country_code)
            .distinct()
            .join(Registration.event)
            .where(Event.forum_id == forum.id, Registration.country_code.is_not(None))
            .order_by(Registration.country_code)
        )
    )


@dataclass
class BulkOutcome:
    done: list[Registration] = field(default_factory=list)
    skipped: Counter[str] = field(default_factory=Counter)  # reason -> how many

    @property
    def waitlisted(self) -> int:
        return sum(1 for r in self.done if r.status is Status.WAITLISTED)


def decide_many(
    organiser: User, forum: Forum, action: str, ids: Iterable[int], now: dt.datetime | None = None
) -> BulkOutcome:
    """Approve or decline each registration on its own: one that is not of ``forum`` or
    that the rules refuse is skipped with the reason, the others still go through. They
    are taken in order of application, so the earliest applicants get the free seats."""
    decide = {"approve": services.approve, "decline": services.decline}[action]
    wanted = set(ids)
    found = db.session.scalars(
        select(Registration)
        .join(Registration.event)
        .where(Registration.id.in_(wanted), Event.forum_id == forum.id)
        .options(contains_eager(Registration.event), joinedload(Registration.user))
        .order_by(Registration.applied_at, Registration.id)
    ).all()
    if action == "decline":
        # Seats freed last, so the waiting list is served after everyone declined has left it
        # (nobody is promoted, and told so, only to be declined a moment later).
        found = sorted(found, key=lambda r: r.status is Status.CONFIRMED)
    outcome = BulkOutcome()
    outcome.skipped[_("not a registration of this forum")] += len(wanted) - len(found)
    for registration in found:
        try:
            outcome.done.append(decide(organiser, registration, now))
        except services.RegistrationError as refusal:
            outcome.skipped[str(refusal)] += 1
    outcome.skipped = +outcome.skipped  # drop reasons that counted nobody
    return outcome


@dataclass(frozen=True)
class BadgeSheet:
    text: str
    rows: int  # registrations in it, the header aside


def badge_csv(forum: Forum, filters: RegistrationFilter, questions: answers.ForumQuestions) -> BadgeSheet:
    """Confirmed registrations matching ``filters`` as CSV for badge printing, then one column
    per question of the events exported ("Y-ISEF: Dietary needs"), with the choices' labels
    (several joined by "; ") and Yes or No. The first columns' names stay English and their
    values raw (ISO codes, status values) so printing templates can rely on them."""
    confirmed = replace(filters, status=Status.CONFIRMED)
    asked = [
        q
        for q in questions.questions
        if not filters.event_code or questions.event_codes[q.event_id] == filters.event_code
    ]
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([*CSV_COLUMNS, *(cell(questions.column_name(q)) for q in asked)])
    rows = 0
    for r in db.session.scalars(_registrations_query(forum, confirmed)):
        given = r.answers or {}
        writer.writerow(
            [
                cell(v)
                for v in (
                    r.user.name,
                    r.user.email,
                    r.organisation,
                    r.delegation.name if r.delegation else "",
                    r.country_code or "",
                    r.event.code,
                    r.status.value,
                    r.id,
                    *(answers.answer_text(given.get(str(q.id))) if q.event_id == r.event_id else "" for q in asked),
                )
            ]
        )
        rows += 1
    return BadgeSheet(out.getvalue(), rows)
