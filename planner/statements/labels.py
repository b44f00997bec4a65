"""Translatable names of the record's enumerations."""
from __future__ import annotations

import enum

from flask_babel import lazy_gettext as _l

from planner.statements.models import DocumentKind, DocumentStatus, EndorsementKind, Relation

LABELS = {
    DocumentKind.JOINT_STATEMENT: _l("Joint statement"),
    DocumentKind.PRINCIPLES: _l("Principles"),
    DocumentKind.TERMS_OF_REFERENCE: _l("Terms of reference"),
    DocumentKind.CHAIRS_SUMMARY: _l("Chair's summary"),
    DocumentKind.SIDE_EVENT_REPORT: _l("Side-event report"),
    DocumentStatus.DRAFT: _l("draft"),
    DocumentStatus.NEGOTIATION: _l("under negotiation"),
    DocumentStatus.ADOPTED: _l("adopted"),
    DocumentStatus.SUPERSEDED: _l("superseded"),
    DocumentStatus.WITHDRAWN: _l("withdrawn"),
    Relation.TAKES_NOTE_OF: _l("takes note of"),
    Relation.WELCOMES: _l("welcomes"),
    Relation.RECOGNISES: _l("recognises"),
    Relation.SUPERSEDES: _l("supersedes"),
    EndorsementKind.ENDORSED: _l("endorsed"),
    EndorsementKind.JOINED: _l("joined"),
    EndorsementKind.TOOK_NOTE: _l("took note of"),
    EndorsementKind.WELCOMED: _l("welcomed"),
}


def label(value: enum.Enum) -> str:
    return str(LABELS[value])
