"""Focal points invited by email: the organiser invites an address, the person follows the link
once, before it expires, to accept with their account or with one they make there; organisers
send it again (the old link stops working) or revoke it; a delegation has one deputy at most."""

from __future__ import annotations

import datetime as dt
import hashlib
import re

import pytest
from sqlalchemy import func, select

from planner.accounts.models import AccountSession, User
from planner.accounts.permissions import is_focal_point
from planner.audit.models import AuditEntry
from planner.db import utcnow
from planner.delegations import invitations
from planner.delegations.models import (
    Delegation,
    DelegationFocalPoint,
    DelegationKind,
    FocalPointInvitation,
    FocalPointRole,
    InvitationStatus,
)
from planner.extensions import db
from planner.forums.models import ForumStatus
from planner.forums.services import ForumArchived
from planner.mail.models import OutboxMessage
from planner.refusals import NotAllowed
from tests.accounts.helpers import link_in, mails_to
from tests.conftest import sign_in
from tests.factories import (
    PASSWORD,
    Programme,
    committed,
    current,
    make_focal_point,
    make_forum,
    make_organiser,
    make_programme,
    make_user,
)

HUB = "/forums/isef2/manage/"
INVITE = "/forums/isef2/manage/focal-points/invitations"
NEW_ACCOUNT = {
    "given_name": "Yui",
    "family_name": "Sato",
    "family_name_first": "y",
    "password": "a long enough passphrase",
    "confirm": "a long enough passphrase",
}


@pytest.fixture
def isef2(app) -> Programme:
    """ISEF2 with the delegations of Japan and France, and its organiser (org@example.org)."""
    with committed(app):
        programme = make_programme()
        programme.delegation("japan", "Japan", kind=DelegationKind.COUNTRY, country_code="JP")
        programme.delegation("france", "France", kind=DelegationKind.COUNTRY, country_code="FR")
    return programme


@pytest.fixture
def organiser(client, isef2):
    sign_in(client, isef2.organiser)
    return client


def invite(client, delegation: Delegation, email: str, role: str = "focal_point"):
    return client.post(
        INVITE, data={"invite-delegation": str(delegation.id), "invite-email": email, "invite-role": role}
    )


def last_link(app, email: str) -> str:
    return link_in(mails_to(app, email)[-1])


def the_invitation(app, email: str) -> FocalPointInvitation:
    with app.app_context():
        found = db.session.scalar(
            select(FocalPointInvitation).where(FocalPointInvitation.email == email).order_by(FocalPointInvitation.id)
        )
        db.session.expunge_all()
        return found


def expire(app, email: str) -> None:
    """Time passes: the invitation's link is past its date."""
    with app.app_context():
        invitation = db.session.scalar(select(FocalPointInvitation).where(FocalPointInvitation.email == email))
        invitation.expires_at = utcnow() - dt.timedelta(minutes=1)
        db.session.commit()


def focal_points(app, delegation: Delegation) -> list[tuple[str, FocalPointRole]]:
    with app.app_context():
        return [
            tuple(row)
            for row in db.session.execute(
                select(User.email, DelegationFocalPoint.role)
                .join(DelegationFocalPoint, DelegationFocalPoint.user_id == User.id)
                .where(DelegationFocalPoint.delegation_id == delegation.id)
                .order_by(User.email)
            )
        ]


def counts(app) -> tuple[int, int, int]:
    with app.app_context():
        return (
            db.session.scalar(select(func.count()).select_from(User)),
            db.session.scalar(select(func.count()).select_from(DelegationFocalPoint)),
            db.session.scalar(
                select(func.count())
                .select_from(FocalPointInvitation)
                .where(FocalPointInvitation.status != InvitationStatus.SENT)
            ),
        )


# Sending ------------------------------------------------------------------------------------------


