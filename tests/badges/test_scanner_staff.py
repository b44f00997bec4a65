"""Organisers appoint the staff who scan badges at the doors, and remove them: an appointed
scanner opens the scanner and syncs; a removed one no longer can."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from planner.accounts.models import User
from planner.accounts.services import AppointmentError
from planner.audit.models import AuditEntry
from planner.badges import scanners
from planner.badges.models import ForumScanner
from planner.extensions import db
from planner.forums.models import ForumStatus
from planner.forums.services import ForumArchived
from planner.refusals import NotAllowed
from tests.accounts.helpers import link_in, mails_to
from tests.badges.helpers import make_scene, scan
from tests.conftest import sign_in
from tests.factories import committed, current, make_forum, make_organiser, make_user


@pytest.fixture
def scene(app):
    """The badge scene (its staff: Door Staff) and Kenji, who has an account and scans nowhere."""
    with committed(app):
        scene = make_scene()
        make_user(email="kenji@example.org", name="Kenji Door")
        return scene


@pytest.fixture
def newcomer(app, scene) -> User:
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == "kenji@example.org"))
        db.session.expunge(user)
        return user


def scanner_ids(app) -> list[int]:
    with app.app_context():
        return sorted(db.session.scalars(select(ForumScanner.user_id)))


def audit_actions(app) -> list[str]:
    with app.app_context():
        return list(
            db.session.scalars(
                select(AuditEntry.action).where(AuditEntry.action.in_(["scanner.appointed", "scanner.removed"]))
            )
        )


# -- the rules ----------------------------------------------------------------------------


def test_an_organiser_appoints_and_removes_a_scanner(app, context, scene):
    forum, organiser = current(scene.forum), current(scene.organiser)
    appointment = scanners.appoint_scanner(organiser, forum, "Kenji@Example.org")
    assert appointment.appointed_by_id == organiser.id
    assert scanners.is_scanner(appointment.user, forum)
    assert [s.user.name for s in scanners.scanners_of(forum)] == ["Door Staff", "Kenji Door"]
    with pytest.raises(AppointmentError, match="Kenji Door already scans badges at this forum."):
        scanners.appoint_scanner(organiser, forum, "kenji@example.org")
    removed = scanners.remove_scanner(organiser, forum, appointment.user_id)
    assert removed.name == "Kenji Door" and not scanners.is_scanner(removed, forum)
    with pytest.raises(AppointmentError):
        scanners.remove_scanner(organiser, forum, removed.id)
    entries = db.session.scalars(select(AuditEntry).where(AuditEntry.action.like("scanner.%"))).all()
    assert [(e.action, e.actor_id, e.after or e.before) for e in entries] == [
        ("scanner.appointed", organiser.id, {"email": "kenji@example.org"}),
        ("scanner.removed", organiser.id, {"email": "kenji@example.org"}),
    ]


def test_only_organisers_appoint_and_remove_scanners(app, context, scene):
    forum = current(scene.forum)
    for outsider in (current(scene.scanner), make_organiser(make_forum()), make_user()):
        with pytest.raises(NotAllowed):
            scanners.appoint_scanner(outsider, forum, "kenji@example.org")
        with pytest.raises(NotAllowed):
            scanners.remove_scanner(outsider, forum, scene.scanner.id)
    assert [s.user_id for s in scanners.scanners_of(forum)] == [scene.scanner.id]


def test_nobody_new_scans_at_an_archived_forum_but_staff_can_be_removed(app, context, scene):
    forum, organiser = current(scene.forum), current(scene.organiser)
    forum.status = ForumStatus.ARCHIVED
    with pytest.raises(ForumArchived):
        scanners.appoint_scanner(organiser, forum, "kenji@example.org")
    scanners.remove_scanner(organiser, forum, scene.scanner.id)
    assert scanners.scanners_of(forum) == []


def test_an_unconfirmed_account_cannot_be_appointed(app, context, scene):
    make_user(email="new@example.org", verified=False)
    with pytest.raises(AppointmentError, match="Ask the person to sign up first."):
        scanners.appoint_scanner(current(scene.organiser), current(scene.forum), "new@example.org")


# -- the pages ----------------------------------------------------------------------------


def test_the_page_lists_the_staff_and_links_the_scanner(app, client, scene):
    sign_in(client, scene.organiser)
    page = client.get("/forums/isef2/manage/scanners")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Door Staff" in text and 'href="/forums/isef2/scanner/"' in text
    assert f'action="/forums/isef2/manage/scanners/{scene.scanner.id}/remove"' in text


def test_an_organiser_appoints_a_scanner_who_is_told_by_email(app, client, scene, newcomer):
    sign_in(client, scene.organiser)
    response = client.post("/forums/isef2/manage/scanners", data={"email": "kenji@example.org"})
    assert response.status_code == 302 and response.location.endswith("/forums/isef2/manage/scanners")
    page = client.get("/forums/isef2/manage/scanners").get_data(as_text=True)
    assert "Kenji Door can now scan badges." in page and "kenji@example.org" in page
    assert newcomer.id in scanner_ids(app)
    assert audit_actions(app) == ["scanner.appointed"]
    (message,) = mails_to(app, "kenji@example.org")
    assert message.subject == "You scan badges at ISEF2"
    assert link_in(message) == "/forums/isef2/scanner/"
    assert "You have been appointed to scan badges at the doors of ISEF2" in message.text_body
    assert 'href="http://localhost/forums/isef2/scanner/"' in message.html_body


@pytest.mark.parametrize(
    ("email", "message"),
    [
        ("", "This field is required."),
        ("not an address", ""),
        ("ghost@example.org", "Ask the person to sign up first."),
        ("door staff", "Door Staff already scans badges at this forum."),
    ],
)
def test_bad_input_to_the_appointment_is_a_form_error_and_writes_nothing(app, client, scene, email, message):
    sign_in(client, scene.organiser)
    before = scanner_ids(app)
    email = scene.scanner.email if email == "door staff" else email
    response = client.post("/forums/isef2/manage/scanners", data={"email": email})
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert scanner_ids(app) == before and audit_actions(app) == []
    assert mails_to(app, email) == []


def test_an_archived_forums_appointment_is_a_form_error(app, client, scene):
    with committed(app):
        current(scene.forum).status = ForumStatus.ARCHIVED
    sign_in(client, scene.organiser)
    response = client.post("/forums/isef2/manage/scanners", data={"email": "kenji@example.org"})
    assert response.status_code == 422 and "is archived" in response.get_data(as_text=True)
    assert scanner_ids(app) == [scene.scanner.id]


def test_removing_someone_who_does_not_scan_is_a_404(app, client, scene, newcomer):
    sign_in(client, scene.organiser)
    assert client.post(f"/forums/isef2/manage/scanners/{newcomer.id}/remove").status_code == 404
    assert client.post("/forums/isef2/manage/scanners/999999/remove").status_code == 404
    assert scanner_ids(app) == [scene.scanner.id] and audit_actions(app) == []


def test_only_organisers_reach_the_staff_pages(app, client, scene):
    with committed(app):
        elsewhere = make_organiser(make_forum(), email="elsewhere@example.org")
    for person in (scene.scanner, elsewhere):
        sign_in(client, person)
        assert client.get("/forums/isef2/manage/scanners").status_code == 403
        assert client.post("/forums/isef2/manage/scanners", data={"email": "kenji@example.org"}).status_code == 403
        assert client.post(f"/forums/isef2/manage/scanners/{scene.scanner.id}/remove").status_code == 403
    assert scanner_ids(app) == [scene.scanner.id] and audit_actions(app) == []


def sync(client, scene):
    return client.post(
        "/forums/isef2/scanner/sync",
        data=json.dumps({"device": "door-1", "scans": [scan(None, 1, badge=scene.delegate.id)]}),
        content_type="application/json",
    )


@pytest.mark.commits
def test_an_appointed_scanner_scans_and_a_removed_one_no_longer_can(app, scene, newcomer):
    door = app.test_client()
    sign_in(door, newcomer)
    assert door.get("/forums/isef2/scanner/").status_code == 403
    assert sync(door, scene).status_code == 403

    organiser = app.test_client()
    sign_in(organiser, scene.organiser)
    assert organiser.post("/forums/isef2/manage/scanners", data={"email": "kenji@example.org"}).status_code == 302
    assert door.get("/forums/isef2/scanner/").status_code == 200
    assert door.get("/forums/isef2/scanner/data.json").status_code == 200
    answer = sync(door, scene)
    assert answer.status_code == 200 and answer.get_json()["results"][0]["outcome"] == "admitted"

    assert organiser.post(f"/forums/isef2/manage/scanners/{newcomer.id}/remove").status_code == 302
    assert "Kenji Door can no longer scan badges." in organiser.get("/forums/isef2/manage/scanners").get_data(
        as_text=True
    )
    assert door.get("/forums/isef2/scanner/").status_code == 403
    assert door.get("/forums/isef2/scanner/data.json").status_code == 403
    refused = sync(door, scene)
    assert refused.status_code == 403 and "Only the staff who scan badges" in refused.get_json()["error"]
    assert audit_actions(app) == ["scanner.appointed", "scanner.removed"]
