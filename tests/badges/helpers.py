"""A forum ready for badges: a ministerial meeting, a side event, zones, holders and staff."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any

from planner.badges import issuing, signing
from planner.badges.models import Badge, BadgeCategory, ForumScanner, Zone, ZoneEvent
from planner.delegations.models import DelegationMember, DelegationStatus, NominationStatus
from planner.extensions import db
from planner.forums.models import Event, EventKind, Forum
from planner.registration.models import Registration, RegistrationStatus
from tests.factories import make_delegation, make_event, make_isef2, make_organiser, make_person, make_user


@dataclass
class BadgeScene:
    forum: Forum
    ministerial: Event
    side_event: Event
    plenary: Zone
    press_centre: Zone
    side_room: Zone
    organiser: Any
    scanner: Any
    delegate: Badge
    participant: Badge
    other_delegate: Badge

    def token(self, badge: Badge, **changes: Any) -> str:
        values: dict[str, Any] = dict(
            badge_id=badge.id,
            version=badge.version,
            valid_from=badge.valid_from,
            valid_until=badge.valid_until,
            zones=badge.zone_numbers,
        )
        values.update(changes)
        return signing.encode_token(signing.signing_key(self.forum), **values)


def make_zone(forum: Forum, number: int, name: str, categories: list[str] = (), events: list[Event] = ()) -> Zone:  # type: ignore[assignment]
    zone = Zone(forum_id=forum.id, number=number, name=name, categories=list(categories))
    db.session.add(zone)
    db.session.flush()
    for event in events:
        db.session.add(ZoneEvent(zone_id=zone.id, event_id=event.id))
    db.session.flush()
    return zone


def accredited_member(forum: Forum, name: str, delegation_name: str = "Japan") -> DelegationMember:
    delegation = make_delegation(forum, name=delegation_name, status=DelegationStatus.CONFIRMED)
    member = DelegationMember(
        delegation_id=delegation.id, person_id=make_person(name=name).id, status=NominationStatus.ACCREDITED
    )
    db.session.add(member)
    db.session.flush()
    return member


def make_scene(**forum: Any) -> BadgeScene:
    """ISEF2 with its ministerial meeting (3 March) and Y-ISEF; the plenary hall opened by the
    meeting, the press centre by press badges, the side room by Y-ISEF."""
    place = make_isef2(**forum)
    ministerial = make_event(
        place,
        "MIN",
        kind=EventKind.MINISTERIAL,
        starts_at=dt.datetime(2018, 3, 3, 9, tzinfo=place.zone),
        ends_at=dt.datetime(2018, 3, 3, 18, tzinfo=place.zone),
    )
    side_event = make_event(place, "Y-ISEF")
    plenary = make_zone(place, 1, "Plenary hall", ["security"], [ministerial])
    press_centre = make_zone(place, 2, "Press centre", ["press", "security"])
    side_room = make_zone(place, 3, "Side-event room", [], [side_event])
    organiser = make_organiser(place)
    scanner = make_user(name="Door Staff")
    db.session.add(ForumScanner(forum_id=place.id, user_id=scanner.id))
    accredited_member(place, "Aiko Tanaka")
    accredited_member(place, "Jean Dupont", "France")
    participant = make_user(name="Kenji Sato")
    db.session.add(Registration(event_id=side_event.id, user_id=participant.id, status=RegistrationStatus.CONFIRMED))
    db.session.flush()
    badges = {badge.name: badge for badge in issuing.issue_missing(organiser, place)}
    return BadgeScene(
        forum=place,
        ministerial=ministerial,
        side_event=side_event,
        plenary=plenary,
        press_centre=press_centre,
        side_room=side_room,
        organiser=organiser,
        scanner=scanner,
        delegate=badges["Aiko Tanaka"],
        participant=badges["Kenji Sato"],
        other_delegate=badges["Jean Dupont"],
    )


#: A moment inside ISEF2's days (3 March 2018, 10:00 in Tokyo).
DURING = dt.datetime(2018, 3, 3, 10, tzinfo=dt.timezone(dt.timedelta(hours=9)))


def scan(token: str | None, zone: int, at: dt.datetime = DURING, badge: int | None = None, **extra: Any) -> dict:
    return {
        "id": str(uuid.uuid4()),
        "token": token,
        "badge": badge,
        "zone": zone,
        "event": None,
        "at": at.isoformat(),
        **extra,
    }


def staff_badges(app: Any, scene: BadgeScene, count: int, **columns: Any) -> list[str]:
    """``count`` staff badges more (numbers 100 up), committed, and their tokens. ``columns``
    are set on each, a value or a function of the badge's index (``zone_numbers=lambda n: [1]``)."""
    with app.test_request_context():
        forum = db.session.get(type(scene.forum), scene.forum.id)
        start, end = issuing.forum_validity(forum)
        badges = [
            Badge(
                forum_id=forum.id,
                number=100 + n,
                category=BadgeCategory.STAFF,
                name=f"Staff member {n}",
                valid_from=start,
                valid_until=end,
                **{name: value(n) if callable(value) else value for name, value in columns.items()},
            )
            for n in range(count)
        ]
        db.session.add_all(badges)
        db.session.flush()
        tokens = [scene.token(badge) for badge in badges]
        db.session.commit()
    return tokens
