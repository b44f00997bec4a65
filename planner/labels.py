"""Translatable names of the domain's enumerations, in one place for translators."""

from __future__ import annotations

import enum
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString

from planner.accreditation.models import CredentialsStatus, VisaLetterStatus
from planner.badges.models import BadgeCategory, ScanOutcome
from planner.delegations.models import (
    DelegationStatus,
    FocalPointRole,
    InvitationStatus,
    NominationStatus,
    RepresentationLevel,
)
from planner.models import (
    DelegationKind,
    EventKind,
    ForumStatus,
    IdentityDocumentKind,
    MemberRole,
    ParticipantRole,
    SessionKind,
)
from planner.plenary.models import SpeakerStatus
from planner.registration.models import QuestionKind, RegistrationMode, RegistrationStatus
from planner.statements.models import DocumentKind, DocumentStatus, EndorsementKind, Relation

#: By enumeration, then member: members of different StrEnums with the same value (ForumStatus.OPEN
#: and RegistrationMode.OPEN are both "open") are equal as keys, so one flat dict would mix them up.
LABELS: dict[type[enum.Enum], dict[Any, LazyString]] = {
    ForumStatus: {
        ForumStatus.PLANNING: _l("In planning"),
        ForumStatus.OPEN: _l("Open"),
        ForumStatus.CLOSED: _l("Closed"),
        ForumStatus.ARCHIVED: _l("Archived"),
    },
    EventKind: {
        EventKind.MINISTERIAL: _l("Ministerial meeting"),
        EventKind.SIDE_EVENT: _l("Side event"),
        EventKind.STUDENT: _l("Side event for students"),
    },
    SessionKind: {
        SessionKind.PLENARY: _l("Plenary"),
        SessionKind.KEYNOTE: _l("Keynote"),
        SessionKind.PANEL: _l("Panel"),
        SessionKind.WORKSHOP: _l("Workshop"),
        SessionKind.CEREMONY: _l("Ceremony"),
        SessionKind.BILATERAL: _l("Bilateral meeting"),
        SessionKind.PRESS: _l("Press conference"),
        SessionKind.BREAK: _l("Break"),
        SessionKind.RECEPTION: _l("Reception"),
        SessionKind.OTHER: _l("Other"),
    },
    DelegationKind: {
        DelegationKind.COUNTRY: _l("Country"),
        DelegationKind.ORGANISATION: _l("International organisation"),
    },
    DelegationStatus: {
        DelegationStatus.INVITED: _l("Invited"),
        DelegationStatus.CONFIRMED: _l("Attendance confirmed"),
        DelegationStatus.DECLINED: _l("Invitation declined"),  # by the delegation (not an organiser)
        DelegationStatus.WITHDRAWN: _l("Withdrawn from the forum"),
    },
    IdentityDocumentKind: {
        IdentityDocumentKind.PASSPORT: _l("Passport"),
        IdentityDocumentKind.NATIONAL_ID: _l("National identity card"),
    },
    MemberRole: {
        MemberRole.HEAD: _l("Head of delegation"),
        MemberRole.MINISTER: _l("Minister"),
        MemberRole.VICE_MINISTER: _l("Vice-Minister"),
        MemberRole.HEAD_OF_AGENCY: _l("Head of agency"),
        MemberRole.AMBASSADOR: _l("Ambassador"),
        MemberRole.ADVISER: _l("Adviser"),
        MemberRole.INTERPRETER: _l("Interpreter"),
        MemberRole.SECURITY: _l("Security"),
        MemberRole.PRESS: _l("Press"),
        MemberRole.STAFF: _l("Staff"),
        MemberRole.MEMBER: _l("Member"),
    },
    RepresentationLevel: {
        RepresentationLevel.HEAD_OF_STATE: _l("Head of State or Government"),
        RepresentationLevel.MINISTER: _l("Minister"),
        RepresentationLevel.VICE_MINISTER: _l("Vice-Minister"),
        RepresentationLevel.HEAD_OF_AGENCY: _l("Head of agency"),
        RepresentationLevel.AMBASSADOR: _l("Ambassador"),
        RepresentationLevel.OTHER: _l("Other"),
    },
    ParticipantRole: {
        ParticipantRole.CHAIR: _l("Chair"),
        ParticipantRole.SPEAKER: _l("Speaker"),
    },
    RegistrationStatus: {
        RegistrationStatus.PENDING: _l("pending approval"),
        RegistrationStatus.CONFIRMED: _l("confirmed"),
        RegistrationStatus.AWAITING_CONSENT: _l("awaiting a guardian's consent"),
        RegistrationStatus.WAITLISTED: _l("on the waiting list"),
        RegistrationStatus.DECLINED: _l("declined"),
        RegistrationStatus.CANCELLED: _l("cancelled"),
    },
    RegistrationMode: {
        RegistrationMode.OPEN: _l("Online registration"),
        RegistrationMode.NOMINATION: _l("By nomination"),
    },
    QuestionKind: {
        QuestionKind.TEXT: _l("Text"),
        QuestionKind.SINGLE: _l("One choice"),
        QuestionKind.MULTIPLE: _l("Several choices"),
        QuestionKind.YES_NO: _l("Yes or no"),
    },
    NominationStatus: {
        NominationStatus.NOMINATED: _l("nominated"),
        NominationStatus.ACCREDITED: _l("accredited"),
        NominationStatus.DECLINED: _l("declined"),
        NominationStatus.WITHDRAWN: _l("withdrawn"),
    },
    DocumentKind: {
        DocumentKind.JOINT_STATEMENT: _l("Joint statement"),
        DocumentKind.PRINCIPLES: _l("Principles"),
        DocumentKind.TERMS_OF_REFERENCE: _l("Terms of reference"),
        DocumentKind.CHAIRS_SUMMARY: _l("Chair's summary"),
        DocumentKind.SIDE_EVENT_REPORT: _l("Side-event report"),
        DocumentKind.NATIONAL_STATEMENT: _l("National statement"),
    },
    DocumentStatus: {
        DocumentStatus.DRAFT: _l("draft"),
        DocumentStatus.NEGOTIATION: _l("under negotiation"),
        DocumentStatus.ADOPTED: _l("adopted"),
        DocumentStatus.SUPERSEDED: _l("superseded"),
        DocumentStatus.WITHDRAWN: _l("withdrawn"),
    },
    Relation: {
        Relation.TAKES_NOTE_OF: _l("takes note of"),
        Relation.WELCOMES: _l("welcomes"),
        Relation.RECOGNISES: _l("recognises"),
        Relation.SUPERSEDES: _l("supersedes"),
    },
    EndorsementKind: {
        EndorsementKind.ENDORSED: _l("endorsed"),
        EndorsementKind.JOINED: _l("joined"),
        EndorsementKind.TOOK_NOTE: _l("took note of"),
        EndorsementKind.WELCOMED: _l("welcomed"),
    },
    FocalPointRole: {
        FocalPointRole.FOCAL_POINT: _l("Focal point"),
        FocalPointRole.DEPUTY: _l("Deputy focal point"),
    },
    CredentialsStatus: {
        CredentialsStatus.SUBMITTED: _l("waiting for verification"),
        CredentialsStatus.VERIFIED: _l("verified"),
        CredentialsStatus.RETURNED: _l("returned"),
    },
    InvitationStatus: {
        InvitationStatus.SENT: _l("sent"),
        InvitationStatus.ACCEPTED: _l("accepted"),
        InvitationStatus.EXPIRED: _l("expired"),
        InvitationStatus.REVOKED: _l("revoked"),
    },
    VisaLetterStatus: {
        VisaLetterStatus.REQUESTED: _l("requested"),
        VisaLetterStatus.ISSUED: _l("issued"),
        VisaLetterStatus.REFUSED: _l("refused"),
        VisaLetterStatus.REVOKED: _l("revoked"),
    },
    # Printed in the badge's coloured band.
    BadgeCategory: {
        BadgeCategory.DELEGATE: _l("Delegate"),
        BadgeCategory.PARTICIPANT: _l("Participant"),
        BadgeCategory.PRESS: _l("Press"),
        BadgeCategory.STAFF: _l("Staff"),
        BadgeCategory.SECURITY: _l("Security"),
    },
    ScanOutcome: {
        ScanOutcome.ADMITTED: _l("welcome"),
        ScanOutcome.DUPLICATE: _l("already checked in"),
        ScanOutcome.WRONG_ZONE: _l("wrong zone"),
        ScanOutcome.REVOKED: _l("revoked badge"),
        ScanOutcome.EXPIRED: _l("outside the badge's dates"),
        ScanOutcome.FORGED: _l("forged or unreadable"),
        ScanOutcome.UNKNOWN_BADGE: _l("no such badge"),
    },
    SpeakerStatus: {
        SpeakerStatus.WAITING: _l("waiting to speak"),
        SpeakerStatus.SPOKE: _l("spoke"),
        SpeakerStatus.WITHDRAWN: _l("withdrawn from the list"),
    },
}


def label(value: enum.Enum) -> str:
    return str(LABELS[type(value)][value])
