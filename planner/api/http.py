"""The API's answers: JSON bytes, validators (ETag) and 304s, CORS for public reads, and the
checks a JSON body passes before its fields are read.

An answer that depends only on versions (the programme on ``Forum.schedule_version``) is
cached under them and its ETag is made from the same key, so a conditional request is
answered 304 without building or fetching anything. Other public answers are small and
built each time; their ETag is a hash of their bytes.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any, NoReturn

from flask import Response, abort, request
from flask_babel import gettext as _

from planner.extensions import cache

#: A write's body: a decision is a few bytes, a batch of 200 scans about 100 kB.
MAX_BODY = 256 * 1024
#: Public reads may be revalidated by anyone's cache; answers to tokens are no one's but the caller's.
PUBLIC_CACHING = "public, no-cache"
PRIVATE_CACHING = "private, no-store"


def json_bytes(body: Any) -> bytes:
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()


def answer(body: Any, status: int = 200, *, private: bool = False, etag: str | None = None) -> Response:
    data = body if isinstance(body, bytes) else json_bytes(body)
    response = Response(data, status=status, mimetype="application/json")
    response.headers["Cache-Control"] = PRIVATE_CACHING if private else PUBLIC_CACHING
    if etag is not None:
        response.set_etag(etag, weak=True)
    return response


def _not_modified(etag: str, private: bool) -> Response:
    response = Response(status=304)
    response.set_etag(etag, weak=True)
    response.headers["Cache-Control"] = PRIVATE_CACHING if private else PUBLIC_CACHING
    return response


def versioned(key: str, build: Callable[[], Any], link: Callable[[str], str] | None = None) -> Response:
    """A public answer that changes only when the versions named in ``key`` do. The host is
    part of the key: the answers hold links. ``link`` makes the Link header of a page from
    its next cursor, kept with the bytes so that a cached page needs no parsing."""
    full_key = f"api:{key}:{request.host}"
    etag = hashlib.sha256(full_key.encode()).hexdigest()[:24]
    if request.if_none_match.contains_weak(etag):
        return _not_modified(etag, private=False)
    cached = cache.get(full_key)
    if cached is None:
        body = build()
        cached = (json_bytes(body), body.get("next_cursor") if isinstance(body, dict) else None)
        cache.set(full_key, cached)
    data, next_cursor = cached
    response = answer(data, etag=etag)
    if link is not None and next_cursor is not None:
        response.headers["Link"] = f'<{link(next_cursor)}>; rel="next"'
    return response


def hashed(body: Any, *, private: bool = False) -> Response:
    """An answer whose ETag is the hash of its bytes."""
    data = json_bytes(body)
    etag = hashlib.sha256(data).hexdigest()[:24]
    if request.if_none_match.contains_weak(etag):
        return _not_modified(etag, private)
    return answer(data, private=private, etag=etag)


def error(status: int, message: str, details: list[dict[str, str]] | None = None) -> Response:
    response = answer({"error": message, "status": status, "details": details or []}, status, private=True)
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="planner"'
    return response


def fail(status: int, message: str, details: list[dict[str, str]] | None = None) -> NoReturn:
    abort(error(status, message, details))


def require_json_body() -> None:
    """The body is JSON of a sane size, or the request ends here with the reason. Run before
    the fields are checked, which would otherwise see a broken body as an empty one."""
    if request.mimetype != "application/json":
        fail(415, _("Send the body as application/json."))
    if request.content_length is None:
        fail(411, _("Say the body's length (Content-Length); a body of unknown length is not read."))
    if request.content_length > MAX_BODY:
        fail(413, _("The body is larger than %(size)d kB.", size=MAX_BODY // 1024))
    try:
        text = request.get_data(cache=True).decode("utf-8")
        json.loads(text)
    except UnicodeDecodeError:
        fail(400, _("The body is not UTF-8 text."))
    except RecursionError:
        fail(400, _("The body is nested too deeply."))
    except ValueError as problem:
        fail(400, _("The body is not valid JSON: %(problem)s", problem=str(problem)))


def add_cors(response: Response) -> Response:
    """Public reads may be fetched by any site's scripts; nothing that needs a token is."""
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Access-Control-Expose-Headers"] = "ETag, Link"
    if request.method == "OPTIONS":
        response.headers["Access-Control-Allow-Methods"] = "GET, HEAD, OPTIONS"
        response.headers["Access-Control-Allow-Headers"] = "If-None-Match"
        response.headers["Access-Control-Max-Age"] = "86400"
    return response
