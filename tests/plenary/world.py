"""ISEF2's plenary with three delegations, their accredited members and Japan's focal point,
for the speakers' list's tests."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from planner.accounts.models import User
from planner.db import utcnow
from planner.delegations.models import (
    Delegation,
    DelegationKind,
    DelegationMember,
    NominationStatus,
    Person,
    RepresentationLevel,
)
from planner.extensions import db
from planner.forums.models import Forum
from planner.plenary import services
from planner.plenary.models import SpeakersList
from planner.schedule.models import Session, SessionKind
from tests.factories import make_delegation, make_focal_point, make_person, make_plenary_and_panel

L = RepresentationLevel


@dataclass
class World:
    forum: Forum
    plenary: Session
    panel: Session
    organiser: User
    japan: Delegation
    kenya: Delegation
    esa: Delegation
    japan_focal_point: User
    kenya_focal_point: User
    people: dict[str, Person]

    def person_id(self, key: str) -> int:
        return self.people[key].id


def member(delegation: Delegation, name: str, level: RepresentationLevel, **overrides) -> Person:
    person = make_person(name=name)
    values = dict(status=NominationStatus.ACCREDITED, level=level)
    values.update(overrides)
    db.session.add(DelegationMember(delegation_id=delegation.id, person_id=person.id, **values))
    db.session.flush()
    return person


def make_world() -> World:
    built = make_plenary_and_panel()
    built.plenary.kind = SessionKind.PLENARY
    forum = built.forum
    japan = make_delegation(forum, name="Japan", kind=DelegationKind.COUNTRY, country_code="JP")
    kenya = make_delegation(forum, name="Kenya", kind=DelegationKind.COUNTRY, country_code="KE")
    esa = make_delegation(forum, name="ESA", kind=DelegationKind.ORGANISATION)
    people = {
        "japan_minister": member(japan, "Yui Sato", L.MINISTER, function="Minister of Education"),
        "japan_ambassador": member(japan, "Ken Mori", L.AMBASSADOR),
        "japan_nominee": member(japan, "Not Accredited", L.HEAD_OF_STATE, status=NominationStatus.NOMINATED),
        "kenya_minister": member(kenya, "Amina Otieno", L.MINISTER),
        "esa_director": member(esa, "Josef Aschbacher", L.HEAD_OF_AGENCY),
    }
    return World(
        forum=forum,
        plenary=built.plenary,
        panel=built.panel,
        organiser=built.organiser,
        japan=japan,
        kenya=kenya,
        esa=esa,
        japan_focal_point=make_focal_point(japan),
        kenya_focal_point=make_focal_point(kenya),
        people=people,
    )


def settings(**overrides) -> services.Settings:
    values = dict(
        deadline=utcnow() + dt.timedelta(days=1), speaking_minutes=5, speakers_per_delegation=1, states_first=False
    )
    values.update(overrides)
    return services.Settings(**values)


def open_list(world: World, **overrides) -> SpeakersList:
    return services.open_list(world.organiser, world.plenary, settings(**overrides))
