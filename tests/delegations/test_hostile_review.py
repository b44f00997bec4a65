"""Bugs a hostile review of #16 found in the invitation list, the invitations, the carry-over
and the participation page, one test each (each failed before its fix): forged numbers, races
between two requests sent at once, a privacy leak."""

from __future__ import annotations

import datetime as dt
import threading
import traceback
from concurrent.futures import ThreadPoolExecutor

import pytest
from flask import got_request_exception
from sqlalchemy import func, select

from planner.accounts.models import User
from planner.crypto import secret_digest
from planner.db import utcnow
from planner.delegations.models import (
    Delegation,
    DelegationFocalPoint,
    DelegationKind,
    DelegationMember,
    DelegationStatus,
    FocalPointInvitation,
    FocalPointRole,
    InternationalOrganisation,
    InvitationStatus,
    NominationStatus,
    RepresentationLevel,
)
from planner.extensions import db
from tests.conftest import sign_in
from tests.factories import (
    committed,
    make_delegation,
    make_forum,
    make_kept_list,
    make_organiser,
    make_person,
    make_programme,
    make_series,
)
from tests.registration.test_concurrency import post, session_cookie

LIST = "/forums/isef2/manage/delegations"


@pytest.fixture
def organiser(app, client):
    with committed(app):
        programme = make_programme()
        programme.others.update(make_kept_list())
    sign_in(client, programme.organiser)
    return client


# 1. A forged organisation number on the invitation list's form was a 500 --------------------------


@pytest.mark.parametrize(
    "number",
    [
        "²",  # str.isdigit() is true, int() refuses it: ValueError
        "9" * 20,  # past INTEGER: PostgreSQL refuses the look-up (DataError), SQLite overflows
    ],
)
def test_a_forged_organisation_number_is_a_form_error_not_a_500(app, organiser, number):
    response = organiser.post(
        LIST, data={"add-source": "organisation", "add-organisation": number, "add-status": "invited"}
    )
    assert response.status_code == 422
    assert "Choose an organisation from the list." in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Delegation)) == 0


# 2. The carry-over added a second delegation of one organisation of the site's list ----------------


def test_carrying_over_skips_an_organisation_of_the_list_the_forum_has_under_another_name(app, client):
    """ISEF2's ESA delegation was named "ESA"; ISEF3 invited ESA from the list, under its name
    there. The same entry of the list is the same delegation: the carry-over must skip it, as
    the invitation list itself refuses a list organisation twice in a forum."""
    with committed(app):
        esa = InternationalOrganisation(acronym="ESA", name="European Space Agency", is_space_agency=True)
        db.session.add(esa)
        db.session.flush()
        isef2 = make_forum(slug="isef2", name="ISEF2")
        isef3 = make_forum(slug="isef3", name="ISEF3", first_day=dt.date(2026, 5, 4), last_day=dt.date(2026, 5, 6))
        make_series(isef2, isef3)
        make_delegation(isef2, name="ESA", organisation_id=esa.id)
        make_delegation(isef3, name="European Space Agency", organisation_id=esa.id)
        organiser = make_organiser(isef3)
    sign_in(client, organiser)
    preview = client.get("/forums/isef3/manage/carry-over").get_data(as_text=True)
    assert "ESA: ISEF3 has European Space Agency already." in preview
    assert client.post("/forums/isef3/manage/carry-over", data={"source": str(isef2.id)}).status_code in (302, 422)
    with app.app_context():
        assert (
            db.session.scalar(
                select(func.count())
                .select_from(Delegation)
                .where(Delegation.forum_id == isef3.id, Delegation.organisation_id == esa.id)
            )
            == 1
        )


# 3. One invitation link used twice at once to make an account was a 500 ----------------------------

SECRET = "s" * 43
NEW_ACCOUNT = {
    "given_name": "Yui",
    "family_name": "Sato",
    "password": "a long enough passphrase",
    "confirm": "a long enough passphrase",
}


@pytest.mark.commits
@pytest.mark.postgresql
def test_one_link_sent_twice_at_once_makes_one_account_and_says_so_to_the_other(app, live_server):
    """A double click (or two tabs) on "Create my account": the second request waited on the
    first's new row in users and failed its unique address (uq_users_email) with a 500, instead
    of being told that the link was used."""
    errors: list[str] = []

    def collect(sender, exception, **extra) -> None:  # noqa: ANN001, ANN003
        errors.append("".join(traceback.format_exception(exception)))

    with committed(app):
        forum = make_forum(slug="isef2")
        japan = make_delegation(forum, name="Japan", kind=DelegationKind.COUNTRY, country_code="JP")
        organiser = make_organiser(forum)
        db.session.add(
            FocalPointInvitation(
                delegation=japan,
                email="yui@example.org",
                role=FocalPointRole.FOCAL_POINT,
                status=InvitationStatus.SENT,
                secret_hash=secret_digest(SECRET),
                invited_by_id=organiser.id,
                sent_at=utcnow(),
                times_sent=1,
                expires_at=utcnow() + dt.timedelta(days=3),
            )
        )
    count = 4
    barrier = threading.Barrier(count, timeout=10)
    with got_request_exception.connected_to(collect, app), ThreadPoolExecutor(count) as pool:
        futures = [
            pool.submit(post, live_server, f"/invitations/{SECRET}", NEW_ACCOUNT, None, barrier) for _ in range(count)
        ]
        codes = sorted(f.result(timeout=60) for f in futures)
    assert not errors, "\n".join(errors)
    assert codes == [200] + [410] * (count - 1), codes
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(User).where(User.email == "yui@example.org")) == 1
        assert db.session.scalar(select(func.count()).select_from(DelegationFocalPoint)) == 1