def test_the_invitation_is_mailed_with_a_link_whose_secret_only_its_hash_is_kept(app, organiser, isef2):
    response = invite(organiser, isef2.japan, " Yui@Example.org ")
    assert response.status_code == 302
    [message] = mails_to(app, "yui@example.org")
    assert message.subject == "Invitation to be focal point of Japan for ISEF2"
    link = link_in(message)
    secret = re.fullmatch(r"/invitations/([A-Za-z0-9_-]+)", link).group(1)
    assert "works once, until" in message.text_body and link in (message.html_body or "")
    invitation = the_invitation(app, "yui@example.org")
    assert invitation.secret_hash == hashlib.sha256(secret.encode()).hexdigest() != secret
    assert invitation.status is InvitationStatus.SENT and invitation.times_sent == 1
    assert invitation.role is FocalPointRole.FOCAL_POINT and invitation.invited_by_id == isef2.organiser.id
    assert abs(invitation.expires_at - invitation.sent_at - dt.timedelta(days=14)) < dt.timedelta(seconds=1)
    with app.app_context():
        assert db.session.scalars(select(AuditEntry.action)).all() == ["focal_point.invited"]
        assert db.session.scalar(select(FocalPointInvitation).where(FocalPointInvitation.secret_hash == secret)) is None
    hub = organiser.get(HUB).get_data(as_text=True)
    assert "yui@example.org" in hub and "Send again to yui@example.org" in hub and ">sent<" in hub


def test_how_long_the_link_works_is_a_setting(app, organiser, isef2):
    app.config["FOCAL_POINT_INVITATION_DAYS"] = 3
    invite(organiser, isef2.japan, "yui@example.org")
    invitation = the_invitation(app, "yui@example.org")
    assert abs(invitation.expires_at - invitation.sent_at - dt.timedelta(days=3)) < dt.timedelta(seconds=1)


def test_a_japanese_reader_gets_the_invitation_in_japanese(app, organiser, isef2):
    with committed(app):
        make_user(email="hana@example.org", language="ja")
    invite(organiser, isef2.japan, "hana@example.org", role="deputy")
    [message] = mails_to(app, "hana@example.org")
    assert "日本" in message.subject and "副窓口担当者" in message.subject, message.subject
    assert "/invitations/" in message.text_body
    assert "窓口担当者" in message.text_body and "Follow this link" not in message.text_body


def test_an_address_speaking_for_the_delegation_or_invited_to_it_already_is_refused(app, organiser, isef2):
    with committed(app):
        make_focal_point(current(isef2.japan), email="kenji@example.org")
    refused = invite(organiser, isef2.japan, "Kenji@example.org")
    assert refused.status_code == 422
    assert "kenji@example.org is already a focal point of Japan." in refused.get_data(as_text=True)
    assert invite(organiser, isef2.japan, "yui@example.org").status_code == 302
    again = invite(organiser, isef2.japan, "yui@example.org")
    assert again.status_code == 422 and "waiting for an answer already" in again.get_data(as_text=True)
    # Another delegation may invite the same person.
    assert invite(organiser, isef2.france, "yui@example.org").status_code == 302
    # Once the first has expired, it may be sent anew.
    expire(app, "yui@example.org")
    assert invite(organiser, isef2.japan, "yui@example.org").status_code == 302


def test_bad_input_on_the_invitation_form_stores_nothing(app, organiser, isef2):
    for data in (
        {"invite-delegation": "", "invite-email": "yui@example.org", "invite-role": "focal_point"},
        {"invite-delegation": "999999", "invite-email": "yui@example.org", "invite-role": "focal_point"},
        {"invite-delegation": str(isef2.japan.id), "invite-email": "not an address", "invite-role": "focal_point"},
        {"invite-delegation": str(isef2.japan.id), "invite-email": "yui@example.org", "invite-role": "chair"},
    ):
        response = organiser.post(INVITE, data=data)
        assert response.status_code == 422, data
        assert 'class="error-summary"' in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(FocalPointInvitation)) == 0
        assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 0


# Accepting ----------------------------------------------------------------------------------------


