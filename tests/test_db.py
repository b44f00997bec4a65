"""Column types and constraints that hold on SQLite and PostgreSQL alike."""

import datetime as dt

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError, StatementError

from planner.delegations.models import Delegation, DelegationKind
from planner.extensions import db
from planner.forums.models import Event, EventKind, Forum
from planner.schedule.models import Session
from tests.factories import committed, make_event, make_forum, make_session, tokyo


def test_times_come_back_aware_in_utc(app):
    with committed(app):
        event = make_event(make_forum())
        session = make_session(event, tokyo("2018-03-03 09:00"))
    session_id = session.id
    with app.app_context():
        stored = db.session.get(Session, session_id)
        assert stored.starts_at == dt.datetime(2018, 3, 3, 0, 0, tzinfo=dt.UTC)
        assert stored.starts_at.utcoffset() == dt.timedelta(0)


def test_naive_datetimes_are_refused(app):
    with app.app_context():
        event = make_event(make_forum())
        naive = dt.datetime(2018, 3, 3, 9, 0)
        with pytest.raises(StatementError, match="naive datetime"):
            make_session(event, naive)


def test_timestamps_compare_by_instant_not_by_offset(app):
    """09:00 Tokyo is 00:00 UTC: a query in UTC finds a session stored in Tokyo time."""
    with app.app_context():
        event = make_event(make_forum())
        make_session(event, tokyo("2018-03-03 09:00"))
        db.session.commit()
        found = db.session.scalars(
            select(Session).where(Session.starts_at >= dt.datetime(2018, 3, 3, 0, 0, tzinfo=dt.UTC))
        ).all()
        assert len(found) == 1


@pytest.mark.parametrize(
    "build",
    [
        pytest.param(
            lambda f, e: Session(
                event=e, title="Backwards", starts_at=tokyo("2018-03-03 10:00"), ends_at=tokyo("2018-03-03 09:00")
            ),
            id="session-ends-before-start",
        ),
        pytest.param(
            lambda f, e: Session(
                event=e, title="", starts_at=tokyo("2018-03-03 09:00"), ends_at=tokyo("2018-03-03 10:00")
            ),
            id="session-without-title",
        ),
        pytest.param(
            lambda f, e: Event(
                forum=f,
                code="lower",
                kind=EventKind.SIDE_EVENT,
                title="x",
                starts_at=tokyo("2018-03-03 09:00"),
                ends_at=tokyo("2018-03-03 10:00"),
            ),
            id="event-code-not-upper-case",
        ),
        pytest.param(
            lambda f, e: Event(
                forum=f,
                code=e.code,
                kind=EventKind.SIDE_EVENT,
                title="x",
                starts_at=tokyo("2018-03-03 09:00"),
                ends_at=tokyo("2018-03-03 10:00"),
            ),
            id="event-code-twice-in-a-forum",
        ),
        pytest.param(
            lambda f, e: Delegation(forum=f, name="Japan", kind=DelegationKind.COUNTRY), id="country-without-iso-code"
        ),
        pytest.param(
            lambda f, e: Delegation(forum=f, name="ESA", kind=DelegationKind.ORGANISATION, country_code="FR"),
            id="organisation-with-country-code",
        ),
        pytest.param(
            lambda f, e: Delegation(forum=f, name="Japan", kind=DelegationKind.COUNTRY, country_code="jp"),
            id="lower-case-iso-code",
        ),
        pytest.param(
            lambda f, e: Forum(
                slug=f.slug,
                name="Dup",
                title="Dup",
                host_city="x",
                host_country="JP",
                timezone="UTC",
                first_day=dt.date(2018, 1, 1),
                last_day=dt.date(2018, 1, 1),
            ),
            id="forum-slug-twice",
        ),
        pytest.param(
            lambda f, e: Forum(
                slug="reversed",
                name="R",
                title="R",
                host_city="x",
                host_country="JP",
                timezone="UTC",
                first_day=dt.date(2018, 1, 2),
                last_day=dt.date(2018, 1, 1),
            ),
            id="forum-last-day-before-first",
        ),
    ],
)
def test_database_enforces_constraints(app, build):
    with app.app_context():
        forum = make_forum()
        event = make_event(forum)
        db.session.commit()
        db.session.add(build(forum, event))
        with pytest.raises(IntegrityError):
            db.session.commit()
        db.session.rollback()
        # Nothing half-written: the forum and its event are still there, alone.
        assert db.session.scalar(select(db.func.count()).select_from(Event)) == 1


def test_deleting_a_forum_deletes_its_programme_in_the_database(app):
    with app.app_context():
        forum = make_forum()
        make_session(make_event(forum), tokyo("2018-03-03 09:00"))
        db.session.commit()
        # Bypass the ORM cascade: the foreign keys themselves must cascade.
        db.session.execute(db.delete(Forum).where(Forum.id == forum.id))
        db.session.commit()
        assert db.session.scalar(select(db.func.count()).select_from(Session)) == 0