# 4. The participation page named members the forum's own public list leaves out --------------------


def test_the_participation_page_names_nobody_of_a_withdrawn_delegation(app, client):
    """ISEF2's public list of participants leaves out a delegation that withdrew (or declined),
    members and all; its participation page across the series named them all the same."""
    with committed(app):
        isef2 = make_forum(slug="isef2", name="ISEF2")
        isef3 = make_forum(slug="isef3", name="ISEF3", first_day=dt.date(2026, 5, 4), last_day=dt.date(2026, 5, 6))
        make_series(isef2, isef3)
        japan2 = make_delegation(
            isef2, name="Japan", kind=DelegationKind.COUNTRY, country_code="JP", status=DelegationStatus.WITHDRAWN
        )
        japan3 = make_delegation(isef3, name="Japan", kind=DelegationKind.COUNTRY, country_code="JP")
        person = make_person(name="Kenji Yamada")
        db.session.add(
            DelegationMember(
                delegation_id=japan2.id,
                person_id=person.id,
                status=NominationStatus.ACCREDITED,
                listed_publicly=True,
                level=RepresentationLevel.MINISTER,
                function="Minister",
            )
        )
    assert "Kenji Yamada" not in client.get("/forums/isef2/participants").get_data(as_text=True)
    for slug, delegation in (("isef2", japan2), ("isef3", japan3)):
        page = client.get(f"/forums/{slug}/delegations/{delegation.id}/participation").get_data(as_text=True)
        assert "Kenji Yamada" not in page, slug


# 5. The carry-over sent twice at once (a double click on its one button) was a 500 ------------------

CARRY = "/forums/isef3/manage/carry-over"


@pytest.mark.commits
@pytest.mark.postgresql
def test_the_carry_over_sent_twice_at_once_takes_each_delegation_once(app, live_server):
    """Both requests planned from the same empty forum and inserted the same delegations: the
    second failed the forum's unique names (uq_delegations_forum_id_name) with a 500."""
    errors: list[str] = []

    def collect(sender, exception, **extra) -> None:  # noqa: ANN001, ANN003
        errors.append("".join(traceback.format_exception(exception)))

    with committed(app):
        isef2 = make_forum(slug="isef2", name="ISEF2")
        isef3 = make_forum(slug="isef3", name="ISEF3", first_day=dt.date(2026, 5, 4), last_day=dt.date(2026, 5, 6))
        make_series(isef2, isef3)
        for code, name in (("FR", "France"), ("DE", "Germany"), ("IT", "Italy")):
            make_delegation(isef2, name=name, kind=DelegationKind.COUNTRY, country_code=code)
        organiser = make_organiser(isef3)
    cookie = session_cookie(app, organiser)
    barrier = threading.Barrier(2, timeout=10)
    with got_request_exception.connected_to(collect, app), ThreadPoolExecutor(2) as pool:
        futures = [pool.submit(post, live_server, CARRY, {"source": str(isef2.id)}, cookie, barrier) for _ in range(2)]
        codes = [f.result(timeout=60) for f in futures]
    assert not errors, "\n".join(errors)
    assert codes == [302, 302], codes
    with app.app_context():
        names = db.session.scalars(select(Delegation.name).where(Delegation.forum_id == isef3.id)).all()
        assert sorted(names) == ["France", "Germany", "Italy"]


# 6. Two organisers adding the same country at the same moment -------------------------------------


@pytest.mark.commits
@pytest.mark.postgresql
def test_the_same_country_added_twice_at_once_is_added_once_and_refused_once(app, live_server):
    """Both requests checked the list before either had added Japan: the second failed the
    forum's unique country (uq_delegations_forum_id_country_code) with a 500."""
    errors: list[str] = []

    def collect(sender, exception, **extra) -> None:  # noqa: ANN001, ANN003
        errors.append("".join(traceback.format_exception(exception)))

    with committed(app):
        isef3 = make_forum(slug="isef3", name="ISEF3", first_day=dt.date(2030, 5, 4), last_day=dt.date(2030, 5, 6))
        organisers = [make_organiser(isef3), make_organiser(isef3)]
    cookies = [session_cookie(app, organiser) for organiser in organisers]
    form = {"add-source": "country", "add-country_code": "JP", "add-status": "invited"}
    barrier = threading.Barrier(2, timeout=10)
    with got_request_exception.connected_to(collect, app), ThreadPoolExecutor(2) as pool:
        futures = [
            pool.submit(post, live_server, "/forums/isef3/manage/delegations", form, cookie, barrier)
            for cookie in cookies
        ]
        codes = sorted(f.result(timeout=60) for f in futures)
    assert not errors, "\n".join(errors)
    assert codes == [302, 422], codes
    with app.app_context():
        assert db.session.scalars(select(Delegation.name).where(Delegation.forum_id == isef3.id)).all() == ["Japan"]
