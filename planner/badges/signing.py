"""The forum's badge keys and the token a badge's QR code holds.

A token is a few bytes: which key signed it, the forum, the badge and its version, the dates it
is valid and the zones it opens, then an Ed25519 signature over them. It carries no personal
data: a scanner learns who holds badge 42 from its roster, and a photo of the QR code tells a
stranger nothing. Written as RFC 4648 base32 (upper case, no padding) so the QR code uses its
compact alphanumeric mode. The scanner page reads the same layout (``static/js/scanner/token.js``).
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import functools
import struct
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from planner.accounts.models import User
from planner.accounts.permissions import require_organiser
from planner.audit.services import record
from planner.badges.models import Badge, ForumSigningKey
from planner.db import utcnow
from planner.extensions import db
from planner.forums.models import Forum
from planner.refusals import Refused

TOKEN_FORMAT = 1
#: format, key id, forum id, badge id, version, valid from, valid until, number of zones.
_HEAD = struct.Struct(">BIIIHIIB")
SIGNATURE_LENGTH = 64
#: The longest token text a scanner may send: a head, 255 zones and a signature, in base32.
MAX_TOKEN_LENGTH = ((_HEAD.size + 255 + SIGNATURE_LENGTH) * 8 + 4) // 5


class TokenRefused(Refused):
    """A token that is not a genuine, current badge of this forum; ``reason`` says which check failed."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


@dataclass(frozen=True)
class BadgeToken:
    key_id: int
    forum_id: int
    badge_id: int
    version: int
    valid_from: dt.datetime
    valid_until: dt.datetime
    zones: tuple[int, ...]
    signed: bytes  # the bytes the signature covers
    signature: bytes

    def is_valid_at(self, moment: dt.datetime) -> bool:
        return self.valid_from <= moment < self.valid_until


def _b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _seconds(moment: dt.datetime) -> int:
    return int(moment.timestamp())


def _moment(seconds: int) -> dt.datetime:
    return dt.datetime.fromtimestamp(seconds, dt.UTC)


# -- keys -----------------------------------------------------------------------------------


def new_signing_key(forum: Forum) -> ForumSigningKey:
    """A new key pair for the forum; from now on it signs the forum's badges."""
    private = Ed25519PrivateKey.generate()
    key = ForumSigningKey(
        forum_id=forum.id,
        private_key=base64.b64encode(private.private_bytes_raw()).decode("ascii"),
        public_key=_b64url(private.public_key().public_bytes_raw()),
    )
    db.session.add(key)
    db.session.flush()
    return key


def verifying_keys(forum: Forum) -> list[ForumSigningKey]:
    """The forum's keys that still verify badges, the newest (the one that signs) first."""
    return list(
        db.session.scalars(
            select(ForumSigningKey)
            .where(ForumSigningKey.forum_id == forum.id, ForumSigningKey.retired_at.is_(None))
            .order_by(ForumSigningKey.id.desc())
        )
    )


def signing_key(forum: Forum) -> ForumSigningKey:
    """The key new badges are signed with, made on first use."""
    keys = verifying_keys(forum)
    return keys[0] if keys else new_signing_key(forum)


def retire_key(key: ForumSigningKey) -> None:
    """Badges signed with it are refused from now on, by the server and by every scanner that
    syncs its list of keys."""
    key.retired_at = utcnow()
    db.session.flush()


# -- tokens ---------------------------------------------------------------------------------


def encode_token(
    key: ForumSigningKey,
    *,
    badge_id: int,
    version: int,
    valid_from: dt.datetime,
    valid_until: dt.datetime,
    zones: Iterable[int],
) -> str:
    zone_numbers = sorted(set(zones))
    head = _HEAD.pack(
        TOKEN_FORMAT,
        key.id,
        key.forum_id,
        badge_id,
        version,
        _seconds(valid_from),
        _seconds(valid_until),
        len(zone_numbers),
    )
    signed = head + bytes(zone_numbers)
    private = Ed25519PrivateKey.from_private_bytes(base64.b64decode(key.private_key))
    return base64.b32encode(signed + private.sign(signed)).decode("ascii").rstrip("=")


def _unreadable() -> TokenRefused:
    # Made only when refusing: translating the message costs more than reading a good token.
    return TokenRefused("forged", str(_l("This is not a badge of this forum.")))


#: Tokens read and signatures checked lately. A badge is scanned at several doors on several
#: days, and checking an Ed25519 signature costs more than everything else the server does to
#: judge a scan; what is kept is keyed by the exact bytes and the public key, so a retired
#: key (left out of ``public_keys``) or a changed byte is checked afresh.
RECENT = 8192


def read_token(text: str) -> BadgeToken:
    """The token's fields, unverified; ``TokenRefused("forged")`` when it is not a token at all."""
    return _read(text.strip().upper() if isinstance(text, str) else "")


