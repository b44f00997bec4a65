"""The scanner at the door: its page (the one page of planner that needs JavaScript), the
bundle it judges badges with offline, holders' photos, and the sync of its scans."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from flask import Response, abort, current_app, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from planner.accounts.permissions import is_organiser
from planner.badges import bp, checkin, scanners
from planner.db import utcnow, writes_late
from planner.extensions import login_manager
from planner.refusals import NotAllowed
from planner.web.downloads import file_answer
from planner.web.loaders import load_forum

#: A batch of the most scans allowed, with room to spare: a larger body is refused unread.
SYNC_BODY_LIMIT = 256 * 1024


def _json(body: dict[str, Any], status: int = 200) -> Response:
    response = Response(
        json.dumps(body, ensure_ascii=False, separators=(",", ":")), status, mimetype="application/json"
    )
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _scanning_forum(slug: str):  # noqa: ANN202
    forum = load_forum(slug)
    if not current_user.is_authenticated:
        abort(401, description=_("Sign in as the forum's scanning staff first."))
    if not scanners.is_scanner(current_user, forum):
        abort(403, description=_("Only the staff who scan badges at %(forum)s can do this.", forum=forum.name))
    return forum


@bp.get("/forums/<slug>/scanner/")
def scanner(slug: str):
    if not current_user.is_authenticated:
        load_forum(slug)  # a 404 for no forum before a sign-in for one
        return login_manager.unauthorized()
    forum = _scanning_forum(slug)
    page = url_for("badges.scanner", slug=forum.slug)
    response = Response(
        render_template(
            "badges/scanner.html",
            forum=forum,
            bundle_url=url_for("badges.scanner_data", slug=forum.slug),
            sync_url=url_for("badges.scanner_sync", slug=forum.slug),
            worker_url=url_for("badges.scanner_worker", slug=forum.slug),
            worker_scope=page,
            login_url=url_for("accounts.login", next=page),
            # The arrivals page, for organisers: where a browser without JavaScript can follow them.
            arrivals_url=url_for("badges.arrivals_page", slug=forum.slug)
            if is_organiser(current_user, forum)
            else None,
        )
    )
    response.headers["Cache-Control"] = "private, no-cache"
    return response


@bp.get("/forums/<slug>/scanner/sw.js")
def scanner_worker(slug: str):
    """The scanner's service worker (static/js/scanner-sw.js), served from under the page's path
    so that its scope covers the page: the page then reloads with no network. Plain code, no
    data: for anyone, as the rest of static/ is."""
    load_forum(slug)
    code = Path(current_app.static_folder or "static", "js", "scanner-sw.js").read_bytes()
    response = Response(code, mimetype="text/javascript")
    # Checked for a new version at every visit, never kept stale.
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.get("/forums/<slug>/scanner/data.json")
def scanner_data(slug: str):
    forum = _scanning_forum(slug)
    bundle = scanners.scanner_bundle(
        forum, lambda badge_id: url_for("badges.scanner_photo", slug=forum.slug, badge_id=badge_id)
    )
    body = json.dumps(bundle, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    # Weak: the same roster, keys and arrivals are the same bundle whenever it was made.
    etag = hashlib.sha256(body.encode()).hexdigest()[:32]
    if request.if_none_match.contains_weak(etag):
        response = Response(status=304)
    else:
        scanners.bundle_read(current_user, forum)
        bundle["generated_at"] = utcnow().isoformat(timespec="seconds").replace("+00:00", "Z")
        body = json.dumps(bundle, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
        response = Response(body, mimetype="application/json")
    response.set_etag(etag, weak=True)
    response.headers["Cache-Control"] = "private, no-cache"
    return response


@bp.get("/forums/<slug>/scanner/photos/<int:badge_id>")
def scanner_photo(slug: str, badge_id: int):
    forum = _scanning_forum(slug)
    data = scanners.photo_for_scanner(current_user, forum, badge_id)
    if data is None:
        abort(404, description=_("This badge's holder has no photo."))
    return file_answer(data, "image/jpeg", f"badge-{badge_id}.jpg", inline=True)


@bp.post("/forums/<slug>/scanner/sync")
@writes_late
def scanner_sync(slug: str):
    forum = load_forum(slug)
    if not current_user.is_authenticated:
        return _json({"error": _("Sign in as the forum's scanning staff first.")}, 401)
    if not scanners.is_scanner(current_user, forum):
        message = _("Only the staff who scan badges at %(forum)s can do this.", forum=forum.name)
        return _json({"error": message}, 403)
    if request.mimetype != "application/json":
        return _json({"error": _("Send the scans as application/json.")}, 415)
    if not request.content_length:
        # Nothing, or a body of unknown length (chunked): refused unread.
        return _json({"error": _("Send a JSON object with a device and its scans.")}, 400)
    if request.content_length > SYNC_BODY_LIMIT:
        return _json({"error": _("Send at most %(count)d scans at a time.", count=checkin.MAX_BATCH)}, 413)
    try:
        payload = request.get_json(silent=True)
    except RecursionError:  # arrays in arrays, thousands deep: not a batch
        payload = None
    try:
        device, scans = checkin.read_batch(payload)
        results = checkin.sync(current_user, forum, device, scans)
    except NotAllowed as refusal:
        return _json({"error": str(refusal)}, 403)
    except checkin.BatchRefused as refusal:
        return _json({"error": str(refusal)}, 400)
    return _json({"results": [result.as_json() for result in results]})