def test_a_person_without_an_account_makes_one_and_becomes_focal_point_in_one_step(app, organiser, isef2):
    invite(organiser, isef2.japan, "yui@example.org")
    link = last_link(app, "yui@example.org")
    person = app.test_client()
    page = person.get(link)
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Invitation to be focal point of Japan" in text and "Create my account and accept" in text
    assert 'name="email"' not in text  # the address is the one invited, not typed
    accepted = person.post(link, data=NEW_ACCOUNT)
    assert accepted.status_code == 200, accepted.get_data(as_text=True)
    text = accepted.get_data(as_text=True)
    assert "You are now focal point of Japan" in text
    assert f'href="/forums/isef2/delegations/{isef2.japan.id}/"' in text
    assert focal_points(app, isef2.japan) == [("yui@example.org", FocalPointRole.FOCAL_POINT)]
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == "yui@example.org"))
        assert user.name == "Sato Yui" and user.email_verified_at is not None
        assert (
            db.session.scalar(select(func.count()).select_from(AccountSession).where(AccountSession.user_id == user.id))
            == 1
        )
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "focal_point.invitation_accepted"))
        assert entry.actor_id == user.id and entry.after["new_account"] is True
    invitation = the_invitation(app, "yui@example.org")
    assert invitation.status is InvitationStatus.ACCEPTED and invitation.accepted_by_id == user.id
    # Signed in, with a session on the server: the delegation's page opens.
    assert person.get(f"/forums/isef2/delegations/{isef2.japan.id}/").status_code == 200
    # Organisers are not mailed; the hub shows it.
    assert mails_to(app, "org@example.org") == []
    assert "accepted" in organiser.get(HUB).get_data(as_text=True)


def test_the_link_works_once(app, organiser, isef2):
    invite(organiser, isef2.japan, "yui@example.org")
    link = last_link(app, "yui@example.org")
    person = app.test_client()
    assert person.post(link, data=NEW_ACCOUNT).status_code == 200
    used = person.get(link)
    assert used.status_code == 410
    text = used.get_data(as_text=True)
    assert "accepted already: its link works only once" in text
    assert f"/forums/isef2/delegations/{isef2.japan.id}/" in text  # the one who accepted finds their page
    stranger = app.test_client()
    assert stranger.post(link, data={**NEW_ACCOUNT}).status_code == 410
    assert stranger.post(link + "/accept").status_code == 410
    assert f"/delegations/{isef2.japan.id}/" not in stranger.get(link).get_data(as_text=True)


def test_an_existing_account_signs_in_and_accepts_with_one_button(app, organiser, isef2):
    with committed(app):
        make_user(email="kenji@example.org", name="Kenji")
    invite(organiser, isef2.france, "kenji@example.org", role="deputy")
    link = last_link(app, "kenji@example.org")
    person = app.test_client()
    page = person.get(link).get_data(as_text=True)
    assert "Create my account" not in page
    assert f'href="/login?next={link}"' in page
    signed_in = person.post("/login", data={"email": "kenji@example.org", "password": PASSWORD, "next": link})
    assert signed_in.status_code == 302 and signed_in.headers["Location"] == link
    page = person.get(link).get_data(as_text=True)
    assert "Accept the invitation" in page
    accepted = person.post(link + "/accept")
    assert accepted.status_code == 200
    assert "You are now deputy focal point of France" in accepted.get_data(as_text=True)
    assert focal_points(app, isef2.france) == [("kenji@example.org", FocalPointRole.DEPUTY)]
    assert person.post(link + "/accept").status_code == 410


def test_another_account_cannot_take_the_invitation(app, organiser, isef2):
    with committed(app):
        intruder = make_user(email="intruder@example.org")
    invite(organiser, isef2.japan, "yui@example.org")
    link = last_link(app, "yui@example.org")
    other = app.test_client()
    sign_in(other, intruder)
    page = other.get(link)
    assert page.status_code == 200
    assert "This invitation is for yui@example.org, and you are signed in as intruder@example.org" in page.get_data(
        as_text=True
    )
    assert "Accept the invitation" not in page.get_data(as_text=True)
    refused = other.post(link + "/accept")
    assert refused.status_code == 403 and "sign in with yui@example.org" in refused.get_data(as_text=True)
    assert other.post(link, data=NEW_ACCOUNT).status_code == 200  # signed in: no account is made
    assert focal_points(app, isef2.japan) == []
    assert the_invitation(app, "yui@example.org").status is InvitationStatus.SENT
    with app.app_context():
        assert db.session.scalar(select(User).where(User.email == "yui@example.org")) is None


