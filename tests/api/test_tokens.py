"""Personal access tokens, the rules: who may give which scopes for which forums, and what a
token sent to the API may do (``planner.api.tokens``)."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass

import pytest
from sqlalchemy import select
from sqlalchemy.orm.attributes import set_committed_value

from planner.accounts import services as account_services
from planner.accounts.models import User
from planner.api import tokens
from planner.api.models import ApiToken, Scope
from planner.audit.models import AuditEntry
from planner.badges.models import ForumScanner
from planner.db import utcnow
from planner.extensions import db
from planner.forums.models import Forum, ForumOrganiser
from planner.forums.organisers import remove_organiser
from planner.refusals import NotAllowed
from tests.factories import (
    PASSWORD,
    committed,
    current,
    make_admin,
    make_delegation,
    make_focal_point,
    make_forum,
    make_organiser,
    make_user,
)

ALL = [Scope.REGISTRATIONS_READ, Scope.REGISTRATIONS_WRITE, Scope.NOMINATIONS_READ, Scope.CHECKIN_WRITE]
TODAY = dt.datetime.now(dt.UTC).date()
SOON = TODAY + dt.timedelta(days=30)


@dataclass
class World:
    forum_a: Forum
    forum_b: Forum
    organiser: User  # of A
    other_organiser: User  # of B
    both: User  # organiser of A and B
    focal_point: User  # of a delegation of A
    scanner: User  # scans at A
    delegate: User  # no role anywhere
    admin: User


@pytest.fixture
def world(app) -> World:
    return build_world(app)


def build_world(app) -> World:  # noqa: ANN001
    """Forums A (the newer) and B, and people with each role in them."""
    with committed(app):
        forum_a = make_forum(
            slug="forum-a", name="Forum A", first_day=dt.date(2030, 5, 1), last_day=dt.date(2030, 5, 3)
        )
        forum_b = make_forum(slug="forum-b", name="Forum B")
        organiser = make_organiser(forum_a, name="Aiko Organiser")
        both = make_organiser(forum_a, name="Ben Both")
        db.session.add(ForumOrganiser(forum_id=forum_b.id, user_id=both.id))
        scanner = make_user(name="Door Staff")
        db.session.add(ForumScanner(forum_id=forum_a.id, user_id=scanner.id))
        world = World(
            forum_a=forum_a,
            forum_b=forum_b,
            organiser=organiser,
            other_organiser=make_organiser(forum_b, name="Bo Organiser"),
            both=both,
            focal_point=make_focal_point(make_delegation(forum_a, name="Japan"), name="Fumi Focal"),
            scanner=scanner,
            delegate=make_user(name="Dai Delegate"),
            admin=make_admin(name="Ada Admin"),
        )
        db.session.flush()
        return world


@pytest.fixture
def context(app):
    with app.test_request_context():
        yield app


def make(user: User, forums: list[Forum], scopes=(Scope.REGISTRATIONS_READ,), name: str = "CRM", **kwargs):  # noqa: ANN001, ANN201
    return tokens.create_token(current(user), name, list(scopes), [f.id for f in forums], SOON, **kwargs)


def bearer(secret: str) -> str:
    return f"Bearer {secret}"


# -- what may be given ---------------------------------------------------------------------


def test_each_role_may_give_the_scopes_it_holds_in_its_forums(context, world):
    def given(user: User) -> list[tuple[str, list[Scope]]]:
        return [(forum.name, scopes) for forum, scopes in tokens.grantable(current(user))]

    assert given(world.organiser) == [("Forum A", ALL)]
    assert given(world.both) == [("Forum A", ALL), ("Forum B", ALL)]  # the newest forum first
    assert given(world.focal_point) == [("Forum A", [Scope.NOMINATIONS_READ])]
    assert given(world.scanner) == [("Forum A", [Scope.CHECKIN_WRITE])]
    assert given(world.delegate) == []
    assert ("Forum B", ALL) in given(world.admin) and ("Forum A", ALL) in given(world.admin)


# -- making a token ------------------------------------------------------------------------


def test_a_token_is_shown_once_and_only_its_hash_is_stored(context, world):
    token, secret = make(world.organiser, [world.forum_a])
    assert tokens.TOKEN_PATTERN.fullmatch(secret) and len(secret) == 48
    assert token.secret_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert token.prefix == secret[:12] and secret.startswith("plnr_")
    assert token.scopes == ["registrations:read"] and token.forum_ids == [world.forum_a.id]
    assert token.expires_at == dt.datetime.combine(SOON, dt.time(0), tzinfo=dt.UTC)
    db.session.flush()
    db.session.expire_all()
    # No column of any row keeps the token: the table holds its hash, the audit log neither.
    row = db.session.execute(select(ApiToken.__table__)).one()
    assert secret not in json.dumps([str(value) for value in row])
    entries = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "api_token.created")).all()
    assert [entry.forum_id for entry in entries] == [world.forum_a.id]
    assert entries[0].after["prefix"] == token.prefix
    assert secret not in json.dumps([(e.summary, e.before, e.after) for e in entries], ensure_ascii=False)
    # Two tokens never share a secret.
    _, another = make(world.organiser, [world.forum_a], name="Another")
    assert another != secret


def test_a_token_reaches_every_forum_chosen_where_the_role_is_held(context, world):
    token, _ = make(
        world.both, [world.forum_b, world.forum_a, world.forum_a], scopes=[Scope.CHECKIN_WRITE, "registrations:read"]
    )
    assert token.forum_ids == sorted([world.forum_a.id, world.forum_b.id])
    assert token.scopes == ["registrations:read", "checkin:write"]  # planner's order, once each
    actions = db.session.scalars(select(AuditEntry.forum_id).where(AuditEntry.action == "api_token.created")).all()
    assert sorted(actions) == sorted([world.forum_a.id, world.forum_b.id])


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"name": "  "}, "name", "Give the token a name."),
        ({"name": "x" * 101}, "name", "100 characters at most"),
        ({"scopes": []}, "scopes", "Choose at least one thing the token may do."),
        ({"scopes": ["registrations:delete"]}, "scopes", "There is no such scope."),
        ({"forums": []}, "forums", "Choose at least one forum"),
        ({"expires_on": TODAY}, "expires_on", "after today"),
        ({"expires_on": TODAY - dt.timedelta(days=1)}, "expires_on", "after today"),
        ({"expires_on": TODAY + dt.timedelta(days=367)}, "expires_on", "a year at most"),
    ],
)
def test_bad_requests_for_a_token_are_refused_with_a_reason(context, world, change, field, message):
    asked = {"name": "CRM", "scopes": [Scope.REGISTRATIONS_READ], "forums": [world.forum_a.id], "expires_on": SOON}
    asked.update(change)
    with pytest.raises(tokens.TokenRefused, match=message) as refused:
        tokens.create_token(
            current(world.organiser), asked["name"], asked["scopes"], asked["forums"], asked["expires_on"]
        )
    assert refused.value.field == field
    assert db.session.scalars(select(ApiToken)).all() == []


def test_a_year_is_the_longest_a_token_lives(context, world):
    now = utcnow()
    token, _ = tokens.create_token(
        current(world.organiser),
        "Year",
        [Scope.REGISTRATIONS_READ],
        [world.forum_a.id],
        now.date() + dt.timedelta(days=365),
    )
    assert token.expires_at <= now + dt.timedelta(days=365)


def test_a_scope_needs_the_role_in_every_forum_chosen(context, world):
    with pytest.raises(tokens.TokenRefused, match="You cannot give “Read registrations and their answers” at Forum A"):
        make(world.focal_point, [world.forum_a], scopes=[Scope.REGISTRATIONS_READ])
    with pytest.raises(tokens.TokenRefused, match="You hold no role in that forum."):
        make(world.organiser, [world.forum_a, world.forum_b])
    with pytest.raises(tokens.TokenRefused, match="at Forum A"):
        make(world.scanner, [world.forum_a], scopes=[Scope.CHECKIN_WRITE, Scope.NOMINATIONS_READ])
    with pytest.raises(tokens.TokenRefused, match="You hold no role in that forum."):
        make(world.delegate, [world.forum_a], scopes=[Scope.NOMINATIONS_READ])
    # What each holds, each may give.
    make(world.focal_point, [world.forum_a], scopes=[Scope.NOMINATIONS_READ])
    make(world.scanner, [world.forum_a], scopes=[Scope.CHECKIN_WRITE])
    make(world.admin, [world.forum_a, world.forum_b], scopes=ALL)


def test_names_are_unique_among_an_accounts_working_tokens(context, world):
    token, _ = make(world.organiser, [world.forum_a], name="CRM")
    with pytest.raises(tokens.TokenRefused, match="You have a token with this name already") as refused:
        make(world.organiser, [world.forum_a], name="crm ")
    assert refused.value.field == "name"
    make(world.both, [world.forum_a], name="CRM")  # another account's name is theirs
    tokens.revoke(current(world.organiser), token)
    make(world.organiser, [world.forum_a], name="CRM")  # a revoked token's name is free again


def test_nobody_signed_out_or_closed_makes_a_token(context, world):
    user = current(world.organiser)
    user.deleted_at = utcnow()
    with pytest.raises(NotAllowed):
        tokens.create_token(user, "CRM", [Scope.REGISTRATIONS_READ], [world.forum_a.id], SOON)


# -- revoking ------------------------------------------------------------------------------


def test_the_owner_or_an_administrator_revokes_a_token(context, world):
    token, secret = make(world.organiser, [world.forum_a])
    with pytest.raises(NotAllowed):
        tokens.revoke(current(world.both), token)
    assert token.revoked_at is None
    tokens.revoke(current(world.admin), token)
    assert token.revoked_at is not None
    with pytest.raises(tokens.TokenRefused, match="revoked already"):
        tokens.revoke(current(world.organiser), token)
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "api_token.revoked")).one()
    assert entry.actor_id == world.admin.id and entry.forum_id == world.forum_a.id
    assert secret not in json.dumps(entry.before)
    mine, _ = make(world.organiser, [world.forum_a], name="Mine")
    tokens.revoke(current(world.organiser), mine)
    assert mine.revoked_at is not None


def test_deleting_an_account_revokes_its_tokens(context, world):
    token, secret = make(world.organiser, [world.forum_a])
    account_services.delete_account(current(world.organiser), PASSWORD)
    db.session.expire_all()
    assert db.session.get_one(ApiToken, token.id).revoked_at is not None
    with pytest.raises(tokens.TokenRejected) as rejected:
        tokens.authenticate(bearer(secret))
    assert rejected.value.reason == "revoked"


# -- authenticating --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "reason"),
    [
        (None, "missing"),
        ("", "missing"),
        ("   ", "missing"),
        ("Basic dXNlcjpwYXNz", "malformed"),
        ("Bearer", "malformed"),
        ("Bearer plnr_short", "malformed"),
        ("Bearer ghp_" + "a" * 43, "malformed"),
        ("Bearer plnr_" + "a" * 43 + "x", "malformed"),
        ("Bearer plnr_" + "a" * 42 + "!", "malformed"),
        ("Bearer " + "plnr_" * 10_000, "malformed"),
        ("Bearer plnr_" + "a" * 43, "unknown"),
    ],
)
def test_missing_malformed_and_unknown_tokens_are_rejected(context, world, header, reason):
    with pytest.raises(tokens.TokenRejected) as rejected:
        tokens.authenticate(header)
    assert rejected.value.reason == reason and str(rejected.value)


def test_a_working_token_authenticates_its_owner(context, world):
    token, secret = make(world.organiser, [world.forum_a])
    assert tokens.authenticate(bearer(secret)) is token
    assert tokens.authenticate(f"  bearer   {secret}  ").user.id == world.organiser.id


def test_expired_and_revoked_tokens_are_rejected_with_their_reason(context, world):
    token, secret = make(world.organiser, [world.forum_a])
    with pytest.raises(tokens.TokenRejected, match="This token has expired.") as rejected:
        tokens.authenticate(bearer(secret), now=token.expires_at)
    assert rejected.value.reason == "expired"
    tokens.authenticate(bearer(secret), now=token.expires_at - dt.timedelta(seconds=1))
    tokens.revoke(current(world.organiser), token)
    with pytest.raises(tokens.TokenRejected, match="This token was revoked.") as rejected:
        tokens.authenticate(bearer(secret))
    assert rejected.value.reason == "revoked"


def test_a_token_whose_account_is_closed_is_rejected(context, world):
    token, secret = make(world.organiser, [world.forum_a])
    current(world.organiser).deleted_at = utcnow()  # closed without the signal that revokes
    db.session.flush()
    db.session.expire_all()
    with pytest.raises(tokens.TokenRejected) as rejected:
        tokens.authenticate(bearer(secret))
    assert rejected.value.reason == "account"


def test_the_lookup_is_one_query_and_the_use_is_written_once_a_minute(context, world, count_queries):
    token, secret = make(world.organiser, [world.forum_a])
    db.session.flush()
    db.session.expire_all()
    start = utcnow()
    with count_queries() as counter:
        found = tokens.authenticate(bearer(secret), now=start)
        assert found.user.name == "Aiko Organiser"  # loaded with the token
    assert counter.count == 2  # the lookup, and the first use written
    assert found.last_used_at == start
    db.session.expire_all()
    with count_queries() as counter:
        found = tokens.authenticate(bearer(secret), now=start + dt.timedelta(seconds=59))
        assert found.user.is_active
    assert counter.count == 1  # within the minute: the lookup alone
    assert db.session.get_one(ApiToken, token.id).last_used_at == start
    db.session.expire_all()
    later = start + dt.timedelta(seconds=61)
    tokens.authenticate(bearer(secret), now=later)
    db.session.expire_all()
    assert db.session.get_one(ApiToken, token.id).last_used_at == later


def test_of_two_uses_in_the_same_minute_one_writes(context, world):
    """Two requests that read the token before either wrote: the UPDATE is conditional."""
    token, secret = make(world.organiser, [world.forum_a])
    start = utcnow()
    tokens.authenticate(bearer(secret), now=start)
    stale = db.session.get_one(ApiToken, token.id)
    set_committed_value(stale, "last_used_at", None)  # as a request that read it earlier sees it
    tokens._note_use(stale, start + dt.timedelta(seconds=10))
    db.session.expire_all()
    assert db.session.get_one(ApiToken, token.id).last_used_at == start


# -- what a token permits --------------------------------------------------------------------


def test_a_token_for_forum_a_permits_nothing_at_forum_b(context, world):
    token, _ = make(world.both, [world.forum_a], scopes=ALL)
    forum_a, forum_b = current(world.forum_a), current(world.forum_b)
    assert all(tokens.permits(token, scope, forum_a) for scope in ALL)
    # Its owner organises B too, but the token was not given B.
    assert not any(tokens.permits(token, scope, forum_b) for scope in ALL)


def test_a_read_scope_does_not_permit_writing(context, world):
    token, _ = make(world.organiser, [world.forum_a], scopes=[Scope.REGISTRATIONS_READ])
    forum = current(world.forum_a)
    assert tokens.permits(token, Scope.REGISTRATIONS_READ, forum)
    assert not tokens.permits(token, Scope.REGISTRATIONS_WRITE, forum)
    assert not tokens.permits(token, Scope.CHECKIN_WRITE, forum)


def test_a_removed_organisers_token_stops_permitting_at_once(context, world):
    token, _ = make(world.both, [world.forum_a, world.forum_b], scopes=ALL)
    forum_a, forum_b = current(world.forum_a), current(world.forum_b)
    remove_organiser(current(world.organiser), forum_a, world.both.id)
    db.session.flush()
    assert not any(tokens.permits(token, scope, forum_a) for scope in ALL)
    assert all(tokens.permits(token, scope, forum_b) for scope in ALL)  # still organises B


def test_focal_points_and_scanners_use_what_their_role_allows(context, world):
    forum = current(world.forum_a)
    nominations, _ = make(world.focal_point, [world.forum_a], scopes=[Scope.NOMINATIONS_READ])
    checkin, _ = make(world.scanner, [world.forum_a], scopes=[Scope.CHECKIN_WRITE])
    assert tokens.permits(nominations, Scope.NOMINATIONS_READ, forum)
    assert tokens.permits(checkin, Scope.CHECKIN_WRITE, forum)
    db.session.delete(db.session.get_one(ForumScanner, (forum.id, world.scanner.id)))
    db.session.flush()
    db.session.info.pop("planner_is_scanner", None)  # a new request asks again
    assert not tokens.permits(checkin, Scope.CHECKIN_WRITE, forum)


def test_expired_or_revoked_tokens_permit_nothing(context, world):
    token, _ = make(world.organiser, [world.forum_a])
    forum = current(world.forum_a)
    assert not tokens.permits(token, Scope.REGISTRATIONS_READ, forum, now=token.expires_at)
    tokens.revoke(current(world.organiser), token)
    assert not tokens.permits(token, Scope.REGISTRATIONS_READ, forum)


def test_an_administrators_token_follows_their_role(context, world):
    token, _ = make(world.admin, [world.forum_b], scopes=[Scope.REGISTRATIONS_WRITE])
    forum = current(world.forum_b)
    assert tokens.permits(token, Scope.REGISTRATIONS_WRITE, forum)
    current(world.admin).is_admin = False
    assert not tokens.permits(token, Scope.REGISTRATIONS_WRITE, forum)
