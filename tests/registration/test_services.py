"""Applying, deciding and the waiting list, through the services every entry point uses."""

import datetime as dt

import pytest
from sqlalchemy import func, select

from planner.audit.models import AuditEntry
from planner.extensions import db
from planner.mail.models import OutboxMessage
from planner.refusals import NotAllowed
from planner.registration import services
from planner.registration.eligibility import Application, RegistrationRefused
from planner.registration.models import (
    Question,
    QuestionKind,
    Registration,
    RegistrationMode,
    RegistrationPolicy,
)
from planner.registration.models import (
    RegistrationStatus as Status,
)
from tests.factories import make_event, make_forum, make_organiser, make_policy, make_user

NOW = dt.datetime(2030, 1, 10, 3, 0, tzinfo=dt.UTC)


@pytest.fixture
def ctx(app):
    """A future forum with one event; a request context, since emails carry links."""
    with app.test_request_context():
        forum = make_forum(first_day=dt.date(2030, 3, 1), last_day=dt.date(2030, 3, 3))
        event = make_event(forum, "Y-ISEF")
        yield {"forum": forum, "event": event, "organiser": make_organiser(forum)}


def apply(ctx, user=None, now=NOW, **application):
    return services.apply(user or make_user(), ctx["event"], Application(**application), now=now)


def statuses(event) -> list[str]:
    return [
        r.status.value
        for r in db.session.scalars(
            select(Registration)
            .where(Registration.event_id == event.id)
            .order_by(Registration.applied_at, Registration.id)
        )
    ]


def subjects(user) -> list[str]:
    return list(
        db.session.scalars(
            select(OutboxMessage.subject).where(OutboxMessage.to_address == user.email).order_by(OutboxMessage.id)
        )
    )


def test_seats_then_waiting_list(ctx):
    make_policy(ctx["event"], capacity=2)
    results = [apply(ctx, now=NOW + dt.timedelta(seconds=n)).status for n in range(4)]
    assert results == [Status.CONFIRMED, Status.CONFIRMED, Status.WAITLISTED, Status.WAITLISTED]
    assert db.session.get(RegistrationPolicy, ctx["event"].id).seats_taken == 2


def test_applying_twice_gives_one_registration(ctx):
    make_policy(ctx["event"], capacity=5)
    user = make_user()
    first, second = apply(ctx, user), apply(ctx, user)
    assert first.id == second.id
    assert db.session.scalar(select(func.count()).select_from(Registration)) == 1
    assert db.session.get(RegistrationPolicy, ctx["event"].id).seats_taken == 1


def test_approval_required_applications_wait_for_an_organiser(ctx):
    make_policy(ctx["event"], capacity=1, approval_required=True)
    user, other = make_user(), make_user()
    first, second = apply(ctx, user), apply(ctx, other)
    assert (first.status, second.status) == (Status.PENDING, Status.PENDING)
    assert services.approve(ctx["organiser"], first, NOW).status is Status.CONFIRMED
    assert services.approve(ctx["organiser"], second, NOW).status is Status.WAITLISTED  # full
    assert subjects(user) == ["We received your application for Test event", "Your place at Test event is confirmed"]
    actions = db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)).all()
    assert actions == ["registration.approved", "registration.approved_waitlisted"]


def test_only_organisers_of_the_forum_decide(ctx):
    make_policy(ctx["event"], approval_required=True)
    registration = apply(ctx)
    outsider = make_organiser(make_forum())
    with pytest.raises(NotAllowed):
        services.approve(outsider, registration, NOW)
    with pytest.raises(NotAllowed):
        services.change_capacity(make_user(), ctx["event"], 10, NOW)


def test_cancelling_frees_the_seat_for_the_first_in_line(ctx):
    make_policy(ctx["event"], capacity=1)
    holder = apply(ctx, now=NOW)
    first_waiting_user, second_waiting_user = make_user(), make_user()
    apply(ctx, first_waiting_user, now=NOW + dt.timedelta(seconds=1))
    apply(ctx, second_waiting_user, now=NOW + dt.timedelta(seconds=2))
    services.cancel_own(holder.user, holder, now=NOW)
    assert statuses(ctx["event"]) == ["cancelled", "confirmed", "waitlisted"]
    assert subjects(first_waiting_user)[-1] == "A place at Test event is now yours"
    # The cancelled person is off the list: a second free seat goes to the next one in line.
    services.change_capacity(ctx["organiser"], ctx["event"], 2, NOW)
    assert statuses(ctx["event"]) == ["cancelled", "confirmed", "confirmed"]