@functools.lru_cache(maxsize=RECENT)
def _read(cleaned: str) -> BadgeToken:
    if not cleaned or len(cleaned) > MAX_TOKEN_LENGTH:
        raise _unreadable()
    try:
        raw = base64.b32decode(cleaned + "=" * (-len(cleaned) % 8))
    except (binascii.Error, ValueError):
        raise _unreadable() from None
    if len(raw) < _HEAD.size + SIGNATURE_LENGTH:
        raise _unreadable()
    fmt, key_id, forum_id, badge_id, version, valid_from, valid_until, count = _HEAD.unpack_from(raw)
    if fmt != TOKEN_FORMAT or len(raw) != _HEAD.size + count + SIGNATURE_LENGTH:
        raise _unreadable()
    signed = raw[: _HEAD.size + count]
    return BadgeToken(
        key_id=key_id,
        forum_id=forum_id,
        badge_id=badge_id,
        version=version,
        valid_from=_moment(valid_from),
        valid_until=_moment(valid_until),
        zones=tuple(signed[_HEAD.size :]),
        signed=signed,
        signature=raw[_HEAD.size + count :],
    )


def verify_token(text: str, forum_id: int, public_keys: Mapping[int, Ed25519PublicKey]) -> BadgeToken:
    """The token, if one of the forum's own keys (``public_keys`` by key id, retired ones left
    out) signed exactly these bytes; ``TokenRefused("forged")`` otherwise. Revocation, dates and
    zones are the caller's checks: they need the badge's state and the door."""
    token = read_token(text)
    key = public_keys.get(token.key_id)
    if token.forum_id != forum_id or key is None:
        raise TokenRefused("forged", str(_l("This badge was not issued by this forum.")))
    if not _genuine(key.public_bytes_raw(), token.signed, token.signature):
        raise TokenRefused("forged", str(_l("This badge's signature is not genuine.")))
    return token


@functools.lru_cache(maxsize=RECENT)
def _genuine(public_key: bytes, signed: bytes, signature: bytes) -> bool:
    try:
        Ed25519PublicKey.from_public_bytes(public_key).verify(signature, signed)
    except InvalidSignature:
        return False
    return True


def public_keys(forum: Forum) -> dict[int, Ed25519PublicKey]:
    """The keys that verify the forum's badges, by id (their private halves left unread)."""
    rows = db.session.execute(
        select(ForumSigningKey.id, ForumSigningKey.public_key).where(
            ForumSigningKey.forum_id == forum.id, ForumSigningKey.retired_at.is_(None)
        )
    )
    return {key_id: public_key_from(public) for key_id, public in rows}


def public_key_from(public: str) -> Ed25519PublicKey:
    """A key's public half as stored (raw 32 bytes, base64url)."""
    return Ed25519PublicKey.from_public_bytes(_unb64url(public))


def published_keys(forum: Forum) -> list[dict[str, object]]:
    """What scanners verify with: the keys' ids and public halves, never the private ones."""
    return [{"id": key.id, "public_key": key.public_key} for key in verifying_keys(forum)]


# -- what organisers do with keys -------------------------------------------------------------


class KeyRefused(Refused):
    pass


def rotate(actor: User, forum: Forum) -> ForumSigningKey:
    """A new key signs from now on; badges signed with the earlier ones stay valid until those
    are retired. Scanners learn the new public key at their next sync."""
    require_organiser(actor, forum)
    key = new_signing_key(forum)
    record(actor, "badge_key.created", forum_id=forum.id, target=("badge_key", key.id), summary=_("New badge key"))
    return key


def retire(actor: User, forum: Forum, key_id: int) -> ForumSigningKey:
    """Refuse every badge signed with the key (it was lost or copied); they must be reprinted."""
    require_organiser(actor, forum)
    key = db.session.get(ForumSigningKey, key_id)
    if key is None or key.forum_id != forum.id:
        raise KeyRefused(_("%(forum)s has no such badge key.", forum=forum.name))
    if key.retired_at is not None:
        raise KeyRefused(_("This badge key is already retired."))
    retire_key(key)
    record(actor, "badge_key.retired", forum_id=forum.id, target=("badge_key", key.id), summary=_("Badge key retired"))
    return key


def keys_of(forum: Forum) -> list[ForumSigningKey]:
    """Every key the forum has had, the newest first (retired ones too, for the record)."""
    return list(
        db.session.scalars(
            select(ForumSigningKey).where(ForumSigningKey.forum_id == forum.id).order_by(ForumSigningKey.id.desc())
        )
    )


def badges_signed_with(forum: Forum) -> dict[int, int]:
    """How many of the forum's badges each key signs (a badge keeps the key it was issued or
    last reprinted with): what retiring a key would send back to the printer."""
    rows = db.session.execute(
        select(Badge.signing_key_id, func.count())
        .where(Badge.forum_id == forum.id, Badge.signing_key_id.is_not(None))
        .group_by(Badge.signing_key_id)
    ).all()
    return {key_id: count for key_id, count in rows if key_id is not None}


def badge_token(badge: Badge, key: ForumSigningKey) -> str:
    """The text of the badge's QR code: its current version, signed with its own key."""
    return encode_token(
        key,
        badge_id=badge.id,
        version=badge.version,
        valid_from=badge.valid_from,
        valid_until=badge.valid_until,
        zones=badge.zone_numbers,
    )
