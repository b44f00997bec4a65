"""The public read API (/api/v1/...), the OpenAPI document and the page that explains it.

Anyone may read what the public pages show; no cookie is read or set. Programme answers are
cached and validated on the forum's ``schedule_version`` (as the timetable and the feeds are),
the others on the hash of their bytes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, Response, abort, render_template, request, url_for
from flask_babel import gettext as _
from spectree import Response as Answers

from planner.api import cursors, resources
from planner.api import schemas as s
from planner.api.http import add_cors, fail, hashed, versioned
from planner.api.openapi import document, spec
from planner.extensions import csrf
from planner.forums.models import Event, Forum
from planner.web.errors import API_PREFIX
from planner.web.loaders import load_forum

bp = Blueprint("api", __name__)
# Writes are authenticated by a token in a header, never by the session cookie, so a page of
# another site cannot make them: CSRF protection is for cookies (planner.api.access).
csrf.exempt(bp)

PUBLIC = ("Public",)
#: The public reads: any site's scripts may fetch them (CORS).
PUBLIC_ENDPOINTS: set[str] = set()


def public_read(path: str, ok: type, *, query: type | None = None, missing: bool = True) -> Callable:
    """A public GET of the API: checked against its query model, described in the document
    with the answers it may give (the 404 where the path names something)."""
    codes: dict[str, Any] = {"HTTP_200": ok, "HTTP_304": None}
    if missing:
        codes["HTTP_404"] = s.Error
    if query is not None:
        codes["HTTP_400"] = s.Error

    def decorate(view: Callable) -> Callable:
        checked = spec.validate(query=query, resp=Answers(**codes), tags=PUBLIC)(view)
        PUBLIC_ENDPOINTS.add(f"api.{view.__name__}")
        return bp.get(API_PREFIX.rstrip("/") + path, endpoint=view.__name__)(checked)

    return decorate


@bp.after_request
def _public_reads_for_any_site(response: Response) -> Response:
    if request.endpoint in PUBLIC_ENDPOINTS or request.endpoint == "api.openapi_document":
        return add_cors(response)
    return response


def _query() -> Any:
    return getattr(request, "context").query  # noqa: B009  (set by spectree's check)


def _programme_forum(slug: str) -> resources.ProgrammeVersion:
    """The forum's id and programme version in one narrow query: enough to answer a 304."""
    version = resources.programme_version(slug)
    if version is None:
        abort(404, description=_("There is no forum at this address."))
    return version


def _forum_url(forum: Forum) -> str:
    return url_for("forums.forum", slug=forum.slug, _external=True)


def _session_urls() -> Callable[[int], str]:
    prefix = url_for("schedule.session", session_id=1, _external=True)[:-1]
    return lambda session_id: f"{prefix}{session_id}"


def _next_page(next_cursor: str) -> str:
    """The address of the next page: this one's, with its cursor."""
    args = {**request.args.to_dict(), "cursor": next_cursor}
    return url_for(request.endpoint or "", **(request.view_args or {}), **args, _external=True)


# -- forums, events, rooms ---------------------------------------------------------------------


@public_read("/forums", s.ForumList, missing=False)
def forums():
    """The forums, latest first."""
    return hashed({"items": [resources.forum_summary(f, _forum_url(f)) for f in resources.all_forums()]})


@public_read("/forums/<slug>", s.Forum)
def forum(slug: str):
    """A forum: its days, time zone, languages and programme version."""
    version = _programme_forum(slug)
    return versioned(
        f"forum:{version.forum_id}:v{version.version}",
        lambda: resources.forum_resource(load_forum(slug), url_for("forums.forum", slug=slug, _external=True)),
    )


@public_read("/forums/<slug>/events", s.EventList)
def events(slug: str):
    """The forum's events (the ministerial meeting and its side events), in order of time."""
    version = _programme_forum(slug)

    def build() -> dict[str, Any]:
        forum = load_forum(slug)

        def event_url(event: Event) -> str:
            return url_for("forums.event", slug=forum.slug, code=event.code, _external=True)

        return {"items": resources.events(forum, event_url)}

    return versioned(f"events:{version.forum_id}:v{version.version}", build)


@public_read("/forums/<slug>/rooms", s.RoomList)
def rooms(slug: str):
    """The forum's rooms, with the badge zone a room requires."""
    version = _programme_forum(slug)
    return versioned(
        f"rooms:{version.forum_id}:v{version.version}", lambda: {"items": resources.rooms(load_forum(slug))}
    )


# -- sessions ----------------------------------------------------------------------------------


