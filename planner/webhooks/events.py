"""What the webhooks tell of, noticed as it happens and queued with the change.

Before every flush the changes that matter are noted on the session (``session.info``): a new
registration, one whose status, answers or delegation changed, a session moved or cancelled,
a statement adopted. Registrations written by statements the ORM does not see
(``registration.seats``) are noted through its ``registration_written`` signal.

Right before the transaction commits, the notes become deliveries (``WebhookDelivery``),
INSERTed in that transaction: they leave only after it commits and vanish with a rollback.
One query finds the active endpoints of the forums concerned; the data is read, per kind,
only when one of them asked for it; a change noted twice in a transaction is told once, with
what it is at the commit. Each delivery's body is fixed here, as it will be sent.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import event, insert, inspect, select, union
from sqlalchemy.orm import Session as OrmSession
from sqlalchemy.orm import SessionTransaction

from planner.accounts.models import User
from planner.db import table_of, utcnow
from planner.delegations.models import Delegation
from planner.extensions import db
from planner.forums.models import Event, Forum, Room
from planner.registration.models import Registration
from planner.registration.seats import registration_written
from planner.schedule.models import Session, SessionStatus
from planner.statements.models import DocumentStatus, OutcomeDocument
from planner.webhooks import payloads
from planner.webhooks.models import DeliveryStatus, WebhookDelivery, WebhookEndpoint, WebhookEvent

_NOTES = "planner.webhooks.notes"  # session.info: the Notes of the current transaction

#: A registration's attributes whose change is ``registration.changed``.
REGISTRATION_FIELDS = ("status", "answers", "delegation_id", "delegation")
#: A session's attributes whose change is ``session.moved``.
PLACE_FIELDS = ("starts_at", "ends_at", "room_id", "room")


@dataclass
class Notes:
    """The changes of one transaction to tell of: ids, or objects not flushed yet."""

    registrations_created: list[Any] = field(default_factory=list)
    registrations_changed: list[Any] = field(default_factory=list)
    sessions_closed: list[Any] = field(default_factory=list)
    statements_adopted: list[Any] = field(default_factory=list)
    # A moved session (id, or object), with where and when it was before its first move.
    sessions_moved: list[tuple[Any, dt.datetime, dt.datetime, int | None]] = field(default_factory=list)


def _notes(session: OrmSession) -> Notes:
    notes = session.info.get(_NOTES)
    if notes is None:
        notes = session.info[_NOTES] = Notes()
    return notes


# Noticing ---------------------------------------------------------------------------------


def _before(obj: Any, name: str) -> Any:
    """The attribute's value before the changes not flushed yet."""
    history = inspect(obj).attrs[name].history
    if history.deleted:
        return history.deleted[0]
    return getattr(obj, name)


def _changed(obj: Any, names: Iterable[str]) -> bool:
    state = inspect(obj)
    for name in names:
        history = state.attrs[name].history
        if history.has_changes() and (history.deleted[:1] or [None]) != (history.added[:1] or [None]):
            return True
    return False


@event.listens_for(OrmSession, "before_flush")
def _notice_changes(session: OrmSession, flush_context: Any, instances: Any) -> None:
    with session.no_autoflush:
        for obj in session.new:
            if isinstance(obj, Registration):
                _notes(session).registrations_created.append(obj)
        for obj in session.dirty:
            if isinstance(obj, Registration) and _changed(obj, REGISTRATION_FIELDS):
                _notes(session).registrations_changed.append(obj)
            elif isinstance(obj, Session):
                _notice_session(session, obj)
            elif isinstance(obj, OutcomeDocument) and _changed(obj, ("status",)):
                if obj.status is DocumentStatus.ADOPTED:
                    _notes(session).statements_adopted.append(obj)


def _notice_session(session: OrmSession, obj: Session) -> None:
    if _changed(obj, PLACE_FIELDS):
        # A room set through the relationship leaves room_id as it was until the flush.
        rooms = inspect(obj).attrs.room.history
        room_id = rooms.deleted[0].id if rooms.deleted and rooms.deleted[0] is not None else _before(obj, "room_id")
        _notes(session).sessions_moved.append((obj, _before(obj, "starts_at"), _before(obj, "ends_at"), room_id))
    # Closed: cancelled, or taken out of the public programme (a closed session, in planner's words).
    cancelled = _changed(obj, ("status",)) and obj.status is SessionStatus.CANCELLED
    made_private = _changed(obj, ("is_public",)) and not obj.is_public
    if cancelled or made_private:
        _notes(session).sessions_closed.append(obj)


@registration_written.connect
def _notice_registration_written(registration_id: int, created: bool = False, **_: object) -> None:
    notes = _notes(db.session())
    (notes.registrations_created if created else notes.registrations_changed).append(registration_id)


@event.listens_for(OrmSession, "after_transaction_end")
def _forget(session: OrmSession, transaction: SessionTransaction) -> None:
    if transaction.parent is None:  # the outermost transaction ended: committed or rolled back
        session.info.pop(_NOTES, None)


