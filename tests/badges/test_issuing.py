"""Who gets a badge, what it opens, and reprints, revocations and lapses."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from planner.audit.models import AuditEntry
from planner.badges import issuing, signing
from planner.badges.models import BadgeCategory
from planner.delegations.models import DelegationMember, DelegationStatus, NominationStatus
from planner.extensions import db
from planner.forums.models import ForumStatus
from planner.refusals import NotAllowed
from tests.badges.helpers import accredited_member, make_scene
from tests.factories import make_person, make_user


def test_accredited_members_and_confirmed_participants_get_badges_with_their_zones(context):
    scene = make_scene()
    assert scene.delegate.category is BadgeCategory.DELEGATE
    assert scene.delegate.zone_numbers == [1]  # the plenary, opened by the ministerial meeting
    assert scene.delegate.affiliation == "Japan"
    assert scene.participant.category is BadgeCategory.PARTICIPANT
    assert scene.participant.zone_numbers == [3]  # the side-event room, opened by Y-ISEF
    assert sorted(b.number for b in issuing.badges_of(scene.forum)) == [1, 2, 3]
    # The forum's days in Tokyo: 28 February 00:00 to the end of 3 March.
    assert scene.delegate.valid_from == dt.datetime(2018, 2, 27, 15, tzinfo=dt.UTC)
    assert scene.delegate.valid_until == dt.datetime(2018, 3, 3, 15, tzinfo=dt.UTC)


def test_only_those_without_a_badge_get_one_and_nominated_members_none(context):
    scene = make_scene()
    delegation_id = scene.delegate.delegation_id
    db.session.add(
        DelegationMember(delegation_id=delegation_id, person_id=make_person().id, status=NominationStatus.NOMINATED)
    )
    assert issuing.issue_missing(scene.organiser, scene.forum) == []
    late = accredited_member(scene.forum, "Late Comer", "Italy")
    (badge,) = issuing.issue_missing(scene.organiser, scene.forum)
    assert (badge.person_id, badge.number) == (late.person_id, 4)
    assert issuing.holders_without_badge(scene.forum) == []


def test_press_staff_and_security_are_issued_by_hand_with_their_categories_zones(context):
    scene = make_scene()
    press = issuing.issue_by_hand(
        scene.organiser, scene.forum, category=BadgeCategory.PRESS, name="Mika Ito", affiliation="NHK", function=""
    )
    guard = issuing.issue_by_hand(
        scene.organiser, scene.forum, category=BadgeCategory.SECURITY, name="Ken Mori", affiliation="", function=""
    )
    assert press.zone_numbers == [2] and guard.zone_numbers == [1, 2]
    with pytest.raises(issuing.BadgeRefused, match="come from accreditation"):
        issuing.issue_by_hand(
            scene.organiser, scene.forum, category=BadgeCategory.DELEGATE, name="X", affiliation="", function=""
        )
    with pytest.raises(issuing.BadgeRefused, match="name"):
        issuing.issue_by_hand(
            scene.organiser, scene.forum, category=BadgeCategory.STAFF, name="  ", affiliation="", function=""
        )


def test_a_reprint_is_a_new_version_from_what_is_stored_now(context):
    scene = make_scene()
    member = db.session.get(DelegationMember, (scene.delegate.delegation_id, scene.delegate.person_id))
    member.function = "Minister"
    issuing.revoke(scene.organiser, scene.delegate, scene.forum, "Lost")
    issuing.reprint(scene.organiser, scene.delegate, scene.forum)
    assert (scene.delegate.version, scene.delegate.function, scene.delegate.is_revoked) == (2, "Minister", False)
    assert issuing.revocations(scene.forum.id) == {scene.delegate.id: 2}
    actions = db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)).all()
    assert actions[-2:] == ["badge.revoked", "badge.reprinted"]


def test_revoking_needs_a_reason_and_refuses_twice(context):
    scene = make_scene()
    with pytest.raises(issuing.BadgeRefused, match="why"):
        issuing.revoke(scene.organiser, scene.delegate, scene.forum, " ")
    issuing.revoke(scene.organiser, scene.delegate, scene.forum, "Stolen")
    assert issuing.revocations(scene.forum.id) == {scene.delegate.id: 2}
    with pytest.raises(issuing.BadgeRefused, match="already revoked"):
        issuing.revoke(scene.organiser, scene.delegate, scene.forum, "Again")


def test_a_withdrawn_delegation_or_a_cancelled_registration_lapses_its_badges(context):
    from planner.registration.models import Registration, RegistrationStatus

    scene = make_scene()
    assert issuing.lapsed_badge_ids(scene.forum.id) == set()
    delegation = db.session.get(DelegationMember, (scene.delegate.delegation_id, scene.delegate.person_id)).delegation
    delegation.status = DelegationStatus.WITHDRAWN
    db.session.get(Registration, scene.participant.registration_id).status = RegistrationStatus.CANCELLED
    db.session.flush()
    assert issuing.lapsed_badge_ids(scene.forum.id) == {scene.delegate.id, scene.participant.id}
    assert issuing.revocations(scene.forum.id) == {scene.delegate.id: 2, scene.participant.id: 2}
    with pytest.raises(issuing.BadgeRefused, match="no longer holds a right"):
        issuing.reprint(scene.organiser, scene.delegate, scene.forum)


def test_only_organisers_issue_and_an_archived_forum_issues_nothing(context):
    scene = make_scene()
    with pytest.raises(NotAllowed):
        issuing.issue_missing(make_user(), scene.forum)
    with pytest.raises(NotAllowed):
        issuing.revoke(scene.scanner, scene.delegate, scene.forum, "No")
    scene.forum.status = ForumStatus.ARCHIVED
    with pytest.raises(Exception, match="archived"):
        issuing.issue_missing(scene.organiser, scene.forum)


def test_new_badges_are_signed_with_the_newest_key_and_retiring_one_counts_its_badges(context):
    scene = make_scene()
    first = scene.delegate.signing_key_id
    new = signing.rotate(scene.organiser, scene.forum)
    issuing.reprint(scene.organiser, scene.delegate, scene.forum)
    assert scene.delegate.signing_key_id == new.id
    assert signing.badges_signed_with(scene.forum) == {first: 2, new.id: 1}
    signing.retire(scene.organiser, scene.forum, first)
    with pytest.raises(signing.KeyRefused, match="already retired"):
        signing.retire(scene.organiser, scene.forum, first)
    with pytest.raises(signing.KeyRefused, match="no such"):
        signing.retire(scene.organiser, scene.forum, 999_999)