def test_accepting_signed_out_leads_to_the_invitation_page(app, organiser, isef2):
    invite(organiser, isef2.japan, "yui@example.org")
    link = last_link(app, "yui@example.org")
    answer = app.test_client().post(link + "/accept")
    assert answer.status_code == 302 and answer.headers["Location"] == link


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"password": "short", "confirm": "short"}, "Use between 10 and 200 characters."),
        ({"confirm": "another long passphrase"}, "The two passwords are not the same."),
        ({"given_name": ""}, "Enter your given name."),
        ({"given_name": "", "family_name": "Sato"}, "Enter your given name."),
        ({"given_name": "Y" * 120, "family_name": "S" * 120}, "too long together"),
        ({"given_name": "Yu\x00i"}, "control characters"),
    ],
)
def test_bad_input_when_making_the_account_is_a_clear_message_and_stores_nothing(app, organiser, isef2, data, message):
    invite(organiser, isef2.japan, "yui@example.org")
    link = last_link(app, "yui@example.org")
    before = counts(app)
    response = app.test_client().post(link, data={**NEW_ACCOUNT, **data})
    assert response.status_code == 422
    text = response.get_data(as_text=True)
    assert message in text and 'class="error-summary"' in text
    assert counts(app) == before
    assert the_invitation(app, "yui@example.org").status is InvitationStatus.SENT


def test_an_address_taken_since_the_invitation_is_told_to_sign_in(app, organiser, isef2):
    invite(organiser, isef2.japan, "yui@example.org")
    link = last_link(app, "yui@example.org")
    with committed(app):
        make_user(email="yui@example.org")
    before = counts(app)
    response = app.test_client().post(link, data=NEW_ACCOUNT)
    assert response.status_code == 422
    text = response.get_data(as_text=True)
    assert "An account with this email address exists already: sign in with it instead." in text
    assert "Sign in with yui@example.org" in text
    assert counts(app) == before


# States: expired, revoked, sent again --------------------------------------------------------------


def test_an_expired_link_says_so_and_can_be_sent_again(app, organiser, isef2):
    invite(organiser, isef2.japan, "yui@example.org")
    old = last_link(app, "yui@example.org")
    expire(app, "yui@example.org")
    with app.app_context():
        invitation = db.session.scalar(select(FocalPointInvitation))
        assert invitation.status is InvitationStatus.SENT  # as stored; derived:
        assert invitation.status_at(utcnow()) is InvitationStatus.EXPIRED
    before = counts(app)
    person = app.test_client()
    for response in (person.get(old), person.post(old, data=NEW_ACCOUNT), person.post(old + "/accept")):
        assert response.status_code == 410
        assert "This invitation expired on" in response.get_data(as_text=True)
    assert counts(app) == before
    assert ">expired<" in organiser.get(HUB).get_data(as_text=True)
    invitation_id = the_invitation(app, "yui@example.org").id
    assert organiser.post(f"{INVITE}/{invitation_id}/resend").status_code == 302
    new = last_link(app, "yui@example.org")
    assert new != old
    renewed = the_invitation(app, "yui@example.org")
    assert renewed.times_sent == 2 and renewed.status_at(utcnow()) is InvitationStatus.SENT
    assert renewed.expires_at > utcnow() + dt.timedelta(days=13)
    assert person.get(old).status_code == 400
    assert person.post(new, data=NEW_ACCOUNT).status_code == 200


def test_sending_again_replaces_the_link(app, organiser, isef2):
    invite(organiser, isef2.japan, "yui@example.org")
    old = last_link(app, "yui@example.org")
    invitation_id = the_invitation(app, "yui@example.org").id
    sent = organiser.post(f"{INVITE}/{invitation_id}/resend", follow_redirects=True)
    assert "the link sent before no longer works" in sent.get_data(as_text=True)
    assert "sent 2 times" in sent.get_data(as_text=True)
    new = last_link(app, "yui@example.org")
    person = app.test_client()
    stale = person.get(old)
    assert stale.status_code == 400 and "replaced by a newer invitation" in stale.get_data(as_text=True)
    assert person.post(old, data=NEW_ACCOUNT).status_code == 400
    assert person.get(new).status_code == 200
    with app.app_context():
        assert db.session.scalar(select(AuditEntry.action).order_by(AuditEntry.id.desc())) == (
            "focal_point.invitation_resent"
        )


