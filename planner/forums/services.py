"""Forums and their events, venues and rooms: reading them for the public pages, and what
organisers and administrators change about them (these check the acting user's permission,
flush and never commit)."""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import delete, func, select
from sqlalchemy.orm import joinedload, selectinload

from planner.accounts.models import User
from planner.accounts.permissions import require_admin, require_organiser
from planner.audit.services import record
from planner.calendar import invites
from planner.db import as_utc
from planner.delegations.models import Delegation
from planner.extensions import db
from planner.forums.models import (
    AGE_OF_MAJORITY,
    AGES_OF_MAJORITY,
    RETENTION_DAYS,
    Event,
    EventKind,
    Forum,
    Room,
    Venue,
)
from planner.forums.series import checked_series
from planner.refusals import Refused
from planner.schedule.models import RoomClosedDay, Session, SessionStatus
from planner.translated import GivenTranslations, Translatable, language_name, merged

if TYPE_CHECKING:
    from planner.badges.models import Zone


class EventNotFound(LookupError):
    pass


def lock_forum(forum: Forum) -> None:
    """One change at a time to what the rules read of a whole forum (its programme, its list of
    delegations, its numbering of visa letters): a second change sent at once waits here for
    the first to commit, so its checks see what the first wrote instead of missing it (two
    sessions booked into one free room) or failing on a unique constraint. A row lock on
    PostgreSQL; SQLite has one writer anyway (requests that write BEGIN IMMEDIATE)."""
    db.session.execute(select(Forum.id).where(Forum.id == forum.id).with_for_update())


class ForumArchived(Refused):
    """A change to the record of an archived forum: its delegations, nominations,
    accreditation and endorsements are history now."""


def require_not_archived(forum: Forum) -> None:
    """Refuse changes to an archived forum's delegations and their record, with the reason."""
    if forum.is_archived:
        raise ForumArchived(
            _("%(forum)s is archived: its delegations and their record can no longer be changed.", forum=forum.name)
        )


class ForumError(Refused):
    """A change to a forum, event, venue or room that the rules refuse."""


class Unchanged(enum.Enum):
    """A keyword left out on purpose: the forum keeps what it has."""

    UNCHANGED = "unchanged"


UNCHANGED = Unchanged.UNCHANGED


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
        select(Event).where(Event.forum_id == forum.id, Event.code == code.upper()).options(joinedload(Event.venue))
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


# What organisers change ---------------------------------------------------------------------


def check_languages(languages: Sequence[str]) -> list[str]:
    """A forum's languages: at least one, each one planner offers, none twice."""
    offered = list(current_app.config["LANGUAGES"])
    if not languages:
        raise ForumError(_("Give at least one language, like en."), "languages")
    for code in languages:
        if code not in offered:
            raise ForumError(
                _(
                    "planner does not offer the language %(code)s: choose from %(codes)s.",
                    code=code[:20],
                    codes=", ".join(offered),
                ),
                "languages",
            )
    if len(set(languages)) != len(languages):
        raise ForumError(_("Give each language once."), "languages")
    return list(languages)


def translate(forum: Forum, obj: Translatable, given: GivenTranslations | None) -> None:
    """Store what was typed in the forum's other languages on ``obj``; a language the forum
    is not written in is refused, so nothing typed in it is kept unnoticed."""
    if not given:
        return
    for language in given:
        if language not in forum.other_languages:
            raise ForumError(
                _(
                    "%(forum)s is not written in %(language)s; add the language to the forum first.",
                    forum=forum.name,
                    language=language_name(language),
                )
            )
    obj.translations = merged(obj.translations, given)


def save_venue(
    actor: User,
    forum: Forum,
    venue: Venue | None,
    name: str,
    address: str,
    translations: GivenTranslations | None = None,
) -> Venue:
    require_organiser(actor, forum)
    name = name.strip()
    clash = db.session.scalar(select(Venue).where(Venue.forum_id == forum.id, Venue.name == name))
    if clash is not None and clash is not venue:
        raise ForumError(_("This forum already has a venue called %(name)s.", name=name))
    if venue is None:
        venue = Venue(forum=forum, name=name, address=address)
        db.session.add(venue)
    else:
        venue.name, venue.address = name, address
    translate(forum, venue, translations)
    db.session.flush()
    record(actor, "venue.saved", forum_id=forum.id, target=("venue", venue.id), summary=venue.name)
    return venue