@public_read("/forums/<slug>/sessions", s.SessionPage, query=s.SessionQuery)
def sessions(slug: str):
    """The forum's public sessions in order of time, a page at a time; filtered by day (in the
    forum's time zone), event and kind as the timetable is."""
    query: s.SessionQuery = _query()
    version = _programme_forum(slug)
    key = (
        f"sessions:{version.forum_id}:v{version.version}:{query.day}:{(query.event or '').upper()}:"
        f"{query.kind}:{query.cursor}:{query.limit}"
    )

    def build() -> dict[str, Any]:
        forum = load_forum(slug)
        filters = resources.SessionFilter(day=query.day, event=query.event, kind=query.kind)
        try:
            items, next_cursor = resources.session_page(forum, filters, query.cursor, query.limit, _session_urls())
        except cursors.BadCursor:
            fail(400, _("This cursor is not one this list gave. Start again without it."))
        return {"items": items, "next_cursor": next_cursor}

    return versioned(key, build, link=_next_page)


@public_read("/forums/<slug>/sessions/<int:session_id>", s.Session)
def session(slug: str, session_id: int):
    """One public session."""
    version = _programme_forum(slug)

    def build() -> dict[str, Any]:
        forum = load_forum(slug)
        found = resources.public_session(forum, session_id)
        if found is None:
            fail(404, _("%(forum)s has no public session %(number)d.", forum=forum.name, number=session_id))
        return resources.session_resource(found, forum, _session_urls()(found.id))

    return versioned(f"session:{version.forum_id}:v{version.version}:{session_id}", build)


# -- delegations, participants, statements -------------------------------------------------------


@public_read("/forums/<slug>/delegations", s.DelegationList)
def delegations(slug: str):
    """The delegations taking part (not those that declined or withdrew)."""
    return hashed({"items": resources.delegations(load_forum(slug))})


@public_read("/forums/<slug>/participants", s.ParticipantList, query=s.ParticipantQuery)
def participants(slug: str):
    """The public list of participants in protocol order: accredited people who agreed to be
    listed, as the forum's page of participants shows them."""
    forum = load_forum(slug)
    language = _query().lang or forum.languages[0]
    return hashed(resources.participant_list(forum, language))


def _statement_url(forum: Forum, slug: str) -> str:
    return url_for("statements.document", slug=forum.slug, doc_slug=slug, _external=True)


@public_read("/forums/<slug>/statements", s.StatementList)
def statements(slug: str):
    """The forum's record of statements: the documents adopted, with their public versions."""
    forum = load_forum(slug)
    found = resources.public_statements(forum)
    return hashed({"items": [resources.statement_resource(d, _statement_url(forum, d.slug)) for d in found]})


def _statement(forum: Forum, doc_slug: str) -> Any:
    found = resources.public_statements(forum, doc_slug)
    if not found:
        fail(404, _("%(forum)s has no adopted statement at this address.", forum=forum.name))
    return found[0]


@public_read("/forums/<slug>/statements/<doc_slug>", s.Statement)
def statement(slug: str, doc_slug: str):
    """One adopted statement and its public versions."""
    forum = load_forum(slug)
    found = _statement(forum, doc_slug)
    return hashed(resources.statement_resource(found, _statement_url(forum, found.slug)))


@public_read("/forums/<slug>/statements/<doc_slug>/versions/<int:number>", s.StatementVersion)
def statement_version(slug: str, doc_slug: str, number: int):
    """The text of one public version of a statement, as written (Markdown)."""
    forum = load_forum(slug)
    found = _statement(forum, doc_slug)
    version = resources.version_resource(found, number)
    if version is None:
        fail(404, _("This statement has no public version %(number)d.", number=number))
    return hashed(version)


# -- the document and its page ------------------------------------------------------------------


@bp.get(API_PREFIX + "openapi.json", endpoint="openapi_document")
def openapi_document():
    """The OpenAPI 3.1 description, generated from the routes and their models."""
    return hashed(_with_server(document()))


def _with_server(described: dict[str, Any]) -> dict[str, Any]:
    return {**described, "servers": [{"url": request.host_url.rstrip("/"), "description": "This planner"}]}


@bp.get("/api/")
def reference():
    """The API explained for people: what it offers, and each operation of the document with
    its parameters and the answers it may give."""
    described = document()
    operations = [
        {
            "id": op.get("operationId", f"{method}-{path}"),
            "method": method.upper(),
            "path": path,
            "summary": op.get("summary", ""),
            "token": bool(op.get("security")),
            "parameters": [
                {
                    "name": parameter["name"],
                    "where": parameter["in"],
                    "required": parameter.get("required", False),
                    "description": parameter.get("description", ""),
                }
                for parameter in op.get("parameters", [])
            ],
            "body": "requestBody" in op,
            "answers": sorted(op.get("responses", {})),
        }
        for path, methods in described["paths"].items()
        for method, op in methods.items()
    ]
    return render_template("api/reference.html", operations=operations, described=described)
