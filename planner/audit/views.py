from __future__ import annotations

import datetime as dt

from flask import render_template, request
from flask_babel import gettext as _
from flask_login import login_required

from planner.audit import bp, services
from planner.web.loaders import load_managed_forum


def _date_argument(name: str, errors: list[str]) -> dt.date | None:
    value = request.args.get(name, "").strip()
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        errors.append(_("Write dates like 2018-03-03."))
        return None


@bp.get("/forums/<slug>/manage/audit")
@login_required
def audit_log(slug: str):
    forum = load_managed_forum(slug)
    errors: list[str] = []
    filters = services.AuditFilter(
        action=request.args.get("action", "").strip()[:64],
        actor_email=request.args.get("actor", "").strip()[:320],
        since=_date_argument("since", errors),
        until=_date_argument("until", errors),
    )
    entries = services.entries_for(forum.id, filters, forum.zone)
    return render_template(
        "audit/log.html", forum=forum, entries=entries, filters=filters, errors=errors
    ), 400 if errors else 200
