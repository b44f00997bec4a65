"""What the API says of each thing, as plain JSON-ready dicts, read in a fixed number of
queries whatever the number of things (lists are read a page at a time, by keyset).

The shapes are ``planner.api.schemas``'s; webhooks describe registrations, sessions and
statements with the same field names. Times are UTC with a Z; each forum and session names
its time zone. Nothing here decides who may read what: the views ask ``planner.api.access``
first, and public reads take only what the public pages show.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import Select, and_, or_, select
from sqlalchemy.orm import contains_eager, joinedload, selectinload, subqueryload

from planner.accounts.models import User
from planner.api import cursors
from planner.audit.services import record
from planner.db import as_utc, table_of
from planner.delegations import participants
from planner.delegations.models import Delegation, DelegationMember, Person
from planner.delegations.participants import NOT_LISTED
from planner.extensions import db
from planner.forums.models import Event, Forum, Room, Venue
from planner.registration.models import Registration, RegistrationStatus
from planner.schedule.models import Session, SessionKind, SessionParticipant
from planner.schedule.services import day_bounds
from planner.statements.models import OutcomeDocument

#: Urls of the HTML pages, made by the views (``url_for``) and passed in: rules build no URLs.
PageUrl = Callable[..., str]


def utc(moment: dt.datetime | None) -> str | None:
    if moment is None:
        return None
    return as_utc(moment).isoformat().replace("+00:00", "Z")


def _translations(obj: Any) -> dict[str, dict[str, str]]:
    return {language: dict(fields) for language, fields in (obj.translations or {}).items() if fields}


# -- forums, events, rooms -----------------------------------------------------------------


@dataclass(frozen=True)
class ProgrammeVersion:
    forum_id: int
    version: int


def programme_version(slug: str) -> ProgrammeVersion | None:
    """The forum's id and ``schedule_version``: all a cached programme answer needs. On the
    connection, in Core: the ORM's overhead is most of the cost of a cached answer."""
    forums = table_of(Forum)
    row = (
        db.session.connection()
        .execute(select(forums.c.id, forums.c.schedule_version).where(forums.c.slug == slug))
        .first()
    )
    return ProgrammeVersion(row[0], row[1]) if row is not None else None


def forum_summary(forum: Forum, forum_url: str) -> dict[str, Any]:
    return {
        "slug": forum.slug,
        "name": forum.name,
        "title": forum.title,
        "first_day": forum.first_day.isoformat(),
        "last_day": forum.last_day.isoformat(),
        "timezone": forum.timezone,
        "status": forum.status.value,
        "url": forum_url,
    }


def all_forums() -> list[Forum]:
    return list(db.session.scalars(select(Forum).order_by(Forum.first_day.desc(), Forum.slug)))


def forum_resource(forum: Forum, forum_url: str) -> dict[str, Any]:
    return {
        **forum_summary(forum, forum_url),
        "host_city": forum.host_city,
        "host_country": forum.host_country,
        "description": forum.description,
        "languages": list(forum.languages),
        "programme_version": forum.schedule_version,
        "translations": _translations(forum),
    }


def events(forum: Forum, event_url: Callable[[Event], str]) -> list[dict[str, Any]]:
    found = db.session.scalars(
        select(Event)
        .where(Event.forum_id == forum.id)
        .options(joinedload(Event.venue))
        .order_by(Event.starts_at, Event.code)
    )
    return [
        {
            "code": event.code,
            "kind": event.kind.value,
            "title": event.title,
            "audience": event.audience,
            "description": event.description,
            "starts_at": utc(event.starts_at),
            "ends_at": utc(event.ends_at),
            "venue": {"name": event.venue.name, "address": event.venue.address} if event.venue else None,
            "url": event_url(event),
            "translations": _translations(event),
        }
        for event in found
    ]


def rooms(forum: Forum) -> list[dict[str, Any]]:
    found = db.session.scalars(
        select(Room)
        .join(Room.venue)
        .where(Venue.forum_id == forum.id)
        .options(contains_eager(Room.venue), joinedload(Room.required_zone))
        .order_by(Venue.name, Room.name, Room.id)
    )
    return [
        {
            "id": room.id,
            "name": room.name,
            "venue": room.venue.name,
            "capacity": room.capacity,
            "accessibility_notes": room.accessibility_notes,
            "required_zone": (
                {"number": room.required_zone.number, "name": room.required_zone.name} if room.required_zone else None
            ),
            "translations": _translations(room),
        }
        for room in found
    ]


# -- sessions ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class SessionFilter:
    day: dt.date | None = None
    event: str | None = None
    kind: SessionKind | None = None


def _public_sessions(forum: Forum) -> Select[Session]:
    return (
        select(Session)
        .join(Session.event)
        .where(Event.forum_id == forum.id, Session.is_public.is_(True))
        .options(
            contains_eager(Session.event),
            joinedload(Session.room),
            # One query however many sessions (selectinload would add one per 500).
            subqueryload(Session.participants).joinedload(SessionParticipant.person),
        )
    )


