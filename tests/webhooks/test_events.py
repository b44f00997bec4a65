"""Deliveries are written with the change they tell of, for the endpoints that asked for it."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import select

from planner.extensions import db
from planner.registration import services as registration
from planner.registration.eligibility import Application
from planner.registration.models import Registration, RegistrationPolicy, RegistrationStatus
from planner.statements.national import record_national_statement
from planner.webhooks import events, services
from planner.webhooks.models import WebhookDelivery, WebhookEvent
from tests.factories import (
    make_delegation,
    make_forum,
    make_organiser,
    make_plenary_and_panel,
    make_policy,
    make_user,
    tokyo,
)

BEFORE_THE_FORUM = dt.datetime(2018, 1, 10, tzinfo=dt.UTC)
URL = "https://127.0.0.1:8443/hooks"


@pytest.fixture
def programme(app):
    with app.test_request_context(method="POST"):
        built = make_plenary_and_panel()
        make_policy(built.event, approval_required=True)
        db.session.commit()
        yield built


def endpoint(programme, events, forum=None, **overrides):
    forum = forum or programme.forum
    organiser = programme.organiser if forum is programme.forum else make_organiser(forum)
    made, _secret = services.add_endpoint(organiser, forum, url=URL, description="", events=events, **overrides)
    return made


def queued() -> list[WebhookDelivery]:
    return list(db.session.scalars(select(WebhookDelivery).order_by(WebhookDelivery.id)))


def apply(programme, user=None, **application) -> Registration:
    return registration.apply(user or make_user(), programme.event, Application(**application), now=BEFORE_THE_FORUM)


def test_nothing_is_queued_for_a_change_rolled_back(programme):
    endpoint(programme, [WebhookEvent.REGISTRATION_CREATED])
    db.session.commit()
    apply(programme)
    db.session.flush()
    db.session.rollback()
    assert queued() == []
    assert db.session.scalars(select(Registration)).all() == []
    apply(programme)  # the notes of the rolled back transaction went with it
    db.session.commit()
    assert [d.event for d in queued()] == ["registration.created"]


def test_only_active_endpoints_of_the_forum_subscribed_to_the_event_get_it(programme):
    wants = endpoint(programme, [WebhookEvent.REGISTRATION_CREATED])
    endpoint(programme, [WebhookEvent.SESSION_MOVED])
    paused = endpoint(programme, [WebhookEvent.REGISTRATION_CREATED])
    services.set_active(programme.organiser, programme.forum, paused, False)
    endpoint(programme, [WebhookEvent.REGISTRATION_CREATED], forum=make_forum())
    db.session.commit()
    apply(programme)
    db.session.commit()
    assert [(d.endpoint_id, d.event) for d in queued()] == [(wants.id, "registration.created")]


def test_a_change_is_told_once_per_transaction_with_what_it_is_at_the_commit(programme):
    endpoint(programme, [WebhookEvent.REGISTRATION_CREATED, WebhookEvent.REGISTRATION_CHANGED])
    db.session.commit()
    made = apply(programme, organisation="JAXA")
    registration.approve(programme.organiser, made, now=BEFORE_THE_FORUM)  # moved in the same transaction
    made.answers = {"1": "yes"}
    db.session.commit()
    (delivery,) = queued()
    body = json.loads(delivery.body)
    assert delivery.event == "registration.created" and body["data"]["status"] == "confirmed"
    assert body["data"]["answers"] == {"1": "yes"}
    made.delegation_id = None
    made.organisation = "ESA"  # not one of the fields told of
    db.session.commit()
    assert len(queued()) == 1
    made.answers = {"1": "no"}
    db.session.commit()
    assert [d.event for d in queued()] == ["registration.created", "registration.changed"]


def test_a_registration_tells_no_date_of_birth_nor_guardian(programme):
    endpoint(programme, [WebhookEvent.REGISTRATION_CREATED])
    db.session.commit()
    made = apply(programme, organisation="JAXA", date_of_birth=dt.date(1990, 5, 1))
    made.guardian_name, made.guardian_email = "Guardian", "guardian@example.org"
    db.session.commit()
    (delivery,) = queued()
    assert "1990" not in delivery.body and "uardian" not in delivery.body
    assert set(json.loads(delivery.body)["data"]) == {
        "id", "event", "status", "applied_at", "decided_at", "name", "email", "delegation", "country",
        "organisation", "answers",
    }  # fmt: skip


def test_a_change_of_status_by_the_orm_is_told_too(programme):
    endpoint(programme, [WebhookEvent.REGISTRATION_CHANGED])
    made = apply(programme)
    db.session.commit()
    made.status = RegistrationStatus.WAITLISTED
    db.session.commit()
    assert [json.loads(d.body)["data"]["status"] for d in queued()] == ["waitlisted"]


def test_a_session_moved_twice_in_a_transaction_tells_where_it_was_before_the_first_move(programme):
    endpoint(programme, [WebhookEvent.SESSION_MOVED, WebhookEvent.SESSION_CLOSED])
    db.session.commit()
    panel = programme.panel
    panel.room = programme.hall
    db.session.flush()
    panel.starts_at, panel.ends_at = tokyo("2018-03-03 15:00"), tokyo("2018-03-03 16:00")
    db.session.commit()
    (delivery,) = queued()
    data = json.loads(delivery.body)["data"]
    assert data["room"]["name"] == "Hall" and data["starts_at"] == "2018-03-03T06:00:00Z"
    assert data["previous"] == {
        "starts_at": "2018-03-03T02:00:00Z",
        "ends_at": "2018-03-03T03:00:00Z",
        "room": {"id": programme.annex.id, "name": "Annex"},
    }
    panel.title = "Renamed"  # neither a move nor a cancellation
    db.session.commit()
    assert len(queued()) == 1


def test_a_transaction_with_changes_asks_for_the_endpoints_once(programme, count_queries):
    db.session.commit()
    with count_queries() as counter:
        for _ in range(3):
            apply(programme)
        programme.panel.room = programme.hall
        db.session.commit()
    endpoint_queries = [s for s in counter.statements if "FROM webhook_endpoints" in s]
    assert len(endpoint_queries) == 1
    with count_queries() as counter:
        programme.panel.title = "Renamed"
        db.session.commit()
    assert not [s for s in counter.statements if "webhook_endpoints" in s]


def test_an_application_taking_a_seat_at_once_is_told_with_its_outcome(programme):
    """Without approval the seat, the row and the email are one statement on PostgreSQL."""
    policy = db.session.get(RegistrationPolicy, programme.event.id)
    policy.approval_required, policy.capacity = False, 1
    endpoint(programme, [WebhookEvent.REGISTRATION_CREATED])
    db.session.commit()
    confirmed, waitlisted = apply(programme), apply(programme)
    db.session.commit()
    assert [json.loads(d.body)["data"]["status"] for d in queued()] == ["confirmed", "waitlisted"]
    assert [json.loads(d.body)["data"]["id"] for d in queued()] == [confirmed.id, waitlisted.id]


def test_a_session_taken_out_of_the_public_programme_is_closed(programme):
    endpoint(programme, [WebhookEvent.SESSION_CLOSED])
    db.session.commit()
    programme.panel.is_public = False
    db.session.commit()
    (delivery,) = queued()
    body = json.loads(delivery.body)
    assert body["event"] == "session.closed"
    assert body["data"]["is_public"] is False and body["data"]["status"] == "scheduled"
    programme.panel.title = "Still closed, renamed"
    db.session.commit()
    assert len(queued()) == 1


def test_a_statement_is_told_only_while_the_public_may_read_it(programme):
    """The statements' data is read with the record's rule of who reads what: a national statement
    of a session made closed is not told (none is sent for national statements anyway, but
    whatever notes one, the rule is the same as the pages', the search's and the API's)."""
    endpoint(programme, [WebhookEvent.STATEMENT_ADOPTED])
    document = record_national_statement(
        programme.organiser,
        session=programme.plenary,
        delegation=make_delegation(programme.forum, name="Japan"),
        slug="japan",
        title="Statement by Japan",
        text="Japan welcomes lunar cooperation.",
        language="en",
        delivered_on=dt.date(2018, 3, 3),
    )
    db.session.commit()
    programme.plenary.is_public = False
    db.session.flush()
    assert events.queue(db.session, events.Notes(statements_adopted=[document.id])) == 0
    programme.plenary.is_public = True
    db.session.flush()
    assert events.queue(db.session, events.Notes(statements_adopted=[document.id])) == 1
