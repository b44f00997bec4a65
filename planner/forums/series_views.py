"""Site administrators' pages of forum series: the list, a new series, editing one and removing
one no forum belongs to (rules in ``series``)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from planner.accounts.permissions import is_admin
from planner.forums import bp, forms, series
from planner.forums.models import ForumSeries
from planner.translated import translation_data, translations_from
from planner.web import refusals
from planner.web.pages import form_page


def _require_admin() -> None:
    if not is_admin(current_user):
        abort(403, description=_("Only site administrators can manage series."))


def _series_or_404(series_id: int) -> ForumSeries:
    found = series.find_series(series_id)
    if found is None:
        abort(404, description=_("There is no series with the number %(id)d.", id=series_id))
    return found


@bp.get("/admin/series")
@login_required
def series_list():
    _require_admin()
    return render_template("forums/series_list.html", all_series=series.all_series())


@bp.route("/admin/series/new", methods=["GET", "POST"], endpoint="new_series")
@bp.route("/admin/series/<int:series_id>/edit", methods=["GET", "POST"])
@login_required
def edit_series(series_id: int | None = None):
    _require_admin()
    shown = _series_or_404(series_id) if series_id is not None else None
    languages = series.other_languages()
    form_class = forms.series_form(languages)
    if request.method == "GET":
        form = form_class(obj=shown, data=translation_data(shown, forms.SERIES_TEXTS, languages))
    else:
        form = form_class()
    if form.validate_on_submit():
        try:
            saved = series.save_series(
                current_user,
                shown,
                slug=form.slug.data,
                name=form.name.data,
                translations=translations_from(form, forms.SERIES_TEXTS, languages),
            )
        except series.SeriesError as refusal:
            refusals.on_form(form, refusal, "name")
        else:
            flash(_("The series %(series)s is saved.", series=saved.name), "success")
            return redirect(url_for(".series_list"))
    return form_page("forums/series_form.html", form=form, series=shown)


@bp.post("/admin/series/<int:series_id>/remove")
@login_required
def remove_series(series_id: int):
    _require_admin()
    shown = _series_or_404(series_id)
    name = shown.name
    try:
        series.remove_series(current_user, shown)
    except series.SeriesError as refusal:
        refusals.flashed(refusal)
    else:
        flash(_("The series %(series)s is removed.", series=name), "success")
    return redirect(url_for(".series_list"))
