"""Mail is written in the language of the person it goes to, whatever the page it came from."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import select

from planner.accounts.models import User
from planner.delegations import services as nominations
from planner.delegations.models import DelegationMember, NominationStatus, Person
from planner.extensions import db
from planner.mail.models import OutboxMessage
from tests.accounts.helpers import mails_to
from tests.conftest import sign_in
from tests.factories import committed, current, make_delegation, make_forum, make_organiser, make_user

ENGLISH_PAGE = {"Accept-Language": "en"}


def japanese_account(app: Flask, email: str) -> User:
    with committed(app):
        user = make_user(email=email)
        current(user).language = "ja"
    return user


def test_a_password_reset_asked_from_an_english_page_is_written_in_the_accounts_japanese(app, client):
    japanese_account(app, "hana@example.org")
    client.post("/reset", data={"email": "hana@example.org"}, headers=ENGLISH_PAGE)
    [message] = mails_to(app, "hana@example.org")
    assert "パスワード" in message.subject
    assert "パスワード" in message.text_body and "Reset your" not in message.text_body


def test_signing_up_again_with_a_japanese_account_tells_its_owner_in_japanese(app, client):
    japanese_account(app, "hana@example.org")
    password = "a long enough passphrase"
    client.post(
        "/signup",
        data={"given_name": "Someone", "email": "hana@example.org", "password": password, "confirm": password},
        headers=ENGLISH_PAGE,
    )
    [message] = mails_to(app, "hana@example.org")
    assert "アカウント" in message.subject


def test_an_english_account_gets_english_whatever_the_organisers_language(app):
    with committed(app):
        forum = make_forum()
        organiser = make_organiser(forum)
        make_user(email="ada@example.org")
    client = app.test_client()
    sign_in(client, organiser)
    client.set_cookie("planner_language", "ja")
    response = client.post(f"/forums/{forum.slug}/manage/organisers", data={"organiser-email": "ada@example.org"})
    assert response.status_code == 302
    [message] = mails_to(app, "ada@example.org")
    assert message.subject.startswith("You are an organiser of")


def test_a_delegation_member_with_a_japanese_account_is_told_of_accreditation_in_japanese(app, app_context):
    japanese_account(app, "kenji@example.org")
    forum = make_forum()
    organiser = make_organiser(forum)
    delegation = make_delegation(forum, name="Japan")
    person = Person(name="Kenji Sato", email="kenji@example.org")
    db.session.add(DelegationMember(delegation=delegation, person=person, status=NominationStatus.NOMINATED))
    db.session.flush()
    member = db.session.scalar(select(DelegationMember).where(DelegationMember.person_id == person.id))
    nominations.accredit(organiser, member)
    db.session.flush()
    [subject] = db.session.scalars(select(OutboxMessage.subject).where(OutboxMessage.to_address == "kenji@example.org"))
    assert "資格認定" in subject
