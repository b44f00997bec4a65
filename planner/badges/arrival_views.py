"""Arrivals for organisers: the page that refreshes itself (a meta refresh, no JavaScript) and
the CSV of arrivals or of every scan (rules in ``arrivals``)."""

from __future__ import annotations

from flask import Response, abort, render_template, request
from flask_babel import gettext as _
from flask_login import current_user, login_required

from planner.badges import arrivals, bp
from planner.web.downloads import file_answer, safe_file_name
from planner.web.loaders import load_managed_forum

#: Seconds between the page's own refreshes.
REFRESH_SECONDS = 15


@bp.get("/forums/<slug>/manage/arrivals")
@login_required
def arrivals_page(slug: str):
    forum = load_managed_forum(slug)
    refresh = request.args.get("refresh", "on")
    if refresh not in ("on", "off"):
        abort(400, description=_("Choose refresh=on or refresh=off."))
    page = render_template(
        "badges/arrivals.html",
        forum=forum,
        board=arrivals.board(current_user, forum),
        refreshing=refresh == "on",
        refresh_seconds=REFRESH_SECONDS,
        refusals=arrivals.REFUSALS,
    )
    response = Response(page)
    # Names of badge holders: for no shared cache, and always read afresh.
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.get("/forums/<slug>/manage/arrivals.csv")
@login_required
def arrivals_csv(slug: str):
    forum = load_managed_forum(slug)
    which = request.args.get("scans", "")
    if which not in ("", "all"):
        abort(400, description=_("Leave scans out for the arrivals, or ask for scans=all for every scan."))
    sheet = arrivals.scans_csv(current_user, forum) if which == "all" else arrivals.arrivals_csv(current_user, forum)
    return file_answer(sheet.text, "text/csv; charset=utf-8", safe_file_name(sheet.name))
