"""The invitation list: the delegations organisers invite to a forum, from the country list
(ISO 3166-1, names from CLDR), from the site's kept list of international organisations, or
by name; with each one's space agency, seat quota and status.

A country or an organisation of the list is in a forum once, and a name is used once (in any
letter case). A delegation with nominations, endorsements or registrations cannot be removed,
only withdrawn; an archived forum's list does not change. The same checks serve the form and
the CSV import (``list_import``), which collects them line by line.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TypedDict, Unpack

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from planner.accounts.models import User
from planner.accounts.permissions import require_organiser
from planner.audit.services import record
from planner.delegations import services
from planner.delegations.models import (
    Delegation,
    DelegationKind,
    DelegationMember,
    DelegationStatus,
    InternationalOrganisation,
)
from planner.delegations.names import COLUMNS_LANGUAGE, country_in, delegation_name
from planner.delegations.organisations import kept_list
from planner.extensions import db
from planner.formatting import collation_key, countries, country_codes, listed
from planner.forums.models import Forum
from planner.forums.services import lock_forum, require_not_archived
from planner.refusals import Refused
from planner.registration.models import Registration
from planner.statements.models import Endorsement
from planner.translated import GivenTranslations, language_name, merged, reader_language
from planner.validators import has_control_characters

MAX_QUOTA = 1000  # as the seat quota form
NAME_MAX = 200  # Delegation.name
ENDED = {DelegationStatus.DECLINED, DelegationStatus.WITHDRAWN}


class ListError(Refused):
    """A change to the invitation list the rules refuse."""


@dataclass
class DelegationData:
    """A delegation as organisers describe it. ``name`` is the English name: CLDR's for a
    country, the list's for an organisation on it, as typed for one by name."""

    kind: DelegationKind
    name: str
    country_code: str | None = None
    organisation: InternationalOrganisation | None = None
    # Typed names in the forum's other languages, {language: {"name": ...}}; by name only.
    translations: GivenTranslations = field(default_factory=dict)
    space_agency: str = ""
    seat_quota: int | None = None
    status: DelegationStatus = DelegationStatus.INVITED

    @property
    def by_name(self) -> bool:
        return self.country_code is None and self.organisation is None


class Particulars(TypedDict, total=False):
    """What every delegation has beside its name: see ``DelegationData``."""

    space_agency: str
    seat_quota: int | None
    status: DelegationStatus


def for_country(code: str, **fields: Unpack[Particulars]) -> DelegationData:
    code = code.strip().upper()
    return DelegationData(
        DelegationKind.COUNTRY, country_in(code, COLUMNS_LANGUAGE) or code, country_code=code, **fields
    )


def for_organisation(organisation: InternationalOrganisation, **fields: Unpack[Particulars]) -> DelegationData:
    data = DelegationData(DelegationKind.ORGANISATION, organisation.name, organisation=organisation, **fields)
    if not data.space_agency and organisation.is_space_agency:
        data.space_agency = f"{organisation.name} ({organisation.acronym})"  # it brings itself
    return data


def by_name(name: str, translations: GivenTranslations | None = None, **fields: Unpack[Particulars]) -> DelegationData:
    return DelegationData(DelegationKind.ORGANISATION, name.strip(), translations=translations or {}, **fields)


# Reading the list -------------------------------------------------------------------------------


@dataclass(frozen=True)
class ListedDelegation:
    delegation: Delegation
    name: str  # in the reader's language
    nominations: int
    endorsements: int
    registrations: int

    @property
    def removable(self) -> bool:
        return not (self.nominations or self.endorsements or self.registrations)


def _counts(column, delegation_ids: list[int]) -> dict[int, int]:  # noqa: ANN001
    if not delegation_ids:
        return {}
    rows = db.session.execute(select(column, func.count()).where(column.in_(delegation_ids)).group_by(column))
    return {delegation_id: count for delegation_id, count in rows}


def invitation_list(forum: Forum, language: str | None = None) -> list[ListedDelegation]:
    """The forum's delegations by name in ``language`` (the reader's), with what keeps each from
    being removed; four queries whatever their number."""
    language = language or reader_language() or COLUMNS_LANGUAGE
    delegations = list(
        db.session.scalars(
            select(Delegation).where(Delegation.forum_id == forum.id).options(selectinload(Delegation.organisation))
        )
    )
    ids = [d.id for d in delegations]
    members = _counts(DelegationMember.delegation_id, ids)
    endorsements = _counts(Endorsement.delegation_id, ids)
    registrations = _counts(Registration.delegation_id, ids)
    listed = [
        ListedDelegation(
            d, delegation_name(d, language), members.get(d.id, 0), endorsements.get(d.id, 0), registrations.get(d.id, 0)
        )
        for d in delegations
    ]
    return sorted(listed, key=lambda item: collation_key(item.name, language))


# The checks the form and the import share -------------------------------------------------------


