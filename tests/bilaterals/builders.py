"""A forum set up for bilaterals: two bilateral rooms, three slots on 3 March, three
delegations (Japan, France, Italy) with a focal point and two members each, seen from the
morning of 1 March 2018 (the app's clock), so that every slot is still to come."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from flask import Flask, current_app
from flask.testing import FlaskClient
from sqlalchemy import select

from planner.accounts.models import User
from planner.bilaterals.models import Bilateral, BilateralRoom, BilateralSettings, BilateralSlot
from planner.delegations.models import Delegation, DelegationKind, DelegationMember, NominationStatus, Person
from planner.extensions import db
from planner.forums.models import Room
from planner.mail.models import OutboxMessage
from tests.conftest import sign_in
from tests.factories import Programme, committed, make_focal_point, make_person, make_programme, make_room, tokyo


@dataclass
class Side:
    delegation: Delegation
    focal_point: User
    members: list[Person]


@dataclass
class BilateralForum:
    programme: Programme
    rooms: list[Room]
    slots: list[BilateralSlot]
    sides: dict[str, Side] = field(default_factory=dict)

    @property
    def forum(self):  # noqa: ANN201
        return self.programme.forum

    @property
    def organiser(self) -> User:
        return self.programme.organiser

    def __getattr__(self, key: str) -> Side:
        sides = self.__dict__.get("sides", {})
        if key in sides:
            return sides[key]
        raise AttributeError(key)


def make_slot(forum_id: int, start: str, minutes: int = 30) -> BilateralSlot:
    starts_at = tokyo(start)
    slot = BilateralSlot(
        forum_id=forum_id, day=starts_at.date(), starts_at=starts_at, ends_at=starts_at + dt.timedelta(minutes=minutes)
    )
    db.session.add(slot)
    db.session.flush()
    return slot


def make_side(programme: Programme, name: str, code: str) -> Side:
    delegation = programme.delegation(name.lower(), name, kind=DelegationKind.COUNTRY, country_code=code)
    focal_point = make_focal_point(delegation, email=f"focal-{code.lower()}@example.org")
    members = []
    for n in (1, 2):
        person = make_person(name=f"{name} minister {n}", email=f"{code.lower()}{n}@example.org")
        db.session.add(
            DelegationMember(delegation_id=delegation.id, person_id=person.id, status=NominationStatus.NOMINATED)
        )
        members.append(person)
    db.session.flush()
    return Side(delegation, focal_point, members)


#: The app's clock for a forum built here: two days before its slots (a test may move it on).
BEFORE_THE_SLOTS = tokyo("2018-03-01 09:00")


def clock_before_the_slots() -> None:
    """Inside an app context: the app's clock (``CLOCK``) at ``BEFORE_THE_SLOTS``; the app's
    settings are put back after each test."""
    current_app.config["CLOCK"] = lambda: BEFORE_THE_SLOTS


def build(rooms: int = 2, slots: int = 3, daily_limit: int | None = None) -> BilateralForum:
    """Inside an app context: the forum ISEF2 (Tokyo) set up for bilaterals, its slots still
    to come by the app's clock."""
    clock_before_the_slots()
    programme = make_programme()
    made_rooms = [make_room(programme.forum, f"Bilateral room {n + 1}") for n in range(rooms)]
    for room in made_rooms:
        db.session.add(BilateralRoom(room_id=room.id, forum_id=programme.forum.id))
    if daily_limit is not None:
        db.session.add(BilateralSettings(forum_id=programme.forum.id, daily_limit=daily_limit))
    made_slots = [make_slot(programme.forum.id, f"2018-03-03 {10 + n:02d}:00") for n in range(slots)]
    built = BilateralForum(programme, made_rooms, made_slots)
    for name, code in (("Japan", "JP"), ("France", "FR"), ("Italy", "IT")):
        built.sides[name.lower()] = make_side(programme, name, code)
    db.session.flush()
    return built


def built(app: Flask, **options: int) -> BilateralForum:
    with committed(app):
        return build(**options)


def ask(client: FlaskClient, forum: BilateralForum, asking: str, asked: str, slot_ids: list[int], **extra: object):
    """``asking``'s focal point asks ``asked`` for a bilateral through the form."""
    side = forum.sides[asking]
    sign_in(client, side.focal_point)
    data = {
        "partner": str(forum.sides[asked].delegation.id),
        "topic": extra.pop("topic", "Lunar gateway cooperation"),
        "slots": [str(s) for s in slot_ids],
        "participants": [str(p.id) for p in side.members[:1]],
        **extra,
    }
    return client.post(f"/forums/isef2/delegations/{side.delegation.id}/bilaterals", data=data)


def answer(client: FlaskClient, forum: BilateralForum, side: str, bilateral_id: int, action: str = "accept", **data):
    sign_in(client, forum.sides[side].focal_point)
    if action == "accept" and "participants" not in data:
        data["participants"] = [str(forum.sides[side].members[0].id)]
    return client.post(f"/forums/isef2/bilaterals/{bilateral_id}/{action}", data=data)


def latest_bilateral(app: Flask) -> Bilateral:
    with committed(app):
        found = db.session.scalars(select(Bilateral).order_by(Bilateral.id.desc())).first()
        assert found is not None
        return found


def current_bilateral(app: Flask, bilateral_id: int) -> Bilateral:
    with committed(app):
        found = db.session.get(Bilateral, bilateral_id)
        assert found is not None
        return found


def outbox(app: Flask) -> list[OutboxMessage]:
    with committed(app):
        return list(db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))
