"""Encryption at rest: Fernet tokens through MultiFernet, the EncryptedText column, masking."""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet

from planner import crypto
from tests.accreditation.keys import identity_keys

A, B = crypto.new_key(), crypto.new_key()


def test_a_value_round_trips_and_is_never_the_same_token_twice(app):
    with app.app_context(), identity_keys(app, A):
        first, second = crypto.encrypt("TK4821937"), crypto.encrypt("TK4821937")
        assert first != second and "TK4821937" not in first
        assert crypto.decrypt(first) == crypto.decrypt(second) == "TK4821937"
        Fernet(A.encode()).decrypt(first.encode())  # the first key's token


def test_every_configured_key_reads_and_the_first_writes(app):
    with app.app_context():
        with identity_keys(app, A):
            old = crypto.encrypt("1968-11-05")
        with identity_keys(app, B, A):
            assert crypto.decrypt(old) == "1968-11-05"
            new = crypto.rotate(old)
            Fernet(B.encode()).decrypt(new.encode())
        with identity_keys(app, B):
            assert crypto.decrypt(new) == "1968-11-05"
            with pytest.raises(crypto.UnreadableValue) as raised:
                crypto.decrypt(old)
            with pytest.raises(crypto.UnreadableValue):
                crypto.rotate(old)
    assert "1968" not in str(raised.value)  # the message names no value


def test_masking_keeps_the_last_characters_only():
    assert crypto.masked("TK4821937") == "••••••937"
    assert "TK48" not in crypto.masked("TK4821937")
    assert crypto.masked(None) == crypto.masked("") == ""
    assert set(crypto.masked("12345")) == {"•"}  # too short to show any of it
