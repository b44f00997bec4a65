"""The list of participants in protocol order, and what organisers and focal points decide about it.

``protocol_order`` is the one order of a forum's people: the public list, the organisers' list,
their PDF and CSV, name plates and any seating list all take it from there, so that a country
never sits where the list does not put it. The order:

- delegations (not declined or withdrawn) alphabetically by their name in the list's language,
  with that language's collation (``planner.formatting.collation_key``: Japanese order for a
  Japanese list); countries before international organisations where
  ``Forum.countries_listed_first`` says so;
- where a delegation was drawn by lot (``ParticipantListDraw``), its group (the countries, when
  they come first; else everyone) starts from it and wraps round to the top of the alphabet, as
  the UN General Assembly seats its members;
- inside a delegation the head of delegation first, then by ``RepresentationLevel`` in its
  declared order, then by name.

It reads a fixed number of queries, whatever the number of delegations and members.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Collection
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from planner.accounts.models import User
from planner.accounts.permissions import is_focal_point, is_organiser, require_organiser
from planner.audit.services import record
from planner.db import utcnow
from planner.delegations.models import (
    Delegation,
    DelegationKind,
    DelegationMember,
    DelegationStatus,
    MemberRole,
    NominationStatus,
    ParticipantListDraw,
    Person,
    RepresentationLevel,
)
from planner.delegations.names import COLUMNS_LANGUAGE, delegation_name, delegation_reading
from planner.delegations.services import checked_function
from planner.extensions import db
from planner.formatting import collation_key
from planner.forums.models import Forum
from planner.forums.services import require_not_archived
from planner.labels import label
from planner.refusals import NotAllowed, Refused

#: Delegations that are not (or no longer) coming are not listed.
NOT_LISTED = {DelegationStatus.DECLINED, DelegationStatus.WITHDRAWN}
#: The public list and the seating: people an organiser accredited.
ACCREDITED = frozenset({NominationStatus.ACCREDITED})
#: The organisers' list also shows whom they have still to decide on.
ACCREDITED_AND_NOMINATED = frozenset({NominationStatus.ACCREDITED, NominationStatus.NOMINATED})
LEVEL_RANK = {level: rank for rank, level in enumerate(RepresentationLevel)}


class ParticipantListError(Refused):
    """A refused change to the list of participants, with a message for the person."""


@dataclass(frozen=True)
class ListedMember:
    """A member as the list shows them: read as plain columns, not as models, since a list
    of 500 people built as models costs more than the rest of the page."""

    person_id: int
    name: str
    email: str | None
    role: MemberRole
    level: RepresentationLevel
    function: str
    listed_publicly: bool
    status: NominationStatus


@dataclass(frozen=True)
class ListedDelegation:
    delegation: Delegation
    name: str  # in the list's language
    name_language: str  # the language ``name`` is written in, for ``lang`` attributes
    members: tuple[ListedMember, ...]  # in protocol order


@dataclass(frozen=True)
class ParticipantList:
    forum: Forum
    language: str
    delegations: tuple[ListedDelegation, ...]
    drawn: str | None  # the name of the delegation drawn by lot to head the list, if any

    @property
    def people(self) -> int:
        return sum(len(d.members) for d in self.delegations)


def _member_key(member: ListedMember, language: str) -> tuple[int, int, bytes, int]:
    return (
        0 if member.role is MemberRole.HEAD else 1,
        LEVEL_RANK[member.level],
        collation_key(member.name, language),
        member.person_id,
    )


def protocol_order(
    forum: Forum,
    language: str,
    *,
    statuses: Collection[NominationStatus] = ACCREDITED,
    publicly_listed_only: bool = False,
    keep_empty: bool = False,
) -> ParticipantList:
    """The forum's delegations and their members with ``statuses`` (only those who agreed to
    be listed publicly, with ``publicly_listed_only``) in protocol order (see the module's
    docstring), named in ``language``. Delegations with nobody to show are left out unless
    ``keep_empty``. Three queries: the delegations with their organisations, the members with
    their names, the draw."""
    delegations = list(
        db.session.scalars(
            select(Delegation).where(Delegation.forum_id == forum.id).options(joinedload(Delegation.organisation))
        ).unique()
    )
    query = (
        select(
            DelegationMember.delegation_id,
            DelegationMember.person_id,
            Person.name,
            Person.email,
            DelegationMember.role,
            DelegationMember.level,
            DelegationMember.function,
            DelegationMember.listed_publicly,
            DelegationMember.status,
        )
        .join(Person, Person.id == DelegationMember.person_id)
        .join(Delegation, Delegation.id == DelegationMember.delegation_id)
        .where(Delegation.forum_id == forum.id, DelegationMember.status.in_(list(statuses)))
    )
    if publicly_listed_only:
        query = query.where(DelegationMember.listed_publicly.is_(True))
    members: dict[int, list[ListedMember]] = {}
    for row in db.session.execute(query):
        members.setdefault(row.delegation_id, []).append(
            ListedMember(
                person_id=row.person_id,
                name=row.name,
                email=row.email,
                role=row.role,
                level=row.level,
                function=row.function,
                listed_publicly=row.listed_publicly,
                status=row.status,
            )
        )
    draw = db.session.get(ParticipantListDraw, forum.id)

    names = {d.id: delegation_name(d, language) for d in delegations}

    def group(d: Delegation) -> int:
        return 1 if forum.countries_listed_first and d.kind is DelegationKind.ORGANISATION else 0

    def key(d: Delegation) -> tuple[int, bytes, int]:
        return group(d), collation_key(delegation_reading(d, language, names[d.id]), language), d.id

    listed = sorted(
        (d for d in delegations if d.status not in NOT_LISTED and (keep_empty or members.get(d.id))), key=key
    )
    drawn = next((d for d in delegations if draw is not None and d.id == draw.delegation_id), None)
    if drawn is not None:
        listed = _from_drawn(listed, key, drawn)
    return ParticipantList(
        forum=forum,
        language=language,
        delegations=tuple(
            ListedDelegation(
                delegation=d,
                name=names[d.id],
                # A name with no version in the list's language is shown as stored, in English.
                name_language=language if names[d.id] != d.name or language == COLUMNS_LANGUAGE else COLUMNS_LANGUAGE,
                members=tuple(sorted(members.get(d.id, ()), key=lambda m: _member_key(m, language))),
            )
            for d in listed
        ),
        drawn=names[drawn.id] if drawn is not None else None,
    )


def _from_drawn(
    listed: list[Delegation], key: Callable[[Delegation], tuple[int, bytes, int]], drawn: Delegation
) -> list[Delegation]:
    """The drawn delegation's group (they are side by side in ``listed``) starting from it, or
    from where it would be if it is no longer listed, and wrapping round; the other group as it was."""
    drawn_key = key(drawn)
    indexes = [n for n, d in enumerate(listed) if key(d)[0] == drawn_key[0]]
    if not indexes:
        return listed
    first, last = indexes[0], indexes[-1] + 1
    part = listed[first:last]
    start = next((n for n, d in enumerate(part) if key(d) >= drawn_key), 0)
    return listed[:first] + part[start:] + part[:start] + listed[last:]


def public_list(forum: Forum, language: str) -> ParticipantList:
    """What anyone may read: accredited people who agreed to be listed."""
    return protocol_order(forum, language, publicly_listed_only=True)


def organisers_list(organiser: User, forum: Forum, language: str) -> ParticipantList:
    """Everyone accredited and everyone still awaiting accreditation, for the forum's organisers."""
    require_organiser(organiser, forum)
    return protocol_order(forum, language, statuses=ACCREDITED_AND_NOMINATED)


