"""Who each audience reaches: exactly its people, once each, in their language; never anyone
of another forum, a cancelled registration, a deleted account or a member not accredited."""

from __future__ import annotations

import pytest
from werkzeug.datastructures import MultiDict

from planner.announcements import audiences
from planner.announcements.models import AudienceKind
from planner.delegations.models import DelegationFocalPoint, DelegationStatus
from planner.extensions import db
from planner.forums.models import Forum
from tests.factories import make_delegation, make_focal_point


def reached(world, **args) -> dict[str, str]:
    """{email: language} of the audience the arguments choose (lists: ticked several times)."""
    form = MultiDict([(k, str(x)) for k, v in args.items() for x in (v if isinstance(v, list) else [v])])
    forum = db.session.get(Forum, world.forum_id)
    single = {k: form.get(k, "") for k in form}
    audience, errors = audiences.audience_from(forum, single, {k: form.getlist(k) for k in form})
    assert errors == [] and audience is not None
    return {r.email: r.language for r in audiences.recipients_of(forum, audience)}


def refused(world, **args) -> list[str]:
    form = MultiDict([(k, str(x)) for k, v in args.items() for x in (v if isinstance(v, list) else [v])])
    forum = db.session.get(Forum, world.forum_id)
    audience, errors = audiences.audience_from(
        forum, {k: form.get(k, "") for k in form}, {k: form.getlist(k) for k in form}
    )
    assert audience is None
    return errors


def emails(*names: str) -> set[str]:
    return {f"{name}@example.org" for name in names}


def test_registrations_without_filters_are_the_active_ones_once_each(app_context, world):
    """Cancelled, declined, deleted accounts and the other forum's are left out; Eve, in two
    events, is written to once; Gus, whose French the forum does not write in, gets English."""
    assert reached(world, audience="registrations") == {
        "ada@example.org": "en",
        "ben@example.org": "ja",
        "eve@example.org": "ja",
        "gus@example.org": "en",
    }


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"event": "SIDE"}, emails("eve", "gus")),
        ({"event": "y-isef"}, emails("ada", "ben", "eve")),  # any letter case, as the list takes it
        ({"status": "confirmed"}, emails("ada", "eve")),
        ({"status": "pending"}, emails("ben")),
        ({"status": "declined"}, emails("dan")),  # only when asked for
        ({"country": "JP"}, emails("ada", "eve")),  # Cat (JP) cancelled
        ({"country": "FR", "status": "pending"}, emails("ben")),
        ({"event": "SIDE", "status": "confirmed"}, emails("eve")),
    ],
)
def test_each_registration_filter_reaches_exactly_its_people(app_context, world, filters, expected):
    assert set(reached(world, audience="registrations", **filters)) == expected


def test_the_delegation_and_answer_filters(app_context, world):
    assert set(reached(world, audience="registrations", delegation=world.ids["japan"])) == emails("ada")
    assert set(reached(world, audience="registrations", delegation=world.ids["esa"])) == emails("ben")
    assert set(reached(world, audience="registrations", answer=f"{world.ids['diet']}:Vegetarian")) == emails("ada")
    assert set(reached(world, audience="registrations", answer=f"{world.ids['diet']}:None")) == emails("ben")


def test_cancelled_registrations_are_never_an_audience(app_context, world):
    assert refused(world, audience="registrations", status="cancelled") == [
        "Cancelled registrations are never sent announcements: choose another status."
    ]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ({}, "Choose who the announcement goes to."),
        ({"audience": "everyone"}, "Choose who the announcement goes to."),
        ({"audience": "registrations", "event": "NOPE"}, "This forum has no event with the code NOPE."),
        ({"audience": "registrations", "status": "lost"}, "There is no registration status lost."),
        (
            {"audience": "registrations", "country": "Japan"},
            "Countries are chosen by their two-letter ISO code, like JP.",
        ),
        ({"audience": "registrations", "answer": "999:x"}, "Choose an answer from the list"),
        ({"audience": "delegations"}, "Choose between 1 and 500 delegations."),
        ({"audience": "delegations", "delegations": "x"}, "Choose delegations of this forum."),
        ({"audience": "sessions"}, "Choose between 1 and 500 sessions."),
        ({"audience": "sessions", "sessions": "99999999999"}, "Choose sessions of this forum."),
    ],
)
def test_bad_choices_say_what_is_wrong(app_context, world, args, message):
    assert any(e.startswith(message) for e in refused(world, **args))


