"""A member's identity page: who may open it and what they see (in full or masked), its checks
on every field, the audit of every view and change (without a value), the forum's required
fields and the refusal to accredit without them, the accreditation role; and that identity
data reaches no log, no error page and no audit value."""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass

import pytest
from sqlalchemy import select, text

from planner import crypto
from planner.accreditation.models import IdentityDetails
from planner.audit.models import AuditEntry
from planner.delegations.models import (
    Delegation,
    DelegationKind,
    DelegationMember,
    MemberRole,
    NominationStatus,
    Person,
    RepresentationLevel,
)
from planner.extensions import db
from planner.forums.models import Forum, ForumOrganiser
from tests.conftest import sign_in
from tests.factories import (
    committed,
    make_admin,
    make_delegation,
    make_focal_point,
    make_forum,
    make_isef2,
    make_organiser,
    make_person,
    make_user,
)

NUMBER = "TK4821937"
BORN = "1968-11-05"


@dataclass
class World:
    forum: Forum
    japan: Delegation
    italy: Delegation
    member: DelegationMember
    focal: object
    italy_focal: object
    organiser: object  # without the accreditation role: sees the secrets masked
    accreditor: object  # an organiser with it
    admin: object
    elsewhere: object  # organises another forum

    @property
    def url(self) -> str:
        return f"/forums/isef2/delegations/{self.japan.id}/members/{self.member.person_id}/identity"


@pytest.fixture
def world(app) -> World:
    with committed(app):
        forum = make_isef2()
        japan = make_delegation(forum, name="Japan", kind=DelegationKind.COUNTRY, country_code="JP")
        italy = make_delegation(forum, name="Italy", kind=DelegationKind.COUNTRY, country_code="IT")
        person = make_person(name="Aiko Tanaka", given_name="Aiko", family_name="Tanaka", email="aiko@example.org")
        member = DelegationMember(delegation_id=japan.id, person_id=person.id, status=NominationStatus.NOMINATED)
        db.session.add(member)
        accreditor = make_organiser(forum)
        db.session.get_one(ForumOrganiser, (forum.id, accreditor.id)).handles_accreditation = True
        world = World(
            forum=forum,
            japan=japan,
            italy=italy,
            member=member,
            focal=make_focal_point(japan),
            italy_focal=make_focal_point(italy),
            organiser=make_organiser(forum),
            accreditor=accreditor,
            admin=make_admin(),
            elsewhere=make_organiser(make_forum(slug="other")),
        )
        db.session.flush()
    return world


def form(**overrides: str) -> dict[str, str]:
    values = {
        "passport_family_name": "TANAKA",
        "passport_given_names": "AIKO",
        "latin_transcription": "",
        "honorific": "H.E.",
        "role": "minister",
        "level": "minister",
        "nationality": "JP",
        "date_of_birth": BORN,
        "document_kind": "passport",
        "document_number": NUMBER.lower(),  # stored in capitals
        "document_expires_on": "2031-05-01",
        "phone": "+81 3 1234 5678",
        "dietary_needs": "Vegetarian",
        "accessibility_needs": "",
        "listed_publicly": "y",
    }
    values.update(overrides)
    return {f"identity-{name}": value for name, value in values.items() if value is not None}


def stored(app, world: World) -> IdentityDetails | None:
    with app.app_context():
        details = db.session.get(IdentityDetails, (world.japan.id, world.member.person_id))
        if details is not None:
            db.session.expunge(details)
        return details


def save(app, client, world: World, **overrides: str):
    return client.post(world.url, data=form(**overrides))


# Saving and keeping it safe -------------------------------------------------------------------


