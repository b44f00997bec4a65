"""Personal access tokens: who may make one with which scopes for which forums, and whether a
token sent to the API may do a thing in a forum now.

A token never gives more than its owner holds: making one asks for the role each scope needs in
every forum chosen, and every use asks again (``permits``), so an organiser removed from a forum
loses the token's reach there at once. The token itself is shown once and never stored, logged
or audited: the database keeps its SHA-256 and its first characters.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets
from collections import defaultdict
from collections.abc import Iterable

from flask_babel import gettext as _
from sqlalchemy import or_, select, update
from sqlalchemy.orm import contains_eager
from sqlalchemy.orm.attributes import set_committed_value

from planner.accounts.models import User
from planner.accounts.permissions import focal_point_delegations, is_admin, is_organiser
from planner.accounts.services import account_deleting
from planner.api.models import TOKEN_NAME_MAX, ApiToken, Role, Scope
from planner.audit.services import record
from planner.badges.models import ForumScanner
from planner.badges.scanners import is_scanner
from planner.db import table_of, utcnow
from planner.delegations.models import Delegation, DelegationFocalPoint
from planner.extensions import db
from planner.forums.models import Forum, ForumOrganiser
from planner.refusals import NotAllowed, Refused

TOKEN_PREFIX = "plnr_"
#: ``plnr_`` and 32 random bytes in base64url without padding (43 characters).
TOKEN_PATTERN = re.compile(r"plnr_[A-Za-z0-9_-]{43}")
#: What lists show of a token: enough to tell one's tokens apart, far too little to guess it.
SHOWN_PREFIX = 12
#: The longest a token may live.
MAX_LIFETIME = dt.timedelta(days=365)
#: The default the page offers.
DEFAULT_LIFETIME = dt.timedelta(days=90)
#: ``last_used_at`` is written at most this often, not on every request.
LAST_USED_EVERY = dt.timedelta(minutes=1)


class TokenRefused(Refused):
    """A token cannot be made (or revoked) as asked; the message says why."""


class TokenRejected(Refused):
    """A request's token does not authenticate it (the API answers 401). ``reason`` is a short
    code for clients (missing, malformed, unknown, expired, revoked, account), the message
    a sentence for people."""

    def __init__(self, message: str, reason: str) -> None:
        super().__init__(message)
        self.reason = reason


def _acting(user: User | None) -> bool:
    return user is not None and not getattr(user, "is_anonymous", True) and bool(user.is_active)


def hash_of(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


# Making and revoking -------------------------------------------------------------------------


def grantable(user: User) -> list[tuple[Forum, list[Scope]]]:
    """The forums where the account holds a role now, each with the scopes it may give a token
    there (administrators: every forum, as its organiser). Newest forums first."""
    if not _acting(user):
        return []
    roles: dict[int, set[Role]] = defaultdict(set)
    if is_admin(user):
        forums = list(db.session.scalars(select(Forum).order_by(Forum.first_day.desc(), Forum.name)))
        for forum in forums:
            roles[forum.id].add(Role.ORGANISER)
    else:
        held = (
            (Role.ORGANISER, select(ForumOrganiser.forum_id).where(ForumOrganiser.user_id == user.id)),
            (
                Role.FOCAL_POINT,
                select(Delegation.forum_id)
                .join(DelegationFocalPoint, DelegationFocalPoint.delegation_id == Delegation.id)
                .where(DelegationFocalPoint.user_id == user.id),
            ),
            (Role.SCANNER, select(ForumScanner.forum_id).where(ForumScanner.user_id == user.id)),
        )
        for role, forum_ids in held:
            for forum_id in db.session.scalars(forum_ids):
                roles[forum_id].add(role)
        if not roles:
            return []
        forums = list(
            db.session.scalars(
                select(Forum).where(Forum.id.in_(list(roles))).order_by(Forum.first_day.desc(), Forum.name)
            )
        )
    answer = []
    for forum in forums:
        scopes = [scope for scope in Scope if scope.roles & roles[forum.id]]
        if scopes:
            answer.append((forum, scopes))
    return answer


def _new_secret() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def _known_scopes(scopes: Iterable[Scope | str]) -> list[Scope]:
    chosen = set()
    for scope in scopes:
        try:
            chosen.add(Scope(scope))
        except ValueError:
            raise TokenRefused(_("There is no such scope."), field="scopes") from None
    return [scope for scope in Scope if scope in chosen]  # in planner's order


def _expiry(expires_on: dt.date, now: dt.datetime) -> dt.datetime:
    """A token chosen to expire on a day stops working at 00:00 UTC that day."""
    expires_at = dt.datetime.combine(expires_on, dt.time(0), tzinfo=dt.UTC)
    if expires_at <= now:
        raise TokenRefused(_("Choose an expiry date after today."), field="expires_on")
    if expires_at > now + MAX_LIFETIME:
        raise TokenRefused(_("A token may last a year at most: choose an earlier expiry date."), field="expires_on")
    return expires_at


def create_token(
    user: User,
    name: str,
    scopes: Iterable[Scope | str],
    forum_ids: Iterable[int],
    expires_on: dt.date,
    *,
    now: dt.datetime | None = None,
) -> tuple[ApiToken, str]:
    """Make a token for ``user``: named (a name not in use by their other working tokens), with
    at least one scope and one forum, each scope one the account holds the role for in every
    forum chosen, expiring after today and within a year. Returns the token and its plaintext,
    which is shown once and not kept. Audited, without the token, in each forum it reaches."""
    if not _acting(user):
        raise NotAllowed(_("Sign in to make a token."))
    now = now or utcnow()
    name = (name or "").strip()
    if not name:
        raise TokenRefused(_("Give the token a name."), field="name")
    if len(name) > TOKEN_NAME_MAX:
        raise TokenRefused(_("A token's name is %(max)d characters at most.", max=TOKEN_NAME_MAX), field="name")
    if any(token.name.casefold() == name.casefold() for token in tokens_of(user) if token.revoked_at is None):
        raise TokenRefused(_("You have a token with this name already: choose another."), field="name")
    chosen_scopes = _known_scopes(scopes)
    if not chosen_scopes:
        raise TokenRefused(_("Choose at least one thing the token may do."), field="scopes")
    chosen_forums = sorted(set(forum_ids))
    if not chosen_forums:
        raise TokenRefused(_("Choose at least one forum the token may act in."), field="forums")
    may_give = {forum.id: (forum, set(scopes)) for forum, scopes in grantable(user)}
    for forum_id in chosen_forums:
        if forum_id not in may_give:
            raise TokenRefused(_("You hold no role in that forum."), field="forums")
        forum, held = may_give[forum_id]
        for scope in chosen_scopes:
            if scope not in held:
                raise TokenRefused(
                    _(
                        "You cannot give “%(scope)s” at %(forum)s: it needs a role you do not hold there.",
                        scope=scope.label,
                        forum=forum.name,
                    ),
                    field="scopes",
                )
    expires_at = _expiry(expires_on, now)
    secret = _new_secret()
    token = ApiToken(
        user_id=user.id,
        name=name,
        prefix=secret[:SHOWN_PREFIX],
        secret_hash=hash_of(secret),
        scopes=[scope.value for scope in chosen_scopes],
        forum_ids=chosen_forums,
        expires_at=expires_at,
        created_at=now,
    )
    token.user = user
    db.session.add(token)
    db.session.flush()
    for forum_id in chosen_forums:
        record(
            user,
            "api_token.created",
            forum_id=forum_id,
            target=("api_token", token.id),
            summary=_("API token “%(name)s” made", name=name),
            after=_audited(token),
        )
    return token, secret


def _audited(token: ApiToken) -> dict[str, object]:
    """What the audit log keeps of a token: never the token, only what the account's list shows."""
    return {
        "name": token.name,
        "prefix": token.prefix,
        "scopes": list(token.scopes),
        "forum_ids": list(token.forum_ids),
        "expires_at": token.expires_at.isoformat(),
    }


