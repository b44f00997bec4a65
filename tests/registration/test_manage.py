"""Organisers' registration pages: the list and its filters, fill levels, decisions on many
applications at once, cancellation, capacity, and the CSV export for badges."""

from __future__ import annotations

import csv
import datetime as dt
import io
import itertools

import pytest
from sqlalchemy import select

from planner.accounts.models import User
from planner.audit.models import AuditEntry
from planner.delegations.models import DelegationKind
from planner.extensions import db
from planner.forums.models import Forum
from planner.mail.models import OutboxMessage
from planner.registration import review, services
from planner.registration.eligibility import Application
from planner.registration.models import Registration, RegistrationPolicy
from planner.registration.models import RegistrationStatus as Status
from tests.conftest import sign_in
from tests.factories import (
    Programme,
    committed,
    make_delegation,
    make_event,
    make_forum,
    make_isef2,
    make_organiser,
    make_programme,
    make_user,
)

# The views decide at the real time: the forum is always ahead and the applications behind,
# so registration is open and the waiting list is served.
FIRST_DAY = dt.date.today() + dt.timedelta(days=90)
APPLIED = dt.datetime.combine(dt.date.today() - dt.timedelta(days=30), dt.time(9), tzinfo=dt.UTC)
PAGE = "/forums/isef2/manage/registrations"
_minutes = itertools.count()


@pytest.fixture
def programme(app) -> Programme:
    """ISEF2 ahead: Y-ISEF (2 seats, approval needed) and SIDE (1 seat); Japan, with 4
    ministerial seats, and ESA; Aiko, the organiser, and Dana, a delegate."""
    with committed(app):
        programme = make_programme(make_isef2(first_day=FIRST_DAY, last_day=FIRST_DAY + dt.timedelta(days=2)))
        programme.organiser.name = "Aiko"
        side = make_event(programme.forum, "SIDE")
        db.session.add_all(
            [
                RegistrationPolicy(event_id=programme.event.id, capacity=2, approval_required=True),
                RegistrationPolicy(event_id=side.id, capacity=1),
            ]
        )
        programme.delegation("japan", "Japan", kind=DelegationKind.COUNTRY, country_code="JP", seat_quota=4)
        programme.delegation("esa", "ESA")
        programme.person("delegate", name="Dana")
    return programme


def apply(app, code: str, *names: str, slug: str = "isef2", **application) -> list[int]:
    """Each named person applies to the event, a minute after the one before; their registration ids."""
    with app.test_request_context():
        forum = db.session.scalar(select(Forum).where(Forum.slug == slug))
        event = next(e for e in forum.events if e.code == code)
        registrations = [
            services.apply(
                make_user(name=name, email=f"{name.lower()}.{code.lower()}@example.org"),
                event,
                Application(**application),
                now=APPLIED + dt.timedelta(minutes=next(_minutes)),
            )
            for name in names
        ]
        db.session.commit()
        return [r.id for r in registrations]


def statuses(app, ids: list[int]) -> list[str]:
    with app.app_context():
        return [db.session.get(Registration, i).status.value for i in ids]


def seats_taken(app, code: str) -> int:
    with app.app_context():
        forum = db.session.scalar(select(Forum).where(Forum.slug == "isef2"))
        return next(services.policy_of(e) for e in forum.events if e.code == code).seats_taken


def event_id(app, code: str) -> int:
    with app.app_context():
        forum = db.session.scalar(select(Forum).where(Forum.slug == "isef2"))
        return next(e.id for e in forum.events if e.code == code)


def actions(app) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))


def subjects(app) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(select(OutboxMessage.subject).order_by(OutboxMessage.id)))


def bulk(client, action: str, ids: list, **extra):
    return client.post(f"{PAGE}/bulk", data={"action": action, "ids": [str(i) for i in ids], **extra})


# The list and its filters


