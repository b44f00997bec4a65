"""Visa invitation letters: asked for by focal points, issued, refused and revoked by the
organisers who handle accreditation, numbered per forum, downloaded as made once."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import select, text

from planner.accreditation import verification, visa_forms, visa_letters
from planner.accreditation.models import IdentityDetails, IdentityDocumentKind, VisaLetter, VisaLetterStatus
from planner.audit.models import AuditEntry
from planner.delegations.models import NominationStatus
from planner.extensions import db
from tests.accounts.helpers import mails_to
from tests.accreditation.visa_helpers import (
    PASSPORT,
    add_identity,
    add_member,
    letters,
    make_scene,
)
from tests.conftest import sign_in
from tests.factories import committed, current


def ask(client, s, member=None):
    member = member or s.member
    return client.post(
        f"/forums/{s.forum.slug}/delegations/{member.delegation_id}/members/{member.person_id}/visa-letter"
    )


def approve(client, s, letter_id):
    return client.post(f"/forums/{s.forum.slug}/manage/visa-letters/{letter_id}/approve")


def actions(app, action):
    with app.app_context():
        return list(db.session.scalars(select(AuditEntry).where(AuditEntry.action == action)))


def test_a_focal_point_asks_and_the_accreditation_role_issues(app, client, scene):
    sign_in(client, scene.focal_point)
    response = ask(client, scene)
    assert response.status_code == 302
    [letter] = letters(app)
    assert letter.status is VisaLetterStatus.REQUESTED and letter.reference is None
    assert actions(app, "visa_letter.requested")

    organiser = app.test_client()
    sign_in(organiser, scene.accreditation)
    register = organiser.get("/forums/isef3/manage/visa-letters")
    assert register.status_code == 200 and "Yui Sato" in register.get_data(as_text=True)
    assert approve(organiser, scene, letter.id).status_code == 302
    [letter] = letters(app)
    assert letter.status is VisaLetterStatus.ISSUED
    assert letter.reference == "ISEF3-V-0001" and letter.sequence == 1
    assert letter.name_as_in_passport == "YUI SATO"
    assert letter.passport_number == PASSPORT and letter.passport_last_digits == "4567"
    assert letter.nationality == "JP" and letter.function == "Minister of Education"
    assert letter.issued_on is not None and letter.decided_by_id == scene.accreditation.id
    assert letter.storage_key.startswith("letters/")
    assert len(letter.code_hash) == 64
    [entry] = actions(app, "visa_letter.issued")
    assert PASSPORT not in str(entry.after) and PASSPORT not in entry.summary
    # The focal point is told (in their language: written_in, as every mail).
    [mail] = mails_to(app, scene.focal_point.email)
    assert "ISEF3-V-0001" in mail.text_body
    assert PASSPORT not in mail.text_body
    # The register lists it as issued.
    page = organiser.get("/forums/isef3/manage/visa-letters").get_data(as_text=True)
    assert "ISEF3-V-0001" in page and "issued" in page


def test_the_database_holds_neither_the_code_nor_the_passport_number_in_clear(app, scene):
    with app.test_request_context():
        letter = visa_letters.request_letter(current(scene.focal_point), current(scene.member))
        issued = visa_letters.approve(current(scene.accreditation), letter)
        raw = db.session.execute(
            text("SELECT code_hash, passport_number FROM visa_letters WHERE id = :id"), {"id": letter.id}
        ).one()
    assert len(issued.code) == verification.CODE_LENGTH
    assert set(issued.code) <= set(verification.CODE_ALPHABET)
    assert raw.code_hash == verification.code_hash(issued.code) != issued.code
    assert issued.code not in raw.code_hash
    assert PASSPORT not in raw.passport_number and "4567" not in raw.passport_number


def test_without_identity_data_the_request_is_refused_naming_what_is_missing(app, client, scene):
    with committed(app):
        db.session.delete(db.session.get_one(IdentityDetails, (scene.member.delegation_id, scene.member.person_id)))
        bare = add_member(current(scene.japan), given_name="Ken", family_name="Ito", name="Ken Ito")
        add_identity(bare, nationality=None, document_number=None, document_kind=IdentityDocumentKind.NATIONAL_ID)
    sign_in(client, scene.focal_point)
    page = client.get(ask(client, scene).headers["Location"]).get_data(as_text=True)
    assert "needs identity data that is missing: the identity data as in the passport" in page
    page = client.get(ask(client, scene, bare).headers["Location"]).get_data(as_text=True)
    assert "the nationality" in page and "a passport (the identity document given is not one)" in page
    assert letters(app) == []


def test_a_passport_expiring_before_the_forum_ends_is_not_enough(app, client, scene):
    with committed(app):
        identity = db.session.get_one(IdentityDetails, (scene.member.delegation_id, scene.member.person_id))
        identity.document_expires_on = scene.forum.first_day
    sign_in(client, scene.focal_point)
    page = client.get(ask(client, scene).headers["Location"]).get_data(as_text=True)
    assert "a passport valid until the end of the forum" in page
    assert letters(app) == []


def test_only_accredited_members_can_have_a_letter(app, client, scene):
    with committed(app):
        nominated = add_member(current(scene.japan), NominationStatus.NOMINATED, given_name="Ken", name="Ken Ito")
        add_identity(nominated)
    sign_in(client, scene.focal_point)
    page = client.get(ask(client, scene, nominated).headers["Location"]).get_data(as_text=True)
    assert "only for accredited members: Ken Ito is not accredited" in page
    assert letters(app) == []


def test_one_live_letter_a_member(app, client, scene):
    sign_in(client, scene.focal_point)
    ask(client, scene)
    page = client.get(ask(client, scene).headers["Location"]).get_data(as_text=True)
    assert "has a visa letter requested or issued already" in page
    [letter] = letters(app)
    organiser = app.test_client()
    sign_in(organiser, scene.accreditation)
    approve(organiser, scene, letter.id)
    ask(client, scene)  # issued: still live
    assert len(letters(app)) == 1
    # Revoked, it can be asked for again.
    organiser.post(f"/forums/isef3/manage/visa-letters/{letter.id}/revoke", data={"reason": "Wrong passport."})
    ask(client, scene)
    assert [x.status for x in letters(app)] == [VisaLetterStatus.REVOKED, VisaLetterStatus.REQUESTED]


def test_the_database_keeps_one_live_letter_whatever_the_code_does(app, scene):
    with app.app_context():
        for _ in range(2):
            db.session.add(VisaLetter(delegation_id=scene.member.delegation_id, person_id=scene.member.person_id))
        with pytest.raises(Exception, match="(?i)unique"):
            db.session.flush()
        db.session.rollback()


def test_a_refusal_needs_a_reason_and_lets_them_ask_again(app, client, scene):
    sign_in(client, scene.focal_point)
    ask(client, scene)
    [letter] = letters(app)
    organiser = app.test_client()
    sign_in(organiser, scene.accreditation)
    url = f"/forums/isef3/manage/visa-letters/{letter.id}/refuse"
    assert organiser.get(url).status_code == 200
    response = organiser.post(url, data={"reason": "  "})
    assert response.status_code == 422 and "Say why, for the focal points." in response.get_data(as_text=True)
    assert organiser.post(url, data={"reason": "The passport expires too soon."}).status_code == 302
    [letter] = letters(app)
    assert letter.status is VisaLetterStatus.REFUSED and letter.reason == "The passport expires too soon."
    assert letter.reference is None
    [mail] = mails_to(app, scene.focal_point.email)
    assert "The passport expires too soon." in mail.text_body
    # Refused twice: the second is told, nothing changes.
    response = organiser.post(url, data={"reason": "Again."})
    assert response.status_code == 422 and "Only a requested visa letter can be refused." in response.get_data(
        as_text=True
    )
    ask(client, scene)
    assert [x.status for x in letters(app)] == [VisaLetterStatus.REFUSED, VisaLetterStatus.REQUESTED]


def test_revoking_an_issued_letter(app, client, scene):
    sign_in(client, scene.focal_point)
    ask(client, scene)
    [letter] = letters(app)
    organiser = app.test_client()
    sign_in(organiser, scene.accreditation)
    url = f"/forums/isef3/manage/visa-letters/{letter.id}/revoke"
    response = organiser.post(url, data={"reason": "Not travelling."})
    assert response.status_code == 422 and "Only an issued visa letter can be revoked." in response.get_data(
        as_text=True
    )
    approve(organiser, scene, letter.id)
    assert organiser.post(url, data={"reason": "Not travelling."}).status_code == 302
    [letter] = letters(app)
    assert letter.status is VisaLetterStatus.REVOKED and letter.reason == "Not travelling."
    assert actions(app, "visa_letter.revoked")
    assert client.get(f"/forums/isef3/visa-letters/{letter.id}/letter.pdf").status_code == 409


def test_references_run_in_sequence_per_forum_and_are_unique_on_the_site(app, letters_store):
    with committed(app):
        first = make_scene()
        second_member = add_member(first.japan, given_name="Ken", name="Ken Ito")
        add_identity(second_member)
        other = make_scene(slug="isef4", name="ISEF4")
    with app.test_request_context():
        issued = []
        for s, member in ((first, first.member), (other, other.member), (first, second_member)):
            letter = visa_letters.request_letter(current(s.focal_point), current(member))
            issued.append(visa_letters.approve(current(s.accreditation), letter).letter.reference)
    assert issued == ["ISEF3-V-0001", "ISEF4-V-0001", "ISEF3-V-0002"]


def test_a_letter_rolled_back_leaves_no_file(app, scene, letters_store):
    with app.test_request_context():
        letter = visa_letters.request_letter(current(scene.focal_point), current(scene.member))
        key = visa_letters.approve(current(scene.accreditation), letter).letter.storage_key
        assert letters_store.exists(key)
        db.session.rollback()
    assert not letters_store.exists(key)
    assert list(letters_store.keys("letters")) == []


def test_an_issued_letter_keeps_its_file(app, client, scene, letters_store):
    sign_in(client, scene.focal_point)
    ask(client, scene)
    organiser = app.test_client()
    sign_in(organiser, scene.accreditation)
    approve(organiser, scene, letters(app)[0].id)
    [letter] = letters(app)
    assert list(letters_store.keys("letters")) == [letter.storage_key]


def test_who_may_ask_and_decide(app, client, scene):
    # A focal point of another delegation cannot ask for Japan's member.
    sign_in(client, scene.other_focal_point)
    assert ask(client, scene).status_code == 403
    assert client.get(f"/forums/isef3/delegations/{scene.japan.id}/visa-letters").status_code == 403
    sign_in(client, scene.focal_point)
    ask(client, scene)
    [letter] = letters(app)
    # Organisers without the accreditation role may not decide, nor see the register.
    organiser = app.test_client()
    sign_in(organiser, scene.organiser)
    assert approve(organiser, scene, letter.id).status_code == 403
    assert organiser.get("/forums/isef3/manage/visa-letters").status_code == 403
    assert (
        organiser.post(f"/forums/isef3/manage/visa-letters/{letter.id}/refuse", data={"reason": "x"}).status_code == 403
    )
    # Nor may a focal point.
    assert approve(client, scene, letter.id).status_code == 403
    assert letters(app)[0].status is VisaLetterStatus.REQUESTED


def test_a_letter_of_another_forum_is_not_found_here(app, client, scene, letters_store):
    with committed(app):
        elsewhere = make_scene(slug="isef4", name="ISEF4")
        other_letter = visa_letters.VisaLetter(
            delegation_id=elsewhere.member.delegation_id, person_id=elsewhere.member.person_id
        )
        db.session.add(other_letter)
    sign_in(client, scene.accreditation)
    assert approve(client, scene, other_letter.id).status_code == 404


def test_downloads_are_for_the_focal_points_and_the_accreditation_role(app, client, scene):
    sign_in(client, scene.focal_point)
    ask(client, scene)
    [letter] = letters(app)
    url = f"/forums/isef3/visa-letters/{letter.id}/letter.pdf"
    assert client.get(url).status_code == 409  # not issued yet
    organiser = app.test_client()
    sign_in(organiser, scene.accreditation)
    approve(organiser, scene, letter.id)
    response = client.get(url)
    assert response.status_code == 200 and response.data.startswith(b"%PDF")
    assert response.headers["Content-Disposition"] == 'attachment; filename="ISEF3-V-0001.pdf"'
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Cache-Control"] == "private, no-store"
    assert organiser.get(url).data == response.data  # the same letter, made once
    assert len(actions(app, "visa_letter.downloaded")) == 2
    for who in (scene.other_focal_point, scene.organiser):
        other = app.test_client()
        sign_in(other, who)
        assert other.get(url).status_code == 403
    assert app.test_client().get(url).status_code == 302  # signed out: to the sign-in page


def test_the_delegation_page_shows_what_is_missing_and_the_button(app, client, scene):
    with committed(app):
        add_member(current(scene.japan), given_name="Ken", name="Ken Ito")
    sign_in(client, scene.focal_point)
    page = client.get(f"/forums/isef3/delegations/{scene.japan.id}/visa-letters").get_data(as_text=True)
    assert "Ask for a visa letter for Yui Sato" in page
    assert "Missing for a letter: the identity data as in the passport." in page


def test_the_letterhead_is_set_by_the_accreditation_role(app, client, scene):
    sign_in(client, scene.accreditation)
    data = {"letterhead-letterhead_name": "文部科学省", "letterhead-letterhead_address": "東京都千代田区霞が関3-2-2"}
    assert client.post("/forums/isef3/manage/visa-letters/letterhead", data=data).status_code == 302
    with app.app_context():
        forum = current(scene.forum)
        assert (forum.letterhead_name, forum.letterhead_address) == ("文部科学省", "東京都千代田区霞が関3-2-2")
    assert actions(app, "forum.letterhead_changed")
    response = client.post(
        "/forums/isef3/manage/visa-letters/letterhead", data={"letterhead-letterhead_name": "x" * 301}
    )
    assert response.status_code == 422
    organiser = app.test_client()
    sign_in(organiser, scene.organiser)
    assert organiser.post("/forums/isef3/manage/visa-letters/letterhead", data=data).status_code == 403


def test_form_limits_agree_with_the_rules():
    assert visa_forms.REASON_MAX == visa_letters.REASON_MAX
    assert visa_forms.CODE_LENGTH == verification.CODE_LENGTH


@pytest.mark.postgresql
@pytest.mark.commits
def test_two_approvals_at_once_take_two_numbers(app, letters_store):
    with committed(app):
        s = make_scene()
        second = add_member(s.japan, given_name="Ken", name="Ken Ito")
        add_identity(second)
    with app.test_request_context():
        ids = [visa_letters.request_letter(current(s.focal_point), current(m)).id for m in (s.member, second)]
        db.session.commit()
    first_approved, release = threading.Event(), threading.Event()
    outcomes: dict[int, object] = {}

    def approve_in_thread(letter_id: int, hold: bool) -> None:
        with app.test_request_context():
            try:
                letter = db.session.get_one(VisaLetter, letter_id)
                outcomes[letter_id] = visa_letters.approve(current(s.accreditation), letter).letter.reference
                if hold:
                    first_approved.set()
                    release.wait(10)
                db.session.commit()
            except Exception as error:  # noqa: BLE001  (the test reports it)
                outcomes[letter_id] = error
                db.session.rollback()
                first_approved.set()

    one = threading.Thread(target=approve_in_thread, args=(ids[0], True))
    one.start()
    assert first_approved.wait(10)
    two = threading.Thread(target=approve_in_thread, args=(ids[1], False))
    two.start()
    two.join(0.5)
    assert two.is_alive()  # waiting on the forum's row
    release.set()
    one.join(10)
    two.join(10)
    assert sorted(map(str, outcomes.values())) == ["ISEF3-V-0001", "ISEF3-V-0002"]