@pytest.mark.parametrize("when", ["registration closed", "event started"])
def test_promotion_stops_when_registration_closes_or_the_event_starts(ctx, when):
    policy = make_policy(ctx["event"], capacity=1, closes_at=NOW + dt.timedelta(days=1))
    holder = apply(ctx, now=NOW)
    apply(ctx, now=NOW + dt.timedelta(seconds=1))
    later = policy.closes_at if when == "registration closed" else ctx["event"].starts_at
    services.cancel_own(holder.user, holder, now=later)
    assert statuses(ctx["event"]) == ["cancelled", "waitlisted"]
    assert db.session.get(RegistrationPolicy, ctx["event"].id).seats_taken == 0


def test_declining_a_confirmed_registration_promotes(ctx):
    make_policy(ctx["event"], capacity=1)
    holder = apply(ctx, now=NOW)
    apply(ctx, now=NOW + dt.timedelta(seconds=1))
    services.decline(ctx["organiser"], holder, NOW)
    assert statuses(ctx["event"]) == ["declined", "confirmed"]
    with pytest.raises(RegistrationRefused, match="declined your application"):
        apply(ctx, holder.user)


def test_capacity_never_drops_below_seats_taken(ctx):
    make_policy(ctx["event"], capacity=3)
    for n in range(3):
        apply(ctx, now=NOW + dt.timedelta(seconds=n))
    with pytest.raises(services.RegistrationError, match="3 seats are taken"):
        services.change_capacity(ctx["organiser"], ctx["event"], 2, NOW)
    assert db.session.get(RegistrationPolicy, ctx["event"].id).capacity == 3


def test_coming_back_after_cancelling_joins_the_end_of_the_line(ctx):
    make_policy(ctx["event"], capacity=1)
    apply(ctx, now=NOW)
    returning = apply(ctx, now=NOW + dt.timedelta(seconds=1))
    apply(ctx, now=NOW + dt.timedelta(seconds=2))
    services.cancel_own(returning.user, returning, now=NOW)
    again = apply(ctx, returning.user, now=NOW + dt.timedelta(seconds=3))
    assert again.id == returning.id and again.status is Status.WAITLISTED
    assert statuses(ctx["event"]) == ["confirmed", "waitlisted", "waitlisted"]
    assert statuses(ctx["event"])  # order: the returning person is last
    last = db.session.scalars(select(Registration).order_by(Registration.applied_at.desc())).first()
    assert last.id == returning.id


@pytest.mark.parametrize(
    ("rules", "application", "reason"),
    [
        (dict(mode=RegistrationMode.NOMINATION), {}, "by nomination"),
        (dict(opens_at=NOW + dt.timedelta(days=1)), {}, "Registration opens on"),
        (dict(closes_at=NOW - dt.timedelta(days=1)), {}, "Registration closed on"),
        (dict(min_age=18, max_age=35), {}, "give your date of birth"),
        (
            dict(min_age=18, max_age=35),
            dict(date_of_birth=dt.date(2012, 3, 2)),
            "aged 18 or more on 1 Mar 2030; you would be 17",
        ),
        (
            dict(min_age=18, max_age=35),
            dict(date_of_birth=dt.date(1994, 3, 1)),
            "aged 35 or less on 1 Mar 2030; you would be 36",
        ),
        (dict(organisation_required=True), dict(organisation="  "), "name yours"),
        (dict(allowed_countries=["JP"]), dict(country_code="FR"), "people from JP only"),
        (dict(invitation_codes=["ISEF-2030"]), dict(invitation_code="guess"), "valid invitation code"),
        (dict(guardian_required=True), dict(guardian_name="Mother"), "Give your date of birth"),
        (
            dict(guardian_required=True),
            dict(date_of_birth=dt.date(2014, 5, 5), guardian_name="Mother"),
            "under 18 on 1 Mar 2030: give the name and email address of a parent or guardian",
        ),
    ],
)
def test_refusals_say_which_rule_failed(ctx, rules, application, reason):
    make_policy(ctx["event"], **rules)
    with pytest.raises(RegistrationRefused, match=reason):
        apply(ctx, **application)
    assert db.session.scalar(select(func.count()).select_from(Registration)) == 0


def test_ages_count_on_the_events_first_day_and_eligible_people_get_in(ctx):
    make_policy(ctx["event"], min_age=18, max_age=35, invitation_codes=["ISEF-2030"], allowed_countries=["JP"])
    registration = apply(ctx, date_of_birth=dt.date(2012, 3, 1), invitation_code=" isef-2030 ", country_code="JP")
    assert registration.status is Status.CONFIRMED


