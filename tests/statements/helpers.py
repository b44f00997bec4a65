"""A forum with an organiser, a focal point and delegations, for the record's tests."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from planner.delegations.models import DelegationKind
from planner.extensions import db
from planner.forums.models import EventKind
from planner.statements import services
from planner.statements.models import DocumentKind, OutcomeDocument
from tests.factories import make_delegation, make_event, make_focal_point, make_forum, make_organiser, make_user, tokyo


@dataclass
class World:
    forum_id: int
    other_forum_id: int
    organiser: str
    focal_point: str
    delegate: str
    other_organiser: str
    japan_id: int
    esa_id: int
    other_japan_id: int
    ministerial_id: int


def build_world() -> World:
    forum = make_forum(slug="isef2", name="ISEF2")
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
    world = World(
        forum_id=forum.id,
        other_forum_id=other.id,
        organiser=make_organiser(forum).session_token,
        focal_point=make_focal_point(japan).session_token,
        delegate=make_user().session_token,
        other_organiser=make_organiser(other).session_token,
        japan_id=japan.id,
        esa_id=esa.id,
        other_japan_id=other_japan.id,
        ministerial_id=ministerial.id,
    )
    db.session.commit()
    return world


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
