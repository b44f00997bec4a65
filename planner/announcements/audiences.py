"""Who an announcement goes to: the forum's registrations filtered as on the registrations page,
its focal points, the accredited members of chosen delegations, or the people who picked chosen
sessions. One query per audience, one recipient per address.

Nobody outside the forum is ever in an audience, nor anyone who left it: cancelled
registrations (and declined ones unless asked for), deleted accounts, members not accredited,
focal points of delegations that declined or withdrew.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import Select, and_, case, func, select

from planner.accounts.models import User
from planner.announcements.models import AudienceKind
from planner.delegations.models import (
    Delegation,
    DelegationFocalPoint,
    DelegationMember,
    DelegationStatus,
    NominationStatus,
    Person,
)
from planner.extensions import db
from planner.forums.models import Event, Forum
from planner.labels import label
from planner.registration import answers, review
from planner.registration.models import AgendaItem, Registration, RegistrationStatus
from planner.schedule.models import Session

#: The registrations an audience takes when no status is chosen: those still in the running.
ACTIVE_STATUSES = review.DECIDABLE
#: The delegations whose focal points are an audience: those still coming (as reminders and
#: badges count them), not those that declined or withdrew.
COMING = (DelegationStatus.INVITED, DelegationStatus.CONFIRMED)
#: How many recipients the preview names.
PREVIEW_NAMES = 20
#: The most delegations or sessions one announcement is addressed to.
CHOICES_MAX = 500


@dataclass(frozen=True)
class Audience:
    kind: AudienceKind
    registrations: review.RegistrationFilter = field(default_factory=review.RegistrationFilter)
    delegation_ids: tuple[int, ...] = ()
    session_ids: tuple[int, ...] = ()

    def as_args(self) -> dict[str, Any]:
        """The choices as query arguments (what the announcement keeps, and the form's GET)."""
        args: dict[str, Any] = {"audience": self.kind.value}
        if self.kind is AudienceKind.REGISTRATIONS:
            args.update(self.registrations.as_args())
        elif self.kind is AudienceKind.DELEGATIONS:
            args["delegations"] = list(self.delegation_ids)
        elif self.kind is AudienceKind.SESSIONS:
            args["sessions"] = list(self.session_ids)
        return args


@dataclass(frozen=True)
class Recipient:
    email: str
    name: str
    language: str
    user_id: int | None


def _ids(values: Iterable[str]) -> tuple[list[int], bool]:
    """The ids among ``values``, and whether any value was not one."""
    ids = [review.row_id(v) for v in values]
    return sorted({i for i in ids if i is not None}), any(i is None for i in ids)


def audience_from(
    forum: Forum, args: Mapping[str, str], multi: Mapping[str, list[str]]
) -> tuple[Audience | None, list[str]]:
    """The audience the form (or query) arguments choose, and what is wrong with them.
    ``multi``: the arguments given several times (the delegations and sessions ticked)."""
    kind_value = args.get("audience", "").strip()
    try:
        kind = AudienceKind(kind_value)
    except ValueError:
        return None, [_("Choose who the announcement goes to.")]
    if kind is AudienceKind.FOCAL_POINTS:
        return Audience(kind), []
    if kind is AudienceKind.REGISTRATIONS:
        events = db.session.scalars(select(Event).where(Event.forum_id == forum.id))
        delegations = db.session.scalars(select(Delegation).where(Delegation.forum_id == forum.id))
        filters, errors = review.filter_from(args, events, delegations, answers.forum_questions(forum))
        if filters.status is RegistrationStatus.CANCELLED:
            errors.append(_("Cancelled registrations are never sent announcements: choose another status."))
        return (None if errors else Audience(kind, registrations=filters)), errors
    if kind is AudienceKind.DELEGATIONS:
        ids, bad = _ids(multi.get("delegations", []))
        known = set(
            db.session.scalars(select(Delegation.id).where(Delegation.forum_id == forum.id, Delegation.id.in_(ids)))
        )
        if bad or set(ids) - known:
            return None, [_("Choose delegations of this forum.")]
        if not ids or len(ids) > CHOICES_MAX:
            return None, [_("Choose between 1 and %(max)d delegations.", max=CHOICES_MAX)]
        return Audience(kind, delegation_ids=tuple(ids)), []
    ids, bad = _ids(multi.get("sessions", []))
    known = set(
        db.session.scalars(
            select(Session.id).join(Session.event).where(Event.forum_id == forum.id, Session.id.in_(ids))
        )
    )
    if bad or set(ids) - known:
        return None, [_("Choose sessions of this forum.")]
    if not ids or len(ids) > CHOICES_MAX:
        return None, [_("Choose between 1 and %(max)d sessions.", max=CHOICES_MAX)]
    return Audience(kind, session_ids=tuple(ids)), []


def _language_of(forum: Forum, column: Any) -> Any:
    """The recipient's language if the forum writes in it, else the forum's first."""
    return case((column.in_(forum.languages or ["en"]), column), else_=forum.first_language)


def _accounts_query(forum: Forum, audience: Audience) -> Select[Any]:
    """Accounts in an audience of accounts: (email, name, language, id), one row per account."""
    query = select(User.email, User.name, _language_of(forum, User.language), User.id).where(User.deleted_at.is_(None))
    if audience.kind is AudienceKind.FOCAL_POINTS:
        chosen = (
            select(DelegationFocalPoint.user_id)
            .join(Delegation, Delegation.id == DelegationFocalPoint.delegation_id)
            .where(Delegation.forum_id == forum.id, Delegation.status.in_(COMING))
        )
    elif audience.kind is AudienceKind.SESSIONS:
        # Agendas hold the sessions of events the person is confirmed for (as their calendar).
        chosen = (
            select(AgendaItem.user_id)
            .join(Session, Session.id == AgendaItem.session_id)
            .join(
                Registration,
                and_(Registration.event_id == Session.event_id, Registration.user_id == AgendaItem.user_id),
            )
            .where(AgendaItem.session_id.in_(audience.session_ids), Registration.status == RegistrationStatus.CONFIRMED)
        )
    else:
        filters = audience.registrations
        chosen = review.narrowed(
            select(Registration.user_id).join(Registration.event).where(Event.forum_id == forum.id), filters
        )
        if filters.status is None:
            chosen = chosen.where(Registration.status.in_(ACTIVE_STATUSES))
        chosen = chosen.where(Registration.status != RegistrationStatus.CANCELLED)
    return query.where(User.id.in_(chosen))


def _members_query(forum: Forum, audience: Audience) -> Select[Any]:
    """Accredited members of the chosen delegations: (email, name, language, account id);
    a member is written to in their account's language if the address has one."""
    account = select(User).where(User.deleted_at.is_(None)).subquery()
    return (
        select(
            func.lower(Person.email),
            func.min(Person.name),
            func.min(_language_of(forum, func.coalesce(account.c.language, forum.first_language))),
            func.min(account.c.id),
        )
        .select_from(DelegationMember)
        .join(Person, Person.id == DelegationMember.person_id)
        .join(Delegation, Delegation.id == DelegationMember.delegation_id)
        .outerjoin(account, account.c.email == Person.email)
        .where(
            Delegation.forum_id == forum.id,
            DelegationMember.delegation_id.in_(audience.delegation_ids),
            DelegationMember.status == NominationStatus.ACCREDITED,
            Person.email.is_not(None),
            Person.email != "",
        )
        .group_by(func.lower(Person.email))
    )


def _sendable(email: Any) -> Any:
    """Addresses mail can go to, as the outbox checks them (``mail.services.message_values``):
    one address, no header-breaking characters; kept by hand in a list, some may not be."""
    return and_(email.like("%_@_%"), func.length(email) <= 320, *(email.not_like(f"%{c}%") for c in ",;<>\r\n "))


def audience_query(forum: Forum, audience: Audience) -> Select[Any]:
    """(email, name, language, account id) of everyone ``audience`` reaches, one row per address."""
    if audience.kind is AudienceKind.DELEGATIONS:
        return _members_query(forum, audience).where(_sendable(Person.email))
    return _accounts_query(forum, audience).where(_sendable(User.email))


def recipients_of(forum: Forum, audience: Audience) -> list[Recipient]:
    """Everyone ``audience`` reaches, once each, by name."""
    rows = db.session.execute(audience_query(forum, audience)).all()
    found = [Recipient(email, name, language, user_id) for email, name, language, user_id in rows]
    return sorted(found, key=lambda r: (r.name.casefold(), r.email))


def count_of(forum: Forum, audience: Audience) -> int:
    """How many people ``audience`` reaches."""
    return db.session.scalar(select(func.count()).select_from(audience_query(forum, audience).subquery())) or 0


def delegations_of(forum: Forum) -> list[Delegation]:
    """The forum's delegations by name, to choose from."""
    return list(
        db.session.scalars(
            select(Delegation).where(Delegation.forum_id == forum.id).order_by(func.lower(Delegation.name))
        )
    )


def sessions_picked(forum: Forum) -> list[tuple[Session, int]]:
    """The forum's sessions someone picked, with how many picked each (as the audience counts them)."""
    count = (
        select(AgendaItem.session_id, func.count().label("people"))
        .join(Session, Session.id == AgendaItem.session_id)
        .join(Registration, and_(Registration.event_id == Session.event_id, Registration.user_id == AgendaItem.user_id))
        .where(Registration.status == RegistrationStatus.CONFIRMED)
        .group_by(AgendaItem.session_id)
        .subquery()
    )
    rows = db.session.execute(
        select(Session, count.c.people)
        .join(count, count.c.session_id == Session.id)
        .join(Session.event)
        .where(Event.forum_id == forum.id)
        .order_by(Session.starts_at, Session.id)
    )
    return [(session, people) for session, people in rows]


def summary(forum: Forum, audience: Audience) -> str:
    """The audience in words, as the list of announcements shows it (in the sender's language)."""
    if audience.kind is AudienceKind.FOCAL_POINTS:
        return _("The focal points of the delegations")
    if audience.kind is AudienceKind.DELEGATIONS:
        names = db.session.scalars(
            select(Delegation.name)
            .where(Delegation.id.in_(audience.delegation_ids))
            .order_by(func.lower(Delegation.name))
        )
        return _("The accredited members of: %(delegations)s", delegations=", ".join(names))
    if audience.kind is AudienceKind.SESSIONS:
        titles = db.session.scalars(
            select(Session.title).where(Session.id.in_(audience.session_ids)).order_by(Session.starts_at, Session.id)
        )
        return _("The people who picked: %(sessions)s", sessions=", ".join(titles))
    filters = audience.registrations
    parts = [_("event %(code)s", code=filters.event_code) if filters.event_code else _("every event")]
    parts.append(
        _("status %(status)s", status=label(filters.status)) if filters.status else _("every status still active")
    )
    if filters.delegation_id is not None:
        delegation = db.session.get(Delegation, filters.delegation_id)
        parts.append(_("delegation %(name)s", name=delegation.name if delegation else "?"))
    if filters.country_code:
        parts.append(_("country %(code)s", code=filters.country_code))
    if filters.answer is not None:
        parts.append(
            _(
                "answer “%(choice)s” to “%(question)s”",
                choice=filters.answer.choice,
                question=filters.answer.question.label,
            )
        )
    return _("Registrations: %(filters)s", filters=", ".join(parts))
