"""Undelivered email, for a forum's organisers and for site administrators."""

from __future__ import annotations

from flask import abort, render_template
from flask_babel import gettext as _
from flask_login import current_user, login_required

from planner.accounts.permissions import is_admin
from planner.mail import bp, services
from planner.web.loaders import load_managed_forum


@bp.get("/forums/<slug>/manage/outbox")
@login_required
def forum_outbox(slug: str):
    forum = load_managed_forum(slug)
    return render_template("outbox/undelivered.html", forum=forum, messages=services.undelivered(forum.id))


@bp.get("/admin/outbox")
@login_required
def site_outbox():
    if not is_admin(current_user):
        abort(403, description=_("Only site administrators can open this page."))
    return render_template("outbox/undelivered.html", forum=None, messages=services.undelivered(None))