class Taken:
    """What a forum's delegations already use: countries, organisations of the list and names
    (case-folded), each with a description of who uses it; rows of an import add theirs."""

    def __init__(self, forum: Forum) -> None:
        self.countries: dict[str, tuple[int | None, str]] = {}
        self.organisations: dict[int, tuple[int | None, str]] = {}
        self.names: dict[str, tuple[int | None, str]] = {}
        for d in db.session.scalars(select(Delegation).where(Delegation.forum_id == forum.id)):
            self.add(d.id, d.name, d.country_code, d.organisation_id, _("%(name)s in this forum", name=d.name))
        self._kept: list[InternationalOrganisation] | None = None
        self._country_names: dict[str, str] | None = None

    def add(self, key: int | None, name: str, country: str | None, organisation_id: int | None, who: str) -> None:
        self.names[name.casefold()] = (key, who)
        if country:
            self.countries[country] = (key, who)
        if organisation_id is not None:
            self.organisations[organisation_id] = (key, who)

    def kept(self) -> list[InternationalOrganisation]:
        if self._kept is None:
            self._kept = kept_list()
        return self._kept

    def country_named(self, name: str) -> str | None:
        if self._country_names is None:
            self._country_names = {n.casefold(): code for code, n in countries(COLUMNS_LANGUAGE)}
        return self._country_names.get(name.casefold())


def _text_problem(text: str, what: str, longest: int = NAME_MAX) -> str | None:
    if len(text) > longest:
        return _("%(what)s: keep this to %(num)d characters or fewer.", what=what, num=longest)
    if has_control_characters(text):
        return _("%(what)s: remove control characters or unreadable characters.", what=what)
    return None


def problems(
    forum: Forum, data: DelegationData, taken: Taken, delegation: Delegation | None = None
) -> list[tuple[str, str]]:
    """What is wrong with ``data`` as a new delegation of ``forum`` (or as ``delegation``
    changed), as (field, message) pairs: the field is ``source``, ``name``, ``name_<lang>``,
    ``space_agency``, ``seat_quota`` or ``status``."""
    found: list[tuple[str, str]] = []
    key = delegation.id if delegation is not None else None

    def used(entry: tuple[int | None, str] | None) -> str | None:
        return entry[1] if entry is not None and (key is None or entry[0] != key) else None

    if data.country_code is not None:
        if data.country_code not in country_codes():
            found.append(("source", _("%(code)s is not an ISO 3166-1 country code.", code=data.country_code[:12])))
        elif who := used(taken.countries.get(data.country_code)):
            found.append(("source", _("%(country)s is already invited: %(who)s.", country=data.name, who=who)))
    elif data.organisation is not None:
        if who := used(taken.organisations.get(data.organisation.id)):
            found.append(
                ("source", _("%(organisation)s is already invited: %(who)s.", organisation=data.name, who=who))
            )
    else:
        if not data.name:
            found.append(("name", _("Enter the organisation's name.")))
        elif problem := _text_problem(data.name, _("Name")):
            found.append(("name", problem))
        elif code := taken.country_named(data.name):
            found.append(
                (
                    "name",
                    _("%(name)s is a country (%(code)s): choose it from the country list.", name=data.name, code=code),
                )
            )
        elif on_list := next(
            (o for o in taken.kept() if data.name.casefold() in (o.name.casefold(), o.acronym.casefold())), None
        ):
            found.append(
                (
                    "name",
                    _(
                        "%(name)s is on the site's list of organisations as %(acronym)s: choose it from the list.",
                        name=data.name,
                        acronym=on_list.acronym,
                    ),
                )
            )
        for language, fields in data.translations.items():
            text = (fields.get("name") or "").strip()
            if text and (problem := _text_problem(text, _("Name (%(language)s)", language=language_name(language)))):
                found.append((f"name_{language}", problem))
    if data.name and not any(f == "source" for f, _m in found) and (who := used(taken.names.get(data.name.casefold()))):
        found.append(
            (
                "name" if data.by_name else "source",
                _("The name %(name)s is already used: %(who)s.", name=data.name, who=who),
            )
        )
    if problem := _text_problem(data.space_agency, _("Space agency")):
        found.append(("space_agency", problem))
    if data.seat_quota is not None and not 0 <= data.seat_quota <= MAX_QUOTA:
        found.append(("seat_quota", _("Enter a number from 0 to %(max)d.", max=MAX_QUOTA)))
    elif delegation is not None and data.seat_quota is not None and data.seat_quota < delegation.seats_used:
        found.append(("seat_quota", _seats_held(delegation.seats_used)))
    return found


def _seats_held(count: int) -> str:
    return ngettext(
        "%(num)d seat is held by a nomination: withdraw or decline it first.",
        "%(num)d seats are held by nominations: withdraw or decline some first.",
        count,
    )


def _refuse(found: list[tuple[str, str]]) -> None:
    if found:
        field_name, message = found[0]
        raise ListError(message, field_name)


# Changing the list ------------------------------------------------------------------------------


def _as_record(d: Delegation) -> dict[str, object]:
    return {
        "name": d.name,
        "kind": d.kind.value,
        "country_code": d.country_code,
        "organisation": d.organisation.acronym if d.organisation else None,
        "space_agency": d.space_agency,
        "seat_quota": d.seat_quota,
        "status": d.status.value,
        "translations": d.translations or {},
    }