def revoke(user: User, token: ApiToken, *, now: dt.datetime | None = None) -> None:
    """Stop ``token`` working from now on: its owner or a site administrator may. Audited."""
    if not (_acting(user) and (token.user_id == user.id or is_admin(user))):
        raise NotAllowed(_("Only the token's owner can revoke it."))
    if token.revoked_at is not None:
        raise TokenRefused(_("This token is revoked already."))
    token.revoked_at = now or utcnow()
    for forum_id in token.forum_ids:
        record(
            user,
            "api_token.revoked",
            forum_id=forum_id,
            target=("api_token", token.id),
            summary=_("API token “%(name)s” revoked", name=token.name),
            before=_audited(token),
        )
    db.session.flush()


@account_deleting.connect
def _revoke_tokens_of_deleted(user: User, **_: object) -> None:
    """A deleted account's tokens stop at once (``authenticate`` refuses them anyway)."""
    db.session.execute(
        update(table_of(ApiToken))
        .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )


def tokens_of(user: User) -> list[ApiToken]:
    """The account's tokens, the newest first, revoked ones too."""
    return list(
        db.session.scalars(
            select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
        )
    )


def token_of(user: User, token_id: int) -> ApiToken | None:
    """One of the account's own tokens (None for anyone else's)."""
    token = db.session.get(ApiToken, token_id)
    return token if token is not None and token.user_id == user.id else None