# Queueing ---------------------------------------------------------------------------------


@event.listens_for(OrmSession, "before_commit")
def _queue_noted(session: OrmSession) -> None:
    # The commit's own flush comes after this hook: flush now, so that the last changes are
    # noted too and new rows have their ids (the commit then finds nothing left to flush).
    if session.new or session.dirty or session.deleted:
        session.flush()
    notes = session.info.pop(_NOTES, None)
    if notes is not None:
        queue(session, notes)


def _ids(items: Iterable[Any]) -> list[int]:
    """The ids of rows noted by id or as objects, in order, once each; objects that never
    reached the database (rolled back, deleted) are left out."""
    ids: dict[int, None] = {}
    for item in items:
        if isinstance(item, int):
            ids[item] = None
            continue
        state = inspect(item)
        if state.persistent and state.identity is not None:
            ids[state.identity[0]] = None
    return list(ids)


@dataclass
class _Wanted:
    """The noted changes as ids, by event, the created ones not told again as changed."""

    by_event: dict[WebhookEvent, list[int]]
    previous: dict[int, tuple[dt.datetime, dt.datetime, int | None]]

    @classmethod
    def of(cls, notes: Notes) -> _Wanted:
        created = _ids(notes.registrations_created)
        previous: dict[int, tuple[dt.datetime, dt.datetime, int | None]] = {}
        for item, starts_at, ends_at, room_id in notes.sessions_moved:
            for id_ in _ids([item]):
                previous.setdefault(id_, (starts_at, ends_at, room_id))  # before its first move
        return cls(
            {
                WebhookEvent.REGISTRATION_CREATED: created,
                WebhookEvent.REGISTRATION_CHANGED: [i for i in _ids(notes.registrations_changed) if i not in created],
                WebhookEvent.SESSION_MOVED: list(previous),
                WebhookEvent.SESSION_CLOSED: _ids(notes.sessions_closed),
                WebhookEvent.STATEMENT_ADOPTED: _ids(notes.statements_adopted),
            },
            previous,
        )

    def ids(self, *events: WebhookEvent) -> list[int]:
        return sorted({id_ for event_ in events for id_ in self.by_event[event_]})


_REGISTRATION_EVENTS = (WebhookEvent.REGISTRATION_CREATED, WebhookEvent.REGISTRATION_CHANGED)
_SESSION_EVENTS = (WebhookEvent.SESSION_MOVED, WebhookEvent.SESSION_CLOSED)


def queue(session: OrmSession, notes: Notes) -> int:
    """Write the deliveries the noted changes owe the active endpoints subscribed to them;
    how many."""
    wanted = _Wanted.of(notes)
    registration_ids, session_ids = wanted.ids(*_REGISTRATION_EVENTS), wanted.ids(*_SESSION_EVENTS)
    statement_ids = wanted.ids(WebhookEvent.STATEMENT_ADOPTED)
    if not (registration_ids or session_ids or statement_ids):
        return 0
    endpoints = _endpoints(session, registration_ids, session_ids, statement_ids)
    subscribed = {event_ for endpoint in endpoints for event_ in endpoint["events"]}
    if not subscribed:
        return 0
    now = utcnow()
    rows: list[dict[str, Any]] = []
    found: list[tuple[WebhookEvent, int, Mapping[str, Any], dict[str, Any]]] = []
    if subscribed & set(_REGISTRATION_EVENTS) and registration_ids:
        data = _registrations(session, registration_ids)
        for event_ in _REGISTRATION_EVENTS:
            found += [(event_, r["forum_id"], r, payloads.registration_data(r)) for r in _rows(data, wanted, event_)]
    if subscribed & set(_SESSION_EVENTS) and session_ids:
        data = _sessions(session, session_ids)
        rooms = _room_names(session, {room_id for _, _, room_id in wanted.previous.values() if room_id is not None})
        for row in _rows(data, wanted, WebhookEvent.SESSION_MOVED):
            starts_at, ends_at, room_id = wanted.previous[row["id"]]
            room = payloads.named(room_id, rooms.get(room_id)) if room_id is not None else None
            previous = payloads.previous_place(starts_at, ends_at, room)
            body = {**payloads.session_data(row), "previous": previous}
            found.append((WebhookEvent.SESSION_MOVED, row["forum_id"], row, body))
        for row in _rows(data, wanted, WebhookEvent.SESSION_CLOSED):
            found.append((WebhookEvent.SESSION_CLOSED, row["forum_id"], row, payloads.session_data(row)))
    if WebhookEvent.STATEMENT_ADOPTED in subscribed and statement_ids:
        data = _statements(session, statement_ids)
        for row in _rows(data, wanted, WebhookEvent.STATEMENT_ADOPTED):
            found.append((WebhookEvent.STATEMENT_ADOPTED, row["forum_id"], row, payloads.statement_data(row)))
    for event_, forum_id, forum, body in found:
        for endpoint in endpoints:
            if endpoint["forum_id"] == forum_id and event_ in endpoint["events"]:
                rows.append(delivery_values(endpoint["id"], event_, _forum(forum), body, now))
    if rows:
        session.execute(insert(table_of(WebhookDelivery)), rows)
    return len(rows)


