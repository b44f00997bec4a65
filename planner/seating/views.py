"""The organisers' seating plan (``/forums/<slug>/manage/seating``): the hall's form, the plan
drawn with its table of seats, and its two PDFs (the plan, the name plates). Organisers only:
the plan names every accredited person, also those who did not agree to the public list. The
rules are ``services``; the drawing ``drawing``; the PDFs ``files``."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from planner.delegations.participant_files import facts as list_facts
from planner.forums.models import Forum
from planner.forums.services import ForumArchived
from planner.seating import bp, drawing, files, services
from planner.seating.forms import NO_ROOM, SeatingPlanForm, seat_counts, seat_labels
from planner.seating.models import SeatingPlan
from planner.statements.rendering import find_font
from planner.translated import reader_language
from planner.web import refusals
from planner.web.downloads import file_answer
from planner.web.loaders import load_managed_forum


def _language() -> str:
    return reader_language() or "en"


def _title(forum: Forum) -> str:
    return _("Seating plan of %(forum)s", forum=forum.name)


def _facts(seating: services.Seating) -> list[str]:
    plan = seating.plan
    lines = list_facts(seating.listing, for_organisers=False)[:-1]  # its dates and order, not its count
    if plan.room is not None:
        lines.insert(0, plan.room.name)
    if seating.head_rows:
        lines.append(
            _(
                "%(seated)d seated, %(reserved)d seats reserved, %(empty)d empty; up to %(per)d seats a"
                " delegation, heads of delegation in the front rows up to row %(row)s.",
                seated=len(seating.seats),
                reserved=len(seating.reserved),
                empty=seating.empty_seats,
                per=plan.seats_per_delegation,
                row=services.row_label(seating.head_rows - 1),
            )
        )
    return lines


def _form(forum: Forum, plan: SeatingPlan | None, formdata: bool) -> SeatingPlanForm:
    rooms = [(room.id, f"{room.venue.name}: {room.name}") for room in services.rooms_of(forum)]
    if formdata:
        return SeatingPlanForm(rooms=rooms)
    if plan is None:
        return SeatingPlanForm(formdata=None, rooms=rooms, seats_per_delegation=2)
    return SeatingPlanForm(
        formdata=None,
        rooms=rooms,
        rows=", ".join(str(n) for n in plan.rows),
        reserved_seats=", ".join(plan.reserved_seats or ()),
        seats_per_delegation=plan.seats_per_delegation,
        room=plan.room_id or NO_ROOM,
    )


def _page(forum: Forum, form: SeatingPlanForm) -> tuple[str, int]:
    plan = services.plan_of(forum)
    seating, problem = None, None
    if plan is not None:
        try:
            seating = services.seating_of(current_user, forum, plan, _language())
        except services.HallTooSmall as refusal:
            problem = str(refusal)
    title = _title(forum)
    page = render_template(
        "seating/plan.html",
        forum=forum,
        form=form,
        plan=plan,
        seating=seating,
        problem=problem,
        title=title,
        facts=_facts(seating) if seating is not None else [],
        svg=drawing.svg_markup(seating, title) if seating is not None else None,
    )
    return page, 422 if form.errors else 200


@bp.get("/forums/<slug>/manage/seating")
@login_required
def seating_plan(slug: str):
    forum = load_managed_forum(slug)
    return _page(forum, _form(forum, services.plan_of(forum), formdata=False))


@bp.post("/forums/<slug>/manage/seating")
@login_required
def save_seating_plan(slug: str):
    forum = load_managed_forum(slug)
    form = _form(forum, None, formdata=True)
    if form.validate_on_submit():
        try:
            services.save_plan(
                current_user,
                forum,
                rows=seat_counts(form.rows.data) or [],
                reserved_seats=seat_labels(form.reserved_seats.data),
                seats_per_delegation=form.seats_per_delegation.data or 0,
                room_id=form.room.data or None,
                language=_language(),
            )
        except (services.SeatingError, ForumArchived) as refusal:
            refusals.on_form(form, refusal)
        else:
            flash(_("The seating plan is saved."), "success")
            return redirect(url_for(".seating_plan", slug=slug))
    return _page(forum, form)


def _seating(forum: Forum) -> services.Seating:
    """The plan with everyone seated; a 404 without a plan, a 409 (the refusal's page) when
    the hall is too small."""
    plan = services.plan_of(forum)
    if plan is None:
        abort(404, description=_("%(forum)s has no seating plan yet.", forum=forum.name))
    return services.seating_of(current_user, forum, plan, _language())


def _font() -> str | None:
    return find_font(current_app.config.get("STATEMENTS_PDF_FONT"))


@bp.get("/forums/<slug>/manage/seating/plan.pdf")
@login_required
def seating_plan_pdf(slug: str):
    forum = load_managed_forum(slug)
    seating = _seating(forum)
    data = files.plan_pdf(seating, _title(forum), _facts(seating), _font())
    return file_answer(data, "application/pdf", files.file_name(seating, "plan"))


@bp.get("/forums/<slug>/manage/seating/name-plates.pdf")
@login_required
def name_plates_pdf(slug: str):
    forum = load_managed_forum(slug)
    seating = _seating(forum)
    title = _("Name plates of %(forum)s", forum=forum.name)
    return file_answer(
        files.name_plates_pdf(seating, title, _font()), "application/pdf", files.file_name(seating, "name-plates")
    )