def test_list_shows_applications_in_order_with_filters(client, app, programme):
    ana, _ = apply(app, "Y-ISEF", "Ana", "Ben", delegation_id=programme.japan.id, country_code="JP")
    apply(app, "Y-ISEF", "Cleo", delegation_id=programme.esa.id, country_code="FR")
    apply(app, "SIDE", "Dario", "Emil", country_code="JP")  # Emil waits: one seat
    sign_in(client, programme.organiser)

    page = client.get(PAGE).get_data(as_text=True)
    assert page.index(">Ana<") < page.index(">Ben<") < page.index(">Cleo<")
    assert "<title>Registrations for ISEF2 · planner</title>" in page
    assert "pending approval" in page and "on the waiting list" in page
    with app.app_context():
        applied = db.session.get(Registration, ana).applied_at
    shown = (applied + dt.timedelta(hours=9)).strftime("%Y-%m-%d %H:%M")  # Tokyo time
    assert f'<time datetime="{applied.isoformat()}">{shown}</time>' in page

    def names(query: str) -> set[str]:
        response = client.get(f"{PAGE}?{query}")
        assert response.status_code == 200
        text = response.get_data(as_text=True)
        return {n for n in ("Ana", "Ben", "Cleo", "Dario", "Emil") if f">{n}<" in text}

    assert names("event=side") == {"Dario", "Emil"}
    assert names("status=waitlisted") == {"Emil"}
    assert names("status=pending&event=Y-ISEF") == {"Ana", "Ben", "Cleo"}
    assert names(f"delegation={programme.japan.id}") == {"Ana", "Ben"}
    assert names("country=jp") == {"Ana", "Ben", "Dario", "Emil"}
    assert names(f"country=FR&delegation={programme.esa.id}") == {"Cleo"}


@pytest.mark.parametrize(
    "query, message",
    [
        ("status=lost", "There is no registration status lost."),
        ("event=NOPE", "This forum has no event with the code NOPE."),
        ("delegation=abc", "This forum has no such delegation."),
        ("delegation=" + "9" * 5000, "This forum has no such delegation."),
        ("delegation=%C2%B2", "This forum has no such delegation."),
        ("country=Japan", "two-letter ISO code"),
    ],
)
def test_a_bad_filter_is_explained(client, programme, query, message):
    sign_in(client, programme.organiser)
    response = client.get(f"{PAGE}?{query}")
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)


def test_a_delegation_of_another_forum_is_no_filter(client, app, programme):
    with committed(app):
        foreign = make_delegation(make_forum()).id
    sign_in(client, programme.organiser)
    assert client.get(f"{PAGE}?delegation={foreign}").status_code == 400


def test_fill_levels_by_event_and_delegation(client, app, programme):
    first, _, _ = apply(app, "Y-ISEF", "Ana", "Ben", "Cleo", delegation_id=programme.japan.id)
    apply(app, "SIDE", "Dario", "Emil", delegation_id=programme.japan.id)  # confirmed, waitlisted
    apply(app, "SIDE", "Femi")  # waitlisted, no delegation
    with app.test_request_context():
        services.approve(db.session.get(User, programme.organiser.id), db.session.get(Registration, first))
        db.session.commit()
    with app.app_context():
        forum = db.session.get(Forum, programme.forum.id)
        levels = {
            f.event.code: (
                f.policy.capacity,
                f.policy.seats_taken,
                f.counts.confirmed,
                f.counts.pending,
                f.counts.waitlisted,
                f.seats_free,
            )
            for f in review.fill_levels(forum)
        }
        assert levels == {"Y-ISEF": (2, 1, 1, 2, 0, 1), "SIDE": (1, 1, 1, 0, 2, 0)}
        by_delegation = {
            (d.delegation.name if d.delegation else None): (d.counts.confirmed, d.counts.pending, d.counts.waitlisted)
            for d in review.delegation_levels(forum)
        }
        assert by_delegation == {"ESA": (0, 0, 0), "Japan": (2, 2, 1), None: (0, 0, 1)}
    sign_in(client, programme.organiser)
    page = client.get(PAGE).get_data(as_text=True)
    assert "Without a delegation" in page and "Ministerial seat quota" in page


def test_list_costs_the_same_queries_for_5_and_200_registrations(client, app, programme, count_queries):
    def add_registrations(count: int) -> None:
        with app.app_context():
            forum = db.session.get(Forum, programme.forum.id)
            for n in range(count):
                event = forum.events[n % 2]
                db.session.add(
                    Registration(
                        event_id=event.id,
                        user_id=make_user().id,
                        status=list(Status)[n % 5],
                        delegation_id=(programme.japan.id, programme.esa.id, None)[n % 3],
                        country_code=("JP", "FR", None)[n % 3],
                        applied_at=APPLIED + dt.timedelta(seconds=n),
                    )
                )
            db.session.commit()

    sign_in(client, programme.organiser)
    add_registrations(5)
    client.get(PAGE)  # templates compiled, session loaded
    with count_queries() as few:
        assert client.get(PAGE).status_code == 200
    add_registrations(195)
    with count_queries() as many:
        page = client.get(PAGE).get_data(as_text=True)
    assert page.count('name="ids"') == 120  # pending, confirmed and waitlisted ones can be decided
    assert many.count == few.count, many.statements