def test_a_focal_point_saves_the_identity_data_and_the_database_holds_no_number_in_clear(app, client, world):
    sign_in(client, world.focal)
    response = save(app, client, world)
    assert response.status_code == 302, response.get_data(as_text=True)
    details = stored(app, world)
    assert (details.passport_family_name, details.nationality, details.document_number) == ("TANAKA", "JP", NUMBER)
    assert details.date_of_birth == BORN
    with app.app_context():
        raw_number, raw_born = db.session.execute(
            text("select document_number, date_of_birth from identity_details")
        ).one()
        member = db.session.get_one(DelegationMember, (world.japan.id, world.member.person_id))
        assert (member.role, member.level, member.listed_publicly) == (
            MemberRole.MINISTER,
            RepresentationLevel.MINISTER,
            True,
        )
    assert NUMBER not in raw_number and NUMBER.lower() not in raw_number and "4821937" not in raw_number
    assert BORN not in raw_born and "1968" not in raw_born
    with app.app_context():
        assert crypto.decrypt(raw_number) == NUMBER
        assert crypto.decrypt(raw_born) == BORN


def test_the_name_order_is_the_persons_own_setting(app, client, world):
    sign_in(client, world.focal)
    assert save(app, client, world, family_name_first="y").status_code == 302
    with app.app_context():
        assert db.session.get_one(Person, world.member.person_id).name == "Tanaka Aiko"


@pytest.mark.parametrize("reader", ["focal", "accreditor", "admin"])
def test_the_focal_point_and_the_accreditation_role_see_the_number_in_full(app, client, world, reader):
    sign_in(client, world.focal)
    save(app, client, world)
    sign_in(client, getattr(world, reader))
    page = client.get(world.url)
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    assert NUMBER in body and BORN in body
    assert page.headers["Cache-Control"] == "private, no-store"


def test_other_organisers_see_the_number_and_the_birth_date_masked(app, client, world):
    sign_in(client, world.focal)
    save(app, client, world)
    sign_in(client, world.organiser)
    page = client.get(world.url)
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    assert NUMBER not in body and "4821937" not in body and BORN not in body and "1968" not in body
    assert crypto.masked(NUMBER) in body and "••••-••-••" in body
    assert "TANAKA" in body  # the rest is theirs to read


def test_a_masked_reader_who_saves_keeps_the_number_and_the_date_as_stored(app, client, world):
    sign_in(client, world.focal)
    save(app, client, world)
    sign_in(client, world.organiser)
    response = save(app, client, world, document_number="", date_of_birth="", phone="+81 90 1111 2222")
    assert response.status_code == 302
    details = stored(app, world)
    assert (details.document_number, details.date_of_birth, details.phone) == (NUMBER, BORN, "+81 90 1111 2222")
    # The focal point, who sees them, clears them by emptying the boxes.
    sign_in(client, world.focal)
    assert save(app, client, world, document_number="", date_of_birth="").status_code == 302
    details = stored(app, world)
    assert (details.document_number, details.date_of_birth) == (None, None)


def test_email_is_shown_not_edited(app, client, world):
    sign_in(client, world.focal)
    body = client.get(world.url).get_data(as_text=True)
    assert "aiko@example.org" in body
    assert 'name="identity-email"' not in body


def test_the_page_is_accessible_without_javascript(app, client, world):
    sign_in(client, world.focal)
    body = client.get(world.url).get_data(as_text=True)
    assert "<script" not in body
    assert body.count("<fieldset") >= 4 and body.count("<legend") >= 4
    (number_input,) = re.findall(r"<input[^>]*name=\"identity-document_number\"[^>]*>", body)
    assert 'autocomplete="off"' in number_input
    assert '<label for="identity-document_number"' in body
    assert 'type="date"' in body  # the browser's own date control, one box


# Access ---------------------------------------------------------------------------------------


def test_a_focal_point_of_another_delegation_cannot_open_the_page(app, client, world):
    sign_in(client, world.italy_focal)
    assert client.get(world.url).status_code == 403
    assert client.post(world.url, data=form()).status_code == 403
    # Nor through their own delegation's address.
    assert (
        client.get(f"/forums/isef2/delegations/{world.italy.id}/members/{world.member.person_id}/identity").status_code
        == 404
    )
    assert stored(app, world) is None


