"""Account operations. They flush and never commit; messages go through the outbox.

Nothing here tells a caller whether an email address has an account: sign-up and
password reset answer the same way either way, and the owner of an address hears of
attempts by email.
"""

from __future__ import annotations

import secrets
from typing import Any

from blinker import Namespace
from flask import url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from sqlalchemy import delete, select, update
from werkzeug.security import check_password_hash, generate_password_hash

from planner.accounts import sessions, tokens
from planner.accounts.models import User
from planner.db import utcnow
from planner.extensions import db
from planner.mail.models import OutboxMessage, OutboxStatus
from planner.mail.services import queue_email, written_in
from planner.refusals import Refused
from planner.validators import name_problem

#: Sent with the account being deleted, before its address is erased: the domains above this
#: one end what the person had with them (registration cancels their registrations).
account_deleting = Namespace().signal("account-deleting")

# Compared against when no account matches, so that a miss takes as long as a hit.
_DUMMY_HASH = generate_password_hash("planner-timing-equaliser")


class AccountError(Refused):
    """A refusal with a message for the person: ``str(error)``."""


class WrongCredentials(AccountError):
    pass


class NotVerified(AccountError):
    pass


class WrongPassword(AccountError):
    pass


class AppointmentError(AccountError):
    """An appointment (organiser, focal point) that cannot be made or undone."""


def normalise_email(email: str) -> str:
    return email.strip().lower()


def find_user(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == normalise_email(email)))


def language_of(email: str) -> str | None:
    """The language of the account at ``email``, for mail to someone known by address only (a
    delegation member, a new address); None when no account has it."""
    return db.session.scalar(
        select(User.language).where(User.email == normalise_email(email), User.deleted_at.is_(None))
    )


def appointable_user(email: str) -> User:
    """The confirmed account at ``email``: only such a person can be given a role."""
    user = find_user(email)
    if user is None or not user.is_active:
        raise AppointmentError(_("No confirmed account uses this address. Ask the person to sign up first."))
    return user


def _hash_password(password: str) -> str:
    return generate_password_hash(password)  # scrypt, Werkzeug's default


def _link(endpoint: str, **values: Any) -> str:
    return url_for(endpoint, _external=True, **values)


def send_verification(user: User, next_page: str = "") -> None:
    """Mail the confirmation link; ``next_page`` (a path on this site, checked by the caller)
    is where the person goes after confirming and signing in."""
    token = tokens.make_token(tokens.VERIFY_EMAIL, {"id": user.id, "email": tokens.fingerprint(user.email)})
    with written_in(user.language):
        queue_email(
            user.email,
            "accounts/verify_email",
            subject=_("Confirm your email address for planner"),
            name=user.name,
            link=_link("accounts.verify_email", token=token, **({"next": next_page} if next_page else {})),
        )


def _check_name(given_name: str, family_name: str) -> None:
    problem = name_problem(given_name, family_name)
    if problem:
        raise AccountError(problem)


def sign_up(
    given_name: str,
    family_name: str,
    family_name_first: bool,
    email: str,
    password: str,
    next_page: str = "",
) -> None:
    """Create an unverified account and send the verification link; if the address is
    taken, tell its owner instead. Both take the same work (the password is hashed either
    way, one message is queued), so that the time of the answer does not tell them apart.
    The name is checked first, the same for every address, so a refusal tells nothing."""
    given_name, family_name = given_name.strip(), family_name.strip()
    _check_name(given_name, family_name)
    email = normalise_email(email)
    password_hash = _hash_password(password)
    existing = find_user(email)
    if existing is not None:
        if existing.deleted_at is None:
            with written_in(existing.language):
                queue_email(
                    existing.email,
                    "accounts/signup_existing",
                    subject=_("You already have a planner account"),
                    name=existing.name,
                    login=_link("accounts.login", **({"next": next_page} if next_page else {})),
                    reset=_link("accounts.reset_request"),
                )
        return
    user = User(email=email, password_hash=password_hash, language=str(get_locale() or "en"))
    user.set_name(given_name, family_name, family_name_first)
    db.session.add(user)
    db.session.flush()
    send_verification(user, next_page)


