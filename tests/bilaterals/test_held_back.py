"""The organisers' allocation leaves out the accepted bilaterals that can no longer go ahead
(a delegation declined or withdrew, or a participant is no longer a member of theirs), by the
same rule as accepting, and tells the organisers which and why."""

from __future__ import annotations

from sqlalchemy import select

from planner.audit.models import AuditEntry
from planner.bilaterals.models import Bilateral, BilateralParticipant, BilateralPreference, BilateralStatus
from planner.delegations.models import Delegation, DelegationMember, DelegationStatus, NominationStatus
from planner.extensions import db
from tests.bilaterals.builders import BilateralForum, build, current_bilateral, make_side, outbox
from tests.conftest import sign_in
from tests.factories import committed

PAGE = "/forums/isef2/manage/bilaterals"


def accepted(forum: BilateralForum, first: str, second: str, people: tuple[int, int], slot_ids: list[int]) -> int:
    """An accepted bilateral waiting for a place, written directly; ``people``: the member of
    each side taking part."""
    a, b = forum.sides[first], forum.sides[second]
    bilateral = Bilateral(
        forum_id=forum.forum.id,
        requester_id=a.delegation.id,
        requested_id=b.delegation.id,
        topic=f"{first} and {second}",
        status=BilateralStatus.ACCEPTED,
    )
    db.session.add(bilateral)
    db.session.flush()
    for n, slot_id in enumerate(slot_ids):
        db.session.add(BilateralPreference(bilateral_id=bilateral.id, slot_id=slot_id, position=n))
    for side, member in ((a, people[0]), (b, people[1])):
        db.session.add(
            BilateralParticipant(
                bilateral_id=bilateral.id, person_id=side.members[member].id, delegation_id=side.delegation.id
            )
        )
    db.session.flush()
    return bilateral.id


def three_waiting(app) -> tuple[BilateralForum, int, int, int]:
    """Japan–France, whose Japanese participant was withdrawn since; Italy–Japan, Italy having
    declined since; France–Germany, still able to go ahead."""
    with committed(app):
        forum = build()
        forum.sides["germany"] = make_side(forum.programme, "Germany", "DE")
        slots = [forum.slots[0].id, forum.slots[1].id]
        member_gone = accepted(forum, "japan", "france", (0, 0), slots)
        delegation_gone = accepted(forum, "italy", "japan", (0, 1), slots)
        going_ahead = accepted(forum, "france", "germany", (1, 0), slots)
        db.session.scalars(
            select(DelegationMember).where(DelegationMember.person_id == forum.japan.members[0].id)
        ).one().status = NominationStatus.WITHDRAWN
        db.session.get_one(Delegation, forum.italy.delegation.id).status = DelegationStatus.DECLINED
    return forum, member_gone, delegation_gone, going_ahead


def test_the_page_lists_apart_the_bilaterals_that_can_no_longer_go_ahead(app, client):
    forum, member_gone, delegation_gone, going_ahead = three_waiting(app)
    sign_in(client, forum.organiser)
    page = client.get(PAGE).get_data(as_text=True)
    waiting, _, held_back = page.partition("Accepted, but unable to go ahead")
    assert "France · Germany" in waiting and "Japan · France" not in waiting and "Italy · Japan" not in waiting
    assert "Japan · France" in held_back and "Italy · Japan" in held_back
    assert "Japan minister 1 is no longer a nominated or accredited member of Japan." in held_back
    assert "Italy no longer takes part in this forum." in held_back


def test_the_allocation_leaves_them_unplaced_and_says_why(app, client):
    forum, member_gone, delegation_gone, going_ahead = three_waiting(app)
    sign_in(client, forum.organiser)
    response = client.post(PAGE + "/place", data={})
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Placed: 1. Still without a place: 0." in page
    assert (
        "2 bilaterals were not placed because a delegation no longer takes part or a participant was withdrawn." in page
    )
    assert current_bilateral(app, going_ahead).status is BilateralStatus.SCHEDULED
    for left_out in (member_gone, delegation_gone):
        after = current_bilateral(app, left_out)
        assert after.status is BilateralStatus.ACCEPTED and after.slot_id is None
    # Only the bilateral placed sent invitations: to France minister 2 and Germany minister 1.
    invited = {m.to_address for m in outbox(app) if m.attachment_content_type}
    assert invited == {"fr2@example.org", "de1@example.org"}
    with committed(app):
        entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "bilateral.allocated")).one()
        assert entry.after == {"placed": 1, "without_place": 0, "held_back": 2}
