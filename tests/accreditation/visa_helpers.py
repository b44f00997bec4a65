"""A forum with a delegation whose accredited member has a passport on file, the people who
act on visa letters, and a file store in the test's own folder."""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from typing import Any

import pytest
from flask import Flask
from pypdf import PdfReader

from planner import storage
from planner.accounts.models import User
from planner.accreditation.models import IdentityDetails, IdentityDocumentKind, VisaLetter
from planner.delegations.models import (
    Delegation,
    DelegationKind,
    DelegationMember,
    MemberRole,
    NominationStatus,
    Person,
)
from planner.extensions import db
from planner.forums.models import Forum, ForumOrganiser
from tests.factories import committed, make_delegation, make_focal_point, make_forum, make_organiser, make_user

PASSPORT = "TK1234567"


@dataclass
class Scene:
    forum: Forum
    japan: Delegation
    other: Delegation
    member: DelegationMember
    person: Person
    focal_point: User
    other_focal_point: User
    accreditation: User  # an organiser with the accreditation role
    organiser: User  # an organiser without it


def add_member(delegation: Delegation, status: NominationStatus = NominationStatus.ACCREDITED, **person: Any):
    values: dict[str, Any] = {"name": "Yui Sato", "given_name": "Yui", "family_name": "Sato"}
    values.update(person)
    values.setdefault("email", f"{values['given_name'].lower()}.{delegation.id}@example.org")
    p = Person(**values)
    db.session.add(p)
    db.session.flush()
    member = DelegationMember(
        delegation_id=delegation.id,
        person_id=p.id,
        role=MemberRole.MINISTER,
        function="Minister of Education",
        status=status,
    )
    db.session.add(member)
    db.session.flush()
    return member


def add_identity(member: DelegationMember, **overrides: Any) -> IdentityDetails:
    values: dict[str, Any] = dict(
        passport_family_name="SATO",
        passport_given_names="YUI",
        nationality="JP",
        document_kind=IdentityDocumentKind.PASSPORT,
        document_number=PASSPORT,
        document_expires_on=dt.date(2035, 1, 31),
    )
    values.update(overrides)
    identity = IdentityDetails(delegation_id=member.delegation_id, person_id=member.person_id, **values)
    db.session.add(identity)
    db.session.flush()
    return identity


def make_scene(**forum: Any) -> Scene:
    values: dict[str, Any] = dict(
        slug="isef3",
        name="ISEF3",
        title="Third International Space Exploration Forum",
        first_day=dt.date(2030, 3, 1),
        last_day=dt.date(2030, 3, 3),
        letterhead_name="Ministry of Education, Culture, Sports, Science and Technology",
        letterhead_address="3-2-2 Kasumigaseki\nChiyoda-ku, Tokyo 100-8959\nJapan",
    )
    values.update(forum)
    f = make_forum(**values)
    japan = make_delegation(f, name="Japan", kind=DelegationKind.COUNTRY, country_code="JP")
    other = make_delegation(f, name="Kenya", kind=DelegationKind.COUNTRY, country_code="KE")
    member = add_member(japan)
    add_identity(member)
    accreditation = make_organiser(f)
    db.session.get_one(ForumOrganiser, (f.id, accreditation.id)).handles_accreditation = True
    db.session.flush()
    return Scene(
        forum=f,
        japan=japan,
        other=other,
        member=member,
        person=member.person,
        focal_point=make_focal_point(japan),
        other_focal_point=make_focal_point(other),
        accreditation=accreditation,
        organiser=make_organiser(f),
    )


@pytest.fixture
def letters_store(app: Flask, tmp_path, monkeypatch) -> storage.DirectoryStore:
    store = storage.DirectoryStore(str(tmp_path / "uploads"))
    monkeypatch.setitem(app.extensions, storage.EXTENSION, store)
    return store


@pytest.fixture
def scene(app: Flask, letters_store) -> Scene:
    with committed(app):
        return make_scene()


def letters(app: Flask) -> list[VisaLetter]:
    with app.app_context():
        found = list(db.session.scalars(db.select(VisaLetter).order_by(VisaLetter.id)))
        db.session.expunge_all()
        return found


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


__all__ = [
    "PASSPORT",
    "Scene",
    "add_identity",
    "add_member",
    "letters",
    "letters_store",
    "make_scene",
    "make_user",
    "pdf_text",
    "scene",
]