def test_an_organiser_of_another_forum_cannot_open_the_page(app, client, world):
    sign_in(client, world.elsewhere)
    assert client.get(world.url).status_code == 403
    assert client.post(world.url, data=form()).status_code == 403
    assert (
        client.get(f"/forums/other/delegations/{world.japan.id}/members/{world.member.person_id}/identity").status_code
        == 404
    )
    assert stored(app, world) is None


def test_someone_without_a_role_cannot_open_the_page(app, client, world):
    assert client.get(world.url).status_code == 302  # to sign in
    with committed(app):
        nobody = make_user()
    sign_in(client, nobody)
    assert client.get(world.url).status_code == 403


# The audit ------------------------------------------------------------------------------------


def audit(app, action: str) -> list[AuditEntry]:
    with app.app_context():
        entries = list(
            db.session.scalars(select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id))
        )
        for entry in entries:
            db.session.expunge(entry)
        return entries


def test_every_view_is_audited_with_who_and_which_member(app, client, world):
    sign_in(client, world.focal)
    save(app, client, world)
    for reader in (world.organiser, world.accreditor, world.focal):
        sign_in(client, reader)
        client.get(world.url)
    entries = audit(app, "identity.viewed")
    # The focal point's page after saving, then the three openings.
    assert [(e.actor_id, e.after["in_full"]) for e in entries[-3:]] == [
        (world.organiser.id, False),
        (world.accreditor.id, True),
        (world.focal.id, True),
    ]
    assert {e.target_id for e in entries} == {f"{world.japan.id}/{world.member.person_id}"}
    assert all(e.after == {"person_id": world.member.person_id, "in_full": e.after["in_full"]} for e in entries)


def test_changes_are_audited_with_the_names_of_the_fields_only(app, client, world):
    sign_in(client, world.focal)
    save(app, client, world)
    save(app, client, world, phone="+81 90 0000 0000")
    first, second = audit(app, "identity.changed")
    assert "document_number" in first.after["fields"] and "date_of_birth" in first.after["fields"]
    assert second.after == {"person_id": world.member.person_id, "fields": ["phone"]}
    # Saving the same again changes nothing and records nothing.
    save(app, client, world, phone="+81 90 0000 0000")
    assert len(audit(app, "identity.changed")) == 2


def test_identity_data_is_never_in_the_audit_log_nor_in_logs(app, client, world, caplog):
    caplog.set_level(logging.DEBUG, logger="planner")
    caplog.set_level(logging.DEBUG, logger="werkzeug")
    caplog.set_level(logging.DEBUG, logger="flask.app")
    with committed(app):
        db.session.get_one(Forum, world.forum.id).identity_required = ["document_number", "date_of_birth"]
    sign_in(client, world.focal)
    save(app, client, world)
    save(app, client, world, document_number="AB-1")  # refused
    sign_in(client, world.organiser)
    client.get(world.url)
    client.post(
        f"/forums/isef2/delegations/{world.japan.id}/nominations/{world.member.person_id}/accredit",
        data={},
    )
    with app.app_context():
        log = json.dumps(
            [
                (e.summary, e.before, e.after)
                for e in db.session.scalars(select(AuditEntry).where(AuditEntry.forum_id == world.forum.id))
            ],
            ensure_ascii=False,
        )
        assert db.session.get_one(DelegationMember, (world.japan.id, world.member.person_id)).status is (
            NominationStatus.ACCREDITED
        )
    for secret in (NUMBER, NUMBER.lower(), "4821937", BORN, "1968"):
        assert secret not in log
        assert secret not in caplog.text


