"""Reading forums and events for the public pages."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload

from planner.delegations.models import Delegation
from planner.extensions import db
from planner.forums.models import Event, Forum


class EventNotFound(LookupError):
    pass


@dataclass(frozen=True)
class ForumLists:
    current: list[Forum]
    past: list[Forum]


def list_forums(today: dt.date) -> ForumLists:
    """Current and coming forums soonest first; past and archived ones latest first."""
    forums = db.session.scalars(select(Forum).order_by(Forum.first_day.desc(), Forum.name)).all()
    past = [f for f in forums if f.is_past(today)]
    current = sorted((f for f in forums if not f.is_past(today)), key=lambda f: f.first_day)
    return ForumLists(current=current, past=past)


def get_forum_by_slug(slug: str) -> Forum | None:
    return db.session.scalar(select(Forum).where(Forum.slug == slug))


def find_event(forum: Forum, code: str) -> Event:
    """The forum's event whose code matches ``code`` in any letter case."""
    event = db.session.scalar(
        select(Event)
        .where(Event.forum_id == forum.id, Event.code == code.upper())
        .options(joinedload(Event.venue))
    )
    if event is None:
        raise EventNotFound(code)
    return event


def events_of(forum: Forum) -> list[Event]:
    return list(
        db.session.scalars(
            select(Event)
            .where(Event.forum_id == forum.id)
            .options(selectinload(Event.venue))
            .order_by(Event.starts_at, Event.code)
        )
    )


@dataclass(frozen=True)
class DelegationSummary:
    delegations: list[Delegation]
    countries: int
    organisations: int
    with_space_agency: int


def delegations_of(forum: Forum) -> DelegationSummary:
    delegations = list(
        db.session.scalars(
            select(Delegation).where(Delegation.forum_id == forum.id).order_by(func.lower(Delegation.name))
        )
    )
    countries = sum(1 for d in delegations if d.country_code)
    return DelegationSummary(
        delegations=delegations,
        countries=countries,
        organisations=len(delegations) - countries,
        with_space_agency=sum(1 for d in delegations if d.space_agency),
    )
