"""A forum with an organiser, a focal point and delegations, for the record's tests."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from planner.accounts.models import User
from planner.delegations.models import Delegation, DelegationKind
from planner.forums.models import Event, EventKind, Forum
from planner.statements import services
from planner.statements.models import DocumentKind, OutcomeDocument
from tests.factories import (
    make_delegation,
    make_event,
    make_focal_point,
    make_forum,
    make_isef2,
    make_organiser,
    make_user,
    tokyo,
)


@dataclass
class World:
    forum: Forum  # ISEF2
    other_forum: Forum  # ISEF3
    organiser: User
    focal_point: User  # of Japan
    delegate: User
    other_organiser: User  # of ISEF3
    japan: Delegation
    esa: Delegation
    other_japan: Delegation  # Japan at ISEF3
    ministerial: Event


def build_world() -> World:
    forum = make_isef2()
    other = make_forum(slug="isef3", name="ISEF3", first_day=dt.date(2021, 1, 1), last_day=dt.date(2021, 1, 2))
    ministerial = make_event(
        forum,
        "MINISTERIAL",
        kind=EventKind.MINISTERIAL,
        title="Ministerial meeting",
        starts_at=tokyo("2018-03-03 09:00"),
        ends_at=tokyo("2018-03-03 18:00"),
    )
    japan = make_delegation(forum, name="Japan", kind=DelegationKind.COUNTRY, country_code="JP")
    esa = make_delegation(forum, name="European Space Agency")
    other_japan = make_delegation(other, name="Japan", kind=DelegationKind.COUNTRY, country_code="JP")
    return World(
        forum=forum,
        other_forum=other,
        organiser=make_organiser(forum),
        focal_point=make_focal_point(japan),
        delegate=make_user(),
        other_organiser=make_organiser(other),
        japan=japan,
        esa=esa,
        other_japan=other_japan,
        ministerial=ministerial,
    )


def draft(
    user,
    forum,
    slug="joint-statement",
    text="First paragraph.\n\nSecond paragraph.",  # noqa: ANN001
    title="ISEF2 Joint Statement",
    **kw,
) -> OutcomeDocument:
    return services.create_document(
        user, forum, kind=kw.pop("kind", DocumentKind.JOINT_STATEMENT), title=title, slug=slug, text=text, **kw
    )
