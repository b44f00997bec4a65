"""Every model, in one place, for metadata, migrations and the shell."""
from planner.delegations.models import Delegation, DelegationKind, DelegationMember, MemberRole, Person
from planner.forums.models import Event, EventKind, Forum, ForumStatus, Room, Venue
from planner.schedule.models import ParticipantRole, Session, SessionKind, SessionParticipant

__all__ = [
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