def test_required_questions_must_be_answered_and_answers_are_cleaned(ctx):
    make_policy(ctx["event"])
    field = Question(
        event_id=ctx["event"].id, label="Field", kind=QuestionKind.SINGLE, choices=["Science", "Policy"], required=True
    )
    topics = Question(event_id=ctx["event"].id, label="Topics", kind=QuestionKind.MULTIPLE, choices=["Moon", "Mars"])
    db.session.add_all([field, topics])
    db.session.flush()
    with pytest.raises(RegistrationRefused, match="Please answer: Field"):
        apply(ctx, answers={str(field.id): "Astrology"})
    registration = apply(ctx, answers={str(field.id): "Policy", str(topics.id): ["Mars", "Venus"]})
    assert registration.answers == {str(field.id): "Policy", str(topics.id): ["Mars"]}


def test_the_seat_and_the_row_are_taken_together_or_the_seat_is_reported(ctx):
    """``insert_registration_taking_seat`` (one statement on PostgreSQL): confirmed with a
    seat while seats are free, waitlisted without one after; a person who has a registration
    already gets None and is told a seat was taken, so the caller can give it back."""
    from planner.registration import seats

    make_policy(ctx["event"], capacity=1)
    ana, ben = make_user(), make_user()

    def values(user):
        return dict(
            event_id=ctx["event"].id,
            user_id=user.id,
            applied_at=NOW,
            answers={"q": ["a", "b"]},
            date_of_birth=dt.date(2000, 2, 29),
        )

    first, took_first = seats.insert_registration_taking_seat(values(ana))
    second, took_second = seats.insert_registration_taking_seat(values(ben))
    again, took_again = seats.insert_registration_taking_seat(values(ana))
    db.session.flush()

    assert (first.status, took_first) == (Status.CONFIRMED, True)
    assert (second.status, took_second) == (Status.WAITLISTED, False)
    assert (again, took_again) == (None, False)  # the only seat is gone, so none was taken
    db.session.expire_all()
    stored = db.session.get(Registration, first.id)
    assert (stored.user_id, stored.answers, stored.date_of_birth) == (ana.id, {"q": ["a", "b"]}, dt.date(2000, 2, 29))
    assert db.session.get(RegistrationPolicy, ctx["event"].id).seats_taken == 1


def test_the_email_of_the_outcome_is_written_with_the_registration_and_none_for_a_duplicate(ctx):
    from planner.mail.services import message_values
    from planner.registration import seats

    make_policy(ctx["event"], capacity=1)
    ana, ben = make_user(), make_user()
    invite = ("text/calendar; method=REQUEST", "BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n")
    mail = {
        Status.CONFIRMED: message_values(
            "seat@example.org",
            "registration/confirmed",
            subject="Seat",
            attachment=invite,
            render_later=True,
            event="Y-ISEF",
        ),
        Status.WAITLISTED: message_values(
            "line@example.org", "registration/waitlisted", subject="Line", render_later=True, event="Y-ISEF"
        ),
    }

    def row(user):
        return dict(event_id=ctx["event"].id, user_id=user.id, applied_at=NOW)

    seats.insert_registration_taking_seat(row(ana), mail=mail)
    seats.insert_registration_taking_seat(row(ben), mail=mail)
    assert seats.insert_registration_taking_seat(row(ana), mail=mail) == (None, False)
    db.session.expire_all()
    messages = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
    assert [(m.to_address, m.subject, m.template, m.context) for m in messages] == [
        ("seat@example.org", "Seat", "registration/confirmed", {"event": "Y-ISEF"}),
        ("line@example.org", "Line", "registration/waitlisted", {"event": "Y-ISEF"}),
    ]
    assert (messages[0].attachment_content_type, messages[0].attachment_body) == invite
    assert (messages[1].attachment_content_type, messages[1].attachment_body) == (None, None)
    assert len({m.message_id for m in messages}) == 2


def test_a_duplicate_that_took_a_seat_says_so(ctx):
    from planner.registration import seats

    make_policy(ctx["event"], capacity=3)
    ana = make_user()
    row = dict(event_id=ctx["event"].id, user_id=ana.id, applied_at=NOW)
    seats.insert_registration_taking_seat(row)
    assert seats.insert_registration_taking_seat(row) == (None, True)
    assert db.session.get(RegistrationPolicy, ctx["event"].id).seats_taken == 2  # the caller gives one back
