"""Endorsements of an archived forum's documents are history: recording one is refused with
the reason, nothing is stored, and the document's page offers no endorsement form."""

import datetime as dt

import pytest
from sqlalchemy import func, select

from planner.audit.models import AuditEntry
from planner.extensions import db
from planner.forums.models import ForumStatus
from planner.forums.services import ForumArchived
from planner.statements import services
from planner.statements.models import Endorsement, EndorsementKind
from tests.conftest import sign_in
from tests.factories import committed, current
from tests.statements.helpers import draft

ARCHIVED = "ISEF2 is archived: its delegations and their record can no longer be changed."
URL = "/forums/isef2/statements/joint-statement"


@pytest.fixture
def archived(app, world):
    """World's ISEF2 with its adopted joint statement, endorsed by Japan, then archived."""
    with committed(app):
        organiser, forum = current(world.organiser), current(world.forum)
        document = draft(organiser, forum)
        services.adopt(organiser, document, on=dt.date(2018, 3, 3))
        services.record_endorsement(
            organiser, document, current(world.japan), EndorsementKind.ENDORSED, dt.date(2018, 3, 3)
        )
        forum.status = ForumStatus.ARCHIVED
    return world


def stored(app) -> tuple:
    with app.app_context():
        return (
            sorted((e.delegation_id, e.kind.value) for e in db.session.scalars(select(Endorsement))),
            db.session.scalar(select(func.count()).select_from(AuditEntry)),
        )


def test_the_page_says_why_instead_of_the_form(client, archived):
    sign_in(client, archived.organiser)
    page = client.get(URL).get_data(as_text=True)
    assert ARCHIVED in page and "Record the endorsement" not in page
    assert "Japan" in page  # what was recorded stays shown


@pytest.mark.parametrize("delegation", ["esa", "japan"])  # a new endorsement, and a change to one
def test_recording_an_endorsement_is_refused_and_nothing_stored(app, client, archived, delegation):
    before = stored(app)
    sign_in(client, archived.organiser)
    answer = client.post(
        f"{URL}/endorsements",
        data={
            "endorse-delegation": str(getattr(archived, delegation).id),
            "endorse-kind": "welcomed",
            "endorse-endorsed_on": "2018-03-04",
        },
    )
    assert answer.status_code == 422
    assert ARCHIVED in answer.get_data(as_text=True)
    assert stored(app) == before


def test_the_service_refuses_it(app, archived):
    with app.test_request_context():
        document = db.session.scalar(select(services.OutcomeDocument))
        with pytest.raises(ForumArchived, match="ISEF2 is archived"):
            services.record_endorsement(
                current(archived.organiser),
                document,
                current(archived.esa),
                EndorsementKind.JOINED,
                dt.date(2018, 3, 3),
            )