# Deciding on many applications at once


def test_bulk_approval_confirms_while_seats_last_then_waitlists(client, app, programme):
    ana, ben, cleo = apply(app, "Y-ISEF", "Ana", "Ben", "Cleo")
    sign_in(client, programme.organiser)
    # Sent in any order, taken in order of application: the earliest get the seats.
    response = bulk(client, "approve", [cleo, ben, ana], event="Y-ISEF", status="pending")
    assert response.status_code == 302
    assert response.headers["Location"] == f"{PAGE}?event=Y-ISEF&status=pending"
    assert statuses(app, [ana, ben, cleo]) == ["confirmed", "confirmed", "waitlisted"]
    assert seats_taken(app, "Y-ISEF") == 2
    assert actions(app) == ["registration.approved", "registration.approved", "registration.approved_waitlisted"]
    assert subjects(app)[3:] == ["Your place at Test event is confirmed"] * 2 + [
        "You are on the waiting list for Test event"
    ]
    page = client.get(PAGE).get_data(as_text=True)
    assert "3 approved (1 on the waiting list: the event is full), 0 skipped." in page


def test_bulk_decline_of_a_confirmed_place_serves_the_waiting_list(client, app, programme):
    ana, ben, cleo = apply(app, "SIDE", "Ana", "Ben", "Cleo")
    assert statuses(app, [ana, ben, cleo]) == ["confirmed", "waitlisted", "waitlisted"]
    sign_in(client, programme.organiser)
    assert bulk(client, "decline", [ana]).status_code == 302
    assert statuses(app, [ana, ben, cleo]) == ["declined", "confirmed", "waitlisted"]
    assert seats_taken(app, "SIDE") == 1
    assert actions(app) == ["registration.declined"]
    assert subjects(app)[-2:] == ["Your application for Test event was declined", "A place at Test event is now yours"]
    assert "1 declined, 0 skipped." in client.get(PAGE).get_data(as_text=True)


def test_bulk_decline_never_promotes_someone_it_is_declining(client, app, programme):
    ana, ben, cleo = apply(app, "SIDE", "Ana", "Ben", "Cleo")
    sign_in(client, programme.organiser)
    bulk(client, "decline", [ana, ben])
    assert statuses(app, [ana, ben, cleo]) == ["declined", "declined", "confirmed"]
    with app.app_context():
        ben_mail = db.session.scalars(
            select(OutboxMessage.subject)
            .where(OutboxMessage.to_address == "ben.side@example.org")
            .order_by(OutboxMessage.id)
        ).all()
    assert ben_mail == ["You are on the waiting list for Test event", "Your application for Test event was declined"]


def test_bulk_skips_what_is_not_this_forums_or_no_longer_pending(client, app, programme):
    with committed(app):
        other = make_forum(slug="other", first_day=FIRST_DAY, last_day=FIRST_DAY + dt.timedelta(days=2))
        db.session.add(RegistrationPolicy(event_id=make_event(other, "OTHER").id, approval_required=True))
    (foreign,) = apply(app, "OTHER", "Zed", slug="other")
    ana, ben = apply(app, "Y-ISEF", "Ana", "Ben")
    sign_in(client, programme.organiser)
    bulk(client, "approve", [ana])
    response = bulk(client, "approve", [ana, ben, foreign, 999_999])
    assert response.status_code == 302
    assert statuses(app, [ana, ben, foreign]) == ["confirmed", "confirmed", "pending"]
    page = client.get(PAGE).get_data(as_text=True)
    assert (
        "1 approved, 3 skipped (2 × not a registration of this forum; 1 × Only pending applications can be approved)."
    ) in page
    with app.app_context():
        assert db.session.scalar(select(AuditEntry).where(AuditEntry.target_id == str(foreign))) is None


