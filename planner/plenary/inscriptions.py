"""What delegations do on a speakers' list: their focal points (and the organisers) inscribe an
accredited member until the deadline, withdraw a speaker who has not spoken, and keep the
statement a speaker delivered in the record of statements. Services flush and never commit."""

from __future__ import annotations

from flask_babel import gettext as _

from planner.accounts.models import User
from planner.accounts.permissions import is_focal_point, is_organiser
from planner.audit.services import record
from planner.db import utcnow
from planner.delegations.models import Delegation, DelegationMember, NominationStatus
from planner.extensions import db
from planner.forums.models import Forum
from planner.forums.services import require_not_archived
from planner.plenary import ordering, services
from planner.plenary.models import SpeakerEntry, SpeakersList, SpeakerStatus
from planner.refusals import NotAllowed
from planner.statements.models import OutcomeDocument
from planner.statements.national import record_national_statement


def inscribe(actor: User, speakers_list: SpeakersList, delegation: Delegation, person_id: int) -> SpeakerEntry:
    """Inscribe an accredited member of ``delegation``: its focal points until the deadline,
    organisers at any time; as many speakers per delegation as the list allows (one unless the
    organiser allows more), each person once."""
    session = speakers_list.session
    forum = services.forum_of(session)
    organiser = is_organiser(actor, forum)
    if delegation.forum_id != forum.id or not (organiser or is_focal_point(actor, delegation)):
        raise NotAllowed(_("You cannot inscribe speakers for %(delegation)s.", delegation=delegation.name))
    require_not_archived(forum)
    services.require_not_cancelled(session)
    now = utcnow()
    if not organiser and services.is_closed(speakers_list, now):
        raise services.SpeakersListError(
            _("The speakers' list of %(session)s is closed: its deadline has passed.", session=session.title)
        )
    if delegation.status in services.NOT_COMING:
        raise services.SpeakersListError(
            _("%(delegation)s is not coming: it cannot inscribe speakers.", delegation=delegation.name)
        )
    member = db.session.get(DelegationMember, (delegation.id, person_id))
    if member is None or member.status is not NominationStatus.ACCREDITED:
        raise services.SpeakersListError(
            _("Choose an accredited member of %(delegation)s.", delegation=delegation.name), field="speaker"
        )
    services.lock(speakers_list)
    entries = services.sequence(speakers_list)
    current = [e for e in entries if e.status is not SpeakerStatus.WITHDRAWN]
    if any(e.person_id == person_id for e in current):
        raise services.SpeakersListError(
            _("%(name)s is already on the list.", name=member.person.name), field="speaker"
        )
    if sum(1 for e in current if e.delegation_id == delegation.id) >= speakers_list.speakers_per_delegation:
        raise services.SpeakersListError(
            _(
                "%(delegation)s has inscribed as many speakers as this list allows (%(num)d).",
                delegation=delegation.name,
                num=speakers_list.speakers_per_delegation,
            ),
            field="speaker",
        )
    entry = SpeakerEntry(
        list_id=speakers_list.id,
        delegation_id=delegation.id,
        person_id=person_id,
        level=member.level,
        inscribed_at=now,
        inscribed_by_id=actor.id,
        position=len(entries) + 1,
    )
    db.session.add(entry)
    db.session.flush()  # the id breaks ties of the computed order
    reordered = ordering.inserted(entries, entry, speakers_list.states_first)
    services.renumber(reordered)
    db.session.flush()
    record(
        actor,
        "speakers.inscribed",
        forum_id=forum.id,
        target=("session", session.id),
        summary=_(
            "%(entry)s inscribed on the speakers' list of %(session)s",
            entry=services.entry_summary(entry),
            session=session.title,
        ),
        after={
            "person_id": person_id,
            "level": member.level.value,
            "place": ordering.shown(reordered).index(entry) + 1,
        },
    )
    return entry


def require_speaks_for(actor: User, entry: SpeakerEntry) -> Forum:
    forum = entry.delegation.forum
    if not (is_organiser(actor, forum) or is_focal_point(actor, entry.delegation)):
        raise NotAllowed(
            _(
                "Only the focal points of %(delegation)s and the organisers can do this.",
                delegation=entry.delegation.name,
            )
        )
    require_not_archived(forum)
    services.require_not_cancelled(entry.speakers_list.session)
    return forum


def withdraw(actor: User, entry: SpeakerEntry) -> None:
    """Take a speaker who has not spoken off the list (the delegation's focal points or organisers)."""
    forum = require_speaks_for(actor, entry)
    if entry.status is not SpeakerStatus.WAITING:
        raise services.SpeakersListError(_("Only a speaker who is still waiting can be withdrawn."))
    entry.status = SpeakerStatus.WITHDRAWN
    db.session.flush()
    record(
        actor,
        "speakers.withdrawn",
        forum_id=forum.id,
        target=("session", entry.speakers_list.session_id),
        summary=_("%(entry)s withdrawn from the speakers' list", entry=services.entry_summary(entry)),
        before={"status": "waiting"},
        after={"status": "withdrawn"},
    )


def attach_statement(actor: User, entry: SpeakerEntry, *, title: str, text: str, language: str) -> OutcomeDocument:
    """Keep the statement a speaker delivered in the record of statements, as a national
    statement of their delegation linked to the session; once per speaker."""
    require_speaks_for(actor, entry)
    if entry.status is not SpeakerStatus.SPOKE:
        raise services.SpeakersListError(_("Attach the statement once the speaker has spoken."))
    if entry.statement_id is not None:
        raise services.SpeakersListError(_("This speaker's statement is already in the record."))
    session = entry.speakers_list.session
    forum = services.forum_of(session)
    if language not in forum.languages:
        raise services.SpeakersListError(_("Choose one of the forum's languages."), field="language")
    assert entry.spoke_at is not None  # a check constraint holds it for spoken entries
    document = record_national_statement(
        actor,
        session=session,
        delegation=entry.delegation,
        slug=f"national-statement-{entry.id}",
        title=title,
        text=text,
        language=language,
        delivered_on=entry.spoke_at.astimezone(forum.zone).date(),
    )
    entry.statement = document
    db.session.flush()
    return document