def test_a_revoked_link_says_so_and_cannot_be_sent_again(app, organiser, isef2):
    invite(organiser, isef2.japan, "yui@example.org")
    link = last_link(app, "yui@example.org")
    invitation_id = the_invitation(app, "yui@example.org").id
    revoked = organiser.post(f"{INVITE}/{invitation_id}/revoke", follow_redirects=True)
    assert "its link no longer works" in revoked.get_data(as_text=True)
    assert ">revoked<" in revoked.get_data(as_text=True)
    invitation = the_invitation(app, "yui@example.org")
    assert invitation.status is InvitationStatus.REVOKED and invitation.decided_at is not None
    response = app.test_client().get(link)
    assert response.status_code == 410
    assert "The organisers of ISEF2 have withdrawn this invitation." in response.get_data(as_text=True)
    again = organiser.post(f"{INVITE}/{invitation_id}/resend", follow_redirects=True)
    assert "This invitation was revoked: invite the person again instead." in again.get_data(as_text=True)
    twice = organiser.post(f"{INVITE}/{invitation_id}/revoke", follow_redirects=True)
    assert "This invitation was revoked already." in twice.get_data(as_text=True)
    # A new invitation to the same address is possible.
    assert invite(organiser, isef2.japan, "yui@example.org").status_code == 302
    with app.app_context():
        actions = db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)).all()
    assert actions == ["focal_point.invited", "focal_point.invitation_revoked", "focal_point.invited"]


def test_an_accepted_invitation_is_neither_sent_again_nor_revoked(app, organiser, isef2):
    invite(organiser, isef2.japan, "yui@example.org")
    app.test_client().post(last_link(app, "yui@example.org"), data=NEW_ACCOUNT)
    invitation_id = the_invitation(app, "yui@example.org").id
    again = organiser.post(f"{INVITE}/{invitation_id}/resend", follow_redirects=True)
    assert "accepted already: there is nothing to send again" in again.get_data(as_text=True)
    revoke = organiser.post(f"{INVITE}/{invitation_id}/revoke", follow_redirects=True)
    assert "accepted already: remove the focal point instead" in revoke.get_data(as_text=True)
    assert the_invitation(app, "yui@example.org").status is InvitationStatus.ACCEPTED
    assert len(mails_to(app, "yui@example.org")) == 1


def test_damaged_links_are_a_400_not_a_500(client):
    for link in ("/invitations/x", "/invitations/" + "a" * 300, "/invitations/abc%20def", "/invitations/" + "A" * 43):
        response = client.get(link)
        assert response.status_code == 400, link
        assert "This invitation link is not valid" in response.get_data(as_text=True)


# The deputy --------------------------------------------------------------------------------------


def test_a_delegation_has_one_deputy_at_most(app, organiser, isef2):
    assert invite(organiser, isef2.japan, "a@example.org", role="deputy").status_code == 302
    waiting = invite(organiser, isef2.japan, "b@example.org", role="deputy")
    assert waiting.status_code == 422
    assert "An invitation to be deputy focal point of Japan is waiting for an answer already (a@example.org)" in (
        waiting.get_data(as_text=True)
    )
    app.test_client().post(last_link(app, "a@example.org"), data=NEW_ACCOUNT)
    taken = invite(organiser, isef2.japan, "c@example.org", role="deputy")
    assert taken.status_code == 422 and "Japan has a deputy focal point already (Sato Yui)" in taken.get_data(
        as_text=True
    )
    # Focal points have no such limit, and France may have its own deputy.
    assert invite(organiser, isef2.japan, "c@example.org").status_code == 302
    assert invite(organiser, isef2.france, "d@example.org", role="deputy").status_code == 302


def test_a_deputy_named_meanwhile_stops_a_second_from_accepting(app, organiser, isef2):
    invite(organiser, isef2.japan, "b@example.org", role="deputy")
    link = last_link(app, "b@example.org")
    with committed(app):
        deputy = make_focal_point(current(isef2.japan), email="a@example.org")
        db.session.get(DelegationFocalPoint, (isef2.japan.id, deputy.id)).role = FocalPointRole.DEPUTY
    before = counts(app)
    refused = app.test_client().post(link, data=NEW_ACCOUNT)
    assert refused.status_code == 422
    assert "Japan has a deputy focal point already." in refused.get_data(as_text=True)
    assert counts(app) == before  # no account was kept either


# Who may ------------------------------------------------------------------------------------------


def test_a_focal_point_of_one_delegation_cannot_see_another(app, organiser, isef2):
    invite(organiser, isef2.japan, "yui@example.org")
    person = app.test_client()
    person.post(last_link(app, "yui@example.org"), data=NEW_ACCOUNT)
    assert person.get(f"/forums/isef2/delegations/{isef2.japan.id}/").status_code == 200
    assert person.get(f"/forums/isef2/delegations/{isef2.france.id}/").status_code == 403
    assert person.get(HUB).status_code == 403
    assert invite(person, isef2.france, "friend@example.org").status_code == 403


