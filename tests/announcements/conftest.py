"""A forum with people in every audience and some just outside each: registrations of every
status in two events, focal points, delegation members accredited or not, agendas; and
another forum's people, who must never be written to."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from flask import Flask

from planner.db import utcnow
from planner.delegations.models import DelegationMember, NominationStatus
from planner.extensions import db
from planner.registration.models import AgendaItem, Question, QuestionKind, Registration
from planner.registration.models import RegistrationStatus as Status
from tests.factories import (
    committed,
    make_delegation,
    make_event,
    make_focal_point,
    make_forum,
    make_isef2,
    make_person,
    make_programme,
    make_user,
)
from tests.mail.conftest import mail_app, reload  # noqa: F401  (fixtures and helper shared with the outbox's tests)

PAGE = "/forums/isef2/manage/announcements"


@dataclass
class World:
    forum_id: int
    other_forum_id: int
    ids: dict[str, int]  # users, delegations, sessions and the question by name


@pytest.fixture
def world(app: Flask) -> World:
    with committed(app):
        programme = make_programme(make_isef2(languages=["en", "ja"]), organiser="org@example.org")
        programme.organiser.name = "Aiko Organiser"
        forum, y_isef = programme.forum, programme.event
        side = make_event(forum, "SIDE")
        japan = programme.delegation("japan", "Japan")
        esa = programme.delegation("esa", "ESA")
        other = make_forum(slug="other", name="Other Forum")
        other_event = make_event(other, "OTHER")
        other_delegation = make_delegation(other, name="Elsewhere")
        diet = programme.add(
            "diet", Question(event_id=y_isef.id, label="Diet", kind=QuestionKind.SINGLE, choices=["Vegetarian", "None"])
        )
        people = {
            name: make_user(name=name.title(), email=f"{name}@example.org", language=language)
            for name, language in [
                ("ada", "en"),
                ("ben", "ja"),
                ("cat", "en"),
                ("dan", "en"),
                ("eve", "ja"),
                ("fay", "en"),
                ("gus", "fr"),
                ("olga", "en"),
                ("kei", "ja"),
            ]
        }
        people["fay"].deleted_at = utcnow()

        def register(name: str, event, status: Status, **values) -> None:
            db.session.add(Registration(event=event, user=people[name], status=status, **values))

        register(
            "ada", y_isef, Status.CONFIRMED, delegation=japan, country_code="JP", answers={str(diet.id): "Vegetarian"}
        )
        register("ben", y_isef, Status.PENDING, delegation=esa, country_code="FR", answers={str(diet.id): "None"})
        register("cat", y_isef, Status.CANCELLED, delegation=japan, country_code="JP")
        register("dan", side, Status.DECLINED)
        register("eve", y_isef, Status.CONFIRMED, country_code="JP")
        register("eve", side, Status.CONFIRMED, country_code="JP")
        register("fay", y_isef, Status.CONFIRMED)
        register("gus", side, Status.WAITLISTED)
        register("olga", other_event, Status.CONFIRMED)
        focal_point = make_focal_point(japan, name="Fumi Focal", email="fumi@example.org", language="ja")
        elsewhere_focal_point = make_focal_point(other_delegation, email="far@example.org")
        members = {
            "kei": make_person(name="Kei Member", email="kei@example.org"),  # has an account (ja)
            "lena": make_person(name="Lena Member", email="lena@example.org"),
            "ichiro": make_person(name="Ichiro Nominee", email="ichiro@example.org"),
            "jun": make_person(name="Jun Noaddress", email=None),
            "mia": make_person(name="Mia Esa", email="mia@example.org"),
        }
        for key, delegation, status in [
            ("kei", japan, NominationStatus.ACCREDITED),
            ("lena", japan, NominationStatus.ACCREDITED),
            ("ichiro", japan, NominationStatus.NOMINATED),
            ("jun", japan, NominationStatus.ACCREDITED),
            ("mia", esa, NominationStatus.ACCREDITED),
        ]:
            db.session.add(DelegationMember(delegation=delegation, person=members[key], status=status))
        opening = programme.session("opening", "Opening", "2018-02-28 09:00")
        panel = programme.session("panel", "Panel", "2018-02-28 11:00")
        for name, session in [("ada", opening), ("cat", opening), ("eve", opening), ("eve", panel)]:
            db.session.add(AgendaItem(user_id=people[name].id, session_id=session.id))
        db.session.flush()
        ids = {name: user.id for name, user in people.items()}
        ids.update(
            organiser=programme.organiser.id,
            fumi=focal_point.id,
            far=elsewhere_focal_point.id,
            japan=japan.id,
            esa=esa.id,
            elsewhere=other_delegation.id,
            opening=opening.id,
            panel=panel.id,
            diet=diet.id,
            side=side.id,
        )
    return World(forum.id, other.id, ids)
