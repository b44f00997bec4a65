"""Translatable names of the domain's enumerations, in one place for translators."""
from __future__ import annotations

import enum

from flask_babel import lazy_gettext as _l

from planner.delegations.models import NominationStatus
from planner.models import DelegationKind, EventKind, ForumStatus, MemberRole, ParticipantRole, SessionKind
from planner.registration.models import QuestionKind, RegistrationMode, RegistrationStatus

LABELS = {
    ForumStatus.PLANNING: _l("In planning"),
    ForumStatus.OPEN: _l("Open"),
    ForumStatus.CLOSED: _l("Closed"),
    ForumStatus.ARCHIVED: _l("Archived"),
    EventKind.MINISTERIAL: _l("Ministerial meeting"),
    EventKind.SIDE_EVENT: _l("Side event"),
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
    DelegationKind.COUNTRY: _l("Country"),
    DelegationKind.ORGANISATION: _l("International organisation"),
    MemberRole.HEAD: _l("Head of delegation"),
    MemberRole.MINISTER: _l("Minister"),
    MemberRole.ADVISER: _l("Adviser"),
    MemberRole.MEMBER: _l("Member"),
    ParticipantRole.CHAIR: _l("Chair"),
    ParticipantRole.SPEAKER: _l("Speaker"),
    RegistrationStatus.PENDING: _l("pending approval"),
    RegistrationStatus.CONFIRMED: _l("confirmed"),
    RegistrationStatus.WAITLISTED: _l("on the waiting list"),
    RegistrationStatus.DECLINED: _l("declined"),
    RegistrationStatus.CANCELLED: _l("cancelled"),
    RegistrationMode.OPEN: _l("Online registration"),
    RegistrationMode.NOMINATION: _l("By nomination"),
    QuestionKind.TEXT: _l("Text"),
    QuestionKind.SINGLE: _l("One choice"),
    QuestionKind.MULTIPLE: _l("Several choices"),
    QuestionKind.YES_NO: _l("Yes or no"),
    NominationStatus.NOMINATED: _l("nominated"),
    NominationStatus.ACCREDITED: _l("accredited"),
    NominationStatus.DECLINED: _l("declined"),
    NominationStatus.WITHDRAWN: _l("withdrawn"),
}


def label(value: enum.Enum) -> str:
    return str(LABELS[value])
