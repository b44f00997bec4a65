"""Every model, in one place, for metadata, migrations and the shell."""

from planner.accounts.models import User
from planner.audit.models import AuditEntry
from planner.calendar.models import CalendarFeedToken, HeldInvitation, InvitationState
from planner.delegations.models import (
    Delegation,
    DelegationFocalPoint,
    DelegationKind,
    DelegationMember,
    DelegationStatus,
    FocalPointInvitation,
    FocalPointRole,
    InternationalOrganisation,
    InvitationStatus,
    MemberRole,
    ParticipantListDraw,
    Person,
    RepresentationLevel,
)
from planner.forums.models import Event, EventKind, Forum, ForumOrganiser, ForumSeries, ForumStatus, Room, Venue
from planner.mail.models import OutboxMessage
from planner.registration.models import AgendaItem, Question, Registration, RegistrationPolicy
from planner.schedule.models import (
    AcknowledgedWarning,
    ParticipantRole,
    RoomClosedDay,
    Session,
    SessionKind,
    SessionParticipant,
)
from planner.statements.models import (
    Corrigendum,
    CorrigendumVersion,
    DocumentReference,
    DocumentVersion,
    Endorsement,
    OutcomeDocument,
    SearchEntry,
)

__all__ = [
    "AcknowledgedWarning",
    "Corrigendum",
    "CorrigendumVersion",
    "DocumentReference",
    "DocumentVersion",
    "Endorsement",
    "OutcomeDocument",
    "SearchEntry",
    "AgendaItem",
    "RoomClosedDay",
    "Question",
    "Registration",
    "RegistrationPolicy",
    "AuditEntry",
    "CalendarFeedToken",
    "HeldInvitation",
    "InvitationState",
    "DelegationFocalPoint",
    "DelegationStatus",
    "FocalPointInvitation",
    "FocalPointRole",
    "ForumSeries",
    "InternationalOrganisation",
    "InvitationStatus",
    "ParticipantListDraw",
    "RepresentationLevel",
    "ForumOrganiser",
    "OutboxMessage",
    "User",
    "Delegation",
    "DelegationKind",
    "DelegationMember",
    "Event",
    "EventKind",
    "Forum",
    "ForumStatus",
    "MemberRole",
    "ParticipantRole",
    "Person",
    "Room",
    "Session",
    "SessionKind",
    "SessionParticipant",
    "Venue",
]