def test_an_organiser_of_another_forum_cannot_invite_send_again_or_revoke(app, organiser, isef2):
    with committed(app):
        other_forum = make_forum(slug="isef3", name="ISEF3")
        outsider = make_organiser(other_forum)
    invite(organiser, isef2.japan, "yui@example.org")
    invitation_id = the_invitation(app, "yui@example.org").id
    client = app.test_client()
    sign_in(client, outsider)
    assert invite(client, isef2.japan, "mine@example.org").status_code == 403
    assert client.post(f"{INVITE}/{invitation_id}/resend").status_code == 403
    assert client.post(f"{INVITE}/{invitation_id}/revoke").status_code == 403
    # Through their own forum's addresses ISEF2's invitation and delegations do not exist.
    own = "/forums/isef3/manage/focal-points/invitations"
    assert client.post(f"{own}/{invitation_id}/resend").status_code == 404
    assert client.post(f"{own}/{invitation_id}/revoke").status_code == 404
    foreign = client.post(
        own, data={"invite-delegation": str(isef2.japan.id), "invite-email": "x@example.org", "invite-role": "deputy"}
    )
    assert foreign.status_code == 422
    assert len(mails_to(app, "yui@example.org")) == 1 and mails_to(app, "x@example.org") == []
    assert the_invitation(app, "yui@example.org").status is InvitationStatus.SENT


def test_the_rules_hold_outside_the_pages(app, isef2):
    with app.test_request_context():
        outsider = make_organiser(make_forum())
        with pytest.raises(NotAllowed):
            invitations.invite(outsider, current(isef2.japan), "yui@example.org", FocalPointRole.FOCAL_POINT)
        organiser, japan = current(isef2.organiser), current(isef2.japan)
        japan.forum.status = ForumStatus.ARCHIVED
        with pytest.raises(ForumArchived):
            invitations.invite(organiser, japan, "yui@example.org", FocalPointRole.FOCAL_POINT)
        assert db.session.scalar(select(func.count()).select_from(FocalPointInvitation)) == 0


def test_an_archived_forums_link_no_longer_works(app, organiser, isef2):
    invite(organiser, isef2.japan, "yui@example.org")
    link = last_link(app, "yui@example.org")
    with committed(app):
        current(isef2.forum).status = ForumStatus.ARCHIVED
    response = app.test_client().post(link, data=NEW_ACCOUNT)
    assert response.status_code == 410 and "is archived" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(User).where(User.email == "yui@example.org")) is None


def test_is_focal_point_after_accepting(app, organiser, isef2):
    invite(organiser, isef2.japan, "yui@example.org")
    app.test_client().post(last_link(app, "yui@example.org"), data=NEW_ACCOUNT)
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == "yui@example.org"))
        assert is_focal_point(user, current(isef2.japan)) and not is_focal_point(user, current(isef2.france))


@pytest.mark.app_config(WTF_CSRF_ENABLED=True)
def test_every_post_needs_the_csrf_token(app, isef2):
    client = app.test_client()
    sign_in(client, isef2.organiser)
    forged = {"csrf_token": "forged"}
    response = client.post(
        INVITE,
        data={
            **forged,
            "invite-delegation": str(isef2.japan.id),
            "invite-email": "y@example.org",
            "invite-role": "focal_point",
        },
    )
    assert response.status_code == 400
    hub = client.get(HUB).get_data(as_text=True)
    token = re.search(r'name="invite-csrf_token"[^>]*value="([^"]+)"', hub) or re.search(
        r'name="csrf_token"[^>]*value="([^"]+)"', hub
    )
    ok = client.post(
        INVITE,
        data={
            "invite-csrf_token": token.group(1),
            "invite-delegation": str(isef2.japan.id),
            "invite-email": "y@example.org",
            "invite-role": "focal_point",
        },
    )
    assert ok.status_code == 302, ok.get_data(as_text=True)
    link = last_link(app, "y@example.org")
    person = app.test_client()
    before = counts(app)
    assert person.post(link, data={**NEW_ACCOUNT, **forged}).status_code == 400
    assert person.post(link + "/accept", data=forged).status_code == 400
    assert counts(app) == before