def create_verified_account(
    given_name: str, family_name: str, family_name_first: bool, email: str, password: str
) -> User:
    """An account whose address is proved already (by a link we mailed to it, as a focal
    point's invitation is): confirmed at once, in the reader's language. Refused if the
    address has an account: its owner signs in instead."""
    given_name, family_name = given_name.strip(), family_name.strip()
    _check_name(given_name, family_name)
    email = normalise_email(email)
    if find_user(email) is not None:
        raise AccountError(
            _("An account with this email address exists already: sign in with it instead."), field="email"
        )
    user = User(
        email=email,
        password_hash=_hash_password(password),
        language=str(get_locale() or "en"),
        email_verified_at=utcnow(),
    )
    user.set_name(given_name, family_name, family_name_first)
    db.session.add(user)
    db.session.flush()
    return user


def verify_email(token: str) -> User:
    payload = tokens.read_token(tokens.VERIFY_EMAIL, token)
    user = db.session.get(User, payload.get("id"))
    if user is None or user.deleted_at is not None or payload.get("email") != tokens.fingerprint(user.email):
        raise tokens.InvalidToken
    if user.email_verified_at is None:
        user.email_verified_at = utcnow()
    return user


def authenticate(email: str, password: str, next_page: str = "") -> User:
    """The account for these credentials; an unverified one gets a new link instead (leading
    on to ``next_page``)."""
    user = find_user(email)
    if user is None or user.deleted_at is not None:
        check_password_hash(_DUMMY_HASH, password)
        raise WrongCredentials(_("The email address or the password is not right."))
    if not check_password_hash(user.password_hash, password):
        raise WrongCredentials(_("The email address or the password is not right."))
    if user.email_verified_at is None:
        send_verification(user, next_page)
        raise NotVerified(_("Please confirm your email address first: we have sent you a new link."))
    return user


def request_password_reset(email: str) -> None:
    user = find_user(email)
    if user is None or user.deleted_at is not None:
        return
    token = tokens.make_token(
        tokens.RESET_PASSWORD, {"id": user.id, "password": tokens.fingerprint(user.password_hash)}
    )
    with written_in(user.language):
        queue_email(
            user.email,
            "accounts/reset_password",
            subject=_("Reset your planner password"),
            name=user.name,
            link=_link("accounts.reset_password", token=token),
        )


def reset_password(token: str, password: str) -> User:
    """Set a new password from a reset link; the link works once, for an hour."""
    payload = tokens.read_token(tokens.RESET_PASSWORD, token)
    user = db.session.get(User, payload.get("id"))
    if user is None or user.deleted_at is not None or payload.get("password") != tokens.fingerprint(user.password_hash):
        raise tokens.InvalidToken
    user.password_hash = _hash_password(password)
    sessions.end_all(user)  # whoever knew the old password is signed out
    # The link reached their mailbox, which is what verification proves.
    user.email_verified_at = user.email_verified_at or utcnow()
    return user


def _check_password(user: User, password: str) -> None:
    if not check_password_hash(user.password_hash, password):
        raise WrongPassword(_("Your current password is not right."))


def change_password(user: User, current: str, new: str) -> None:
    """Set a new password; every other session of the account ends, the one asking stays."""
    _check_password(user, current)
    user.password_hash = _hash_password(new)
    sessions.end_all(user, keep=getattr(user, "session_key", None))
    with written_in(user.language):
        queue_email(
            user.email,
            "accounts/password_changed",
            subject=_("Your planner password was changed"),
            name=user.name,
            reset=_link("accounts.reset_request"),
        )


def request_email_change(user: User, new_email: str, password: str) -> None:
    """Send a confirmation link to the new address; the change happens when it is followed."""
    _check_password(user, password)
    new_email = normalise_email(new_email)
    if new_email == user.email:
        raise AccountError(_("That is already your email address."))
    if find_user(new_email) is not None:
        with written_in(language_of(new_email)):
            queue_email(new_email, "accounts/email_in_use", subject=_("Someone tried to use this address on planner"))
        return
    token = tokens.make_token(
        tokens.CHANGE_EMAIL, {"id": user.id, "old": tokens.fingerprint(user.email), "new": new_email}
    )
    with written_in(user.language):
        queue_email(
            new_email,
            "accounts/confirm_email_change",
            subject=_("Confirm your new email address"),
            name=user.name,
            link=_link("accounts.confirm_email_change", token=token),
        )