def test_another_forums_delegation_is_refused(app_context, world):
    assert refused(world, audience="registrations", delegation=world.ids["elsewhere"]) == [
        "This forum has no such delegation."
    ]
    assert refused(world, audience="delegations", delegations=[world.ids["japan"], world.ids["elsewhere"]]) == [
        "Choose delegations of this forum."
    ]


def test_focal_points_are_those_of_the_forums_delegations(app_context, world):
    assert reached(world, audience="focal_points") == {"fumi@example.org": "ja"}


def test_focal_points_of_delegations_that_declined_or_withdrew_are_left_out(app_context, world):
    """As reminders and badges leave those delegations out: Fumi, focal point of Japan (still
    coming) and of a delegation that declined, is written to once; the others not at all."""
    forum = db.session.get(Forum, world.forum_id)
    declined = make_delegation(forum, name="Declined", status=DelegationStatus.DECLINED)
    withdrawn = make_delegation(forum, name="Withdrawn", status=DelegationStatus.WITHDRAWN)
    confirmed = make_delegation(forum, name="Confirmed", status=DelegationStatus.CONFIRMED)
    make_focal_point(declined, email="declined@example.org")
    make_focal_point(withdrawn, email="withdrawn@example.org")
    make_focal_point(confirmed, email="confirmed@example.org")
    db.session.add(DelegationFocalPoint(delegation_id=declined.id, user_id=world.ids["fumi"]))
    db.session.flush()

    assert set(reached(world, audience="focal_points")) == {"fumi@example.org", "confirmed@example.org"}
    assert audiences.count_of(forum, audiences.Audience(AudienceKind.FOCAL_POINTS)) == 2  # the preview's count


def test_delegations_reach_their_accredited_members_with_an_address(app_context, world):
    """Ichiro is only nominated and Jun has no address; Kei's account is Japanese."""
    assert reached(world, audience="delegations", delegations=world.ids["japan"]) == {
        "kei@example.org": "ja",
        "lena@example.org": "en",
    }
    both = reached(world, audience="delegations", delegations=[world.ids["japan"], world.ids["esa"]])
    assert set(both) == emails("kei", "lena", "mia")


def test_a_member_with_an_account_is_linked_to_it(app_context, world):
    forum = db.session.get(Forum, world.forum_id)
    found = audiences.recipients_of(
        forum, audiences.Audience(AudienceKind.DELEGATIONS, delegation_ids=(world.ids["japan"],))
    )
    assert {r.email: r.user_id for r in found} == {"kei@example.org": world.ids["kei"], "lena@example.org": None}


def test_sessions_reach_who_picked_them_and_is_still_confirmed(app_context, world):
    """Cat picked the opening but cancelled her registration."""
    assert set(reached(world, audience="sessions", sessions=world.ids["opening"])) == emails("ada", "eve")
    assert set(reached(world, audience="sessions", sessions=[world.ids["opening"], world.ids["panel"]])) == emails(
        "ada", "eve"
    )
    assert set(reached(world, audience="sessions", sessions=world.ids["panel"])) == emails("eve")


def test_sessions_picked_count_as_the_audience_does(app_context, world):
    forum = db.session.get(Forum, world.forum_id)
    assert [(s.title, n) for s, n in audiences.sessions_picked(forum)] == [("Opening", 2), ("Panel", 1)]


def test_recipients_come_by_name(app_context, world):
    forum = db.session.get(Forum, world.forum_id)
    found = audiences.recipients_of(forum, audiences.Audience(AudienceKind.REGISTRATIONS))
    assert [r.name for r in found] == ["Ada", "Ben", "Eve", "Gus"]


def test_an_address_mail_cannot_go_to_is_left_out(app_context, world):
    """Kept by hand in a list, an address may hold two: nobody can be written to there."""
    from planner.delegations.models import DelegationMember, NominationStatus
    from tests.factories import make_person

    person = make_person(name="Two People", email="two,people@example.org")
    db.session.add(DelegationMember(delegation_id=world.ids["esa"], person=person, status=NominationStatus.ACCREDITED))
    db.session.flush()
    assert set(reached(world, audience="delegations", delegations=world.ids["esa"])) == emails("mia")
