"""The organisers' download of the offline copy (``flask export-site`` makes the same zip)."""

from __future__ import annotations

from flask import abort, request
from flask_babel import gettext as _
from flask_login import current_user, login_required

from planner.offline import bp, site_copy
from planner.offline.forms import OfflineCopyForm
from planner.web.downloads import file_answer
from planner.web.loaders import load_managed_forum


@bp.post("/forums/<slug>/manage/offline-copy.zip")
@login_required
def offline_copy(slug: str):
    forum = load_managed_forum(slug)
    form = OfflineCopyForm()
    if not form.validate_on_submit():
        abort(
            400,
            description=" ".join(str(e) for e in form.language.errors)
            or _("The form expired; reload the page and try again."),
        )
    language = site_copy.copy_language(forum, form.language.data or None)
    data = site_copy.organiser_copy(current_user, forum, language=language, live_root=request.host_url)
    return file_answer(data, "application/zip", f"{forum.slug}-offline-{language}.zip")
