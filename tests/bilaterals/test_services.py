"""Asking, accepting, declining, proposing other slots and cancelling, through the forms."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from planner.bilaterals.models import BilateralStatus
from planner.delegations.models import Delegation, DelegationMember, DelegationStatus, NominationStatus
from planner.extensions import db
from tests.bilaterals.builders import answer, ask, built, current_bilateral, latest_bilateral, outbox
from tests.conftest import sign_in
from tests.factories import committed, tokyo


@pytest.fixture
def isef2(app):
    return built(app)


def test_a_request_accepted_gets_the_first_free_preferred_slot(app, client, isef2):
    first, second = isef2.slots[1].id, isef2.slots[0].id
    response = ask(client, isef2, "japan", "france", [first, second])
    assert response.status_code == 302
    bilateral = latest_bilateral(app)
    assert bilateral.status is BilateralStatus.REQUESTED
    assert bilateral.awaiting_id == isef2.france.delegation.id
    # The asked delegation's focal point is told by mail.
    assert [m.to_address for m in outbox(app)] == ["focal-fr@example.org"]

    response = answer(client, isef2, "france", bilateral.id)
    assert response.status_code == 302
    placed = current_bilateral(app, bilateral.id)
    assert placed.status is BilateralStatus.SCHEDULED
    assert (placed.slot_id, placed.room_id) == (first, isef2.rooms[0].id)
    page = client.get(f"/forums/isef2/bilaterals/{bilateral.id}").get_data(as_text=True)
    assert "Scheduled" in page and "Bilateral room 1" in page


def test_only_the_awaited_side_answers(app, client, isef2):
    ask(client, isef2, "japan", "france", [isef2.slots[0].id])
    bilateral = latest_bilateral(app)
    # The asking side cannot accept its own request.
    response = answer(client, isef2, "japan", bilateral.id)
    assert response.status_code == 403
    assert "Only the focal points of France" in response.get_data(as_text=True)
    assert current_bilateral(app, bilateral.id).status is BilateralStatus.REQUESTED


def test_decline(app, client, isef2):
    ask(client, isef2, "japan", "france", [isef2.slots[0].id])
    bilateral = latest_bilateral(app)
    assert answer(client, isef2, "france", bilateral.id, "decline").status_code == 302
    assert current_bilateral(app, bilateral.id).status is BilateralStatus.DECLINED
    # Declined once: a second answer is refused, and says why.
    response = answer(client, isef2, "france", bilateral.id, "decline")
    assert "awaits no answer" in client.get(response.headers["Location"]).get_data(as_text=True)


def test_proposing_other_slots_turns_the_question_round(app, client, isef2):
    ask(client, isef2, "japan", "france", [isef2.slots[0].id])
    bilateral = latest_bilateral(app)
    france = isef2.france.members[1]
    response = answer(
        client, isef2, "france", bilateral.id, "propose", slots=[str(isef2.slots[2].id)], participants=[str(france.id)]
    )
    assert response.status_code == 302
    proposed = current_bilateral(app, bilateral.id)
    assert proposed.awaiting_id == isef2.japan.delegation.id
    # Japan accepts France's slot, keeping the participants it named.
    response = answer(client, isef2, "japan", bilateral.id, participants=[])
    assert response.status_code == 302
    placed = current_bilateral(app, bilateral.id)
    assert placed.status is BilateralStatus.SCHEDULED
    assert placed.slot_id == isef2.slots[2].id
    invited = sorted(m.to_address for m in outbox(app) if m.attachment_content_type)
    assert invited == ["fr2@example.org", "jp1@example.org"]


def test_cancelling_a_scheduled_bilateral_frees_its_place_and_sends_cancel(app, client, isef2):
    ask(client, isef2, "japan", "france", [isef2.slots[0].id])
    bilateral = latest_bilateral(app)
    answer(client, isef2, "france", bilateral.id)
    assert answer(client, isef2, "japan", bilateral.id, "cancel").status_code == 302
    cancelled = current_bilateral(app, bilateral.id)
    assert cancelled.status is BilateralStatus.CANCELLED
    assert cancelled.slot_id is None
    methods = [m.attachment_content_type for m in outbox(app) if m.attachment_content_type]
    assert methods.count("text/calendar; method=REQUEST") == 2
    assert methods.count("text/calendar; method=CANCEL") == 2
    # The place is free again: Italy and France may meet there now.
    ask(client, isef2, "italy", "france", [isef2.slots[0].id])
    answer(client, isef2, "france", latest_bilateral(app).id)
    assert latest_bilateral(app).room_id == isef2.rooms[0].id


def set_status(app, delegation=None, member=None, status=None) -> None:
    """A delegation's or a member's status changed since the request (withdrawn, declined)."""
    with committed(app):
        if delegation is not None:
            db.session.get_one(Delegation, delegation.id).status = status
        if member is not None:
            db.session.scalars(
                select(DelegationMember).where(DelegationMember.person_id == member.id)
            ).one().status = status


@pytest.mark.parametrize("status", [DelegationStatus.WITHDRAWN, DelegationStatus.DECLINED])
def test_a_request_from_a_delegation_that_left_the_forum_cannot_be_accepted(app, client, isef2, status):
    ask(client, isef2, "japan", "france", [isef2.slots[0].id])
    bilateral = latest_bilateral(app)
    set_status(app, delegation=isef2.japan.delegation, status=status)
    response = answer(client, isef2, "france", bilateral.id)
    assert response.status_code == 422
    assert "Japan no longer takes part in this forum: the bilateral cannot go ahead." in response.get_data(as_text=True)
    after = current_bilateral(app, bilateral.id)
    assert after.status is BilateralStatus.REQUESTED and after.slot_id is None
    # Nor can other slots be proposed to it.
    response = answer(client, isef2, "france", bilateral.id, "propose", slots=[str(isef2.slots[1].id)])
    assert response.status_code == 422
    assert "Japan no longer takes part in this forum" in response.get_data(as_text=True)
    assert current_bilateral(app, bilateral.id).awaiting_id == isef2.france.delegation.id


def test_a_delegation_that_withdrew_cannot_ask(app, client, isef2):
    set_status(app, delegation=isef2.japan.delegation, status=DelegationStatus.WITHDRAWN)
    response = ask(client, isef2, "japan", "france", [isef2.slots[0].id])
    assert response.status_code == 422
    assert "Japan no longer takes part in this forum" in response.get_data(as_text=True)


def test_a_request_whose_participant_was_withdrawn_cannot_be_accepted(app, client, isef2):
    ask(client, isef2, "japan", "france", [isef2.slots[0].id])
    bilateral = latest_bilateral(app)
    set_status(app, member=isef2.japan.members[0], status=NominationStatus.WITHDRAWN)
    response = answer(client, isef2, "france", bilateral.id)
    assert response.status_code == 422
    assert (
        "Japan minister 1 is no longer a nominated or accredited member of Japan: the bilateral cannot be accepted "
        "as it stands."
    ) in response.get_data(as_text=True)
    assert current_bilateral(app, bilateral.id).status is BilateralStatus.REQUESTED
    assert not [m for m in outbox(app) if m.attachment_content_type]  # nobody was invited


def test_the_answering_side_names_others_for_a_participant_withdrawn(app, client, isef2):
    ask(client, isef2, "japan", "france", [isef2.slots[0].id])
    bilateral = latest_bilateral(app)
    france = isef2.france.members[1]
    answer(
        client, isef2, "france", bilateral.id, "propose", slots=[str(isef2.slots[2].id)], participants=[str(france.id)]
    )
    set_status(app, member=isef2.japan.members[0], status=NominationStatus.DECLINED)
    # Japan keeps the participants it had named: one of them is no longer in its delegation.
    response = answer(client, isef2, "japan", bilateral.id, participants=[])
    assert response.status_code == 422
    assert (
        "Japan minister 1 is no longer a nominated or accredited member of Japan: name other participants."
        in response.get_data(as_text=True)
    )
    assert current_bilateral(app, bilateral.id).status is BilateralStatus.REQUESTED
    # Named afresh, it goes ahead.
    response = answer(client, isef2, "japan", bilateral.id, participants=[str(isef2.japan.members[1].id)])
    assert response.status_code == 302
    assert current_bilateral(app, bilateral.id).status is BilateralStatus.SCHEDULED


def test_slots_already_started_are_refused(app, client, isef2):
    app.config["CLOCK"] = lambda: tokyo("2018-03-03 10:05")
    response = ask(client, isef2, "japan", "france", [isef2.slots[1].id, isef2.slots[0].id])
    assert response.status_code == 422
    assert "One of the slots chosen has already started: choose slots still to come." in response.get_data(as_text=True)
    assert ask(client, isef2, "japan", "france", [isef2.slots[1].id]).status_code == 302
    bilateral = latest_bilateral(app)
    response = answer(client, isef2, "france", bilateral.id, "propose", slots=[str(isef2.slots[0].id)])
    assert response.status_code == 422
    assert "One of the slots chosen has already started" in response.get_data(as_text=True)
    after = current_bilateral(app, bilateral.id)
    assert after.awaiting_id == isef2.france.delegation.id


def test_a_slot_that_started_meanwhile_gets_no_bilateral(app, client, isef2):
    app.config["CLOCK"] = lambda: tokyo("2018-03-03 09:00")
    ask(client, isef2, "japan", "france", [isef2.slots[0].id])
    bilateral = latest_bilateral(app)
    app.config["CLOCK"] = lambda: tokyo("2018-03-03 10:05")
    assert answer(client, isef2, "france", bilateral.id).status_code == 302
    after = current_bilateral(app, bilateral.id)
    assert after.status is BilateralStatus.ACCEPTED and after.slot_id is None


def slot_options(page: str, form_action: str) -> str:
    """The part of ``page`` that is the form posting to ``form_action``."""
    start = page.index(f'action="{form_action}"')
    return page[start : page.index("</form>", start)]


def test_the_forms_offer_only_slots_still_to_come(app, client, isef2):
    app.config["CLOCK"] = lambda: tokyo("2018-03-03 10:05")  # the first slot (10:00) has started
    sign_in(client, isef2.japan.focal_point)
    page = client.get(f"/forums/isef2/delegations/{isef2.japan.delegation.id}/bilaterals").get_data(as_text=True)
    form = slot_options(page, f"/forums/isef2/delegations/{isef2.japan.delegation.id}/bilaterals")
    assert f'name="slots" value="{isef2.slots[0].id}"' not in form
    assert f'name="slots" value="{isef2.slots[1].id}"' in form and f'name="slots" value="{isef2.slots[2].id}"' in form
    ask(client, isef2, "japan", "france", [isef2.slots[1].id])
    bilateral = latest_bilateral(app)
    sign_in(client, isef2.france.focal_point)
    page = client.get(f"/forums/isef2/bilaterals/{bilateral.id}").get_data(as_text=True)
    form = slot_options(page, f"/forums/isef2/bilaterals/{bilateral.id}/propose")
    assert f'name="slots" value="{isef2.slots[0].id}"' not in form
    assert f'name="slots" value="{isef2.slots[2].id}"' in form
    # A page opened before the slot started still gets the reason when it is sent.
    response = answer(client, isef2, "france", bilateral.id, "propose", slots=[str(isef2.slots[0].id)])
    assert "One of the slots chosen has already started" in response.get_data(as_text=True)
    assert f'name="slots" value="{isef2.slots[0].id}"' not in slot_options(
        response.get_data(as_text=True), f"/forums/isef2/bilaterals/{bilateral.id}/propose"
    )


def test_the_forms_say_when_no_slot_is_still_to_come(app, client, isef2):
    ask(client, isef2, "japan", "france", [isef2.slots[2].id])
    bilateral = latest_bilateral(app)
    app.config["CLOCK"] = lambda: tokyo("2018-03-03 12:05")  # every slot has started
    sign_in(client, isef2.japan.focal_point)
    page = client.get(f"/forums/isef2/delegations/{isef2.japan.delegation.id}/bilaterals").get_data(as_text=True)
    assert "No bilateral slot is still to come: there is no time left to ask for a bilateral." in page
    assert "Send the request" not in page
    sign_in(client, isef2.france.focal_point)
    page = client.get(f"/forums/isef2/bilaterals/{bilateral.id}").get_data(as_text=True)
    assert "No bilateral slot is still to come: there are no other slots to propose." in page
    assert "Propose these slots" not in page
    assert "Accept the bilateral" in page  # answering stays open; its place is for the slots to say
