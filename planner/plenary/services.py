"""The rules of a plenary's speakers' list: what everyone reads of it, and what organisers decide
(opening it, its settings, moves and who spoke). What delegations do is in inscriptions.py, the
order itself in ordering.py. Services flush and never commit."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from planner.accounts.models import User
from planner.accounts.permissions import require_organiser
from planner.audit.services import record
from planner.db import utcnow
from planner.delegations.models import Delegation, DelegationMember, DelegationStatus, NominationStatus
from planner.extensions import db
from planner.forums.models import Event, Forum
from planner.forums.services import require_not_archived
from planner.plenary import ordering
from planner.plenary.models import SPEAKERS_PER_DELEGATION, SPEAKING_MINUTES, SpeakerEntry, SpeakersList, SpeakerStatus
from planner.refusals import Refused
from planner.schedule.models import Session, SessionKind, SessionStatus

#: Delegations that are not (or no longer) coming inscribe nobody.
NOT_COMING = {DelegationStatus.DECLINED, DelegationStatus.WITHDRAWN}


class SpeakersListError(Refused):
    """A refused change to a speakers' list, with a message for the person."""


@dataclass(frozen=True)
class Settings:
    """What an organiser decides of a list."""

    deadline: dt.datetime
    speaking_minutes: int
    speakers_per_delegation: int
    states_first: bool


# What everyone reads ---------------------------------------------------------------------


def forum_of(session: Session) -> Forum:
    return session.event.forum


def plenaries_of(forum: Forum) -> list[tuple[Session, SpeakersList | None]]:
    """The forum's plenary sessions in time order, each with its list if one is open."""
    rows = db.session.execute(
        select(Session, SpeakersList)
        .join(Event, Event.id == Session.event_id)
        .outerjoin(SpeakersList, SpeakersList.session_id == Session.id)
        .where(Event.forum_id == forum.id, Session.kind == SessionKind.PLENARY)
        .order_by(Session.starts_at, Session.id)
    )
    return [(s, lst) for s, lst in rows]


def list_of(session: Session) -> SpeakersList | None:
    return db.session.scalar(select(SpeakersList).where(SpeakersList.session_id == session.id))


def sequence(speakers_list: SpeakersList) -> list[SpeakerEntry]:
    """Every entry, withdrawn ones included, in the list's order, with what pages show of them."""
    return list(
        db.session.scalars(
            select(SpeakerEntry)
            .where(SpeakerEntry.list_id == speakers_list.id)
            .options(
                joinedload(SpeakerEntry.delegation),
                joinedload(SpeakerEntry.person),
                joinedload(SpeakerEntry.member),
                joinedload(SpeakerEntry.statement),
            )
            .order_by(SpeakerEntry.position, SpeakerEntry.id)
        ).unique()
    )


def shown_entries(speakers_list: SpeakersList) -> list[SpeakerEntry]:
    """The entries the list numbers: all but the withdrawn."""
    return ordering.shown(sequence(speakers_list))


def now_and_next(entries: list[SpeakerEntry]) -> tuple[SpeakerEntry | None, SpeakerEntry | None]:
    """Who speaks now (the first still waiting) and who is next, of the entries shown."""
    waiting = [e for e in entries if e.status is SpeakerStatus.WAITING]
    return (waiting[0] if waiting else None), (waiting[1] if len(waiting) > 1 else None)


def is_closed(speakers_list: SpeakersList, now: dt.datetime | None = None) -> bool:
    return (now or utcnow()) >= speakers_list.deadline


def is_cancelled(session: Session) -> bool:
    return session.status is SessionStatus.CANCELLED


def inscribable_members(delegation: Delegation) -> list[DelegationMember]:
    """The delegation's accredited members, in protocol order of level then name."""
    members = db.session.scalars(
        select(DelegationMember)
        .where(DelegationMember.delegation_id == delegation.id, DelegationMember.status == NominationStatus.ACCREDITED)
        .options(joinedload(DelegationMember.person))
    )
    return sorted(members, key=lambda m: (ordering.LEVEL_RANK[m.level], m.person.name, m.person_id))


def accredited_members_of(forum: Forum) -> list[DelegationMember]:
    """The accredited members of the forum's delegations that are coming, in one query."""
    return list(
        db.session.scalars(
            select(DelegationMember)
            .join(Delegation, Delegation.id == DelegationMember.delegation_id)
            .where(
                Delegation.forum_id == forum.id,
                Delegation.status.not_in(NOT_COMING),
                DelegationMember.status == NominationStatus.ACCREDITED,
            )
            .options(joinedload(DelegationMember.person), joinedload(DelegationMember.delegation))
        )
    )


