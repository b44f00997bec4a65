"""Bilateral requests and answers between delegations.

A delegation's focal point asks another delegation for a bilateral (topic, preferred
slots, its participants); the other side's focal point accepts (naming its own
participants), declines, or proposes other slots, which the first side then answers.
An accepted bilateral gets the first place its slots allow (``placing``); when none is
free it waits, accepted, for the organisers' allocation. Either side, or an organiser,
may cancel it. Only the two delegations' focal points and the forum's organisers see a
bilateral: to anyone else it does not exist (``reading.visible_bilateral``).

Asking, accepting and proposing check again what may have changed meanwhile: both delegations
still take part (not declined or withdrawn), the participants named are still members of
theirs (``standing``, whose rule the organisers' allocation keeps too), and the slots named are
still to come by the app's clock (``planner.db.current_time``; a slot that has started gets no
bilateral). Declining and cancelling stay open whatever changed.

Every answer is a conditional UPDATE on the status and the side awaited, so of two
answers sent at once only one counts.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import NoReturn

from flask import url_for
from flask_babel import gettext as _
from sqlalchemy import select, update

from planner.accounts.models import User
from planner.accounts.permissions import is_focal_point, is_organiser, require_organiser
from planner.accounts.services import language_of
from planner.audit.services import record
from planner.bilaterals import invitations, placing, standing
from planner.bilaterals.models import (
    OPEN_STATUSES,
    TOPIC_MAX,
    Bilateral,
    BilateralParticipant,
    BilateralPreference,
    BilateralSlot,
    BilateralStatus,
)
from planner.bilaterals.reading import accepted_waiting, has_started, members_of, partners_of
from planner.counters import changed
from planner.db import current_time
from planner.delegations.models import Delegation, DelegationFocalPoint
from planner.extensions import db
from planner.forums.models import Forum
from planner.forums.services import lock_forum, require_not_archived
from planner.mail.services import queue_email, written_in
from planner.refusals import NotAllowed, Refused

#: Preferred slots one request may name.
MAX_PREFERENCES = 10


class BilateralRefused(Refused):
    pass


# Checks -----------------------------------------------------------------------------------


def _require_focal_point(actor: User, delegation: Delegation) -> None:
    if not is_focal_point(actor, delegation):
        raise NotAllowed(_("Only the focal points of %(delegation)s can do this.", delegation=delegation.name))


def _refuse_left(delegation: Delegation) -> NoReturn:
    raise BilateralRefused(
        _(
            "%(delegation)s no longer takes part in this forum: the bilateral cannot go ahead.",
            delegation=delegation.name,
        )
    )


def _require_going_ahead(bilateral: Bilateral, answering: Delegation, participants_of: Sequence[int]) -> None:
    """The bilateral can still go ahead (``standing.hindrance``, the allocation's rule too), the
    participants of ``participants_of`` held to it. A participant withdrawn or declined since is
    not invited: the answering side names others; the other side's are its own to change, once
    the question is handed back to it."""
    found = standing.hindrance(bilateral, participants_of)
    if found is None:
        return
    if found.person is None:
        _refuse_left(found.delegation)
    if found.delegation.id == answering.id:
        raise BilateralRefused(
            _(
                "%(person)s is no longer a nominated or accredited member of %(delegation)s: name other participants.",
                person=found.person.name,
                delegation=found.delegation.name,
            ),
            field="participants",
        )
    raise BilateralRefused(
        _(
            "%(person)s is no longer a nominated or accredited member of %(delegation)s: the bilateral cannot be "
            "accepted as it stands. Propose slots, so that %(delegation)s can name other participants, or decline.",
            person=found.person.name,
            delegation=found.delegation.name,
        )
    )


def _chosen_slots(forum: Forum, slot_ids: Sequence[int], now: dt.datetime) -> list[int]:
    """Slots of the forum still to come: one that has started is no time to meet."""
    ids = list(dict.fromkeys(slot_ids))
    if not ids:
        raise BilateralRefused(_("Choose at least one slot you could meet at."), field="slots")
    if len(ids) > MAX_PREFERENCES:
        raise BilateralRefused(_("Choose at most %(max)d slots.", max=MAX_PREFERENCES), field="slots")
    slots = db.session.scalars(
        select(BilateralSlot).where(BilateralSlot.forum_id == forum.id, BilateralSlot.id.in_(ids))
    ).all()
    if {slot.id for slot in slots} != set(ids):
        raise BilateralRefused(_("One of the slots chosen is not a bilateral slot of this forum."), field="slots")
    if any(has_started(slot, now) for slot in slots):
        raise BilateralRefused(
            _("One of the slots chosen has already started: choose slots still to come."), field="slots"
        )
    return ids


def _chosen_members(delegation: Delegation, person_ids: Sequence[int]) -> list[int]:
    ids = list(dict.fromkeys(person_ids))
    if not ids:
        raise BilateralRefused(
            _("Name at least one participant of %(delegation)s.", delegation=delegation.name), field="participants"
        )
    members = {p.id for p in members_of(delegation)}
    if not set(ids) <= members:
        raise BilateralRefused(
            _("Participants must be nominated or accredited members of %(delegation)s.", delegation=delegation.name),
            field="participants",
        )
    return ids


def _topic(text: str) -> str:
    topic = " ".join(text.split())
    if not topic:
        raise BilateralRefused(_("Say what the bilateral is about."), field="topic")
    if len(topic) > TOPIC_MAX:
        raise BilateralRefused(_("Keep the topic to %(max)d characters.", max=TOPIC_MAX), field="topic")
    return topic


def _set_preferences(bilateral: Bilateral, slot_ids: list[int]) -> None:
    bilateral.preferences = [BilateralPreference(slot_id=s, position=n) for n, s in enumerate(slot_ids)]


def _set_participants(bilateral: Bilateral, delegation: Delegation, person_ids: list[int]) -> None:
    others = [p for p in bilateral.participants if p.delegation_id != delegation.id]
    bilateral.participants = others + [
        BilateralParticipant(person_id=p, delegation_id=delegation.id) for p in person_ids
    ]


def _answered(bilateral: Bilateral, awaiting: int | None, statuses: set[BilateralStatus], **values: object) -> None:
    """Move the bilateral on only if it still stands where the person saw it: of two answers
    sent at once, the second finds it changed and is refused."""
    row = update(Bilateral).where(Bilateral.id == bilateral.id, Bilateral.status.in_([s.value for s in statuses]))
    if awaiting is not None:
        row = row.where(Bilateral.awaiting_id == awaiting)
    if not changed(row.values(**values)):
        db.session.refresh(bilateral)
        raise BilateralRefused(_("This bilateral was answered or changed meanwhile: see where it stands now."))
    db.session.refresh(bilateral)


# Asking and answering ---------------------------------------------------------------------


def request_bilateral(
    actor: User,
    delegation: Delegation,
    *,
    partner_id: int,
    topic: str,
    slot_ids: Sequence[int],
    person_ids: Sequence[int],
    now: dt.datetime | None = None,
) -> Bilateral:
    """A focal point of a delegation still coming asks another delegation of the forum for a
    bilateral, at slots still to come; one open request between two delegations at a time."""
    forum = delegation.forum
    _require_focal_point(actor, delegation)
    require_not_archived(forum)
    if not standing.takes_part(delegation):
        _refuse_left(delegation)
    partner = db.session.get(Delegation, partner_id)
    if partner is None or partner.id not in {d.id for d in partners_of(delegation)}:
        raise BilateralRefused(_("Choose another delegation of this forum to meet."), field="partner")
    text = _topic(topic)
    slots = _chosen_slots(forum, slot_ids, now or current_time())
    people = _chosen_members(delegation, person_ids)
    pair = {delegation.id, partner.id}
    already = db.session.scalar(
        select(Bilateral.id).where(
            Bilateral.requester_id.in_(pair),
            Bilateral.requested_id.in_(pair),
            Bilateral.status.in_([s.value for s in OPEN_STATUSES]),
        )
    )
    if already is not None:
        raise BilateralRefused(
            _(
                "%(delegation)s and %(partner)s already have a bilateral under way.",
                delegation=delegation.name,
                partner=partner.name,
            ),
            field="partner",
        )
    bilateral = Bilateral(
        forum_id=forum.id,
        requester_id=delegation.id,
        requested_id=partner.id,
        awaiting_id=partner.id,
        topic=text,
        requested_by_id=actor.id,
    )
    db.session.add(bilateral)
    db.session.flush()
    _set_preferences(bilateral, slots)
    _set_participants(bilateral, delegation, people)
    db.session.flush()
    record(
        actor,
        "bilateral.requested",
        forum_id=forum.id,
        target=("bilateral", bilateral.id),
        summary=_("Bilateral asked of %(partner)s by %(delegation)s", partner=partner.name, delegation=delegation.name),
    )
    _tell_focal_points(bilateral, partner, delegation)
    return bilateral


def _tell_focal_points(bilateral: Bilateral, told: Delegation, asking: Delegation) -> None:
    forum = bilateral.forum
    link = url_for("bilaterals.bilateral", slug=forum.slug, bilateral_id=bilateral.id, _external=True)
    for user in db.session.scalars(
        select(User)
        .join(DelegationFocalPoint, DelegationFocalPoint.user_id == User.id)
        .where(DelegationFocalPoint.delegation_id == told.id, User.deleted_at.is_(None))
        .order_by(User.id)
    ):
        with written_in(language_of(user.email) or user.language):
            queue_email(
                user.email,
                "bilaterals/requested",
                subject=_("%(delegation)s asks for a bilateral", delegation=asking.name)[:300],
                forum_id=forum.id,
                name=user.name,
                delegation=asking.name,
                partner=told.name,
                forum=forum.name,
                topic=bilateral.topic,
                link=link,
            )


def _awaited_focal_point(actor: User, bilateral: Bilateral) -> Delegation:
    """The delegation whose answer is awaited, if ``actor`` is one of its focal points."""
    if bilateral.status is not BilateralStatus.REQUESTED or bilateral.awaiting is None:
        raise BilateralRefused(_("This bilateral awaits no answer now."))
    _require_focal_point(actor, bilateral.awaiting)
    require_not_archived(bilateral.forum)
    return bilateral.awaiting


def accept(actor: User, bilateral: Bilateral, person_ids: Sequence[int]) -> bool:
    """The awaited side agrees, if both delegations are still coming. Its participants are
    those named (or, when it names none and has some already, those it had), and every
    participant of either side must still be a member of their delegation. Then the bilateral
    gets its place if one is free: True; False when it waits for the organisers' allocation."""
    delegation = _awaited_focal_point(actor, bilateral)
    other = bilateral.requested if delegation.id == bilateral.requester_id else bilateral.requester
    keeps_its_own = not person_ids and any(p.delegation_id == delegation.id for p in bilateral.participants)
    _require_going_ahead(bilateral, delegation, (delegation.id, other.id) if keeps_its_own else (other.id,))
    people = None if keeps_its_own else _chosen_members(delegation, person_ids)
    # Before anything is written: the audit entry's key share on the forum's row, taken first,
    # would deadlock two acceptances that then both wait for the lock that placing takes.
    lock_forum(bilateral.forum)
    if people is not None:
        _set_participants(bilateral, delegation, people)
        db.session.flush()
    _answered(
        bilateral,
        delegation.id,
        {BilateralStatus.REQUESTED},
        status=BilateralStatus.ACCEPTED.value,
        awaiting_id=None,
    )
    record(
        actor,
        "bilateral.accepted",
        forum_id=bilateral.forum_id,
        target=("bilateral", bilateral.id),
        summary=_("Bilateral accepted by %(delegation)s", delegation=delegation.name),
    )
    placed = placing.place(bilateral.forum, bilateral)
    if placed:
        invitations.send(bilateral, invitations.REQUEST)
    return placed


def decline(actor: User, bilateral: Bilateral) -> None:
    delegation = _awaited_focal_point(actor, bilateral)
    _answered(
        bilateral, delegation.id, {BilateralStatus.REQUESTED}, status=BilateralStatus.DECLINED.value, awaiting_id=None
    )
    record(
        actor,
        "bilateral.declined",
        forum_id=bilateral.forum_id,
        target=("bilateral", bilateral.id),
        summary=_("Bilateral declined by %(delegation)s", delegation=delegation.name),
    )


def propose(
    actor: User,
    bilateral: Bilateral,
    slot_ids: Sequence[int],
    person_ids: Sequence[int] = (),
    now: dt.datetime | None = None,
) -> None:
    """Other slots still to come, for the other side to answer: by the awaited side of a
    request, or by either side of a bilateral accepted but not yet placed, while both
    delegations are still coming. The side that proposes names its participants too, unless it
    has some already (who must still be members of it)."""
    if bilateral.status is BilateralStatus.ACCEPTED:
        delegation = next((d for d in (bilateral.requester, bilateral.requested) if is_focal_point(actor, d)), None)
        if delegation is None:
            raise NotAllowed(_("Only the focal points of the two delegations can do this."))
        require_not_archived(bilateral.forum)
        awaiting = None
    else:
        delegation = _awaited_focal_point(actor, bilateral)
        awaiting = delegation.id
    renaming = bool(person_ids) or not any(p.delegation_id == delegation.id for p in bilateral.participants)
    _require_going_ahead(bilateral, delegation, () if renaming else (delegation.id,))
    slots = _chosen_slots(bilateral.forum, slot_ids, now or current_time())
    if renaming:
        _set_participants(bilateral, delegation, _chosen_members(delegation, person_ids))
        db.session.flush()
    _answered(
        bilateral,
        awaiting,
        {bilateral.status},
        status=BilateralStatus.REQUESTED.value,
        awaiting_id=bilateral.other_side(delegation.id),
    )
    _set_preferences(bilateral, slots)
    db.session.flush()
    record(
        actor,
        "bilateral.proposed",
        forum_id=bilateral.forum_id,
        target=("bilateral", bilateral.id),
        summary=_("Other slots proposed by %(delegation)s", delegation=delegation.name),
    )


def cancel(actor: User, bilateral: Bilateral) -> None:
    """Either delegation's focal points, or an organiser, call it off; a placed bilateral
    leaves its place and its participants' calendars."""
    if not (
        is_organiser(actor, bilateral.forum)
        or is_focal_point(actor, bilateral.requester)
        or is_focal_point(actor, bilateral.requested)
    ):
        raise NotAllowed(_("Only the focal points of the two delegations and the organisers can do this."))
    require_not_archived(bilateral.forum)
    slot, room = bilateral.slot, bilateral.room
    # One statement: the status and the place change together (the table's CHECK wants both).
    _answered(
        bilateral,
        None,
        set(OPEN_STATUSES),
        status=BilateralStatus.CANCELLED.value,
        awaiting_id=None,
        slot_id=None,
        room_id=None,
        revision=Bilateral.revision + 1,
    )
    if slot is not None and room is not None:
        placing.release(bilateral, slot.day)
        invitations.send(bilateral, invitations.CANCEL, place=(slot, room))  # it leaves their calendars
    record(
        actor,
        "bilateral.cancelled",
        forum_id=bilateral.forum_id,
        target=("bilateral", bilateral.id),
        summary=_("Bilateral cancelled"),
    )


@dataclass(frozen=True)
class AllocationOutcome:
    """What the organisers' allocation did with the accepted bilaterals waiting for a place."""

    placed: list[Bilateral]
    without_place: list[Bilateral]  # could go ahead, but no slot of theirs allowed it
    # Not tried: a delegation no longer takes part, or a participant is no longer a member.
    held_back: list[tuple[Bilateral, standing.Hindrance]]


def place_accepted(actor: User, forum: Forum, notify: bool = True) -> AllocationOutcome:
    """The organisers' allocation: every accepted bilateral still without a place that can still
    go ahead (``standing.hindrance``, as for accepting it), placed together
    (``allocation.allocate``); the others are left as they are, held back."""
    require_organiser(actor, forum)
    require_not_archived(forum)
    going_ahead, held_back = standing.sorted_out(accepted_waiting(forum))
    places = placing.place_many(forum, going_ahead)
    if places is None:
        raise BilateralRefused(_("Bilaterals were placed or changed meanwhile: nothing was placed. Try again."))
    outcome = AllocationOutcome(
        placed=[b for b in going_ahead if b.id in places],
        without_place=[b for b in going_ahead if b.id not in places],
        held_back=held_back,
    )
    if notify:
        for bilateral in outcome.placed:
            invitations.send(bilateral, invitations.REQUEST)
    counts = {"placed": len(outcome.placed), "without_place": len(outcome.without_place), "held_back": len(held_back)}
    record(
        actor,
        "bilateral.allocated",
        forum_id=forum.id,
        target=("forum", forum.id),
        summary=_(
            "%(placed)d bilaterals placed, %(without_place)d without a place, %(held_back)d held back (a delegation "
            "no longer takes part or a participant was withdrawn)",
            **counts,
        ),
        after=counts,
    )
    return outcome