@pytest.mark.parametrize(
    "data, message",
    [
        ({"action": "approve", "ids": ["1", "two"]}, "Registrations are chosen by their numbers."),
        ({"action": "approve", "ids": ["-1"]}, "Registrations are chosen by their numbers."),
        ({"action": "approve", "ids": ["2147483648"]}, "Registrations are chosen by their numbers."),
        ({"action": "approve", "ids": ["²", "1" * 5000]}, "Registrations are chosen by their numbers."),
        ({"action": "approve", "ids": [str(n) for n in range(1, 502)]}, "At most 500 registrations"),
        ({"action": "delete", "ids": ["1"]}, "Choose whether to approve or decline"),
        ({"ids": ["1"]}, "Choose whether to approve or decline"),
    ],
)
def test_bulk_refuses_bad_input(client, programme, data, message):
    sign_in(client, programme.organiser)
    response = client.post(f"{PAGE}/bulk", data=data)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)


def test_bulk_without_a_selection_says_so(client, programme):
    sign_in(client, programme.organiser)
    response = client.post(f"{PAGE}/bulk", data={"action": "approve"}, follow_redirects=True)
    assert response.status_code == 200
    assert "Select at least one registration." in response.get_data(as_text=True)


# Cancelling one registration


def test_organiser_cancels_a_registration_and_the_next_in_line_gets_the_seat(client, app, programme):
    ana, ben = apply(app, "SIDE", "Ana", "Ben")
    sign_in(client, programme.organiser)
    response = client.post(f"{PAGE}/{ana}/cancel", data={"status": "confirmed"})
    assert response.headers["Location"] == f"{PAGE}?status=confirmed"
    assert statuses(app, [ana, ben]) == ["cancelled", "confirmed"]
    assert actions(app) == ["registration.cancelled"]
    assert "The registration of Ana for SIDE is cancelled." in client.get(PAGE).get_data(as_text=True)
    # Cancelling it again is refused with the reason, not an error page.
    client.post(f"{PAGE}/{ana}/cancel")
    assert "This registration is no longer active." in client.get(PAGE).get_data(as_text=True)
    assert actions(app) == ["registration.cancelled"]


def test_a_registration_of_another_forum_cannot_be_cancelled_here(client, app, programme):
    with committed(app):
        other = make_forum(slug="other", first_day=FIRST_DAY, last_day=FIRST_DAY + dt.timedelta(days=2))
        db.session.add(RegistrationPolicy(event_id=make_event(other, "OTHER").id))
    (foreign,) = apply(app, "OTHER", "Zed", slug="other")
    sign_in(client, programme.organiser)
    assert client.post(f"{PAGE}/{foreign}/cancel").status_code == 404
    assert client.post(f"{PAGE}/999999/cancel").status_code == 404
    assert client.post(f"{PAGE}/{10**30}/cancel").status_code == 404  # not a database error
    assert statuses(app, [foreign]) == ["confirmed"]


# Capacity


