"""Accounts and the roles appointed to them.

Roles: a site administrator (``User.is_admin``); an organiser of a forum
(``forums.models.ForumOrganiser``); a focal point of a delegation
(``delegations.models.DelegationFocalPoint``); and a delegate, which every verified account is.
"""

from __future__ import annotations

import datetime as dt
import secrets
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from planner.db import Base, UTCDateTime, utcnow

if TYPE_CHECKING:
    from planner.delegations.models import DelegationFocalPoint
    from planner.forums.models import ForumOrganiser


def new_session_token() -> str:
    return secrets.token_urlsafe(24)


class User(Base):
    __tablename__ = "users"
    __table_args__ = (CheckConstraint("email = lower(email)", name="email_lower"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(255))
    is_admin: Mapped[bool] = mapped_column(default=False)
    # The language their email is written in: chosen from the browser at sign-up.
    language: Mapped[str] = mapped_column(String(16), default="en")
    email_verified_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    deleted_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    # Part of the login cookie: replacing it (password change, deletion) signs out every session.
    session_token: Mapped[str] = mapped_column(String(64), unique=True, default=new_session_token)

    organiser_of: Mapped[list[ForumOrganiser]] = relationship(
        back_populates="user", cascade="all, delete-orphan", foreign_keys="ForumOrganiser.user_id"
    )
    focal_point_of: Mapped[list[DelegationFocalPoint]] = relationship(
        back_populates="user", cascade="all, delete-orphan", foreign_keys="DelegationFocalPoint.user_id"
    )

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
        return self.session_token

    def __repr__(self) -> str:
        return f"<User {self.id}>"
