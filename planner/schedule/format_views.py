"""The programme for conference apps: ``schedule.json`` (c3voc) and ``schedule.xml`` (frab).

Cached under the forum's ``schedule_version`` as the calendar feeds are
(``planner.calendar.feeds.versioned``): a cached answer costs one narrow version query, and
a conditional request with its (weak) ETag a 304. Giggity refreshes often only from servers
that answer 304.

The 1,000-session forum's schedule.json is about 700 kB, a tenth of that gzipped; the apps
ask for gzip (Android's HTTP clients do unasked), so the compressed bytes are cached beside
the plain ones, under the same ETag (weak: the same content in either encoding).
"""

from __future__ import annotations

import gzip
from collections.abc import Callable, Sequence

from flask import Response, request

from planner.calendar import feeds
from planner.calendar.services import ForumVersion, forum_version, uid_domain
from planner.extensions import cache, db
from planner.forums.models import Forum
from planner.schedule import bp, conference_formats, services
from planner.schedule.models import Session
from planner.web.loaders import load_forum
from planner.web.sessionless import sessionless

Builder = Callable[[Forum, Sequence[Session], str, str], bytes]


def _version(slug: str) -> ForumVersion:
    version = forum_version(slug)
    if version is None:
        load_forum(slug)  # the 404 that says what is missing
    assert version is not None, "load_forum aborted: no forum has this slug"
    return version


def _not_modified(feed: feeds.Feed) -> bool:
    """RFC 9110 13.2.2: If-None-Match decides when it is there (weakly); else If-Modified-Since."""
    if request.if_none_match:
        return request.if_none_match.contains_weak(feed.etag)
    since = request.if_modified_since
    return bool(since and feed.last_modified.replace(microsecond=0) <= since)


def _gzipped(kind: str, feed: feeds.Feed) -> bytes:
    """The body gzipped, compressed once per content (the ETag is its hash) and process."""
    key = f"gzip:{kind}:{feed.etag}"
    body = cache.get(key)
    if body is None:
        body = gzip.compress(feed.body(), compresslevel=6, mtime=0)
        cache.set(key, body)
    return body


def _answer(slug: str, kind: str, filename: str, mimetype: str, build: Builder) -> Response:
    version = _version(slug)

    def built() -> bytes:
        forum = db.session.get(Forum, version.id)
        assert forum is not None, "the forum whose version was just read exists"
        return build(forum, services.public_programme(forum), request.url_root, uid_domain())

    feed = feeds.versioned(kind, version.id, version, filename, built)
    if _not_modified(feed):
        response = Response(status=304)
    elif request.accept_encodings["gzip"]:
        response = Response(_gzipped(kind, feed), mimetype=mimetype)
        response.content_encoding = "gzip"
    else:
        response = Response(feed.body(), mimetype=mimetype)
    response.vary.add("Accept-Encoding")
    response.set_etag(feed.etag, weak=True)
    response.last_modified = feed.last_modified.replace(microsecond=0)
    # Apps revalidate (cheaply: 304); the same for everyone, so shared caches may keep it.
    response.cache_control.no_cache = True
    response.cache_control.public = True
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Access-Control-Expose-Headers"] = "ETag, Last-Modified"
    return response


@bp.get("/forums/<slug>/schedule.json")
@sessionless
def schedule_json(slug: str):
    return _answer(slug, "schedule-json", f"{slug}-schedule.json", "application/json", conference_formats.schedule_json)


@bp.get("/forums/<slug>/schedule.xml")
@sessionless
def schedule_xml(slug: str):
    return _answer(slug, "schedule-xml", f"{slug}-schedule.xml", "application/xml", conference_formats.schedule_xml)