def session_page(
    forum: Forum, filters: SessionFilter, cursor: str | None, limit: int, session_url: Callable[[int], str]
) -> tuple[list[dict[str, Any]], str | None]:
    """One page of the forum's public sessions in order of time, and the cursor of the next
    (``None`` on the last). ``cursors.BadCursor`` for a cursor this API did not give."""
    if filters.day is not None and not forum.first_day <= filters.day <= forum.last_day:
        # A day outside the forum has no sessions: an empty page, as an unknown event's (and
        # no bounds worked out for it: those of year 1 or 9999 cannot even be held in UTC).
        return [], None
    query = _public_sessions(forum)
    if filters.day is not None:
        start, end = day_bounds(forum, filters.day)
        query = query.where(Session.starts_at >= start, Session.starts_at < end)
    if filters.event:
        query = query.where(Event.code == filters.event.upper())
    if filters.kind is not None:
        query = query.where(Session.kind == filters.kind)
    if cursor is not None:
        after_time, after_id = cursors.read_time_and_id(cursor, "sessions")
        query = query.where(
            or_(Session.starts_at > after_time, and_(Session.starts_at == after_time, Session.id > after_id))
        )
    found = list(db.session.scalars(query.order_by(Session.starts_at, Session.id).limit(limit + 1)).unique())
    more = len(found) > limit
    found = found[:limit]
    items = [session_resource(session, forum, session_url(session.id)) for session in found]
    next_cursor = cursors.time_and_id(found[-1].starts_at, found[-1].id, "sessions") if more else None
    return items, next_cursor


def public_session(forum: Forum, session_id: int) -> Session | None:
    return db.session.scalars(_public_sessions(forum).where(Session.id == session_id)).unique().first()


def session_resource(session: Session, forum: Forum, url: str) -> dict[str, Any]:
    room = session.room
    return {
        "id": session.id,
        "title": session.title,
        "kind": session.kind.value,
        "status": session.status.value,
        "event": session.event.code,
        "starts_at": utc(session.starts_at),
        "ends_at": utc(session.ends_at),
        "timezone": forum.timezone,
        "room": {"id": room.id, "name": room.name} if room is not None else None,
        "language": session.spoken_language,
        "interpretation": list(session.interpretation or ()),
        "people": [
            {"name": p.person.name, "role": p.role.value, "organisation": p.person.organisation}
            for p in sorted(session.participants, key=lambda p: (p.role.value, p.position))
        ],
        "description": session.description,
        "revision": session.revision,
        "url": url,
        "translations": _translations(session),
    }


# -- delegations and the list of participants ---------------------------------------------------


def delegations(forum: Forum) -> list[dict[str, Any]]:
    """The delegations the forum page lists: every one not declined or withdrawn."""
    found = db.session.scalars(
        select(Delegation)
        .where(Delegation.forum_id == forum.id, Delegation.status.not_in(NOT_LISTED))
        .options(joinedload(Delegation.organisation))
        .order_by(Delegation.name, Delegation.id)
    )
    return [
        {
            "id": delegation.id,
            "name": delegation.name,
            "kind": delegation.kind.value,
            "country": delegation.country_code,
            "organisation": delegation.organisation.acronym if delegation.organisation else None,
            "space_agency": delegation.space_agency,
            "status": delegation.status.value,
            "translations": _translations(delegation),
        }
        for delegation in found
    ]


def participant_list(forum: Forum, language: str) -> dict[str, Any]:
    """The public list of participants (accredited people who agreed to be listed), in
    protocol order, as the page and its PDF show it."""
    listing = participants.public_list(forum, language)
    return {
        "language": listing.language,
        "drawn": listing.drawn,
        "delegations": [
            {
                "id": listed.delegation.id,
                "name": listed.name,
                "members": [
                    {"name": member.name, "role": member.role.value, "function": member.function}
                    for member in listed.members
                ],
            }
            for listed in listing.delegations
        ],
    }


# -- statements ---------------------------------------------------------------------------------


def public_statements(forum: Forum, slug: str | None = None) -> list[OutcomeDocument]:
    """What the public reads of the record, as its pages show it: documents once adopted
    (superseded and withdrawn ones stay on the record, with their status), national statements
    while their session is public (``OutcomeDocument.is_public``)."""
    query = (
        select(OutcomeDocument)
        .where(OutcomeDocument.forum_id == forum.id, OutcomeDocument.is_public)
        .options(selectinload(OutcomeDocument.versions))
        .order_by(OutcomeDocument.adopted_on, OutcomeDocument.slug)
    )
    if slug is not None:
        query = query.where(OutcomeDocument.slug == slug)
    return list(db.session.scalars(query))


def public_versions(document: OutcomeDocument) -> list[Any]:
    """The versions the public may read, as the pages show them: the adopted text and any
    after it; the drafts before it stay with the organisers and focal points."""
    adopted = document.adopted_version
    return [v for v in document.versions if adopted and v.number >= adopted]