def closed_days_of(room: Room) -> list[dt.date]:
    return list(
        db.session.scalars(
            select(RoomClosedDay.day).where(RoomClosedDay.room_id == room.id).order_by(RoomClosedDay.day)
        )
    )


def save_room(
    actor: User,
    forum: Forum,
    room: Room | None,
    venue: Venue,
    name: str,
    capacity: int | None,
    accessibility_notes: str,
    closed_days: Sequence[dt.date],
    translations: GivenTranslations | None = None,
    required_zone: Zone | None = None,
) -> Room:
    """A room with its capacity, accessibility notes, the days it cannot be used and the
    access zone a badge must open to enter it (one of the forum's zones)."""
    require_organiser(actor, forum)
    if venue.forum_id != forum.id:
        raise ForumError(_("This forum has no such venue."))
    if required_zone is not None and required_zone.forum_id != forum.id:
        raise ForumError(_("This forum has no such zone."), "required_zone")
    name = name.strip()
    clash = db.session.scalar(select(Room).where(Room.venue_id == venue.id, Room.name == name))
    if clash is not None and clash is not room:
        raise ForumError(_("%(venue)s already has a room called %(name)s.", venue=venue.name, name=name))
    outside = [d for d in closed_days if not forum.first_day <= d <= forum.last_day]
    if outside:
        raise ForumError(_("%(day)s is not a day of the forum.", day=outside[0].isoformat()), "closed_days")
    if room is None:
        room = Room(venue=venue, name=name)
        db.session.add(room)
    room.venue, room.name, room.capacity, room.accessibility_notes = venue, name, capacity, accessibility_notes
    room.required_zone = required_zone
    translate(forum, room, translations)
    db.session.flush()
    db.session.execute(delete(RoomClosedDay).where(RoomClosedDay.room_id == room.id))
    db.session.add_all(RoomClosedDay(room_id=room.id, day=d) for d in sorted(set(closed_days)))
    db.session.flush()
    record(
        actor,
        "room.saved",
        forum_id=forum.id,
        target=("room", room.id),
        summary=room.name,
        after={
            "capacity": capacity,
            "closed_days": [d.isoformat() for d in sorted(set(closed_days))],
            "required_zone": required_zone.number if required_zone is not None else None,
        },
    )
    return room


def save_event(
    actor: User,
    forum: Forum,
    event: Event | None,
    *,
    code: str,
    kind: EventKind,
    title: str,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    venue: Venue | None,
    description: str,
    translations: GivenTranslations | None = None,
) -> Event:
    """An event of the forum; its sessions must stay within its new dates."""
    require_organiser(actor, forum)
    code = code.strip().upper()
    if ends_at <= starts_at:
        raise ForumError(_("The event must end after it starts."))
    opens = dt.datetime.combine(forum.first_day, dt.time(0), tzinfo=forum.zone)
    closes = dt.datetime.combine(forum.last_day + dt.timedelta(days=1), dt.time(0), tzinfo=forum.zone)
    if starts_at < opens or ends_at > closes:
        raise ForumError(
            _(
                "An event takes place within the forum's days (%(first)s to %(last)s).",
                first=forum.first_day.isoformat(),
                last=forum.last_day.isoformat(),
            )
        )
    clash = db.session.scalar(select(Event).where(Event.forum_id == forum.id, Event.code == code))
    if clash is not None and clash is not event:
        raise ForumError(_("This forum already has an event with the code %(code)s.", code=code))
    if venue is not None and venue.forum_id != forum.id:
        raise ForumError(_("This forum has no such venue."))
    if event is not None:
        outside = db.session.scalar(
            select(Session.title)
            .where(
                Session.event_id == event.id,
                Session.status == SessionStatus.SCHEDULED,
                (Session.starts_at < starts_at) | (Session.ends_at > ends_at),
            )
            .limit(1)
        )
        if outside is not None:
            raise ForumError(_("“%(title)s” would fall outside the event's new dates; move it first.", title=outside))
    moved = event is not None and (
        (as_utc(event.starts_at), as_utc(event.ends_at), event.venue_id)
        != (as_utc(starts_at), as_utc(ends_at), venue.id if venue is not None else None)
    )
    if event is None:
        event = Event(forum=forum, code=code, kind=kind, title=title, starts_at=starts_at, ends_at=ends_at)
        db.session.add(event)
    event.code, event.kind, event.title, event.venue = code, kind, title, venue
    event.starts_at, event.ends_at, event.description = starts_at, ends_at, description
    translate(forum, event, translations)
    db.session.flush()
    record(actor, "event.saved", forum_id=forum.id, target=("event", event.id), summary=event.code)
    if moved:
        invites.event_moved(event)  # the invitations in people's calendars move with it
    return event


