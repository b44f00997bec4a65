"""The three ISEF2 outcome documents, as demonstration content.

Titles, statuses, dates and relations follow the forum's public report. The texts are short
summaries of what that report says of each document, written for this demo and marked as
summaries (``is_summary``): they are not the official wording, which is not reproduced here.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from planner.extensions import db
from planner.forums.models import Event, Forum
from planner.statements.models import (
    DocumentKind,
    DocumentReference,
    DocumentStatus,
    DocumentVersion,
    OutcomeDocument,
    Relation,
)
from planner.statements.search import index_document

ADOPTED_ON = dt.date(2018, 3, 3)
GLOBAL_EXPLORATION_ROADMAP = (
    "The Global Exploration Roadmap (3rd edition, ISECG, January 2018)",
    "https://www.globalspaceexploration.org/",
)

# slug, kind, title, summary text
DOCUMENTS = [
    (
        "joint-statement",
        DocumentKind.JOINT_STATEMENT,
        "ISEF2 Joint Statement",
        """\
*Summary of the forum's public report; not the official text.*

Participants of the 2nd International Space Exploration Forum (第2回国際宇宙探査フォーラム,
Tokyo, 3 March 2018) recognised that space exploration is an important challenge for expanding
the areas of human activity and for gaining knowledge, experience and benefits common to
humankind.

Participating countries affirmed the shared goal of extending exploration from low Earth orbit
to the Moon, Mars and beyond.

They took note of the Global Exploration Roadmap, of the Tokyo Principles for International
Space Exploration and of the International Space Exploration Forum Terms of Reference, which
they recognised and welcomed.
""",
    ),
    (
        "tokyo-principles",
        DocumentKind.PRINCIPLES,
        "Tokyo Principles for International Space Exploration",
        """\
*Summary of the forum's public report; not the official text.*

One of the outputs of the forum: principles meant to serve as a foundation for sustainable,
effective and efficient international space exploration.
""",
    ),
    (
        "terms-of-reference",
        DocumentKind.TERMS_OF_REFERENCE,
        "International Space Exploration Forum Terms of Reference",
        """\
*Summary of the forum's public report; not the official text.*

Terms of reference for the International Space Exploration Forum as a continuing, ministerial-level
dialogue on international space exploration, recognised and welcomed by the participating countries.
""",
    ),
]

# The joint statement takes note of the roadmap and of the forum's two other documents.
REFERENCES = [
    ("joint-statement", Relation.TAKES_NOTE_OF, None),
    ("joint-statement", Relation.TAKES_NOTE_OF, "tokyo-principles"),
    ("joint-statement", Relation.TAKES_NOTE_OF, "terms-of-reference"),
]


def load_isef2_statements(forum: Forum) -> list[OutcomeDocument]:
    """Add whichever of the three documents ``forum`` lacks; return the ones added."""
    existing = {
        d.slug: d for d in db.session.scalars(select(OutcomeDocument).where(OutcomeDocument.forum_id == forum.id))
    }
    ministerial = db.session.scalar(select(Event).where(Event.forum_id == forum.id, Event.code == "MINISTERIAL"))
    added = []
    for slug, kind, title, text in DOCUMENTS:
        if slug in existing:
            continue
        document = OutcomeDocument(
            forum_id=forum.id,
            kind=kind,
            title=title,
            slug=slug,
            language="en",
            is_summary=True,
            status=DocumentStatus.ADOPTED,
            adopted_by_event=ministerial,
            adopted_on=ADOPTED_ON,
            adopted_place=forum.host_city,
            adopted_version=1,
        )
        document.versions.append(DocumentVersion(number=1, text=text, note="Demo summary"))
        db.session.add(document)
        existing[slug] = document
        added.append(document)
    db.session.flush()
    for slug, relation, target in REFERENCES:
        document = existing[slug]
        if document not in added:
            continue
        if target is None:
            title, url = GLOBAL_EXPLORATION_ROADMAP
            document.references.append(DocumentReference(relation=relation, outside_title=title, outside_url=url))
        else:
            document.references.append(DocumentReference(relation=relation, target=existing[target]))
    db.session.flush()
    for document in added:
        index_document(document)
    return added
