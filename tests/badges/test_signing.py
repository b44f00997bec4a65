"""The QR code's token: signed by the forum's key, refused when forged, altered or another's."""

from __future__ import annotations

import base64
import datetime as dt

import pytest

from planner.badges import signing
from planner.badges.models import ForumSigningKey
from planner.extensions import db
from tests.badges.helpers import make_scene
from tests.factories import make_forum

FROM = dt.datetime(2018, 2, 27, 15, tzinfo=dt.UTC)
UNTIL = dt.datetime(2018, 3, 3, 15, tzinfo=dt.UTC)


def _token(forum, **changes):
    values = dict(badge_id=42, version=3, valid_from=FROM, valid_until=UTC_UNTIL, zones=[2, 1, 7])
    values.update(changes)
    return signing.encode_token(signing.signing_key(forum), **values)


UTC_UNTIL = UNTIL


def test_a_token_reads_back_what_was_signed(context):
    forum = make_forum()
    text = _token(forum)
    token = signing.verify_token(text, forum.id, signing.public_keys(forum))
    assert (token.badge_id, token.version, token.forum_id) == (42, 3, forum.id)
    assert token.zones == (1, 2, 7)
    assert (token.valid_from, token.valid_until) == (FROM, UNTIL)
    assert token.is_valid_at(FROM) and not token.is_valid_at(UNTIL)


def test_the_token_is_short_upper_case_base32_with_no_personal_data(context):
    forum = make_forum()
    text = _token(forum)
    assert text == text.upper() and set(text) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")
    assert len(text) < 150  # a small QR code (version 6 or so in alphanumeric mode)
    raw = base64.b32decode(text + "=" * (-len(text) % 8))
    assert b"Tanaka" not in raw and len(raw) == 24 + 3 + 64


def test_a_forged_signature_is_refused(context):
    forum = make_forum()
    text = _token(forum)
    raw = bytearray(base64.b32decode(text + "=" * (-len(text) % 8)))
    raw[-1] ^= 0x01
    forged = base64.b32encode(bytes(raw)).decode().rstrip("=")
    with pytest.raises(signing.TokenRefused) as refused:
        signing.verify_token(forged, forum.id, signing.public_keys(forum))
    assert refused.value.reason == "forged"


@pytest.mark.parametrize("offset", [9, 13, 20, 24])  # the badge, its version, its dates, a zone
def test_an_altered_byte_is_refused(context, offset):
    forum = make_forum()
    text = _token(forum)
    raw = bytearray(base64.b32decode(text + "=" * (-len(text) % 8)))
    raw[offset] ^= 0x04
    altered = base64.b32encode(bytes(raw)).decode().rstrip("=")
    with pytest.raises(signing.TokenRefused, match="not genuine"):
        signing.verify_token(altered, forum.id, signing.public_keys(forum))


def test_another_forums_key_is_refused_even_with_its_forum_id_rewritten(context):
    ours, theirs = make_forum(), make_forum()
    their_token = _token(theirs)
    with pytest.raises(signing.TokenRefused, match="not issued by this forum"):
        signing.verify_token(their_token, ours.id, signing.public_keys(ours))
    # A token claiming our forum and our key id, signed with their key, fails the signature.
    their_key = signing.signing_key(theirs)
    impostor = ForumSigningKey(
        id=signing.signing_key(ours).id, forum_id=ours.id, private_key=their_key.private_key, public_key=""
    )
    text = signing.encode_token(impostor, badge_id=1, version=1, valid_from=FROM, valid_until=UNTIL, zones=[1])
    db.session.expunge_all()
    with pytest.raises(signing.TokenRefused, match="not genuine"):
        signing.verify_token(text, ours.id, signing.public_keys(db.session.get(type(ours), ours.id)))


@pytest.mark.parametrize(
    "text",
    ["", "hello", "A" * 2000, "!!!!", "MFRGG", "0189", "A" * 140, None, 12],
)
def test_anything_that_is_not_a_token_is_refused_as_forged(context, text):
    forum = make_forum()
    with pytest.raises(signing.TokenRefused) as refused:
        signing.verify_token(text, forum.id, signing.public_keys(forum))  # type: ignore[arg-type]
    assert refused.value.reason == "forged"


def test_rotation_keeps_printed_badges_valid_and_retiring_voids_them(context):
    forum = make_forum()
    old = signing.signing_key(forum)
    printed = _token(forum)
    new = signing.new_signing_key(forum)
    assert signing.signing_key(forum).id == new.id
    assert _token(forum) != printed
    signing.verify_token(printed, forum.id, signing.public_keys(forum))  # still verifies
    signing.retire_key(old)
    with pytest.raises(signing.TokenRefused):
        signing.verify_token(printed, forum.id, signing.public_keys(forum))
    assert [key["id"] for key in signing.published_keys(forum)] == [new.id]


def test_the_private_key_is_encrypted_at_rest_and_never_published(context):
    forum = make_forum()
    key = signing.signing_key(forum)
    stored = db.session.execute(
        db.text("SELECT private_key FROM forum_signing_keys WHERE id = :id"), {"id": key.id}
    ).scalar_one()
    assert stored.startswith("gAAAA")  # a Fernet token
    assert base64.b64decode(key.private_key) not in stored.encode()
    assert signing.published_keys(forum) == [{"id": key.id, "public_key": key.public_key}]


def test_a_badges_own_token_verifies(context):
    scene = make_scene()
    token = signing.verify_token(scene.token(scene.delegate), scene.forum.id, signing.public_keys(scene.forum))
    assert token.badge_id == scene.delegate.id
    assert token.zones == (1,)