def test_an_unreadable_value_is_a_500_page_without_it(app, client, world, caplog):
    sign_in(client, world.focal)
    save(app, client, world)
    with app.app_context():
        raw = db.session.execute(text("select document_number from identity_details")).scalar_one()
    app.config["PROPAGATE_EXCEPTIONS"] = False  # as in production: the error page answers
    keys = app.extensions[crypto.EXTENSION]
    app.config["IDENTITY_KEYS"] = [crypto.new_key()]  # the key it was written with is gone
    crypto.init_app(app)
    try:
        response = client.get(world.url)
    finally:
        app.extensions[crypto.EXTENSION] = keys
    body = response.get_data(as_text=True)
    assert response.status_code == 500
    for secret in (NUMBER, "4821937", BORN, raw, raw[:40]):
        assert secret not in body
        assert secret not in caplog.text


# Bad input ------------------------------------------------------------------------------------

BAD_INPUT = [
    ("passport_family_name", "T" * 201, "Use at most 200 characters."),
    ("passport_given_names", "Ai\x00ko", "Remove control characters"),
    ("latin_transcription", "田中 愛子", "Latin letters"),
    ("latin_transcription", "L" * 201, "Use at most 200 characters."),
    ("honorific", "H" * 61, "Use at most 60 characters."),
    ("honorific", "H.E.\x1b", "Remove control characters"),
    ("nationality", "XX", "Choose a country from the list."),
    ("nationality", "EU", "Choose a country from the list."),  # CLDR's, not ISO 3166-1's
    ("date_of_birth", "2999-01-01", "The date of birth must be in the past."),
    ("date_of_birth", "1899-12-31", "Enter a date of birth in 1900 or later."),
    ("date_of_birth", "1970-02-30", "Enter a real date, like 1970-04-23."),
    ("date_of_birth", "05/11/1968", "Enter a real date, like 1970-04-23."),
    ("document_kind", "driving_licence", "Not a valid choice"),
    ("document_number", "TK48", "5 to 20 letters and digits"),
    ("document_number", "TK 4821937", "5 to 20 letters and digits"),
    ("document_number", "TK-4821937", "5 to 20 letters and digits"),
    ("document_number", "T" * 21, "5 to 20 letters and digits"),
    ("document_number", "ＴＫ４８２１９", "5 to 20 letters and digits"),  # full-width
    ("document_expires_on", "2018-03-01", "before the forum ends on"),
    ("document_expires_on", "2018-03-03", "before the forum ends on"),  # expires on the last day itself
    ("document_expires_on", "2099-01-01", "documents are not valid that long"),
    ("document_expires_on", "2031-13-01", "Enter a real date, like 1970-04-23."),
    ("phone", "call me", "digits and spaces only"),
    ("phone", "81-3-1234-5678", "digits and spaces only"),
    ("phone", "+1 2", "digits and spaces only"),
    ("phone", "+" + "1" * 40, "Use at most 40 characters."),
    ("dietary_needs", "x" * 1001, "Use at most 1000 characters."),
    ("accessibility_needs", "wheelchair\x07", "Remove control characters"),
    ("role", "king", "Not a valid choice"),
    ("level", "emperor", "Not a valid choice"),
]


@pytest.mark.parametrize(
    ("name", "value", "message"), BAD_INPUT, ids=[f"{n}-{i}" for i, (n, _v, _m) in enumerate(BAD_INPUT)]
)
def test_bad_input_on_every_field_is_refused_with_a_clear_message_and_nothing_stored(
    app, client, world, name, value, message
):
    sign_in(client, world.focal)
    response = save(app, client, world, **{name: value})
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert message in body
    assert 'class="error-summary"' in body
    assert stored(app, world) is None
    assert audit(app, "identity.changed") == []


def test_every_problem_is_shown_at_once(app, client, world):
    sign_in(client, world.focal)
    response = save(app, client, world, document_number="x", phone="call me", date_of_birth="2999-01-01")
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    for message in ("5 to 20 letters and digits", "digits and spaces only", "must be in the past"):
        assert message in body


