"""Personal access tokens for the JSON API, and the answers kept for its Idempotency-Key."""

from __future__ import annotations

import datetime as dt
import enum
from typing import TYPE_CHECKING

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from planner.db import Base, UTCDateTime, utcnow

if TYPE_CHECKING:
    from flask_babel.speaklater import LazyString

    from planner.accounts.models import User


class Role(enum.StrEnum):
    """The roles in a forum a scope asks of the token's owner (checked in ``api.tokens``)."""

    ORGANISER = "organiser"  # appointed organisers, and site administrators
    FOCAL_POINT = "focal_point"  # a focal point of one of the forum's delegations
    SCANNER = "scanner"  # the forum's scanning staff at the doors


class Scope(enum.StrEnum):
    """What a token may do, in the forums it names, while its owner holds the role for it."""

    REGISTRATIONS_READ = "registrations:read"
    REGISTRATIONS_WRITE = "registrations:write"  # decide applications: approve, decline
    NOMINATIONS_READ = "nominations:read"
    CHECKIN_WRITE = "checkin:write"

    @property
    def label(self) -> LazyString:
        return SCOPE_LABELS[self]

    @property
    def roles(self) -> frozenset[Role]:
        """Any one of these roles in a forum lets a token use the scope there."""
        return SCOPE_ROLES[self]


SCOPE_LABELS: dict[Scope, LazyString] = {
    Scope.REGISTRATIONS_READ: _l("Read registrations and their answers"),
    Scope.REGISTRATIONS_WRITE: _l("Decide registrations (approve, decline)"),
    Scope.NOMINATIONS_READ: _l("Read nominations of delegations"),
    Scope.CHECKIN_WRITE: _l("Record check-ins at the doors"),
}

SCOPE_ROLES: dict[Scope, frozenset[Role]] = {
    Scope.REGISTRATIONS_READ: frozenset({Role.ORGANISER}),
    Scope.REGISTRATIONS_WRITE: frozenset({Role.ORGANISER}),
    Scope.NOMINATIONS_READ: frozenset({Role.ORGANISER, Role.FOCAL_POINT}),
    Scope.CHECKIN_WRITE: frozenset({Role.ORGANISER, Role.SCANNER}),
}

#: Token names, as the account's list shows them.
TOKEN_NAME_MAX = 100


class ApiToken(Base):
    """A personal access token: ``plnr_`` and 32 random bytes in base64url, shown once when
    made. Only its SHA-256 is kept (32 random bytes need no slow hash), and its first
    characters (``prefix``) to tell tokens apart in lists. It acts for its owner, within its
    scopes and forums, until it expires or is revoked."""

    __tablename__ = "api_tokens"
    __table_args__ = (
        # One name per account among the tokens that still work (a revoked name may be reused).
        Index(
            "ix_api_tokens_user_id_name_unrevoked",
            "user_id",
            "name",
            unique=True,
            sqlite_where=text("revoked_at IS NULL"),
            postgresql_where=text("revoked_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(TOKEN_NAME_MAX))
    prefix: Mapped[str] = mapped_column(String(16))
    secret_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # Scope values, and the ids of the forums the token may act in.
    scopes: Mapped[list[str]] = mapped_column(JSON, default=list)
    forum_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_used_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()

    @property
    def scope_list(self) -> list[Scope]:
        """The token's scopes (those planner still knows), in planner's order."""
        return [scope for scope in Scope if scope.value in self.scopes]

    def works_at(self, now: dt.datetime) -> bool:
        """Neither revoked nor expired at ``now`` (the owner's roles are asked apart)."""
        return self.revoked_at is None and now < self.expires_at

    def __repr__(self) -> str:
        return f"<ApiToken {self.id} {self.prefix}>"


class IdempotentRequest(Base):
    """The answer to a write sent with an ``Idempotency-Key``: the same key from the same token
    gets the same answer again instead of a second change."""

    __tablename__ = "api_idempotent_requests"
    __table_args__ = (UniqueConstraint("token_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    token_id: Mapped[int] = mapped_column(ForeignKey("api_tokens.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(200))
    method: Mapped[str] = mapped_column(String(8))
    path: Mapped[str] = mapped_column(String(500))
    # SHA-256 hex of the request's body: the same key with another body is refused.
    request_hash: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int] = mapped_column(Integer)
    response_body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)

    token: Mapped[ApiToken] = relationship()
