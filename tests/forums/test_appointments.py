"""Organisers and administrators appoint organisers and focal points, and it is logged."""

import pytest
from sqlalchemy import select

from planner.accounts.models import User
from planner.accounts.permissions import is_focal_point, is_organiser
from planner.audit.models import AuditEntry
from planner.delegations import invitations
from planner.delegations.models import DelegationFocalPoint, DelegationKind, FocalPointRole
from planner.extensions import db
from planner.forums import organisers
from planner.forums.models import Forum, ForumOrganiser
from planner.refusals import NotAllowed
from tests.accounts.helpers import mails_to
from tests.conftest import sign_in
from tests.factories import (
    Programme,
    committed,
    current,
    make_focal_point,
    make_forum,
    make_organiser,
    make_programme,
    make_user,
)


@pytest.fixture
def programme(app) -> Programme:
    """ISEF2 with Japan, and its organiser Aiko (org@example.org)."""
    with committed(app):
        programme = make_programme()
        programme.organiser.name = "Aiko"
        programme.delegation("japan", "Japan", kind=DelegationKind.COUNTRY, country_code="JP")
    return programme


def get_forum() -> Forum:
    return db.session.scalar(select(Forum).where(Forum.slug == "isef2"))


def test_organiser_appoints_an_organiser_through_the_page(client, app, programme):
    with committed(app):
        newcomer = make_user(email="kenji@example.org", name="Kenji")
    newcomer_id = newcomer.id
    sign_in(client, programme.organiser)
    response = client.post("/forums/isef2/manage/organisers", data={"organiser-email": "Kenji@example.org"})
    assert response.status_code == 302
    assert "Kenji is now an organiser." in client.get("/forums/isef2/manage/").get_data(as_text=True)
    with app.app_context():
        assert is_organiser(db.session.get(User, newcomer_id), get_forum())
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "organiser.appointed"))
        assert entry.actor_id == programme.organiser.id and entry.after == {"email": "kenji@example.org"}
    assert [m.subject for m in mails_to(app, "kenji@example.org")] == ["You are an organiser of ISEF2"]


def test_appointing_someone_without_an_account_is_a_form_error(client, programme):
    sign_in(client, programme.organiser)
    response = client.post("/forums/isef2/manage/organisers", data={"organiser-email": "ghost@example.org"})
    assert response.status_code == 422
    assert "Ask the person to sign up first." in response.get_data(as_text=True)


def test_focal_point_removed(client, app, programme):
    """Focal points come by invitation (tests/delegations/test_invitations.py); organisers remove them here."""
    with committed(app):
        person_id = make_focal_point(current(programme.japan), email="focal@example.org").id
    sign_in(client, programme.organiser)
    remove = f"/forums/isef2/manage/focal-points/{programme.japan.id}/{person_id}/remove"
    assert client.post(remove).status_code == 302
    with app.app_context():
        assert not is_focal_point(db.session.get(User, person_id), get_forum().delegations[0])
        assert db.session.scalar(select(DelegationFocalPoint)) is None
        assert db.session.scalars(select(AuditEntry.action)).all() == ["focal_point.removed"]
    assert client.post(remove).status_code == 404


def test_the_rule_holds_outside_the_html_too(app, programme):
    """Services check permissions themselves, whatever calls them."""
    with app.test_request_context():
        outsider = make_organiser(make_forum())
        make_user(email="someone@example.org")
        with pytest.raises(NotAllowed):
            organisers.appoint_organiser(outsider, get_forum(), "someone@example.org")
        appointed = db.session.scalars(select(ForumOrganiser).where(ForumOrganiser.forum_id == programme.forum.id))
        assert [o.user_id for o in appointed] == [programme.organiser.id]


def test_administrator_organises_every_forum(app, programme):
    with app.test_request_context():
        admin = make_user(is_admin=True)
        assert is_organiser(admin, get_forum())
        organisers.appoint_organiser(admin, get_forum(), make_user(email="x@example.org").email)


def test_audit_log_filters(client, app, programme):
    with app.test_request_context():
        organiser, forum = current(programme.organiser), get_forum()
        for n in range(3):
            organisers.appoint_organiser(organiser, forum, make_user(email=f"o{n}@example.org").email)
        invitations.invite(organiser, current(programme.japan), "f@example.org", FocalPointRole.FOCAL_POINT)
        db.session.commit()
    sign_in(client, programme.organiser)
    page = client.get("/forums/isef2/manage/audit?action=focal_point").get_data(as_text=True)
    assert page.count("<code>focal_point.invited</code>") == 1 and "organiser.appointed" not in page
    page = client.get("/forums/isef2/manage/audit?actor=org@example.org").get_data(as_text=True)
    assert page.count("<code>organiser.appointed</code>") == 3
    assert "No entries match." in client.get("/forums/isef2/manage/audit?actor=nobody@example.org").get_data(
        as_text=True
    )
    assert "No entries match." in client.get("/forums/isef2/manage/audit?until=2000-01-01").get_data(as_text=True)
    bad = client.get("/forums/isef2/manage/audit?since=yesterday")
    assert bad.status_code == 400 and "Write dates like 2018-03-03." in bad.get_data(as_text=True)


def test_forum_page_offers_organisers_their_page(client, app, programme):
    assert "Organise this forum" not in client.get("/forums/isef2/").get_data(as_text=True)
    sign_in(client, programme.organiser)
    assert 'href="/forums/isef2/manage/">Organise this forum' in client.get("/forums/isef2/").get_data(as_text=True)
