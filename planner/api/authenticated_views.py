"""The API's calls that need a personal access token: registrations (read and decide),
nominations (read) and check-in (write). They go through the same services as the pages,
acting as the token's account, so every rule and every audit entry is the same.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable
from typing import Any

from flask import request
from flask_babel import gettext as _
from spectree import Response as Answers

from planner.accounts.permissions import focal_point_delegations, is_organiser
from planner.api import cursors, resources
from planner.api import schemas as s
from planner.api.access import current_token, forum_for, idempotent, with_token
from planner.api.http import answer, fail, require_json_body
from planner.api.models import Scope
from planner.api.openapi import spec
from planner.api.views import bp
from planner.badges import checkin
from planner.refusals import NotAllowed
from planner.registration import services as registration_services
from planner.web.errors import API_PREFIX

TOKEN: dict[str, list[str]] = {"token": []}


def token_call(method: str, path: str, ok: type, *, query: type | None = None, body: type | None = None) -> Callable:
    """A call that needs a token, described with every answer it may give."""
    codes: dict[str, Any] = {"HTTP_200": ok, "HTTP_401": s.Error, "HTTP_403": s.Error, "HTTP_404": s.Error}
    if query is not None or body is not None:
        codes["HTTP_400"] = s.Error
    if body is not None:
        codes.update(HTTP_409=s.Error, HTTP_411=s.Error, HTTP_413=s.Error, HTTP_415=s.Error, HTTP_422=s.Error)

    def decorate(view: Callable) -> Callable:
        checked = spec.validate(query=query, json=body, resp=Answers(**codes), tags=("Token",), security=TOKEN)(view)
        if body is not None:
            checked = _body_first(idempotent(checked))
        route = bp.route(API_PREFIX.rstrip("/") + path, methods=[method], endpoint=view.__name__)
        return route(with_token(checked))

    return decorate


def _body_first(view: Callable) -> Callable:
    """A broken body is refused for what it is (not JSON, too large) before its fields are read."""

    @functools.wraps(view)  # spectree finds its metadata through __wrapped__
    def checked(*args: Any, **kwargs: Any) -> Any:
        require_json_body()
        return view(*args, **kwargs)

    return checked


def _query() -> Any:
    return getattr(request, "context").query  # noqa: B009  (set by spectree's check)


def _body() -> Any:
    return getattr(request, "context").json  # noqa: B009


def _page(items: list[dict[str, Any]], next_cursor: str | None) -> Any:
    return answer({"items": items, "next_cursor": next_cursor}, private=True)


@token_call("GET", "/forums/<slug>/registrations", s.RegistrationPage, query=s.RegistrationQuery)
def registrations(slug: str):
    """The forum's registrations with their answers, in order of application (scope registrations:read)."""
    forum = forum_for(slug, Scope.REGISTRATIONS_READ)
    query: s.RegistrationQuery = _query()
    try:
        items, next_cursor = resources.registration_page(forum, query.event, query.status, query.cursor, query.limit)
    except cursors.BadCursor:
        fail(400, _("This cursor is not one this list gave. Start again without it."))
    _noted(forum, "registrations", len(items))
    return _page(items, next_cursor)


def _noted(forum: Any, what: str, count: int) -> None:
    token = current_token()
    resources.note_read(token.user, forum, what, count, token.prefix)


def _registration(slug: str, registration_id: int, scope: Scope) -> tuple[Any, Any]:
    forum = forum_for(slug, scope)
    found = resources.registration_of_forum(forum, registration_id)
    if found is None:
        fail(404, _("%(forum)s has no registration %(number)d.", forum=forum.name, number=registration_id))
    return forum, found


@token_call("GET", "/forums/<slug>/registrations/<int:registration_id>", s.Registration)
def registration(slug: str, registration_id: int):
    """One registration with its answers (scope registrations:read)."""
    forum, found = _registration(slug, registration_id, Scope.REGISTRATIONS_READ)
    _noted(forum, "registrations", 1)
    return answer(resources.registration_resource(found), private=True)


@token_call("POST", "/forums/<slug>/registrations/<int:registration_id>/decision", s.Registration, body=s.Decision)
def decide_registration(slug: str, registration_id: int):
    """Approve or decline a registration, as the review page does (scope registrations:write).
    Send an Idempotency-Key to make a retry safe."""
    _, found = _registration(slug, registration_id, Scope.REGISTRATIONS_WRITE)
    decision: s.Decision = _body()
    decide = registration_services.approve if decision.decision == "approve" else registration_services.decline
    try:
        decided = decide(current_token().user, found)
    except NotAllowed as refusal:
        fail(403, str(refusal))
    except registration_services.RegistrationError as refusal:
        fail(409, str(refusal))
    return answer(resources.registration_resource(decided), private=True)


@token_call("GET", "/forums/<slug>/nominations", s.NominationPage, query=s.NominationQuery)
def nominations(slug: str):
    """The members nominated to the forum's delegations and where their accreditation stands,
    without identity data: all of them for organisers, their own delegations' for focal points
    (scope nominations:read)."""
    forum = forum_for(slug, Scope.NOMINATIONS_READ)
    user = current_token().user
    delegation_ids = None if is_organiser(user, forum) else [d.id for d in focal_point_delegations(user, forum)]
    query: s.NominationQuery = _query()
    try:
        items, next_cursor = resources.nomination_page(forum, delegation_ids, query, query.cursor, query.limit)
    except cursors.BadCursor:
        fail(400, _("This cursor is not one this list gave. Start again without it."))
    _noted(forum, "nominations", len(items))
    return _page(items, next_cursor)


@token_call("POST", "/forums/<slug>/scans", s.ScanResults, body=s.ScanBatch)
def scans(slug: str):
    """Badge scans from a scanning device of one's own, judged and kept as the scanner page's are:
    each scan once by its id, the earliest admitted scan of a badge at a zone its arrival
    (scope checkin:write)."""
    forum = forum_for(slug, Scope.CHECKIN_WRITE)
    batch: s.ScanBatch = _body()
    try:
        results = checkin.sync(current_token().user, forum, batch.device, _scans_of(batch))
    except NotAllowed as refusal:
        fail(403, str(refusal))
    return answer({"results": [result.as_json() for result in results]}, private=True)


def _scans_of(batch: s.ScanBatch) -> list[checkin.ScanIn]:
    """The batch as the check-in judges it, each scan id once (a repeat is the same scan)."""
    scans: dict[str, checkin.ScanIn] = {}
    for scan in batch.scans:
        try:
            at = scan.at.astimezone(dt.UTC)
        except OverflowError:  # year 1 or 9999 with an offset that takes it off the calendar
            fail(400, _("The time of scan %(id)s is out of range.", id=str(scan.id)))
        scans.setdefault(
            str(scan.id),
            checkin.ScanIn(
                scan_id=str(scan.id),
                token=scan.token,
                badge_id=scan.badge if scan.token is None else None,
                zone=scan.zone,
                event=scan.event,
                at=at,
            ),
        )
    return list(scans.values())
