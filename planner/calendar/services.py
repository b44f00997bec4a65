"""Feed tokens and what each feed contains.

Rules enforced here:
- a feed token is 256 random bits; making a new one deletes the old one in the same
  transaction, so the old address stops working as soon as the change commits;
- an organiser's token works only while its holder organises the forum, and any token
  only while its account is active;
- a personal feed holds the person's own picked sessions (public ones, of events they are
  confirmed for) and the events they are confirmed for, nothing of anyone else.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import delete, select
from sqlalchemy.orm import contains_eager, joinedload

from planner.accounts.models import User
from planner.accounts.permissions import is_organiser, require_organiser
from planner.calendar.models import TOKEN_LENGTH, CalendarFeedToken, FeedKind
from planner.db import as_utc, table_of
from planner.extensions import db
from planner.forums.models import Event, Forum, Room
from planner.mail.smtp import sender_address
from planner.registration.models import AgendaItem, Registration, RegistrationStatus
from planner.schedule.models import Session

_TOKEN_SHAPE = re.compile(rf"[A-Za-z0-9_-]{{{TOKEN_LENGTH}}}")


def uid_domain() -> str:
    """The right-hand side of every UID. Set CALENDAR_UID_DOMAIN once and never change it:
    a new value gives every session a new UID, and clients would show them twice."""
    return current_app.config.get("CALENDAR_UID_DOMAIN") or "planner"


@dataclass(frozen=True)
class ForumVersion:
    """What a forum's feeds are keyed and validated on, read without loading the forum."""

    id: int
    slug: str
    schedule_version: int
    updated_at: dt.datetime


def forum_version(slug: str) -> ForumVersion | None:
    """One narrow query: a cached feed needs nothing else. In Core, on the session's
    connection: the ORM's overhead would be most of a cached answer's cost."""
    forums = table_of(Forum)
    row = (
        db.session.connection()
        .execute(
            select(forums.c.id, forums.c.slug, forums.c.schedule_version, forums.c.updated_at).where(
                forums.c.slug == slug
            )
        )
        .first()
    )
    return ForumVersion(row[0], row[1], row[2], as_utc(row[3])) if row is not None else None


def organizer_address() -> str:
    """Who calendar entries come from: the address planner sends from (no-reply)."""
    return sender_address(current_app.config.get("MAIL_DEFAULT_SENDER"))


# Tokens --------------------------------------------------------------------------------


def token_of(user: User, kind: FeedKind, forum: Forum | None = None) -> CalendarFeedToken | None:
    return db.session.scalar(
        select(CalendarFeedToken)
        .where(
            CalendarFeedToken.user_id == user.id,
            CalendarFeedToken.kind == kind,
            CalendarFeedToken.forum_id == forum.id if forum is not None else CalendarFeedToken.forum_id.is_(None),
        )
        .order_by(CalendarFeedToken.id.desc())
        .limit(1)
    )


def renew_token(user: User, kind: FeedKind, forum: Forum | None = None) -> CalendarFeedToken:
    """A new secret feed address for ``user``; the previous one stops working. Organiser
    feeds are for the forum's organisers only (``NotAllowed`` otherwise)."""
    if kind is FeedKind.ORGANISER:
        if forum is None:
            raise ValueError("an organiser feed belongs to a forum")
        require_organiser(user, forum)
    elif forum is not None:
        raise ValueError("a personal feed belongs to no forum")
    db.session.execute(
        delete(CalendarFeedToken).where(
            CalendarFeedToken.user_id == user.id,
            CalendarFeedToken.kind == kind,
            CalendarFeedToken.forum_id == forum.id if forum is not None else CalendarFeedToken.forum_id.is_(None),
        )
    )
    token = CalendarFeedToken(user_id=user.id, kind=kind, forum_id=forum.id if forum is not None else None)
    db.session.add(token)
    db.session.flush()
    return token


def feed_token(secret: str) -> CalendarFeedToken | None:
    """The token behind ``/feeds/<secret>.ics`` if it still grants a feed, else None."""
    if not _TOKEN_SHAPE.fullmatch(secret):
        return None
    token = db.session.scalar(
        select(CalendarFeedToken)
        .where(CalendarFeedToken.token == secret)
        .options(joinedload(CalendarFeedToken.user), joinedload(CalendarFeedToken.forum))
    )
    if token is None or not token.user.is_active:
        return None
    if token.kind is FeedKind.ORGANISER and (token.forum is None or not is_organiser(token.user, token.forum)):
        return None
    return token


# What the feeds contain -------------------------------------------------------------------


def _sessions_query(forum: Forum, include_closed: bool = False):  # noqa: ANN202
    query = (
        select(Session)
        .join(Session.event)
        .where(Event.forum_id == forum.id)
        .options(contains_eager(Session.event), joinedload(Session.room).joinedload(Room.venue))
        .order_by(Session.starts_at, Session.id)
    )
    return query if include_closed else query.where(Session.is_public.is_(True))


def forum_sessions(forum: Forum, include_closed: bool = False) -> list[Session]:
    """The forum's sessions in time order, cancelled ones included; closed ones only for organisers."""
    return list(db.session.scalars(_sessions_query(forum, include_closed)).unique())


def event_sessions(event: Event) -> list[Session]:
    return list(db.session.scalars(_sessions_query(event.forum).where(Session.event_id == event.id)).unique())


@dataclass(frozen=True)
class Agenda:
    events: list[Event]  # confirmed for
    sessions: list[Session]  # picked, public, of those events


def agenda_of(user: User) -> Agenda:
    """What the person's own feed shows. Sessions picked under an event they are no longer
    confirmed for, or since closed to the public, are left out."""
    events = list(
        db.session.scalars(
            select(Event)
            .join(Registration, Registration.event_id == Event.id)
            .where(Registration.user_id == user.id, Registration.status == RegistrationStatus.CONFIRMED)
            .options(joinedload(Event.forum), joinedload(Event.venue))
            .order_by(Event.starts_at, Event.id)
        )
    )
    if not events:
        return Agenda([], [])
    sessions = list(
        db.session.scalars(
            select(Session)
            .join(AgendaItem, AgendaItem.session_id == Session.id)
            .where(
                AgendaItem.user_id == user.id, Session.is_public.is_(True), Session.event_id.in_([e.id for e in events])
            )
            .options(joinedload(Session.event).joinedload(Event.forum), joinedload(Session.room).joinedload(Room.venue))
            .order_by(Session.starts_at, Session.id)
        )
    )
    return Agenda(events, sessions)