# What organisers decide -------------------------------------------------------------------


def draw_by_lot(organiser: User, forum: Forum) -> Delegation:
    """Draw the delegation that heads the list, with a cryptographically random choice among
    the delegations listed (the countries alone, where they come first), replacing any earlier draw."""
    require_organiser(organiser, forum)
    require_not_archived(forum)
    candidates = list(
        db.session.scalars(
            select(Delegation)
            .where(Delegation.forum_id == forum.id, Delegation.status.not_in(list(NOT_LISTED)))
            .order_by(Delegation.id)
        )
    )
    countries = [d for d in candidates if d.kind is DelegationKind.COUNTRY]
    if forum.countries_listed_first and countries:
        candidates = countries
    if not candidates:
        raise ParticipantListError(_("%(forum)s has no delegations to draw from.", forum=forum.name))
    drawn = secrets.choice(candidates)
    draw = db.session.get(ParticipantListDraw, forum.id)
    before = {"delegation": draw.delegation.name} if draw is not None else None
    if draw is None:
        draw = ParticipantListDraw(forum_id=forum.id, delegation_id=drawn.id)
        db.session.add(draw)
    draw.delegation_id, draw.drawn_by_id, draw.drawn_at = drawn.id, organiser.id, utcnow()
    db.session.flush()
    record(
        organiser,
        "participants.drawn",
        forum_id=forum.id,
        target=("delegation", drawn.id),
        summary=_("%(delegation)s drawn by lot to head the list of participants", delegation=drawn.name),
        before=before,
        after={"delegation": drawn.name},
    )
    return drawn