def open_lists(forum: Forum) -> list[SpeakersList]:
    """The forum's lists, by their session's start."""
    return list(
        db.session.scalars(
            select(SpeakersList)
            .join(Session, Session.id == SpeakersList.session_id)
            .join(Event, Event.id == Session.event_id)
            .where(Event.forum_id == forum.id)
            .options(selectinload(SpeakersList.session))
            .order_by(Session.starts_at, Session.id)
        )
    )


# What organisers decide ------------------------------------------------------------------


def _check_settings(settings: Settings) -> None:
    if settings.speaking_minutes not in SPEAKING_MINUTES:
        raise SpeakersListError(
            _(
                "Give a speaking time of %(min)d to %(max)d minutes.",
                min=SPEAKING_MINUTES.start,
                max=SPEAKING_MINUTES[-1],
            ),
            field="speaking_minutes",
        )
    if settings.speakers_per_delegation not in SPEAKERS_PER_DELEGATION:
        raise SpeakersListError(
            _(
                "Allow %(min)d to %(max)d speakers per delegation.",
                min=SPEAKERS_PER_DELEGATION.start,
                max=SPEAKERS_PER_DELEGATION[-1],
            ),
            field="speakers_per_delegation",
        )


def _as_record(settings: Settings) -> dict[str, object]:
    return {
        "deadline": settings.deadline.astimezone(dt.UTC).isoformat(),
        "speaking_minutes": settings.speaking_minutes,
        "speakers_per_delegation": settings.speakers_per_delegation,
        "states_first": settings.states_first,
    }


def open_list(organiser: User, session: Session, settings: Settings) -> SpeakersList:
    """Open the speakers' list of a plenary session that is not cancelled; one list a session."""
    forum = forum_of(session)
    require_organiser(organiser, forum)
    require_not_archived(forum)
    if session.kind is not SessionKind.PLENARY:
        raise SpeakersListError(_("Only a plenary session has a speakers' list."))
    if session.status is SessionStatus.CANCELLED:
        raise SpeakersListError(_("This session is cancelled: it takes no speakers' list."))
    if list_of(session) is not None:
        raise SpeakersListError(_("The speakers' list of this session is already open."))
    _check_settings(settings)
    speakers_list = SpeakersList(
        session_id=session.id,
        deadline=settings.deadline,
        speaking_minutes=settings.speaking_minutes,
        speakers_per_delegation=settings.speakers_per_delegation,
        states_first=settings.states_first,
        opened_by_id=organiser.id,
    )
    db.session.add(speakers_list)
    db.session.flush()
    record(
        organiser,
        "speakers.opened",
        forum_id=forum.id,
        target=("session", session.id),
        summary=_("Speakers' list of %(session)s opened", session=session.title),
        after=_as_record(settings),
    )
    return speakers_list


def require_not_cancelled(session: Session) -> None:
    """A list whose session was cancelled after it opened stays as it was: no inscription,
    withdrawal, move, speech or setting changes it until the session is scheduled again. The
    session's status is read again under a share lock, so a cancellation saved at the same
    moment either waits for this change or is seen by it."""
    status = db.session.scalar(select(Session.status).where(Session.id == session.id).with_for_update(read=True))
    if status is SessionStatus.CANCELLED:
        raise SpeakersListError(
            _("%(session)s is cancelled: its speakers' list takes no more changes.", session=session.title)
        )


def lock(speakers_list: SpeakersList) -> None:
    """Take the list's row, so that two inscriptions or moves at once number it one after the other."""
    db.session.execute(select(SpeakersList.id).where(SpeakersList.id == speakers_list.id).with_for_update())


def renumber(entries: list[SpeakerEntry]) -> None:
    for position, entry in enumerate(entries, start=1):
        if entry.position != position:
            entry.position = position


