"""The focal points' pages: a delegation's bilaterals and the request form, one bilateral
and its answers. A bilateral's page answers 404 to anyone but the two delegations' focal
points and the organisers, so its address tells nobody else that it exists."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from planner.accounts.permissions import is_focal_point, is_organiser
from planner.bilaterals import bp, reading, services
from planner.bilaterals.forms import AcceptForm, ConfirmForm, ProposeForm, RequestForm
from planner.bilaterals.models import Bilateral, BilateralSlot, BilateralStatus
from planner.db import current_time
from planner.delegations.models import Delegation, Person
from planner.formatting import clock, clock_zoned, medium_date
from planner.forums.models import Forum
from planner.refusals import NotAllowed, Refused
from planner.web import refusals
from planner.web.loaders import load_delegation, load_forum
from planner.web.pages import form_page


def slot_label(slot: BilateralSlot, forum: Forum) -> str:
    return f"{medium_date(slot.day, forum)}, {clock(slot.starts_at, forum)}–{clock_zoned(slot.ends_at, forum)}"


def _slot_choices(forum: Forum, slots: list[BilateralSlot], started_too: bool = False) -> list[tuple[int, str]]:
    """The slots a page offers: those of ``slots`` still to come by the app's clock. A form sent
    is checked against the started ones too (``started_too``), so that a slot that started while
    the page was open is refused with the service's reason, not as an unknown choice."""
    now = current_time()
    return [(slot.id, slot_label(slot, forum)) for slot in slots if started_too or not reading.has_started(slot, now)]


def _sent_slot_choices(forum: Forum, formdata: bool) -> list[tuple[int, str]]:
    """The choices a sent form is checked against; a form only shown gets its choices from the page."""
    return _slot_choices(forum, reading.slots_of(forum), started_too=True) if formdata else []


def _member_choices(people: list[Person]) -> list[tuple[int, str]]:
    return [(person.id, person.name) for person in people]


def _request_form(delegation: Delegation, formdata: bool = True) -> RequestForm:
    form = RequestForm() if formdata else RequestForm(formdata=None)
    form.partner.choices = [(0, _("Choose a delegation"))] + [(d.id, d.name) for d in reading.partners_of(delegation)]
    form.slots.choices = _sent_slot_choices(delegation.forum, formdata)
    form.participants.choices = _member_choices(reading.members_of(delegation))
    return form


def _delegation_page(delegation: Delegation, form: RequestForm):  # noqa: ANN202
    slots = reading.slots_of(delegation.forum)
    form.slots.choices = _slot_choices(delegation.forum, slots)
    return form_page(
        "bilaterals/delegation.html",
        forum=delegation.forum,
        delegation=delegation,
        form=form,
        # With none still to come, the page says whether the slots have passed or were never set.
        any_slots=bool(slots),
        may_request=is_focal_point(current_user, delegation),
        bilaterals=reading.bilaterals_of(delegation),
        slot_label=slot_label,
    )


@bp.get("/forums/<slug>/delegations/<int:delegation_id>/bilaterals")
@login_required
def delegation_bilaterals(slug: str, delegation_id: int):
    delegation = load_delegation(slug, delegation_id)
    return _delegation_page(delegation, _request_form(delegation, formdata=False))


@bp.post("/forums/<slug>/delegations/<int:delegation_id>/bilaterals")
@login_required
def request_bilateral(slug: str, delegation_id: int):
    delegation = load_delegation(slug, delegation_id)
    if not is_focal_point(current_user, delegation):  # organisers see the list; focal points ask
        abort(403, description=_("Only the focal points of %(delegation)s can do this.", delegation=delegation.name))
    form = _request_form(delegation)
    if form.validate_on_submit():
        try:
            bilateral = services.request_bilateral(
                current_user,
                delegation,
                partner_id=form.partner.data or 0,
                topic=form.topic.data or "",
                slot_ids=form.slots.data or [],
                person_ids=form.participants.data or [],
            )
        except NotAllowed:
            raise  # a 403 with the reason
        except Refused as refusal:
            refusals.on_form(form, refusal)
        else:
            flash(_("Your request is sent to %(partner)s.", partner=bilateral.requested.name), "success")
            return redirect(url_for(".bilateral", slug=slug, bilateral_id=bilateral.id))
    return _delegation_page(delegation, form)


def _visible(slug: str, bilateral_id: int) -> Bilateral:
    forum = load_forum(slug)
    bilateral = reading.visible_bilateral(current_user, forum, bilateral_id)
    if bilateral is None:
        abort(404, description=_("There is no bilateral at this address."))
    return bilateral