def _rows(data: dict[int, Mapping[str, Any]], wanted: _Wanted, event_: WebhookEvent) -> list[Mapping[str, Any]]:
    return [data[id_] for id_ in wanted.by_event[event_] if id_ in data]


def delivery_values(
    endpoint_id: int, event_: str, forum: Mapping[str, Any], data: Mapping[str, Any], now: dt.datetime
) -> dict[str, Any]:
    """A pending delivery's row, its body fixed, due at once."""
    delivery_id = str(uuid.uuid4())
    return dict(
        endpoint_id=endpoint_id,
        delivery_id=delivery_id,
        event=str(event_),
        body=payloads.envelope(delivery_id, str(event_), now, forum, data),
        status=DeliveryStatus.PENDING,
        attempts=0,
        next_attempt_at=now,
        claimed_until=None,
        last_status_code=None,
        last_error="",
        delivered_at=None,
        created_at=now,
    )


def _endpoints(
    session: OrmSession, registration_ids: list[int], session_ids: list[int], statement_ids: list[int]
) -> list[dict[str, Any]]:
    """The active endpoints of every forum a noted change belongs to: one query."""
    forums: list[Any] = []
    if registration_ids:
        forums.append(select(Event.forum_id).join(Registration).where(Registration.id.in_(registration_ids)))
    if session_ids:
        forums.append(select(Event.forum_id).join(Session).where(Session.id.in_(session_ids)))
    if statement_ids:
        forums.append(select(OutcomeDocument.forum_id).where(OutcomeDocument.id.in_(statement_ids)))
    forum_ids: Any = union(*forums).subquery() if len(forums) > 1 else forums[0].subquery()
    query = select(WebhookEndpoint.id, WebhookEndpoint.forum_id, WebhookEndpoint.events).where(
        WebhookEndpoint.is_active.is_(True), WebhookEndpoint.forum_id.in_(select(forum_ids.c[0]))
    )
    return [dict(row._mapping) for row in session.execute(query)]


_FORUM_NAMES = (
    Forum.slug.label("forum_slug"),
    Forum.name.label("forum_name"),
    Forum.timezone.label("forum_timezone"),
)
_FORUM = (*_FORUM_NAMES, Event.forum_id, Event.code.label("event_code"))


def _forum(row: Mapping[str, Any]) -> dict[str, Any]:
    return {"slug": row["forum_slug"], "name": row["forum_name"], "timezone": row["forum_timezone"]}


def _registrations(session: OrmSession, ids: list[int]) -> dict[int, Mapping[str, Any]]:
    query = (
        select(
            Registration.id,
            Registration.status,
            Registration.applied_at,
            Registration.decided_at,
            Registration.country_code,
            Registration.organisation,
            Registration.answers,
            Registration.delegation_id,
            Delegation.name.label("delegation_name"),
            User.name,
            User.email,
            *_FORUM,
        )
        .join(Registration.event)
        .join(Event.forum)
        .join(Registration.user)
        .outerjoin(Registration.delegation)
        .where(Registration.id.in_(ids))
    )
    return {row.id: dict(row._mapping) for row in session.execute(query)}


def _sessions(session: OrmSession, ids: list[int]) -> dict[int, Mapping[str, Any]]:
    query = (
        select(
            Session.id,
            Session.title,
            Session.kind,
            Session.status,
            Session.starts_at,
            Session.ends_at,
            Session.room_id,
            Room.name.label("room_name"),
            Session.spoken_language,
            Session.interpretation,
            Session.is_public,
            *_FORUM,
        )
        .join(Session.event)
        .join(Event.forum)
        .outerjoin(Session.room)
        .where(Session.id.in_(ids))
    )
    return {row.id: dict(row._mapping) for row in session.execute(query)}


def _room_names(session: OrmSession, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    return {row.id: row.name for row in session.execute(select(Room.id, Room.name).where(Room.id.in_(ids)))}


def _statements(session: OrmSession, ids: list[int]) -> dict[int, Mapping[str, Any]]:
    query = (
        select(
            OutcomeDocument.id,
            OutcomeDocument.slug,
            OutcomeDocument.title,
            OutcomeDocument.kind,
            OutcomeDocument.status,
            OutcomeDocument.language,
            OutcomeDocument.adopted_on,
            OutcomeDocument.adopted_place,
            OutcomeDocument.adopted_version,
            OutcomeDocument.forum_id,
            *_FORUM_NAMES,
        )
        .join(OutcomeDocument.forum)
        # Only what the public may read is told (the record's one rule of who reads what).
        .where(OutcomeDocument.id.in_(ids), OutcomeDocument.is_public)
    )
    return {row.id: dict(row._mapping) for row in session.execute(query)}