def change_list(organiser: User, speakers_list: SpeakersList, settings: Settings) -> bool:
    """Change the deadline, speaking time, speakers per delegation or order rule; a new order
    rule sorts again the entries no organiser moved. True when something changed."""
    session = speakers_list.session
    forum = forum_of(session)
    require_organiser(organiser, forum)
    require_not_archived(forum)
    require_not_cancelled(session)
    _check_settings(settings)
    before = Settings(
        speakers_list.deadline,
        speakers_list.speaking_minutes,
        speakers_list.speakers_per_delegation,
        speakers_list.states_first,
    )
    if _as_record(before) == _as_record(settings):
        return False
    lock(speakers_list)
    speakers_list.deadline = settings.deadline
    speakers_list.speaking_minutes = settings.speaking_minutes
    speakers_list.speakers_per_delegation = settings.speakers_per_delegation
    if settings.states_first != speakers_list.states_first:
        speakers_list.states_first = settings.states_first
        renumber(ordering.resorted(sequence(speakers_list), settings.states_first))
    db.session.flush()
    old, new = _as_record(before), _as_record(settings)
    record(
        organiser,
        "speakers.changed",
        forum_id=forum.id,
        target=("session", session.id),
        summary=_("Speakers' list of %(session)s changed", session=session.title),
        before={k: v for k, v in old.items() if new[k] != v},
        after={k: v for k, v in new.items() if old[k] != v},
    )
    return True


def entry_summary(entry: SpeakerEntry) -> str:
    return _("%(name)s (%(delegation)s)", name=entry.person.name, delegation=entry.delegation.name)


def _organiser_of(actor: User, entry: SpeakerEntry) -> Forum:
    forum = entry.delegation.forum
    require_organiser(actor, forum)
    require_not_archived(forum)
    require_not_cancelled(entry.speakers_list.session)
    return forum


def move(organiser: User, entry: SpeakerEntry, place: int, reason: str) -> None:
    """Put a waiting entry at ``place`` (from 1) of the list, with the reason in the audit log;
    not before anyone who has spoken."""
    forum = _organiser_of(organiser, entry)
    reason = reason.strip()
    if not reason or len(reason) > 300 or any(ord(c) < 32 for c in reason):
        raise SpeakersListError(_("Give the reason for the move, in at most 300 characters."), field="reason")
    if entry.status is not SpeakerStatus.WAITING:
        raise SpeakersListError(_("Only a speaker who is still waiting can be moved."))
    lock(entry.speakers_list)
    entries = sequence(entry.speakers_list)
    earliest = ordering.earliest_place(entries)
    if place < earliest:
        raise SpeakersListError(
            _("Choose place %(num)d or later: the speakers before it have spoken.", num=earliest), field="place"
        )
    before = ordering.shown(entries).index(entry) + 1
    reordered = ordering.moved_to(entries, entry, place)
    entry.moved = True
    renumber(reordered)
    db.session.flush()
    after = ordering.shown(reordered).index(entry) + 1
    record(
        organiser,
        "speakers.moved",
        forum_id=forum.id,
        target=("session", entry.speakers_list.session_id),
        summary=_(
            "%(entry)s moved from place %(before)d to %(after)d: %(reason)s",
            entry=entry_summary(entry),
            before=before,
            after=after,
            reason=reason,
        ),
        before={"place": before},
        after={"place": after, "reason": reason},
    )


def mark_spoken(organiser: User, entry: SpeakerEntry, spoke: bool = True) -> None:
    """Mark that the speaker has spoken (or, to correct a mistake, that they have not)."""
    forum = _organiser_of(organiser, entry)
    wanted, expected = (
        (SpeakerStatus.SPOKE, SpeakerStatus.WAITING) if spoke else (SpeakerStatus.WAITING, SpeakerStatus.SPOKE)
    )
    if entry.status is SpeakerStatus.WITHDRAWN:
        raise SpeakersListError(_("%(entry)s was withdrawn from the list.", entry=entry_summary(entry)))
    if entry.status is not expected:
        raise SpeakersListError(
            _("%(entry)s has already spoken.", entry=entry_summary(entry))
            if spoke
            else _("%(entry)s has not spoken yet.", entry=entry_summary(entry))
        )
    if not spoke and entry.statement_id is not None:
        raise SpeakersListError(_("A statement is kept for this speaker: they have spoken."))
    entry.status, entry.spoke_at = wanted, (utcnow() if spoke else None)
    db.session.flush()
    record(
        organiser,
        "speakers.spoke" if spoke else "speakers.not_spoken",
        forum_id=forum.id,
        target=("session", entry.speakers_list.session_id),
        summary=_("%(entry)s spoke", entry=entry_summary(entry))
        if spoke
        else _("%(entry)s marked as not spoken", entry=entry_summary(entry)),
        before={"status": expected.value},
        after={"status": wanted.value},
    )


def entry_of(forum: Forum, entry_id: int) -> SpeakerEntry | None:
    """The forum's entry with this id, or None (another forum's is none)."""
    entry = db.session.get(SpeakerEntry, entry_id)
    if entry is None or entry.delegation.forum_id != forum.id:
        return None
    return entry