def clear_draw(organiser: User, forum: Forum) -> None:
    """The list goes back to starting at the top of the alphabet."""
    require_organiser(organiser, forum)
    require_not_archived(forum)
    draw = db.session.get(ParticipantListDraw, forum.id)
    if draw is None:
        raise ParticipantListError(_("No delegation has been drawn by lot."))
    record(
        organiser,
        "participants.draw_cleared",
        forum_id=forum.id,
        target=("delegation", draw.delegation_id),
        summary=_("The draw by lot of the list of participants was cleared"),
        before={"delegation": draw.delegation.name},
    )
    db.session.delete(draw)
    db.session.flush()


def list_countries_first(organiser: User, forum: Forum, countries_first: bool) -> None:
    require_organiser(organiser, forum)
    require_not_archived(forum)
    before = forum.countries_listed_first
    if before == countries_first:
        return
    forum.countries_listed_first = countries_first
    db.session.flush()
    record(
        organiser,
        "participants.order_changed",
        forum_id=forum.id,
        target=("forum", forum.id),
        summary=_("Countries listed before organisations")
        if countries_first
        else _("Countries and organisations listed together"),
        before={"countries_listed_first": before},
        after={"countries_listed_first": countries_first},
    )


# What focal points and organisers change of a member ----------------------------------------


def change_listing(
    actor: User, member: DelegationMember, *, level: RepresentationLevel, function: str, listed_publicly: bool
) -> bool:
    """Change how the member appears in the list of participants: their level of representation,
    their function and whether they agreed to the public list. The delegation's focal points and
    the forum's organisers may; True when something changed."""
    delegation = member.delegation
    if not (is_focal_point(actor, delegation) or is_organiser(actor, delegation.forum)):
        raise NotAllowed(_("You cannot change the members of %(delegation)s.", delegation=delegation.name))
    require_not_archived(delegation.forum)
    function = checked_function(function)
    before = {"level": member.level.value, "function": member.function, "listed_publicly": member.listed_publicly}
    after = {"level": level.value, "function": function, "listed_publicly": listed_publicly}
    if before == after:
        return False
    member.level, member.function, member.listed_publicly = level, function, listed_publicly
    db.session.flush()
    record(
        actor,
        "nomination.listing_changed",
        forum_id=delegation.forum_id,
        target=("delegation", delegation.id),
        summary=_(
            "%(name)s (%(delegation)s): %(level)s, listed publicly: %(listed)s",
            name=member.person.name,
            delegation=delegation.name,
            level=label(level),
            listed=_("yes") if listed_publicly else _("no"),
        ),
        before={k: v for k, v in before.items() if after[k] != v},
        after={k: v for k, v in after.items() if before[k] != v},
    )
    return True