def create(actor: User | None, forum: Forum, data: DelegationData) -> Delegation:
    """Add the delegation without checking (the caller has): for ``add`` and the import."""
    delegation = Delegation(
        forum=forum,
        name=data.name,
        kind=data.kind,
        country_code=data.country_code,
        organisation=data.organisation,
        space_agency=data.space_agency.strip() or None,
        seat_quota=data.seat_quota,
        status=data.status,
        translations=merged({}, data.translations) if data.by_name else {},
    )
    db.session.add(delegation)
    db.session.flush()
    record(
        actor,
        "delegation.added",
        forum_id=forum.id,
        target=("delegation", delegation.id),
        summary=_("%(delegation)s added to the invitation list", delegation=delegation.name),
        after=_as_record(delegation),
    )
    return delegation


def change(actor: User | None, delegation: Delegation, data: DelegationData) -> bool:
    """Apply ``data`` to the delegation without checking it (the caller has); the seat quota
    through ``services.set_quota``, whose conditional UPDATE keeps it above the seats held.
    Whether anything changed."""
    before = _as_record(delegation)
    if data.seat_quota != delegation.seat_quota:
        assert actor is not None, "the command line does not change quotas"
        services.set_quota(actor, delegation, data.seat_quota)  # audits the quota itself
    if data.by_name:
        delegation.name = data.name
        delegation.translations = merged(delegation.translations, data.translations)
    delegation.space_agency = data.space_agency.strip() or None
    delegation.status = data.status
    db.session.flush()
    after = _as_record(delegation)
    changed = {k: v for k, v in after.items() if before[k] != v and k != "seat_quota"}
    if changed:
        record(
            actor,
            "delegation.changed",
            forum_id=delegation.forum_id,
            target=("delegation", delegation.id),
            summary=_("%(delegation)s changed on the invitation list", delegation=delegation.name),
            before={k: before[k] for k in changed},
            after=changed,
        )
    return bool(changed) or before["seat_quota"] != after["seat_quota"]


def add(actor: User, forum: Forum, data: DelegationData) -> Delegation:
    """Invite a delegation: a country or a list's organisation once per forum, a name once."""
    require_organiser(actor, forum)
    require_not_archived(forum)
    lock_forum(forum)  # two organisers adding the same country at once: one of them waits
    _refuse(problems(forum, data, Taken(forum)))
    return create(actor, forum, data)


def update(actor: User, delegation: Delegation, data: DelegationData) -> None:
    """Change a delegation's space agency, seat quota (never below the seats its nominations
    hold) and status, and for one invited by name its names. Its country or list organisation
    stays: remove it and add the other."""
    forum = delegation.forum
    require_organiser(actor, forum)
    require_not_archived(forum)
    if data.country_code != delegation.country_code or (
        (data.organisation.id if data.organisation else None) != delegation.organisation_id
    ):
        raise ListError(_("A delegation's country or organisation cannot change: remove it and add the other."))
    _refuse(problems(forum, data, Taken(forum), delegation))
    change(actor, delegation, data)


def current_data(delegation: Delegation) -> DelegationData:
    """The delegation as ``DelegationData``, for a form showing it or a row changing it."""
    return DelegationData(
        kind=delegation.kind,
        name=delegation.name,
        country_code=delegation.country_code,
        organisation=delegation.organisation,
        translations=delegation.translations or {},
        space_agency=delegation.space_agency or "",
        seat_quota=delegation.seat_quota,
        status=delegation.status,
    )


def removal_blockers(delegation: Delegation) -> list[str]:
    """Why the delegation cannot be removed: what of the record names it."""
    ids = [delegation.id]
    nominations = _counts(DelegationMember.delegation_id, ids).get(delegation.id, 0)
    endorsements = _counts(Endorsement.delegation_id, ids).get(delegation.id, 0)
    registrations = _counts(Registration.delegation_id, ids).get(delegation.id, 0)
    reasons = []
    if nominations:
        reasons.append(ngettext("%(num)d nomination", "%(num)d nominations", nominations))
    if endorsements:
        reasons.append(ngettext("%(num)d endorsement", "%(num)d endorsements", endorsements))
    if registrations:
        reasons.append(ngettext("%(num)d registration", "%(num)d registrations", registrations))
    return reasons


def remove(actor: User, delegation: Delegation) -> None:
    """Take a delegation off the list, with its focal points and invitations. One that the
    record names (nominations, endorsements, registrations) can only be withdrawn."""
    forum = delegation.forum
    require_organiser(actor, forum)
    require_not_archived(forum)
    reasons = removal_blockers(delegation)
    if reasons:
        raise ListError(
            _(
                "%(delegation)s cannot be removed: it has %(reasons)s. Set its status to withdrawn instead.",
                delegation=delegation.name,
                reasons=listed(reasons),
            )
        )
    record(
        actor,
        "delegation.removed",
        forum_id=forum.id,
        target=("delegation", delegation.id),
        summary=_("%(delegation)s removed from the invitation list", delegation=delegation.name),
        before=_as_record(delegation),
    )
    db.session.delete(delegation)
    db.session.flush()
