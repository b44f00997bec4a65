"""Atomic seat counting for events and registrations: conditional UPDATEs (``planner.counters``)
and the one statement that takes a seat, stores the application and queues its email."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any

from blinker import Namespace
from sqlalchemy import (
    ColumnDefault,
    ColumnElement,
    Select,
    Table,
    bindparam,
    case,
    exists,
    literal,
    select,
    true,
    update,
)
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import make_transient_to_detached

from planner import counters
from planner.db import table_of
from planner.extensions import db
from planner.mail.models import OutboxMessage
from planner.mail.services import insert_message, remember_queued
from planner.registration.models import Registration, RegistrationPolicy, RegistrationStatus

_policies = table_of(RegistrationPolicy)
_registrations = table_of(Registration)

#: Sent with a registration's id when a statement here, which the ORM does not see, inserted it
#: (``created=True``) or moved its status: the webhooks tell of it (``planner.webhooks.events``).
registration_written = Namespace().signal("registration-written")


def take_event_seat(event_id: int) -> bool:
    """Take one seat of the event if one is free."""
    return counters.take(_policies.c.event_id == event_id, _policies.c.seats_taken, _policies.c.capacity)


def insert_registration(values: dict[str, Any]) -> Registration | None:
    """INSERT ... ON CONFLICT DO NOTHING RETURNING: the new registration, or None if the
    person has one for the event already."""
    insert = postgresql_insert if _dialect() == "postgresql" else sqlite_insert
    statement = (
        insert(Registration)
        .values(**values)
        .on_conflict_do_nothing(index_elements=["event_id", "user_id"])
        .returning(Registration)
    )
    registration = db.session.scalars(statement).first()
    if registration is not None:
        registration_written.send(registration.id, created=True)
    return registration


def insert_registration_taking_seat(
    values: dict[str, Any],
    mail: Mapping[RegistrationStatus, Mapping[str, Any]] | None = None,
) -> tuple[Registration | None, bool]:
    """Take a seat of the event if one is free and insert the registration, confirmed with
    the seat or waitlisted without, unless the person has one already (then None). Returns
    the registration and whether a seat was taken: a caller that got None must give it back.

    ``mail``: the outbox row (``mail.services.message_values``) to write for each outcome,
    CONFIRMED and WAITLISTED; the one that applies is written with the registration, and
    none when there is no new registration.

    On PostgreSQL all of it is one statement (an UPDATE and INSERTs in a WITH), round trips
    fewer for every applicant in a rush; the seat is taken exactly as ``take_event_seat``
    takes it."""
    if _dialect() != "postgresql":
        took = take_event_seat(values["event_id"])
        status = RegistrationStatus.CONFIRMED if took else RegistrationStatus.WAITLISTED
        registration = insert_registration({**values, "status": status})
        if registration is not None and mail is not None:
            insert_message(dict(mail[status]))
        return registration, took
    values = _with_defaults(_registrations, values)
    names = tuple(name for name in values if name != "status")
    params = {f"new_{name}": values[name] for name in names}
    mail_columns: tuple[str, ...] = ()
    varying: tuple[str, ...] = ()
    if mail is not None:
        confirmed, waitlisted = mail[RegistrationStatus.CONFIRMED], mail[RegistrationStatus.WAITLISTED]
        mail_columns = tuple(confirmed)
        varying = tuple(name for name in mail_columns if confirmed[name] != waitlisted[name])
        params.update({f"mail_{name}": confirmed[name] for name in mail_columns if name not in varying})
        params.update({f"mail_confirmed_{name}": confirmed[name] for name in varying})
        params.update({f"mail_waitlisted_{name}": waitlisted[name] for name in varying})
    took, new_id, new_status, *mail_id = db.session.execute(
        _seat_and_insert(names, mail_columns, varying), params
    ).one()
    if new_id is None:
        return None, bool(took)
    if mail_id:
        remember_queued(mail_id[0])
    registration_written.send(new_id, created=True)
    registration = Registration(
        **{name: values[name] for name in names}, id=new_id, status=RegistrationStatus(new_status)
    )
    # The row is in the database as given: enter it into the session without reading it back.
    make_transient_to_detached(registration)
    db.session.add(registration)
    return registration, bool(took)


def _with_defaults(table: Table, values: dict[str, Any]) -> dict[str, Any]:
    """``values`` with the Python-side defaults of the columns they leave out: SQLAlchemy
    does not fill those in reliably for an INSERT inside a WITH (it lost them once a second
    INSERT followed), so the statement is given every value."""
    defaults = {
        column.name: column.default.arg(None) if column.default.is_callable else column.default.arg
        for column in table.c
        if column.name not in values
        and isinstance(column.default, ColumnDefault)  # the kinds with an ``arg``
        and (column.default.is_scalar or column.default.is_callable)
    }
    return {**defaults, **values}


@functools.lru_cache(maxsize=8)
def _seat_and_insert(
    names: tuple[str, ...], mail_columns: tuple[str, ...] = (), varying: tuple[str, ...] = ()
) -> Select[Any]:
    """The statement for ``insert_registration_taking_seat``, built once per set of columns
    (values are bound as ``new_<column>``, and the outbox row's as ``mail_<column>``, or
    ``mail_confirmed_<column>`` and ``mail_waitlisted_<column>`` where the outcomes differ):
    building and keying it per request cost more than running it."""
    policies, table = _policies, _registrations
    seat = (
        update(policies)
        .where(
            policies.c.event_id == bindparam("new_event_id", type_=table.c.event_id.type),
            policies.c.capacity.is_(None) | (policies.c.seats_taken < policies.c.capacity),
        )
        .values(seats_taken=policies.c.seats_taken + 1)
        .returning(policies.c.event_id)
        .cte("seat")
    )
    took_seat = exists(select(seat.c.event_id))
    status = case((took_seat, RegistrationStatus.CONFIRMED.value), else_=RegistrationStatus.WAITLISTED.value)
    row = select(*(bindparam(f"new_{name}", type_=table.c[name].type) for name in names), status.label("status"))
    inserted = (
        postgresql_insert(table)
        .from_select([*names, "status"], row)
        .on_conflict_do_nothing(index_elements=["event_id", "user_id"])
        .returning(table.c.id, table.c.status)
        .cte("inserted")
    )
    outcome = select(literal(1)).subquery().outerjoin(inserted, true())
    columns: list[Any] = [took_seat.label("took_seat"), inserted.c.id, inserted.c.status]
    if mail_columns:
        outbox = table_of(OutboxMessage)

        def value(name: str) -> ColumnElement[Any]:
            type_ = outbox.c[name].type
            if name not in varying:
                return bindparam(f"mail_{name}", type_=type_)
            return case(
                (inserted.c.status == RegistrationStatus.CONFIRMED, bindparam(f"mail_confirmed_{name}", type_=type_)),
                else_=bindparam(f"mail_waitlisted_{name}", type_=type_),
            )

        # A row only for a registration inserted: none after a conflict.
        mail = (
            postgresql_insert(outbox)
            .from_select(list(mail_columns), select(*(value(name) for name in mail_columns)).select_from(inserted))
            .returning(outbox.c.id)
            .cte("mail")
        )
        outcome = outcome.outerjoin(mail, true())
        columns.append(mail.c.id)
    return select(*columns).select_from(outcome)


def _dialect() -> str:
    return db.session.get_bind().dialect.name


def release_event_seat(event_id: int) -> None:
    counters.release(_policies.c.event_id == event_id, _policies.c.seats_taken)


def set_capacity(event_id: int, capacity: int | None) -> bool:
    """Change the capacity, unless more seats are already taken than it allows."""
    return counters.set_limit(_policies.c.event_id == event_id, _policies.c.seats_taken, _policies.c.capacity, capacity)


def move_registration(
    registration_id: int,
    from_statuses: set[RegistrationStatus],
    to: RegistrationStatus,
    seat_kept: bool | None = None,
) -> bool:
    """``seat_kept``: move only a registration that kept (True) or did not keep (False) a
    seat while awaiting consent, as the database has it; None: either."""
    row = _registrations.c.id == registration_id
    if seat_kept is not None:
        row = row & (_registrations.c.seat_kept_for_consent.is_(seat_kept))
    moved = counters.move_status(row, _registrations.c.status, from_statuses, to)
    if moved:
        registration_written.send(registration_id, created=False)
    return moved
