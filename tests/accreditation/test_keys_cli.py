"""The identity keys' commands: a new key, and rotation to the first key, which leaves every
value readable with it alone, works in batches and writes nothing when a value opens with none."""

from __future__ import annotations

import datetime as dt

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import select, text

from planner import crypto
from planner.accreditation import cli
from planner.accreditation.cli import new_identity_key_command, rotate_identity_keys_command
from planner.accreditation.models import IdentityDetails, VisaLetter
from planner.delegations.models import DelegationMember
from planner.extensions import db
from tests.accreditation.keys import identity_keys
from tests.factories import committed, make_delegation, make_forum, make_person

A, B, C = crypto.new_key(), crypto.new_key(), crypto.new_key()


def add_members(count: int, number: str = "TK48219{:02d}") -> list[tuple[int, int]]:
    delegation = make_delegation(make_forum())
    keys = []
    for n in range(count):
        person = make_person()
        db.session.add(DelegationMember(delegation_id=delegation.id, person_id=person.id))
        db.session.flush()
        db.session.add(
            IdentityDetails(
                delegation_id=delegation.id,
                person_id=person.id,
                document_number=number.format(n),
                date_of_birth=f"1970-01-{n + 1:02d}",
            )
        )
        keys.append((delegation.id, person.id))
    db.session.add(
        VisaLetter(
            delegation_id=delegation.id,
            person_id=keys[0][1],
            passport_number=number.format(0),
            issued_on=dt.date(2018, 1, 10),
        )
    )
    db.session.flush()
    return keys


def raw_tokens() -> list[str]:
    rows = db.session.execute(text("select date_of_birth, document_number from identity_details")).all()
    visas = db.session.scalars(text("select passport_number from visa_letters")).all()
    return [token for row in rows for token in row] + list(visas)


def read_all() -> tuple[list[tuple[str | None, str | None]], list[str | None]]:
    db.session.expire_all()
    details = db.session.scalars(select(IdentityDetails).order_by(IdentityDetails.person_id)).all()
    return [(d.document_number, d.date_of_birth) for d in details], list(
        db.session.scalars(select(VisaLetter.passport_number))
    )


def test_new_identity_key_prints_a_fernet_key(app):
    result = app.test_cli_runner().invoke(new_identity_key_command)
    assert result.exit_code == 0
    Fernet(result.output.strip().encode())  # a valid key
    assert result.output != app.test_cli_runner().invoke(new_identity_key_command).output


def test_a_rotated_key_still_reads_old_rows_and_rotation_lets_the_old_key_go(app, monkeypatch):
    monkeypatch.setattr(cli, "BATCH", 2)  # several batches of three rows
    with identity_keys(app, A):
        with committed(app):
            add_members(3)
    with app.app_context():
        with identity_keys(app, A):
            expected = read_all()
        assert expected[0][0] == ("TK4821900", "1970-01-01") and expected[1] == ["TK4821900"]
        before = raw_tokens()
        with identity_keys(app, B, A):
            assert read_all() == expected  # the new key first: old rows read
    with identity_keys(app, B, A):
        result = app.test_cli_runner().invoke(rotate_identity_keys_command)
    assert result.exit_code == 0, result.output
    assert result.output == "Re-encrypted 7 values with the first key.\n"
    with app.app_context():
        after = raw_tokens()
        assert not set(before) & set(after)
        for token in after:
            Fernet(B.encode()).decrypt(token.encode())
        with identity_keys(app, B):  # the old key gone
            assert read_all() == expected
        with identity_keys(app, A), pytest.raises(crypto.UnreadableValue):
            read_all()


def test_rotation_writes_nothing_when_a_value_opens_with_no_key(app):
    with identity_keys(app, A):
        with committed(app):
            add_members(2)
    with identity_keys(app, C):
        with committed(app):
            add_members(1, number="ZZ99999{:02d}")  # written with a key that will be lost
    with app.app_context():
        before = raw_tokens()
    with identity_keys(app, B, A):
        result = app.test_cli_runner().invoke(rotate_identity_keys_command)
    assert result.exit_code == 1
    assert "opens with none of the keys" in result.output and "Nothing was changed." in result.output
    assert "ZZ" not in result.output
    with app.app_context():
        assert raw_tokens() == before


def test_rotation_with_nothing_stored_says_so(app):
    result = app.test_cli_runner().invoke(rotate_identity_keys_command)
    assert result.exit_code == 0
    assert result.output == "Re-encrypted 0 values with the first key.\n"
