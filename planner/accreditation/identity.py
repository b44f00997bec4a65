"""A nominated member's identity data, as in their passport: who may read and change it, the
checks it must pass, what the forum requires of it, and the refusal to accredit a member whose
required fields are missing.

The document number and the date of birth are shown in full only to ``may_read_identity``
(the accreditation role and the delegation's focal points); other organisers see them masked.
Every opening of a member's identity page is audited (``identity.viewed``) and every change
(``identity.changed``) with the names of the fields, never their values.

Accreditation (``delegations.services.accredit``) sends the ``accrediting`` signal before it
changes anything; ``_refuse_incomplete`` below answers it: delegations does not import this
domain, which builds on it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from planner import crypto
from planner.accounts.models import User
from planner.accounts.permissions import (
    is_focal_point,
    is_organiser,
    may_read_identity,
    require_accreditation_role,
)
from planner.accreditation.identity_checks import (
    REQUIRABLE,
    IdentityData,
    IdentityRefused,
    is_latin,
    normalised,
    problems,
)
from planner.accreditation.models import IdentityDetails, IdentityDocumentKind
from planner.audit.services import record
from planner.delegations.models import Delegation, DelegationMember
from planner.delegations.services import NominationError, accrediting
from planner.extensions import db
from planner.forums.models import Forum
from planner.forums.services import require_not_archived
from planner.refusals import NotAllowed, Refused

MASKED_DATE = "••••-••-••"


class IdentityIncomplete(NominationError):
    """Accreditation refused: the identity data the forum requires is missing."""


@dataclass
class Saved:
    changed: list[str] = field(default_factory=list)  # the names of the fields that changed
    warnings: list[str] = field(default_factory=list)


@dataclass
class IdentityView:
    """A member's identity data as one reader may see it."""

    details: IdentityDetails | None
    full: bool  # the reader sees the document number and the date of birth in full
    document_number: str  # as shown: in full, masked or empty
    date_of_birth: str  # ISO, masked or empty
    missing: list[str]  # required fields not filled, by name


# Reading ------------------------------------------------------------------------------------


def details_of(member: DelegationMember) -> IdentityDetails | None:
    return db.session.get(IdentityDetails, (member.delegation_id, member.person_id))


def _present(forum: Forum, name: str, values: Mapping[str, Any]) -> bool:
    if name == "latin_transcription":
        # Needed only where the passport name is in another script.
        names = f"{values.get('passport_family_name') or ''}{values.get('passport_given_names') or ''}"
        return bool(values.get(name)) or is_latin(names)
    return bool(values.get(name))


def missing_fields(forum: Forum, values: Mapping[str, Any] | None) -> list[str]:
    """The forum's required fields ``values`` (a row's, by field name; None: no row) leaves empty."""
    required = [name for name in forum.identity_required if name in REQUIRABLE]
    if values is None:
        return required
    return [name for name in required if not _present(forum, name, values)]


# The columns completeness needs, read without decrypting anything.
_PLAIN = ("passport_family_name", "passport_given_names", "latin_transcription", "honorific", "nationality", "phone")


def missing_by_member(forum: Forum, members: Iterable[DelegationMember]) -> dict[tuple[int, int], list[str]]:
    """For each member, the required identity fields still missing, in one query (the encrypted
    columns are only tested for being there, never opened)."""
    keys = {(m.delegation_id, m.person_id) for m in members}
    if not keys:
        return {}
    rows = db.session.execute(
        select(
            IdentityDetails.delegation_id,
            IdentityDetails.person_id,
            *(getattr(IdentityDetails, name) for name in _PLAIN),
            IdentityDetails.document_expires_on,
            IdentityDetails.date_of_birth.is_not(None).label("date_of_birth"),
            IdentityDetails.document_number.is_not(None).label("document_number"),
        )
        .join(Delegation, Delegation.id == IdentityDetails.delegation_id)
        .where(
            Delegation.forum_id == forum.id,
            IdentityDetails.delegation_id.in_({d for d, _p in keys}),
            IdentityDetails.person_id.in_({p for _d, p in keys}),
        )
    )
    found = {(row.delegation_id, row.person_id): row._asdict() for row in rows}
    return {key: missing_fields(forum, found.get(key)) for key in keys}


def _may_open(user: User, member: DelegationMember) -> bool:
    return is_focal_point(user, member.delegation) or is_organiser(user, member.delegation.forum)


def identity_as_seen(viewer: User, member: DelegationMember) -> IdentityView:
    """The member's identity data as ``viewer`` may see it: the delegation's focal points and
    the forum's organisers may open it; only ``may_read_identity`` sees it unmasked."""
    delegation = member.delegation
    if not _may_open(viewer, member):
        raise NotAllowed(
            _("You cannot see the identity data of members of %(delegation)s.", delegation=delegation.name)
        )
    full = may_read_identity(viewer, delegation)
    details = details_of(member)
    number = details.document_number if details else None
    born = details.date_of_birth if details else None
    values = None if details is None else {name: getattr(details, name) for name in REQUIRABLE}
    return IdentityView(
        details=details,
        full=full,
        document_number=(number or "") if full else crypto.masked(number),
        date_of_birth=(born or "") if full else (MASKED_DATE if born else ""),
        missing=missing_fields(delegation.forum, values),
    )