def create_forum(
    actor: User,
    *,
    slug: str,
    name: str,
    title: str,
    host_city: str,
    host_country: str,
    timezone: str,
    first_day: dt.date,
    last_day: dt.date,
    description: str,
    age_of_majority: int = AGE_OF_MAJORITY,
    languages: Sequence[str] = ("en",),
    series_id: int | None = None,
) -> Forum:
    """A new forum, by a site administrator; its organisers are appointed afterwards. Its
    first language is the one its texts are typed in; titles in the others come later. It
    may belong to a series (``series_id``)."""
    require_admin(actor)
    _check_age_of_majority(age_of_majority)
    languages = check_languages(languages)
    series = checked_series(series_id)
    if db.session.scalar(select(Forum.id).where(Forum.slug == slug)) is not None:
        raise ForumError(_("Another forum has the address name %(slug)s.", slug=slug), "slug")
    forum = Forum(
        slug=slug,
        name=name.strip(),
        title=title.strip(),
        host_city=host_city.strip(),
        host_country=host_country,
        timezone=timezone,
        first_day=first_day,
        last_day=last_day,
        description=description,
        age_of_majority=age_of_majority,
        languages=languages,
        series=series,
    )
    db.session.add(forum)
    db.session.flush()
    record(
        actor,
        "forum.created",
        forum_id=forum.id,
        target=("forum", forum.id),
        summary=forum.name,
        after={"series": series.slug} if series is not None else None,
    )
    return forum


def _check_age_of_majority(age: int) -> None:
    if age not in AGES_OF_MAJORITY:
        raise ForumError(
            _("Give an age from %(min)d to %(max)d.", min=AGES_OF_MAJORITY.start, max=AGES_OF_MAJORITY.stop - 1),
            "age_of_majority",
        )


def save_forum(
    actor: User,
    forum: Forum,
    *,
    name: str,
    title: str,
    host_city: str,
    description: str,
    age_of_majority: int | None = None,
    languages: Sequence[str] | None = None,
    translations: GivenTranslations | None = None,
    series_id: int | None | Unchanged = UNCHANGED,
    personal_data_retention_days: int | None = None,
) -> Forum:
    """The forum's names, description, age of majority, languages, series and how long its
    personal data is kept (its dates and timezone anchor the whole programme and are set when
    it is created). The age of majority applies to applications from then on: those made
    already keep the answer they had. The first language stays: every text typed so far is in
    it. A language taken away keeps its translations, unused, until it is added again. The
    retention is 0 to 3660 days after the last day; once purged, a longer one brings nothing back."""
    require_organiser(actor, forum)
    # Before the languages change: the form showed fields for the languages it had.
    translate(forum, forum, translations)
    if languages is not None:
        languages = check_languages(languages)
        if languages[0] != forum.first_language:
            raise ForumError(
                _(
                    "The first language is the one the forum's texts are typed in: keep %(code)s first.",
                    code=forum.first_language,
                ),
                "languages",
            )
        forum.languages = languages
    if age_of_majority is not None:
        _check_age_of_majority(age_of_majority)
        forum.age_of_majority = age_of_majority
    before: dict[str, object] = {}
    after: dict[str, object] = {}
    if series_id is not UNCHANGED and series_id != forum.series_id:
        series = checked_series(series_id)
        before["series"] = forum.series.slug if forum.series is not None else None
        after["series"] = series.slug if series is not None else None
        forum.series = series
    if personal_data_retention_days is not None and personal_data_retention_days != forum.personal_data_retention_days:
        if personal_data_retention_days not in RETENTION_DAYS:
            raise ForumError(
                _(
                    "Give a number of days from %(min)d to %(max)d.",
                    min=RETENTION_DAYS.start,
                    max=RETENTION_DAYS.stop - 1,
                ),
                "personal_data_retention_days",
            )
        before["personal_data_retention_days"] = forum.personal_data_retention_days
        after["personal_data_retention_days"] = personal_data_retention_days
        forum.personal_data_retention_days = personal_data_retention_days
    changes = {"before": before, "after": after} if after else {}
    forum.name, forum.title, forum.host_city, forum.description = (
        name.strip(),
        title.strip(),
        host_city.strip(),
        description,
    )
    db.session.flush()
    record(actor, "forum.saved", forum_id=forum.id, target=("forum", forum.id), summary=forum.name, **changes)
    return forum