def statement_resource(document: OutcomeDocument, url: str) -> dict[str, Any]:
    return {
        "slug": document.slug,
        "title": document.title,
        "kind": document.kind.value,
        "status": document.status.value,
        "language": document.language,
        "adopted_on": document.adopted_on.isoformat() if document.adopted_on else None,
        "adopted_place": document.adopted_place,
        "adopted_version": document.adopted_version,
        "url": url,
        "versions": [
            {"number": v.number, "note": v.note, "created_at": utc(v.created_at)} for v in public_versions(document)
        ],
        "translations": _translations(document),
    }


def version_resource(document: OutcomeDocument, number: int) -> dict[str, Any] | None:
    version = next((v for v in public_versions(document) if v.number == number), None)
    if version is None:
        return None
    return {
        "statement": document.slug,
        "number": version.number,
        "note": version.note,
        "created_at": utc(version.created_at),
        "text": version.text,
    }


# -- what tokens reach ---------------------------------------------------------------------------


def note_read(user: User, forum: Forum, what: str, count: int, token_prefix: str) -> None:
    """Reading people's registrations or nominations by token is in the forum's audit log: a
    program can read in a minute what a person would take a day over."""
    summaries = {
        "registrations": _(
            "%(count)d registrations read through the API (token %(token)s…)", count=count, token=token_prefix
        ),
        "nominations": _(
            "%(count)d nominations read through the API (token %(token)s…)", count=count, token=token_prefix
        ),
    }
    record(user, f"api.{what}_read", forum_id=forum.id, summary=summaries[what])


def registration_resource(registration: Registration) -> dict[str, Any]:
    delegation = registration.delegation
    return {
        "id": registration.id,
        "event": registration.event.code,
        "status": registration.status.value,
        "applied_at": utc(registration.applied_at),
        "decided_at": utc(registration.decided_at),
        "name": registration.user.name,
        "email": registration.user.email,
        "delegation": {"id": delegation.id, "name": delegation.name} if delegation else None,
        "country": registration.country_code,
        "organisation": registration.organisation,
        "answers": dict(registration.answers or {}),
    }


def registration_page(
    forum: Forum, event: str | None, status: RegistrationStatus | None, cursor: str | None, limit: int
) -> tuple[list[dict[str, Any]], str | None]:
    """The forum's registrations in order of id (of application), a page at a time."""
    query = (
        select(Registration)
        .join(Registration.event)
        .where(Event.forum_id == forum.id)
        .options(contains_eager(Registration.event), joinedload(Registration.user), joinedload(Registration.delegation))
    )
    if event:
        query = query.where(Event.code == event.upper())
    if status is not None:
        query = query.where(Registration.status == status)
    if cursor is not None:
        query = query.where(Registration.id > cursors.read_id(cursor, "registrations"))
    found = list(db.session.scalars(query.order_by(Registration.id).limit(limit + 1)))
    return _paged(found, limit, registration_resource, "registrations")


def registration_of_forum(forum: Forum, registration_id: int) -> Registration | None:
    return db.session.scalar(
        select(Registration)
        .join(Registration.event)
        .where(Registration.id == registration_id, Event.forum_id == forum.id)
        .options(contains_eager(Registration.event), joinedload(Registration.user))
    )


def nomination_page(
    forum: Forum, delegation_ids: Sequence[int] | None, filters: Any, cursor: str | None, limit: int
) -> tuple[list[dict[str, Any]], str | None]:
    """Members nominated to the forum's delegations (``delegation_ids`` None: all of them),
    without identity data, a page at a time in order of delegation and person."""
    query = (
        select(DelegationMember)
        .join(DelegationMember.delegation)
        .join(DelegationMember.person)
        .where(Delegation.forum_id == forum.id)
        .options(contains_eager(DelegationMember.delegation), contains_eager(DelegationMember.person))
    )
    if delegation_ids is not None:
        query = query.where(Delegation.id.in_(delegation_ids))
    if filters.delegation is not None:
        query = query.where(Delegation.id == filters.delegation)
    if filters.status is not None:
        query = query.where(DelegationMember.status == filters.status)
    if cursor is not None:
        after_delegation, after_person = cursors.read_pair(cursor, "nominations")
        query = query.where(
            or_(
                Delegation.id > after_delegation,
                and_(Delegation.id == after_delegation, Person.id > after_person),
            )
        )
    found = list(db.session.scalars(query.order_by(Delegation.id, Person.id).limit(limit + 1)))
    more = len(found) > limit
    found = found[:limit]
    items = [
        {
            "person_id": member.person_id,
            "delegation": {"id": member.delegation.id, "name": member.delegation.name},
            "name": member.person.name,
            "role": member.role.value,
            "level": member.level.value,
            "function": member.function,
            "status": member.status.value,
        }
        for member in found
    ]
    last = found[-1] if found else None
    next_cursor = cursors.pair(last.delegation_id, last.person_id, "nominations") if more and last else None
    return items, next_cursor


def _paged(
    found: list[Any], limit: int, build: Callable[[Any], dict[str, Any]], kind: str
) -> tuple[list[dict[str, Any]], str | None]:
    more = len(found) > limit
    found = found[:limit]
    return [build(item) for item in found], cursors.of_id(found[-1].id, kind) if more else None