def forums_of(tokens: Iterable[ApiToken]) -> dict[int, Forum]:
    """The forums the tokens name, by id, in one query (a deleted forum is missing)."""
    ids = {forum_id for token in tokens for forum_id in token.forum_ids}
    if not ids:
        return {}
    return {forum.id: forum for forum in db.session.scalars(select(Forum).where(Forum.id.in_(ids)))}


# Using ----------------------------------------------------------------------------------------


def authenticate(header_value: str | None, now: dt.datetime | None = None) -> ApiToken:
    """The working token an ``Authorization: Bearer plnr_...`` header names, with its owner
    loaded (one query). Raises ``TokenRejected`` for a missing, malformed, unknown, expired or
    revoked token and for one whose account is deleted or disabled. Records the use, at most
    once a minute (a conditional UPDATE, not a write per request)."""
    now = now or utcnow()
    if not header_value or not header_value.strip():
        raise TokenRejected(_("Send a token: Authorization: Bearer plnr_…"), "missing")
    scheme, _space, credentials = header_value.strip().partition(" ")
    credentials = credentials.strip()
    if scheme.lower() != "bearer" or not TOKEN_PATTERN.fullmatch(credentials):
        raise TokenRejected(_("The Authorization header is not “Bearer” and a planner token."), "malformed")
    token = db.session.scalars(
        select(ApiToken)
        .join(ApiToken.user)
        .options(contains_eager(ApiToken.user))
        .where(ApiToken.secret_hash == hash_of(credentials))
    ).one_or_none()
    if token is None:
        raise TokenRejected(_("This token is not known."), "unknown")
    if token.revoked_at is not None:
        raise TokenRejected(_("This token was revoked."), "revoked")
    if now >= token.expires_at:
        raise TokenRejected(_("This token has expired."), "expired")
    if not token.user.is_active:
        raise TokenRejected(_("The account this token belongs to is closed."), "account")
    _note_use(token, now)
    return token


def _note_use(token: ApiToken, now: dt.datetime) -> None:
    if token.last_used_at is not None and now - token.last_used_at < LAST_USED_EVERY:
        return
    # Conditional: of several requests in the same minute, one writes.
    db.session.execute(
        update(table_of(ApiToken))
        .where(
            ApiToken.id == token.id,
            or_(ApiToken.last_used_at.is_(None), ApiToken.last_used_at <= now - LAST_USED_EVERY),
        )
        .values(last_used_at=now)
    )
    set_committed_value(token, "last_used_at", now)


def _holds(user: User, role: Role, forum: Forum) -> bool:
    if role is Role.ORGANISER:
        return is_organiser(user, forum)
    if role is Role.FOCAL_POINT:
        return bool(focal_point_delegations(user, forum))
    return is_scanner(user, forum)


def permits(token: ApiToken, scope: Scope, forum: Forum, now: dt.datetime | None = None) -> bool:
    """Whether ``token`` may use ``scope`` in ``forum`` now: the token works, names the scope
    and the forum, and its owner still holds a role the scope needs there."""
    if not token.works_at(now or utcnow()):
        return False
    if scope.value not in token.scopes or forum.id not in token.forum_ids:
        return False
    user = token.user
    return any(_holds(user, role, forum) for role in Role if role in scope.roles)