def test_capacity_below_the_seats_taken_is_refused(client, app, programme):
    apply(app, "SIDE", "Ana")
    side = event_id(app, "SIDE")
    with app.app_context():
        db.session.get(RegistrationPolicy, side).capacity = 5
        db.session.commit()
    apply(app, "SIDE", "Ben", "Cleo")
    sign_in(client, programme.organiser)
    response = client.post("/forums/isef2/manage/events/SIDE/capacity", data={"capacity": "2"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "3 seats are taken: cancel or decline registrations before lowering the capacity below that." in page
    assert 'aria-invalid="true"' in page and 'id="capacity-SIDE"' in page and 'href="#capacity-SIDE"' in page
    with app.app_context():
        assert db.session.get(RegistrationPolicy, side).capacity == 5
    assert actions(app) == []


def test_raising_the_capacity_serves_the_waiting_list(client, app, programme):
    ana, ben, cleo = apply(app, "SIDE", "Ana", "Ben", "Cleo")
    sign_in(client, programme.organiser)
    response = client.post("/forums/isef2/manage/events/side/capacity", data={"capacity": "2"})
    assert response.status_code == 302
    assert statuses(app, [ana, ben, cleo]) == ["confirmed", "confirmed", "waitlisted"]
    assert actions(app) == ["registration.capacity_changed"]
    assert "SIDE now has 2 places." in client.get(PAGE).get_data(as_text=True)
    # Empty: no limit, and everyone waiting gets in.
    assert client.post("/forums/isef2/manage/events/SIDE/capacity", data={"capacity": ""}).status_code == 302
    assert statuses(app, [cleo]) == ["confirmed"]
    side = event_id(app, "SIDE")
    with app.app_context():
        assert db.session.get(RegistrationPolicy, side).capacity is None


@pytest.mark.parametrize("value", ["0", "many", "-3"])
def test_capacity_must_be_a_positive_number(client, app, programme, value):
    sign_in(client, programme.organiser)
    response = client.post("/forums/isef2/manage/events/SIDE/capacity", data={"capacity": value})
    assert response.status_code == 422
    assert actions(app) == []


def test_capacity_of_an_unknown_event_is_404(client, programme):
    sign_in(client, programme.organiser)
    assert client.post("/forums/isef2/manage/events/NOPE/capacity", data={"capacity": "3"}).status_code == 404


# CSV export for badges


def test_csv_lists_confirmed_registrations_for_badges(client, app, programme):
    side = event_id(app, "SIDE")
    with app.app_context():
        db.session.get(RegistrationPolicy, side).capacity = 5
        db.session.commit()
    ana, ben = apply(
        app, "SIDE", "Ana", "Ben", organisation="Agency", delegation_id=programme.japan.id, country_code="JP"
    )
    apply(app, "Y-ISEF", "Cleo")  # pending: no badge yet
    with app.app_context():
        # What spreadsheets would run as formulas.
        db.session.get(Registration, ana).organisation = "+cmd|' /C calc'!A0"
        db.session.get(Registration, ben).user.name = '=HYPERLINK("http://evil.example")'
        db.session.get(Registration, ben).organisation = "-2+3"
        db.session.get(Registration, ben).delegation.name = "@SUM(1)"
        db.session.commit()
    sign_in(client, programme.organiser)
    response = client.get(f"{PAGE}.csv")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.headers["Content-Disposition"] == 'attachment; filename="isef2-registrations.csv"'
    assert not response.data.startswith(b"\xef\xbb\xbf")  # no byte-order mark
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows == [
        ["name", "email", "organisation", "delegation", "country", "event_code", "status", "registration_id"],
        ["Ana", "ana.side@example.org", "'+cmd|' /C calc'!A0", "'@SUM(1)", "JP", "SIDE", "confirmed", str(ana)],
        [
            '\'=HYPERLINK("http://evil.example")',
            "ben.side@example.org",
            "'-2+3",
            "'@SUM(1)",
            "JP",
            "SIDE",
            "confirmed",
            str(ben),
        ],
    ]
    assert client.get(f"{PAGE}.csv?event=Y-ISEF").get_data(as_text=True).count("\n") == 1  # the header only
    assert client.get(f"{PAGE}.csv?status=pending").get_data(as_text=True).count("\n") == 3  # confirmed only
    assert client.get(f"{PAGE}.csv?country=zz-top").status_code == 400


# Who may use these pages


def test_only_the_forums_organisers_reach_these_pages(client, app, programme):
    (registration,) = apply(app, "SIDE", "Ana")
    with committed(app):
        other_organiser = make_organiser(make_forum())
    requests = [
        ("GET", PAGE),
        ("GET", f"{PAGE}.csv"),
        ("POST", f"{PAGE}/bulk", {"action": "decline", "ids": [str(registration)]}),
        ("POST", f"{PAGE}/{registration}/cancel", {}),
        ("POST", "/forums/isef2/manage/events/SIDE/capacity", {"capacity": "9"}),
    ]
    for method, url, *data in requests:
        assert client.open(url, method=method, data=data[0] if data else None).status_code == 302, url  # sign in
    for token in (programme.delegate, other_organiser):
        sign_in(client, token)
        for method, url, *data in requests:
            assert client.open(url, method=method, data=data[0] if data else None).status_code == 403, url
    assert statuses(app, [registration]) == ["confirmed"]
    assert actions(app) == []


@pytest.mark.app_config(WTF_CSRF_ENABLED=True)
def test_decisions_need_the_pages_csrf_token(client, app, programme):
    (ana,) = apply(app, "Y-ISEF", "Ana")
    sign_in(client, programme.organiser)
    assert bulk(client, "approve", [ana]).status_code == 400
    assert statuses(app, [ana]) == ["pending"]
    page = client.get(PAGE).get_data(as_text=True)
    assert f'for="select-{ana}"' in page and "Select Ana" in page
    token = page.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    assert bulk(client, "approve", [ana], csrf_token=token).status_code == 302
    assert statuses(app, [ana]) == ["confirmed"]
