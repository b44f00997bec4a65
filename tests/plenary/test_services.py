"""The rules of the speakers' list (planner/plenary/services.py): who opens it, who inscribes
whom until when, moves with their reason in the audit log, who spoke, and the statement kept."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from planner.audit.models import AuditEntry
from planner.db import utcnow
from planner.extensions import db
from planner.forums.models import ForumStatus
from planner.forums.services import ForumArchived
from planner.plenary import inscriptions, services
from planner.plenary.models import SpeakerEntry, SpeakerStatus
from planner.refusals import NotAllowed
from planner.schedule.models import SessionStatus
from planner.statements.models import DocumentKind, DocumentStatus, OutcomeDocument
from planner.statements.national import record_national_statement
from planner.statements.search import search as run_search
from planner.statements.services import StatementError, record_endorsement
from tests.plenary.world import make_world, open_list, settings


@pytest.fixture
def world(app_context):
    return make_world()


def shown(speakers_list) -> list[str]:
    return [e.person.name for e in services.shown_entries(speakers_list)]


def test_only_organisers_open_a_list_and_only_for_a_plenary_that_is_not_cancelled(world):
    with pytest.raises(NotAllowed):
        services.open_list(world.japan_focal_point, world.plenary, settings())
    with pytest.raises(services.SpeakersListError, match="Only a plenary"):
        services.open_list(world.organiser, world.panel, settings())
    world.plenary.status = SessionStatus.CANCELLED
    with pytest.raises(services.SpeakersListError, match="cancelled"):
        services.open_list(world.organiser, world.plenary, settings())
    world.plenary.status = SessionStatus.SCHEDULED
    with pytest.raises(services.SpeakersListError, match="speaking time"):
        services.open_list(world.organiser, world.plenary, settings(speaking_minutes=0))
    assert services.list_of(world.plenary) is None
    speakers_list = open_list(world)
    assert speakers_list.speaking_minutes == 5
    with pytest.raises(services.SpeakersListError, match="already open"):
        open_list(world)
    assert db.session.scalar(select(AuditEntry.action).where(AuditEntry.action == "speakers.opened"))


def test_focal_points_inscribe_accredited_members_of_their_own_delegation_in_protocol_order(world):
    speakers_list = open_list(world)
    inscriptions.inscribe(world.japan_focal_point, speakers_list, world.japan, world.person_id("japan_ambassador"))
    inscriptions.inscribe(world.kenya_focal_point, speakers_list, world.kenya, world.person_id("kenya_minister"))
    assert shown(speakers_list) == ["Amina Otieno", "Ken Mori"]  # a minister before an ambassador
    with pytest.raises(NotAllowed):
        inscriptions.inscribe(world.japan_focal_point, speakers_list, world.esa, world.person_id("esa_director"))
    with pytest.raises(services.SpeakersListError, match="accredited member"):
        inscriptions.inscribe(world.organiser, speakers_list, world.japan, world.person_id("japan_nominee"))
    with pytest.raises(services.SpeakersListError, match="accredited member"):
        inscriptions.inscribe(world.organiser, speakers_list, world.japan, world.person_id("kenya_minister"))


def test_one_speaker_per_delegation_unless_the_organiser_allows_more_and_each_person_once(world):
    speakers_list = open_list(world)
    inscriptions.inscribe(world.japan_focal_point, speakers_list, world.japan, world.person_id("japan_minister"))
    with pytest.raises(services.SpeakersListError, match="as many speakers as this list allows"):
        inscriptions.inscribe(world.japan_focal_point, speakers_list, world.japan, world.person_id("japan_ambassador"))
    services.change_list(world.organiser, speakers_list, settings(speakers_per_delegation=2))
    with pytest.raises(services.SpeakersListError, match="already on the list"):
        inscriptions.inscribe(world.japan_focal_point, speakers_list, world.japan, world.person_id("japan_minister"))
    inscriptions.inscribe(world.japan_focal_point, speakers_list, world.japan, world.person_id("japan_ambassador"))
    assert shown(speakers_list) == ["Yui Sato", "Ken Mori"]


def test_after_the_deadline_focal_points_cannot_inscribe_but_organisers_can(world):
    speakers_list = open_list(world, deadline=utcnow() - dt.timedelta(minutes=1))
    with pytest.raises(services.SpeakersListError, match="closed"):
        inscriptions.inscribe(world.japan_focal_point, speakers_list, world.japan, world.person_id("japan_minister"))
    assert services.shown_entries(speakers_list) == []
    inscriptions.inscribe(world.organiser, speakers_list, world.japan, world.person_id("japan_minister"))
    assert shown(speakers_list) == ["Yui Sato"]


def test_a_withdrawn_speaker_frees_the_delegations_place_on_the_list(world):
    speakers_list = open_list(world)
    entry = inscriptions.inscribe(
        world.japan_focal_point, speakers_list, world.japan, world.person_id("japan_minister")
    )
    with pytest.raises(NotAllowed):
        inscriptions.withdraw(world.kenya_focal_point, entry)
    inscriptions.withdraw(world.japan_focal_point, entry)
    assert entry.status is SpeakerStatus.WITHDRAWN
    inscriptions.inscribe(world.japan_focal_point, speakers_list, world.japan, world.person_id("japan_ambassador"))
    assert shown(speakers_list) == ["Ken Mori"]


def test_an_organiser_moves_a_speaker_with_a_reason_kept_in_the_audit_log(world):
    speakers_list = open_list(world)
    inscriptions.inscribe(world.organiser, speakers_list, world.japan, world.person_id("japan_minister"))
    inscriptions.inscribe(world.organiser, speakers_list, world.kenya, world.person_id("kenya_minister"))
    esa = inscriptions.inscribe(world.organiser, speakers_list, world.esa, world.person_id("esa_director"))
    with pytest.raises(services.SpeakersListError, match="reason"):
        services.move(world.organiser, esa, 1, "  ")
    with pytest.raises(NotAllowed):
        services.move(world.japan_focal_point, esa, 1, "Leaves early")
    services.move(world.organiser, esa, 1, "Leaves early")
    assert shown(speakers_list) == ["Josef Aschbacher", "Yui Sato", "Amina Otieno"]
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "speakers.moved"))
    assert entry.after == {"place": 1, "reason": "Leaves early"}
    assert "Leaves early" in entry.summary


def test_a_speaker_who_has_spoken_stays_ahead_and_cannot_be_moved_or_withdrawn(world):
    speakers_list = open_list(world)
    minister = inscriptions.inscribe(world.organiser, speakers_list, world.japan, world.person_id("japan_minister"))
    kenya = inscriptions.inscribe(world.organiser, speakers_list, world.kenya, world.person_id("kenya_minister"))
    assert services.now_and_next(services.shown_entries(speakers_list)) == (minister, kenya)
    services.mark_spoken(world.organiser, minister)
    assert services.now_and_next(services.shown_entries(speakers_list)) == (kenya, None)
    with pytest.raises(services.SpeakersListError, match="already spoken"):
        services.mark_spoken(world.organiser, minister)
    with pytest.raises(services.SpeakersListError, match="still waiting"):
        services.move(world.organiser, minister, 2, "Typo")
    with pytest.raises(services.SpeakersListError, match="place 2 or later"):
        services.move(world.organiser, kenya, 1, "Before the minister")
    with pytest.raises(services.SpeakersListError, match="still waiting"):
        inscriptions.withdraw(world.japan_focal_point, minister)
    services.mark_spoken(world.organiser, minister, spoke=False)  # a mistake, corrected
    assert minister.status is SpeakerStatus.WAITING and minister.spoke_at is None


def test_a_new_order_rule_sorts_the_list_again_but_keeps_the_organisers_moves(world):
    speakers_list = open_list(world, speakers_per_delegation=2)
    inscriptions.inscribe(world.organiser, speakers_list, world.esa, world.person_id("esa_director"))
    ambassador = inscriptions.inscribe(world.organiser, speakers_list, world.japan, world.person_id("japan_ambassador"))
    inscriptions.inscribe(world.organiser, speakers_list, world.kenya, world.person_id("kenya_minister"))
    assert shown(speakers_list) == ["Amina Otieno", "Josef Aschbacher", "Ken Mori"]
    services.move(world.organiser, ambassador, 1, "Opens the debate for the host")
    assert services.change_list(world.organiser, speakers_list, settings(speakers_per_delegation=2, states_first=True))
    assert shown(speakers_list) == ["Ken Mori", "Amina Otieno", "Josef Aschbacher"]
    assert not services.change_list(
        world.organiser,
        speakers_list,
        settings(speakers_per_delegation=2, states_first=True, deadline=speakers_list.deadline),
    )


def test_the_statement_delivered_is_kept_as_a_national_statement_of_the_session(world):
    speakers_list = open_list(world)
    entry = inscriptions.inscribe(
        world.japan_focal_point, speakers_list, world.japan, world.person_id("japan_minister")
    )
    with pytest.raises(services.SpeakersListError, match="once the speaker has spoken"):
        inscriptions.attach_statement(world.japan_focal_point, entry, title="Japan", text="Text", language="en")
    services.mark_spoken(world.organiser, entry)
    with pytest.raises(NotAllowed):
        inscriptions.attach_statement(world.kenya_focal_point, entry, title="Japan", text="Text", language="en")
    with pytest.raises(StatementError, match="Paste the text"):
        inscriptions.attach_statement(world.japan_focal_point, entry, title="Japan", text="  ", language="en")
    document = inscriptions.attach_statement(
        world.japan_focal_point,
        entry,
        title="Statement by Japan",
        text="Japan welcomes lunar cooperation.",
        language="en",
    )
    assert document.kind is DocumentKind.NATIONAL_STATEMENT and document.status is DocumentStatus.ADOPTED
    assert (document.session_id, document.delegation_id) == (world.plenary.id, world.japan.id)
    assert document.is_public and entry.statement_id == document.id
    assert [hit.document.slug for hit in run_search("lunar cooperation", draft_forum_ids=[])] == [document.slug]
    with pytest.raises(services.SpeakersListError, match="already in the record"):
        inscriptions.attach_statement(world.japan_focal_point, entry, title="Again", text="Again", language="en")
    with pytest.raises(StatementError, match="no endorsements"):
        record_endorsement(world.organiser, document, world.kenya, "endorsed", document.adopted_on)
    with pytest.raises(services.SpeakersListError, match="statement is kept"):
        services.mark_spoken(world.organiser, entry, spoke=False)


def test_an_archived_forum_s_lists_change_no_more(world):
    speakers_list = open_list(world)
    world.forum.status = ForumStatus.ARCHIVED
    with pytest.raises(ForumArchived):
        inscriptions.inscribe(world.organiser, speakers_list, world.japan, world.person_id("japan_minister"))
    assert db.session.scalars(select(SpeakerEntry)).all() == []


def test_a_withdrawn_speaker_is_told_withdrawn_not_spoken(world):
    speakers_list = open_list(world)
    entry = inscriptions.inscribe(world.organiser, speakers_list, world.japan, world.person_id("japan_minister"))
    inscriptions.withdraw(world.japan_focal_point, entry)
    for spoke in (True, False):
        with pytest.raises(services.SpeakersListError, match="Yui Sato \\(Japan\\) was withdrawn") as refused:
            services.mark_spoken(world.organiser, entry, spoke)
        assert "spoken" not in str(refused.value)
    assert entry.status is SpeakerStatus.WITHDRAWN and entry.spoke_at is None


def test_a_list_whose_session_was_cancelled_takes_no_more_changes(world):
    speakers_list = open_list(world, speakers_per_delegation=2)
    minister = inscriptions.inscribe(world.organiser, speakers_list, world.japan, world.person_id("japan_minister"))
    kenya = inscriptions.inscribe(world.organiser, speakers_list, world.kenya, world.person_id("kenya_minister"))
    spoken = inscriptions.inscribe(world.organiser, speakers_list, world.esa, world.person_id("esa_director"))
    services.mark_spoken(world.organiser, spoken)
    before = shown(speakers_list)
    world.plenary.status = SessionStatus.CANCELLED
    db.session.flush()
    attempts = {
        "a focal point inscribes": lambda: inscriptions.inscribe(
            world.japan_focal_point, speakers_list, world.japan, world.person_id("japan_ambassador")
        ),
        "an organiser inscribes": lambda: inscriptions.inscribe(
            world.organiser, speakers_list, world.japan, world.person_id("japan_ambassador")
        ),
        "the settings change": lambda: services.change_list(
            world.organiser, speakers_list, settings(speaking_minutes=3)
        ),
        "a speaker is moved": lambda: services.move(world.organiser, minister, 2, "Leaves early"),
        "a speaker is marked as spoken": lambda: services.mark_spoken(world.organiser, kenya),
        "a speaker is marked as not spoken": lambda: services.mark_spoken(world.organiser, spoken, spoke=False),
        "a speaker is withdrawn": lambda: inscriptions.withdraw(world.japan_focal_point, minister),
        "a statement is attached": lambda: inscriptions.attach_statement(
            world.organiser, spoken, title="ESA", text="Text", language="en"
        ),
    }
    for what, attempt in attempts.items():
        with pytest.raises(services.SpeakersListError, match="Plenary is cancelled") as refused:
            attempt()
        assert "no more changes" in str(refused.value), what
    assert shown(speakers_list) == before
    assert speakers_list.speaking_minutes == 5 and minister.status is SpeakerStatus.WAITING
    # Restored, it is a list like any other again.
    world.plenary.status = SessionStatus.SCHEDULED
    inscriptions.inscribe(world.japan_focal_point, speakers_list, world.japan, world.person_id("japan_ambassador"))


def test_a_statement_delivered_in_a_closed_session_is_not_published(world):
    world.plenary.is_public = False
    speakers_list = open_list(world)
    entry = inscriptions.inscribe(
        world.japan_focal_point, speakers_list, world.japan, world.person_id("japan_minister")
    )
    services.mark_spoken(world.organiser, entry)
    for actor in (world.japan_focal_point, world.organiser):
        with pytest.raises(StatementError, match="closed session"):
            inscriptions.attach_statement(
                actor, entry, title="Japan", text="Japan welcomes lunar cooperation.", language="en"
            )
    # The record's own service refuses it too, whoever calls it.
    with pytest.raises(StatementError, match="closed session"):
        record_national_statement(
            world.organiser,
            session=world.plenary,
            delegation=world.japan,
            slug="closed",
            title="Japan",
            text="Japan welcomes lunar cooperation.",
            language="en",
            delivered_on=dt.date(2018, 3, 3),
        )
    assert entry.statement_id is None
    assert db.session.scalars(select(OutcomeDocument)).all() == []
    assert run_search("lunar cooperation", draft_forum_ids=[]) == []
