"""The forum's age of majority: set on its edit form, checked by the rules."""

import pytest
from sqlalchemy import select

from planner.audit.models import AuditEntry
from planner.extensions import db
from planner.forums import services
from planner.forums.models import Forum
from tests.conftest import sign_in
from tests.factories import committed, current, make_isef2, make_organiser

FORM = {
    "name": "ISEF2",
    "title": "The forum",
    "host_city": "Tokyo",
    "description": "",
    "age_of_majority": "18",
    "personal_data_retention_days": "90",
}


@pytest.fixture
def organiser(app):
    with committed(app):
        forum = make_isef2()
        return make_organiser(forum)


def test_the_age_of_majority_is_18_unless_the_organisers_change_it(app, client, organiser):
    sign_in(client, organiser)
    page = client.get("/forums/isef2/manage/forum").get_data(as_text=True)
    assert 'name="age_of_majority"' in page and 'value="18"' in page
    data = {**FORM, "age_of_majority": "20"}
    assert client.post("/forums/isef2/manage/forum", data=data).status_code == 302
    with app.app_context():
        assert db.session.scalar(select(Forum.age_of_majority).where(Forum.slug == "isef2")) == 20
        assert db.session.scalar(select(AuditEntry.action).order_by(AuditEntry.id.desc())) == "forum.saved"


@pytest.mark.parametrize("value", ["", "0", "31", "eighteen"])
def test_an_implausible_age_of_majority_is_refused_with_a_message(app, client, organiser, value):
    sign_in(client, organiser)
    data = {**FORM, "age_of_majority": value}
    response = client.post("/forums/isef2/manage/forum", data=data)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Give the age of majority, like 18." in page or "Give an age from 1 to 30." in page
    with app.app_context():
        assert db.session.scalar(select(Forum.age_of_majority).where(Forum.slug == "isef2")) == 18


def test_the_rule_holds_for_every_entry_point(app, organiser, app_context):
    forum = db.session.scalar(select(Forum).where(Forum.slug == "isef2"))
    with pytest.raises(services.ForumError, match="Give an age from 1 to 30."):
        services.save_forum(
            current(organiser), forum, name="ISEF2", title="T", host_city="Tokyo", description="", age_of_majority=0
        )
