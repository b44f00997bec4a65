"""The record's rules: versions, adoption freezing the text, corrigenda, endorsements, visibility."""

import datetime as dt

import pytest
from sqlalchemy import select

from planner.audit.models import AuditEntry
from planner.extensions import db
from planner.refusals import NotAllowed
from planner.statements import services
from planner.statements.models import DocumentStatus, EndorsementKind, Relation
from tests.factories import current
from tests.statements.helpers import draft

# The world is built for the test (tests/statements/conftest.py); its objects are fetched
# into the test's app context (factories.current) to be handed to the services.
pytestmark = pytest.mark.usefixtures("app_context")


def test_every_edit_is_a_new_version_with_author_time_and_note(world):
    forum = current(world.forum)
    organiser = current(world.organiser)
    document = draft(organiser, forum)
    services.revise(organiser, document, "First paragraph.\n\nSecond paragraph, amended.", "Amended para 2")
    db.session.commit()
    assert [(v.number, v.note, v.author_id) for v in document.versions] == [
        (1, "", organiser.id),  # shown as "First draft", in the reader's language
        (2, "Amended para 2", organiser.id),
    ]
    assert document.versions[0].text == "First paragraph.\n\nSecond paragraph."
    assert document.versions[1].created_at >= document.versions[0].created_at
    with pytest.raises(services.StatementError, match="same as version 2"):
        services.revise(organiser, document, document.latest.text, "nothing")


def test_only_organisers_draft_and_revise(world):
    forum = current(world.forum)
    with pytest.raises(NotAllowed):
        draft(current(world.focal_point), forum)
    with pytest.raises(NotAllowed):
        draft(current(world.other_organiser), forum)


def test_adoption_freezes_the_text_and_a_corrigendum_is_versioned_and_logged(world):
    forum = current(world.forum)
    organiser = current(world.organiser)
    document = draft(organiser, forum)
    services.adopt(organiser, document, on=dt.date(2018, 3, 3), event=current(world.ministerial), place="Tokyo")
    assert (document.status, document.adopted_version, document.is_public) == (DocumentStatus.ADOPTED, 1, True)
    with pytest.raises(services.TextFrozen, match="can no longer change. Issue a corrigendum"):
        services.revise(organiser, document, "Rewritten.", "late change")
    assert [v.number for v in document.versions] == [1]

    corrigendum = services.issue_corrigendum(
        organiser, document, "In paragraph 2, read “second”.", on=dt.date(2018, 3, 10), note="Typo"
    )
    services.revise_corrigendum(organiser, corrigendum, "In paragraph 2, read “Second”.", "Capital")
    db.session.commit()
    assert (corrigendum.number, [v.number for v in corrigendum.versions]) == (1, [1, 2])
    assert document.versions[0].text == "First paragraph.\n\nSecond paragraph."
    actions = list(db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))
    assert actions == ["statement.create", "statement.adopt", "statement.corrigendum", "statement.corrigendum.revise"]


def test_a_draft_takes_no_corrigendum_and_adoption_needs_an_event_of_the_forum(world):
    forum = current(world.forum)
    organiser = current(world.organiser)
    document = draft(organiser, forum)
    with pytest.raises(services.StatementError, match="Only an adopted document"):
        services.issue_corrigendum(organiser, document, "x", on=dt.date(2018, 3, 4))
    other = current(world.other_forum)
    from tests.factories import make_event

    with pytest.raises(services.StatementError, match="Choose an event of ISEF2"):
        services.adopt(organiser, document, on=dt.date(2018, 3, 3), event=make_event(other, "ELSEWHERE"))


def test_status_moves(world):
    forum = current(world.forum)
    organiser = current(world.organiser)
    document = draft(organiser, forum)
    services.set_status(organiser, document, DocumentStatus.NEGOTIATION)
    with pytest.raises(services.StatementError, match="cannot become superseded"):
        services.set_status(organiser, document, DocumentStatus.SUPERSEDED)
    with pytest.raises(services.StatementError, match="adoption date"):
        services.set_status(organiser, document, DocumentStatus.ADOPTED)
    services.adopt(organiser, document, on=dt.date(2018, 3, 3))
    services.set_status(organiser, document, DocumentStatus.SUPERSEDED)
    # Superseded documents stay public, and their text frozen.
    assert document.is_public and not document.is_open