def test_bad_input_leaves_the_stored_data_as_it_was(app, client, world):
    sign_in(client, world.focal)
    save(app, client, world)
    assert save(app, client, world, passport_family_name="SATO", document_number="x").status_code == 422
    details = stored(app, world)
    assert (details.passport_family_name, details.document_number) == ("TANAKA", NUMBER)


def test_a_document_expiring_soon_after_the_forum_is_saved_with_a_warning(app, client, world):
    sign_in(client, world.focal)
    response = save(app, client, world, document_expires_on="2018-05-01")
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "six months" in page
    assert str(stored(app, world).document_expires_on) == "2018-05-01"


def test_an_archived_forum_shows_the_data_but_takes_no_change(app, client, world):
    sign_in(client, world.focal)
    save(app, client, world)
    with committed(app):
        db.session.get_one(Forum, world.forum.id).status = "archived"
    page = client.get(world.url)
    assert page.status_code == 200 and "Save the identity data" not in page.get_data(as_text=True)
    assert save(app, client, world, phone="+81 90 0000 0000").status_code == 422
    assert stored(app, world).phone == "+81 3 1234 5678"


# What the forum requires ----------------------------------------------------------------------


def require(app, world: World, *fields: str) -> None:
    with committed(app):
        db.session.get_one(Forum, world.forum.id).identity_required = list(fields)


def accredit(client, world: World):
    return client.post(
        f"/forums/isef2/delegations/{world.japan.id}/nominations/{world.member.person_id}/accredit",
        data={"back": "overview"},
        follow_redirects=True,
    )


def status(app, world: World) -> NominationStatus:
    with app.app_context():
        return db.session.get_one(DelegationMember, (world.japan.id, world.member.person_id)).status


def test_accreditation_is_refused_while_required_fields_are_missing(app, client, world):
    require(app, world, "document_number", "date_of_birth", "nationality")
    sign_in(client, world.organiser)
    page = accredit(client, world).get_data(as_text=True)
    assert "cannot be accredited yet" in page
    assert "Passport or identity card number" in page and "Date of birth" in page
    assert status(app, world) is NominationStatus.NOMINATED
    sign_in(client, world.focal)
    save(app, client, world)
    sign_in(client, world.organiser)
    assert "Aiko Tanaka is accredited." in accredit(client, world).get_data(as_text=True)
    assert status(app, world) is NominationStatus.ACCREDITED


def test_a_forum_that_requires_nothing_accredits_as_before(app, client, world):
    sign_in(client, world.organiser)
    accredit(client, world)
    assert status(app, world) is NominationStatus.ACCREDITED


def test_a_latin_transcription_is_required_only_of_names_in_another_script(app, client, world):
    require(app, world, "latin_transcription")
    sign_in(client, world.focal)
    save(app, client, world, passport_family_name="田中", passport_given_names="愛子")
    sign_in(client, world.organiser)
    assert "cannot be accredited yet" in accredit(client, world).get_data(as_text=True)
    sign_in(client, world.focal)
    save(
        app, client, world, passport_family_name="田中", passport_given_names="愛子", latin_transcription="TANAKA AIKO"
    )
    sign_in(client, world.organiser)
    accredit(client, world)
    assert status(app, world) is NominationStatus.ACCREDITED


def test_the_delegation_page_and_the_overview_show_whether_identity_data_is_complete(app, client, world):
    require(app, world, "document_number", "phone")
    sign_in(client, world.organiser)
    delegation_page = client.get(f"/forums/isef2/delegations/{world.japan.id}/").get_data(as_text=True)
    assert "2 required fields missing" in delegation_page
    overview = client.get("/forums/isef2/manage/nominations").get_data(as_text=True)
    assert "Missing: Passport or identity card number, Phone number" in overview
    sign_in(client, world.focal)
    save(app, client, world)
    sign_in(client, world.organiser)
    assert "Complete" in client.get(f"/forums/isef2/delegations/{world.japan.id}/").get_data(as_text=True)
    assert "Missing:" not in client.get("/forums/isef2/manage/nominations").get_data(as_text=True)
    identity_page = client.get(world.url).get_data(as_text=True)
    assert "Complete: everything ISEF2 requires is filled in." in identity_page