def confirm_email_change(token: str) -> User:
    payload = tokens.read_token(tokens.CHANGE_EMAIL, token)
    user = db.session.get(User, payload.get("id"))
    new_email = payload.get("new")
    if (
        user is None
        or user.deleted_at is not None
        or not isinstance(new_email, str)
        or payload.get("old") != tokens.fingerprint(user.email)
        or find_user(new_email) is not None
    ):
        raise tokens.InvalidToken
    old_email = user.email
    user.email = new_email
    user.email_verified_at = utcnow()
    with written_in(user.language):
        queue_email(
            old_email,
            "accounts/email_changed",
            subject=_("Your planner email address was changed"),
            name=user.name,
            new_email=new_email,
        )
    return user


def delete_account(user: User, password: str) -> None:
    """Anonymise the account: it can no longer sign in, its roles end, and records that
    must stay (the audit log) keep pointing at an anonymous account."""
    _check_password(user, password)
    account_deleting.send(user)
    _erase_mail_to(user.email)
    user.email = f"deleted-{user.id}-{secrets.token_hex(4)}@deleted.invalid"
    user.set_name(_("Deleted account"), "", False)
    user.password_hash = _hash_password(secrets.token_urlsafe(32))
    sessions.end_all(user)
    user.is_admin = False
    user.deleted_at = utcnow()
    user.organiser_of.clear()
    user.focal_point_of.clear()


def _erase_mail_to(address: str) -> None:
    """Unsent mail to the address is dropped; the record of sent mail loses the address."""
    db.session.execute(
        delete(OutboxMessage).where(OutboxMessage.to_address == address, OutboxMessage.status == OutboxStatus.PENDING)
    )
    db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.to_address == address)
        .values(
            to_address="deleted@deleted.invalid",
            text_body="",
            html_body=None,
            attachment_content_type=None,
            attachment_body=None,
            context=None,
        )
    )


def change_name(user: User, given_name: str, family_name: str, family_name_first: bool) -> None:
    """Set the person's given and family name and their order; every page and email after this
    shows the name composed from them."""
    given_name, family_name = given_name.strip(), family_name.strip()
    _check_name(given_name, family_name)
    user.set_name(given_name, family_name, family_name_first)


def set_language(user: User, language: str) -> None:
    """The language of the person's pages when they sign in, and of every email to them."""
    user.language = language


def personal_data(user: User) -> dict[str, Any]:
    """Everything planner holds on the person, as plain data for display and download."""
    messages = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.to_address == user.email).order_by(OutboxMessage.created_at)
    )
    return {
        "account": {
            "name": user.name,
            "given_name": user.given_name,
            "family_name": user.family_name,
            "family_name_first": user.family_name_first,
            "email": user.email,
            "created_at": user.created_at.isoformat(),
            "email_verified_at": user.email_verified_at.isoformat() if user.email_verified_at else None,
            "site_administrator": user.is_admin,
        },
        "organiser_of_forums": [o.forum_id for o in user.organiser_of],
        "focal_point_of_delegations": [f.delegation_id for f in user.focal_point_of],
        "emails_sent_to_you": [
            {"subject": m.subject, "queued_at": m.created_at.isoformat(), "status": str(m.status)} for m in messages
        ],
    }


def create_admin(email: str, password: str | None, name: str = "") -> tuple[User, bool]:
    """Make ``email`` a site administrator, creating a verified account if there is none.
    Returns the user and whether it was created."""
    user = find_user(email)
    if user is not None and user.deleted_at is None:
        user.is_admin = True
        return user, False
    if not password:
        raise AccountError(_("A new account needs a password."))
    user = User(
        email=normalise_email(email),
        password_hash=_hash_password(password),
        is_admin=True,
        email_verified_at=utcnow(),
    )
    user.set_name(name or normalise_email(email).split("@")[0], "", False)
    db.session.add(user)
    db.session.flush()
    return user, True