def view_identity(viewer: User, member: DelegationMember) -> IdentityView:
    """``identity_as_seen``, audited: who opened which member's identity data and whether in
    full, never a value."""
    shown = identity_as_seen(viewer, member)
    record(
        viewer,
        "identity.viewed",
        forum_id=member.delegation.forum_id,
        target=("delegation_member", f"{member.delegation_id}/{member.person_id}"),
        summary=_(
            "Identity data of %(name)s (%(delegation)s) viewed",
            name=member.person.name,
            delegation=member.delegation.name,
        ),
        after={"person_id": member.person_id, "in_full": shown.full},
    )
    return shown


# Changing -----------------------------------------------------------------------------------


def save_identity(
    actor: User,
    member: DelegationMember,
    data: IdentityData,
    *,
    keep_secrets: bool = False,
    today: dt.date | None = None,
) -> Saved:
    """Store the member's identity data after its checks (all of them, each problem at its
    field: ``IdentityRefused``). The delegation's focal points and the forum's organisers may;
    an organiser who sees the secrets masked leaves them as stored by sending them empty
    (``keep_secrets``). Audited with the names of the fields that changed."""
    delegation = member.delegation
    if not _may_open(actor, member):
        raise NotAllowed(
            _("You cannot change the identity data of members of %(delegation)s.", delegation=delegation.name)
        )
    require_not_archived(delegation.forum)
    keep_secrets = keep_secrets and not may_read_identity(actor, delegation)
    data = normalised(data)
    today = today or dt.datetime.now(delegation.forum.zone).date()
    found, warnings = problems(data, delegation.forum, today)
    if found:
        raise IdentityRefused(found)
    details = details_of(member)
    if details is None:
        details = IdentityDetails(delegation_id=member.delegation_id, person_id=member.person_id)
        db.session.add(details)
        before: dict[str, Any] = {}
    else:
        before = {name: getattr(details, name) for name in _STORED}
    after: dict[str, Any] = {
        name: getattr(data, name) for name in _STORED if name not in ("date_of_birth", "document_number")
    }
    after["date_of_birth"] = data.date_of_birth.isoformat() if data.date_of_birth else None
    after["document_number"] = data.document_number
    if keep_secrets:
        for name in ("date_of_birth", "document_number"):
            if after[name] is None:
                after[name] = before.get(name)
    changed = [name for name in _STORED if before.get(name, _DEFAULTS[name]) != after[name]]
    for name in changed:
        setattr(details, name, after[name])
    if changed:
        details.updated_by_id = actor.id
    elif not before:
        db.session.expunge(details)  # nothing typed: no empty row
    person = member.person
    if person.family_name_first != data.family_name_first:
        person.set_name(person.given_name, person.family_name, data.family_name_first)
        changed.append("family_name_first")
    for name in ("role", "level", "listed_publicly"):
        if getattr(member, name) != getattr(data, name):
            setattr(member, name, getattr(data, name))
            changed.append(name)
    if changed:
        db.session.flush()
        record(
            actor,
            "identity.changed",
            forum_id=delegation.forum_id,
            target=("delegation_member", f"{member.delegation_id}/{member.person_id}"),
            summary=_(
                "Identity data of %(name)s (%(delegation)s) changed", name=person.name, delegation=delegation.name
            ),
            after={"person_id": member.person_id, "fields": changed},
        )
    return Saved(changed=changed, warnings=warnings)


_STORED = (
    "passport_family_name",
    "passport_given_names",
    "latin_transcription",
    "honorific",
    "nationality",
    "date_of_birth",
    "document_kind",
    "document_number",
    "document_expires_on",
    "phone",
    "dietary_needs",
    "accessibility_needs",
)
# A row not yet made compares as holding these.
_DEFAULTS: dict[str, Any] = {
    **dict.fromkeys(_STORED, ""),
    "nationality": None,
    "date_of_birth": None,
    "document_number": None,
    "document_expires_on": None,
    "document_kind": IdentityDocumentKind.PASSPORT,
}


# What the forum requires --------------------------------------------------------------------


def set_required_fields(actor: User, forum: Forum, fields: Iterable[str]) -> bool:
    """Choose the identity fields a member needs before accreditation. Only the accreditation
    role may; True when the choice changed."""
    require_accreditation_role(actor, forum)
    require_not_archived(forum)
    chosen = [name for name in REQUIRABLE if name in set(fields)]
    unknown = set(fields) - set(REQUIRABLE)
    if unknown:
        raise Refused(_("Choose fields from the list."), field="required")
    before = [name for name in REQUIRABLE if name in (forum.identity_required or [])]
    if chosen == before:
        return False
    forum.identity_required = chosen
    db.session.flush()
    record(
        actor,
        "forum.identity_required_changed",
        forum_id=forum.id,
        target=("forum", forum.id),
        summary=_("Identity data required for accreditation to %(forum)s changed", forum=forum.name),
        before={"identity_required": before},
        after={"identity_required": chosen},
    )
    return True


@accrediting.connect
def _refuse_incomplete(member: DelegationMember, **extra: Any) -> None:
    """No accreditation while the identity data the forum requires is missing."""
    forum = member.delegation.forum
    if not forum.identity_required:
        return
    missing = missing_by_member(forum, [member])[(member.delegation_id, member.person_id)]
    if missing:
        raise IdentityIncomplete(
            _(
                "%(name)s cannot be accredited yet: %(forum)s requires identity data that is missing "
                "(%(fields)s). Their delegation's focal point can add it on their identity page.",
                name=member.person.name,
                forum=forum.name,
                fields=", ".join(str(REQUIRABLE[name]) for name in missing),
            )
        )