# The settings and the role ---------------------------------------------------------------------

SETTINGS = "/forums/isef2/manage/accreditation"


def test_the_accreditation_role_chooses_the_required_fields(app, client, world):
    sign_in(client, world.accreditor)
    assert client.get(SETTINGS).status_code == 200
    response = client.post(SETTINGS, data={"settings-required": ["date_of_birth", "document_number"]})
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get_one(Forum, world.forum.id).identity_required == ["date_of_birth", "document_number"]
    (entry,) = audit(app, "forum.identity_required_changed")
    assert entry.after == {"identity_required": ["date_of_birth", "document_number"]}
    assert client.post(SETTINGS, data={"settings-required": ["shoe_size"]}).status_code == 422


def test_organisers_without_the_role_cannot_change_the_settings(app, client, world):
    sign_in(client, world.organiser)
    assert client.get(SETTINGS).status_code == 403
    assert client.post(SETTINGS, data={"settings-required": ["phone"]}).status_code == 403
    with app.app_context():
        assert db.session.get_one(Forum, world.forum.id).identity_required == []


def role_url(world: World, user) -> str:
    return f"/forums/isef2/manage/organisers/{user.id}/accreditation"


def handles(app, world: World, user) -> bool:
    with app.app_context():
        return db.session.get_one(ForumOrganiser, (world.forum.id, user.id)).handles_accreditation


@pytest.mark.parametrize("granter", ["admin", "accreditor"])
def test_administrators_and_the_role_give_and_take_the_role(app, client, world, granter):
    sign_in(client, getattr(world, granter))
    assert "Give " in client.get("/forums/isef2/manage/").get_data(as_text=True)
    assert client.post(role_url(world, world.organiser), data={"handles": "yes"}).status_code == 302
    assert handles(app, world, world.organiser)
    assert client.post(role_url(world, world.organiser), data={"handles": "no"}).status_code == 302
    assert not handles(app, world, world.organiser)
    given, taken = audit(app, "organiser.accreditation_role_given"), audit(app, "organiser.accreditation_role_taken")
    assert (given[0].target_id, taken[0].target_id) == (str(world.organiser.id), str(world.organiser.id))
    assert given[0].actor_id == getattr(world, granter).id


def test_an_organiser_without_the_role_cannot_give_it_even_to_themselves(app, client, world):
    sign_in(client, world.organiser)
    assert "/accreditation" not in client.get("/forums/isef2/manage/").get_data(as_text=True)  # no buttons, no settings
    assert client.post(role_url(world, world.organiser), data={"handles": "yes"}).status_code == 403
    assert not handles(app, world, world.organiser)
    sign_in(client, world.accreditor)
    assert client.post(role_url(world, world.organiser), data={"handles": "maybe"}).status_code == 422
    assert (
        client.post(
            f"/forums/isef2/manage/organisers/{world.focal.id}/accreditation", data={"handles": "yes"}
        ).status_code
        == 404
    )


def test_identity_data_is_in_no_list_of_participants(app, client, world):
    sign_in(client, world.focal)
    save(app, client, world)
    with committed(app):
        db.session.get_one(
            DelegationMember, (world.japan.id, world.member.person_id)
        ).status = NominationStatus.ACCREDITED
    sign_in(client, world.accreditor)
    for url in (
        "/forums/isef2/participants",
        "/forums/isef2/participants.csv",
        "/forums/isef2/manage/participants",
        "/forums/isef2/manage/participants.csv",
    ):
        response = client.get(url)
        assert response.status_code == 200
        body = response.get_data(as_text=True)
        assert "Aiko Tanaka" in body or "Tanaka" in body
        for secret in (NUMBER, BORN, "+81 3 1234 5678"):
            assert secret not in body, url
