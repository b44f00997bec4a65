"""Carrying the delegations of an earlier forum of the series over to this one (rules in
``carry_over``): the page shows what would be taken and skipped, and one button does it."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required
from wtforms import SelectChoice

from planner.delegations import bp
from planner.delegations import carry_over as rules
from planner.delegations.forms import CarryOverForm
from planner.formatting import listed
from planner.forums.models import Forum
from planner.refusals import Refused
from planner.web import refusals
from planner.web.loaders import load_managed_forum


def _form(earlier: list[Forum], **kwargs) -> CarryOverForm:  # noqa: ANN003
    form = CarryOverForm(**kwargs)
    form.source.choices = [SelectChoice(f.id, f.name) for f in earlier]
    return form


@bp.route("/forums/<slug>/manage/carry-over", methods=["GET", "POST"])
@login_required
def carry_over(slug: str):
    forum = load_managed_forum(slug)
    earlier = rules.earlier_forums(forum)
    if request.method == "POST":
        form = _form(earlier)
        if form.validate_on_submit():
            try:
                done = rules.carry_over(current_user, forum, form.source.data)
            except Refused as refusal:
                refusals.on_form(form, refusal, "source")
            else:
                flash(_done(done), "success")
                return redirect(url_for("forums.manage", slug=forum.slug, _anchor="invitations-heading"))
        chosen = next((f for f in earlier if f.id == form.source.data), None)
    else:
        # Which earlier forum to show: the one asked for (?source=), else the latest.
        asked = request.args.get("source", type=int)
        chosen = next((f for f in earlier if f.id == asked), earlier[0] if earlier else None)
        form = _form(earlier, formdata=None, source=chosen.id if chosen else None)
    preview = rules.plan(forum, chosen) if chosen is not None else None
    page = render_template("delegations/carry_over.html", forum=forum, earlier=earlier, form=form, preview=preview)
    return page, 422 if form.errors else 200


def _done(done: rules.CarryOver) -> str:
    message = ngettext(
        "%(num)d delegation of %(source)s is taken, as invited.",
        "%(num)d delegations of %(source)s are taken, as invited.",
        len(done.created),
        source=done.source.name,
    )
    if done.invitations:
        message += " " + ngettext(
            "%(num)d focal point is invited again by email.",
            "%(num)d focal points are invited again by email.",
            len(done.invitations),
        )
    if done.skipped:
        message += " " + _(
            "Skipped, being in this forum already: %(names)s.", names=listed(d.name for d, _e in done.skipped)
        )
    return message