def _forms(bilateral: Bilateral, formdata: bool = False) -> tuple[AcceptForm, ProposeForm]:
    accept = AcceptForm() if formdata else AcceptForm(formdata=None)
    propose = ProposeForm() if formdata else ProposeForm(formdata=None)
    # The side the person speaks for (the awaited one, for an organiser).
    mine = [d for d in (bilateral.requester, bilateral.requested) if is_focal_point(current_user, d)]
    awaiting = bilateral.awaiting
    side = awaiting if awaiting in mine or not mine else mine[0]
    side = side or bilateral.requested
    people = _member_choices(reading.members_of(side))
    # Only those still members are ticked: one withdrawn since is refused with the reason.
    members = {person_id for person_id, _name in people}
    chosen = [p.person_id for p in bilateral.participants if p.delegation_id == side.id and p.person_id in members]
    for form in (accept, propose):
        form.participants.choices = people
        form.participants.data = form.participants.data or chosen
    propose.slots.choices = _sent_slot_choices(bilateral.forum, formdata)
    return accept, propose


def _bilateral_page(bilateral: Bilateral, accept: AcceptForm, propose: ProposeForm, status: int = 200):  # noqa: ANN202
    propose.slots.choices = _slot_choices(bilateral.forum, reading.slots_of(bilateral.forum))
    awaiting = bilateral.awaiting
    return render_template(
        "bilaterals/bilateral.html",
        forum=bilateral.forum,
        bilateral=bilateral,
        accept_form=accept,
        propose_form=propose,
        confirm_form=ConfirmForm(formdata=None),
        may_answer=awaiting is not None and is_focal_point(current_user, awaiting),
        is_side=any(is_focal_point(current_user, d) for d in (bilateral.requester, bilateral.requested)),
        is_organiser=is_organiser(current_user, bilateral.forum),
        statuses=BilateralStatus,
        slot_label=slot_label,
    ), status


@bp.get("/forums/<slug>/bilaterals/<int:bilateral_id>")
@login_required
def bilateral(slug: str, bilateral_id: int):
    found = _visible(slug, bilateral_id)
    return _bilateral_page(found, *_forms(found))


@bp.post("/forums/<slug>/bilaterals/<int:bilateral_id>/accept")
@login_required
def accept_bilateral(slug: str, bilateral_id: int):
    found = _visible(slug, bilateral_id)
    accept, propose = _forms(found, formdata=True)
    if accept.validate_on_submit():
        try:
            placed = services.accept(current_user, found, accept.participants.data or [])
        except NotAllowed:
            raise  # a 403 with the reason
        except Refused as refusal:
            refusals.on_form(accept, refusal, "participants")
        else:
            if placed:
                flash(
                    _("Accepted. The bilateral has its place, and its participants have their invitations."), "success"
                )
            else:
                flash(
                    _(
                        "Accepted, but none of the slots asked for has a free room with both delegations and every "
                        "participant free: it waits for the organisers' allocation. You can also propose other slots."
                    ),
                    "warning",
                )
            return redirect(url_for(".bilateral", slug=slug, bilateral_id=found.id))
    return _bilateral_page(found, accept, _forms(found)[1], 422)


@bp.post("/forums/<slug>/bilaterals/<int:bilateral_id>/propose")
@login_required
def propose_slots(slug: str, bilateral_id: int):
    found = _visible(slug, bilateral_id)
    accept, propose = _forms(found, formdata=True)
    if propose.validate_on_submit():
        try:
            services.propose(current_user, found, propose.slots.data or [], propose.participants.data or [])
        except NotAllowed:
            raise  # a 403 with the reason
        except Refused as refusal:
            refusals.on_form(propose, refusal, "slots")
        else:
            flash(_("Your slots are proposed; the other delegation answers now."), "success")
            return redirect(url_for(".bilateral", slug=slug, bilateral_id=found.id))
    return _bilateral_page(found, _forms(found)[0], propose, 422)


@bp.post("/forums/<slug>/bilaterals/<int:bilateral_id>/decline")
@login_required
def decline_bilateral(slug: str, bilateral_id: int):
    found = _visible(slug, bilateral_id)
    if ConfirmForm().validate_on_submit():
        try:
            services.decline(current_user, found)
        except NotAllowed:
            raise  # a 403 with the reason
        except Refused as refusal:
            refusals.flashed(refusal)
        else:
            flash(_("The bilateral is declined."), "success")
    return redirect(url_for(".bilateral", slug=slug, bilateral_id=found.id))


@bp.post("/forums/<slug>/bilaterals/<int:bilateral_id>/cancel")
@login_required
def cancel_bilateral(slug: str, bilateral_id: int):
    found = _visible(slug, bilateral_id)
    if ConfirmForm().validate_on_submit():
        try:
            services.cancel(current_user, found)
        except NotAllowed:
            raise  # a 403 with the reason
        except Refused as refusal:
            refusals.flashed(refusal)
        else:
            flash(_("The bilateral is cancelled; its participants are told."), "success")
    return redirect(url_for(".bilateral", slug=slug, bilateral_id=found.id))