def test_endorsements_only_by_delegations_of_the_forum_and_only_once_adopted(world):
    forum = current(world.forum)
    organiser = current(world.organiser)
    document = draft(organiser, forum)
    japan = current(world.japan)
    with pytest.raises(services.StatementError, match="once the document is adopted"):
        services.record_endorsement(organiser, document, japan, EndorsementKind.ENDORSED, dt.date(2018, 3, 3))
    services.adopt(organiser, document, on=dt.date(2018, 3, 3))
    with pytest.raises(services.StatementError, match="is not a delegation of ISEF2"):
        services.record_endorsement(
            organiser, document, current(world.other_japan), EndorsementKind.ENDORSED, dt.date(2018, 3, 3)
        )
    services.record_endorsement(organiser, document, japan, EndorsementKind.ENDORSED, dt.date(2018, 3, 3))
    # Recording again corrects the entry instead of adding a second one.
    services.record_endorsement(organiser, document, japan, EndorsementKind.JOINED, dt.date(2018, 3, 4))
    db.session.commit()
    assert [(e.delegation.name, e.kind, e.endorsed_on) for e in document.endorsements] == [
        ("Japan", EndorsementKind.JOINED, dt.date(2018, 3, 4))
    ]


def test_a_delegation_sees_its_endorsements_across_forums(world):
    organiser, other_organiser = current(world.organiser), current(world.other_organiser)
    first = draft(organiser, current(world.forum))
    services.adopt(organiser, first, on=dt.date(2018, 3, 3))
    later = draft(other_organiser, current(world.other_forum), slug="isef3-statement", title="ISEF3 statement")
    services.adopt(other_organiser, later, on=dt.date(2021, 1, 2))
    services.record_endorsement(organiser, first, current(world.japan), EndorsementKind.ENDORSED, dt.date(2018, 3, 3))
    services.record_endorsement(
        other_organiser, later, current(world.other_japan), EndorsementKind.WELCOMED, dt.date(2021, 1, 2)
    )
    services.record_endorsement(organiser, first, current(world.esa), EndorsementKind.TOOK_NOTE, dt.date(2018, 3, 3))
    db.session.commit()
    found = services.endorsements_across_forums(current(world.japan))
    assert [(e.document.title, e.kind) for e in found] == [
        ("ISEF3 statement", EndorsementKind.WELCOMED),
        ("ISEF2 Joint Statement", EndorsementKind.ENDORSED),
    ]


def test_drafts_are_for_organisers_and_focal_points_of_the_forum(world):
    forum = current(world.forum)
    document = draft(current(world.organiser), forum)
    db.session.commit()
    seen = {
        role: services.may_see(current(getattr(world, role)), document)
        for role in ("organiser", "focal_point", "delegate", "other_organiser")
    }
    assert seen == {"organiser": True, "focal_point": True, "delegate": False, "other_organiser": False}
    assert services.may_see(None, document) is False
    assert services.documents_of(forum, None) == []
    assert services.draft_forum_ids(current(world.focal_point)) == [world.forum.id]


def test_references_to_documents_and_outside_documents(world):
    forum = current(world.forum)
    organiser = current(world.organiser)
    statement = draft(organiser, forum)
    principles = draft(organiser, forum, slug="tokyo-principles", title="Tokyo Principles")
    services.add_reference(organiser, statement, Relation.TAKES_NOTE_OF, target=principles)
    services.add_reference(organiser, statement, Relation.TAKES_NOTE_OF, outside_title="Global Exploration Roadmap")
    with pytest.raises(services.StatementError, match="not both"):
        services.add_reference(organiser, statement, Relation.WELCOMES, target=principles, outside_title="x")
    with pytest.raises(services.StatementError, match="starts with https://"):
        services.add_reference(
            organiser, statement, Relation.WELCOMES, outside_title="x", outside_url="javascript://%0aalert(1)"
        )
    with pytest.raises(services.StatementError, match="itself"):
        services.add_reference(organiser, statement, Relation.WELCOMES, target=statement)
    # Another forum's draft is not there to be referred to.
    other_draft = draft(current(world.other_organiser), current(world.other_forum), slug="secret")
    with pytest.raises(services.StatementError, match="not public"):
        services.add_reference(organiser, statement, Relation.SUPERSEDES, target=other_draft)
    assert [(r.relation, r.target_id, r.outside_title) for r in statement.references] == [
        (Relation.TAKES_NOTE_OF, principles.id, None),
        (Relation.TAKES_NOTE_OF, None, "Global Exploration Roadmap"),
    ]


def test_slugs_are_checked_and_unique_in_the_forum(world):
    forum = current(world.forum)
    organiser = current(world.organiser)
    draft(organiser, forum)
    with pytest.raises(services.StatementError, match="already has a document"):
        draft(organiser, forum)
    with pytest.raises(services.StatementError, match="lower-case"):
        draft(organiser, forum, slug="Bad Slug")
