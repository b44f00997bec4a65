"""Accounts and the roles appointed to them.

Roles: a site administrator (``User.is_admin``); an organiser of a forum
(``forums.models.ForumOrganiser``); a focal point of a delegation
(``delegations.models.DelegationFocalPoint``); and a delegate, which every verified account is.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, ForeignKey, String, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from planner.db import Base, UTCDateTime, utcnow
from planner.validators import NAME_MAX, display_name

if TYPE_CHECKING:
    from planner.delegations.models import DelegationFocalPoint
    from planner.forums.models import ForumOrganiser


class User(Base):
    __tablename__ = "users"
    __table_args__ = (CheckConstraint("email = lower(email)", name="email_lower"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    # The name as shown everywhere (pages, mail, exports, the audit log), kept composed from
    # the parts below by ``set_name`` so that queries and sorting use one column.
    name: Mapped[str] = mapped_column(String(NAME_MAX))
    given_name: Mapped[str] = mapped_column(String(NAME_MAX), default="", server_default="")
    family_name: Mapped[str] = mapped_column(String(NAME_MAX), default="", server_default="")
    # "My family name comes first": Sato Yui rather than Yui Sato.
    family_name_first: Mapped[bool] = mapped_column(default=False, server_default=false())
    password_hash: Mapped[str] = mapped_column(String(255))
    is_admin: Mapped[bool] = mapped_column(default=False)
    # The language their email is written in: chosen from the browser at sign-up.
    language: Mapped[str] = mapped_column(String(16), default="en")
    email_verified_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    deleted_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    organiser_of: Mapped[list[ForumOrganiser]] = relationship(
        back_populates="user", cascade="all, delete-orphan", foreign_keys="ForumOrganiser.user_id"
    )
    focal_point_of: Mapped[list[DelegationFocalPoint]] = relationship(
        back_populates="user", cascade="all, delete-orphan", foreign_keys="DelegationFocalPoint.user_id"
    )

    def set_name(self, given_name: str, family_name: str, family_name_first: bool) -> None:
        """Store the parts of the name and the display name composed from them."""
        self.given_name = given_name
        self.family_name = family_name
        self.family_name_first = family_name_first
        self.name = display_name(given_name, family_name, family_name_first)

    if TYPE_CHECKING:
        # Not a column: the key of the signed-in session this object was loaded for (accounts.sessions).
        session_key: str

    # Flask-Login's interface.
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_active(self) -> bool:
        return self.deleted_at is None and self.email_verified_at is not None

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        """Flask-Login's id, kept in the session cookie: the signed-in session's key, never the
        account's id, so that ending the session on the server ends the cookie too."""
        return getattr(self, "session_key", "")

    def __repr__(self) -> str:
        return f"<User {self.id}>"


class AccountSession(Base):
    """One signed-in browser. The cookie holds the key; the database only its hash, so that a
    copy of the table signs nobody in. Signing out deletes the row, and with it every copy of
    the cookie."""

    __tablename__ = "account_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    # What the account page shows to tell the sessions apart.
    user_agent: Mapped[str] = mapped_column(String(200), default="")
