"""Carrying delegations over in a series: ISEF3 takes ISEF2's delegations in one step, with their
quotas and names, invited afresh; their focal points are invited again, never appointed; what
ISEF3 has already is skipped and listed; all of it or nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from planner.accounts.models import User
from planner.audit.models import AuditEntry
from planner.db import utcnow
from planner.delegations import carry_over, invitations
from planner.delegations.models import (
    Delegation,
    DelegationFocalPoint,
    DelegationKind,
    DelegationStatus,
    FocalPointInvitation,
    FocalPointRole,
    InternationalOrganisation,
)
from planner.extensions import db
from planner.forums.models import Forum, ForumSeries, ForumStatus
from planner.forums.services import ForumArchived
from planner.mail.models import OutboxMessage
from planner.refusals import NotAllowed
from tests.accounts.helpers import link_in, mails_to
from tests.conftest import sign_in
from tests.factories import committed, current, make_delegation, make_focal_point, make_forum, make_organiser

CARRY = "/forums/isef3/manage/carry-over"


@pytest.fixture
def series(app):
    """ISEF2 (2018) with Japan (quota 4, a focal point and a deputy), ESA and Italy; ISEF3
    (2026) of the same series with Italy already, and its organiser."""
    with committed(app):
        isef = ForumSeries(slug="isef", name="ISEF")
        db.session.add(isef)
        esa_org = InternationalOrganisation(acronym="ESA", name="European Space Agency", is_space_agency=True)
        db.session.add(esa_org)
        isef2 = make_forum(slug="isef2", name="ISEF2", series=isef)
        isef3 = make_forum(
            slug="isef3", name="ISEF3", series=isef, first_day=dt.date(2026, 5, 4), last_day=dt.date(2026, 5, 6)
        )
        japan = make_delegation(
            isef2,
            name="Japan",
            kind=DelegationKind.COUNTRY,
            country_code="JP",
            seat_quota=4,
            space_agency="JAXA",
            translations={"ja": {"name": "日本国"}},
            status=DelegationStatus.CONFIRMED,
        )
        esa = make_delegation(isef2, name="ESA", organisation_id=esa_org.id, seat_quota=2)
        make_delegation(isef2, name="Italy", kind=DelegationKind.COUNTRY, country_code="IT")
        make_delegation(isef3, name="Italia", kind=DelegationKind.COUNTRY, country_code="IT")
        kenji = make_focal_point(japan, email="kenji@example.org", name="Kenji")
        deputy = make_focal_point(japan, email="hana@example.org", name="Hana")
        db.session.get(DelegationFocalPoint, (japan.id, deputy.id)).role = FocalPointRole.DEPUTY
        organiser = make_organiser(isef3, email="org3@example.org")
    return {"isef2": isef2, "isef3": isef3, "japan": japan, "esa": esa, "organiser": organiser, "kenji": kenji}


@pytest.fixture
def organiser(client, series):
    sign_in(client, series["organiser"])
    return client


def delegations_of(app, slug: str) -> dict[str, Delegation]:
    with app.app_context():
        found = db.session.scalars(select(Delegation).join(Forum).where(Forum.slug == slug)).all()
        db.session.expunge_all()
        return {d.name: d for d in found}


def test_the_page_shows_what_would_be_taken_and_skipped(app, organiser, series):
    page = organiser.get(CARRY)
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "From ISEF2" in text and "2 delegations to take" in text
    assert "Kenji (kenji@example.org, Focal point)" in text and "Hana (hana@example.org, Deputy focal point)" in text
    assert "Italy: ISEF3 has Italia already." in text
    assert "Take 2 delegations from ISEF2" in text
    # Nothing is taken by looking.
    assert set(delegations_of(app, "isef3")) == {"Italia"}


def test_carrying_over_takes_the_delegations_and_invites_their_focal_points_again(app, organiser, series):
    response = organiser.post(CARRY, data={"source": str(series["isef2"].id)}, follow_redirects=True)
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert "2 delegations of ISEF2 are taken, as invited." in text
    assert "2 focal points are invited again by email." in text
    assert "Skipped, being in this forum already: Italy." in text
    taken = delegations_of(app, "isef3")
    assert set(taken) == {"Italia", "Japan", "ESA"}
    japan, esa = taken["Japan"], taken["ESA"]
    assert (japan.kind, japan.country_code, japan.seat_quota, japan.space_agency) == (
        DelegationKind.COUNTRY,
        "JP",
        4,
        "JAXA",
    )
    assert japan.translations == {"ja": {"name": "日本国"}}
    assert japan.status is DelegationStatus.INVITED and japan.carried_from_id == series["japan"].id
    assert japan.seats_used == 0
    assert (esa.kind, esa.organisation_id, esa.seat_quota, esa.carried_from_id) == (
        DelegationKind.ORGANISATION,
        series["esa"].organisation_id,
        2,
        series["esa"].id,
    )
    with app.app_context():
        # Re-invited, not appointed.
        assert (
            db.session.scalar(
                select(func.count())
                .select_from(DelegationFocalPoint)
                .where(DelegationFocalPoint.delegation_id == japan.id)
            )
            == 0
        )
        sent = db.session.execute(
            select(FocalPointInvitation.email, FocalPointInvitation.role).where(
                FocalPointInvitation.delegation_id == japan.id
            )
        ).all()
        assert sorted(tuple(row) for row in sent) == [
            ("hana@example.org", FocalPointRole.DEPUTY),
            ("kenji@example.org", FocalPointRole.FOCAL_POINT),
        ]
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "delegations.carried_over"))
        assert entry.after["taken"] == ["ESA", "Japan"] and entry.after["skipped"] == ["Italy"]
    [mail] = mails_to(app, "kenji@example.org")
    assert mail.subject == "Invitation to be focal point of Japan for ISEF3"
    # The re-invited focal point accepts as any invited person does.
    focal = app.test_client()
    sign_in(focal, series["kenji"])
    assert focal.post(link_in(mail) + "/accept").status_code == 200
    assert focal.get(f"/forums/isef3/delegations/{japan.id}/").status_code == 200
    # The earlier forum's delegations are as they were.
    assert set(delegations_of(app, "isef2")) == {"Japan", "ESA", "Italy"}


def test_carrying_over_twice_takes_nothing_more(app, organiser, series):
    organiser.post(CARRY, data={"source": str(series["isef2"].id)})
    page = organiser.get(CARRY).get_data(as_text=True)
    assert "Nothing to take: ISEF3 has every delegation of ISEF2 already." in page
    again = organiser.post(CARRY, data={"source": str(series["isef2"].id)}, follow_redirects=True)
    assert "0 delegations of ISEF2 are taken" in again.get_data(as_text=True)
    assert len(delegations_of(app, "isef3")) == 3
    assert len(mails_to(app, "kenji@example.org")) == 1


def test_a_name_in_another_letter_case_is_skipped(app, organiser, series):
    with committed(app):
        make_delegation(current(series["isef3"]), name="esa")
    organiser.post(CARRY, data={"source": str(series["isef2"].id)})
    assert set(delegations_of(app, "isef3")) == {"Italia", "esa", "Japan"}


def test_all_or_nothing(app, organiser, series, monkeypatch):
    sent = []

    def fail_on_the_second(*args, **kwargs):
        if sent:
            raise invitations.InvitationError("The mail could not be queued.")
        sent.append(args)
        return real(*args, **kwargs)

    real = invitations.send_invitation
    monkeypatch.setattr(carry_over, "send_invitation", fail_on_the_second)
    response = organiser.post(CARRY, data={"source": str(series["isef2"].id)})
    assert response.status_code == 422
    assert "The mail could not be queued." in response.get_data(as_text=True)
    assert set(delegations_of(app, "isef3")) == {"Italia"}
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(FocalPointInvitation)) == 0
        assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 0
        assert db.session.scalar(select(func.count()).select_from(AuditEntry)) == 0


@pytest.mark.parametrize("source", ["", "abc", "999999"])
def test_bad_input_is_a_form_error(app, organiser, series, source):
    response = organiser.post(CARRY, data={"source": source})
    assert response.status_code == 422
    assert 'class="error-summary"' in response.get_data(as_text=True)
    assert set(delegations_of(app, "isef3")) == {"Italia"}


def test_only_earlier_forums_of_the_same_series(app, organiser, series):
    with committed(app):
        elsewhere = make_forum(slug="other", name="Other forum")
        make_delegation(elsewhere, name="Mars")
        later = make_forum(
            slug="isef4",
            name="ISEF4",
            series=current(series["isef3"]).series,
            first_day=dt.date(2030, 1, 1),
            last_day=dt.date(2030, 1, 2),
        )
    for forum in (elsewhere, later, series["isef3"]):
        response = organiser.post(CARRY, data={"source": str(forum.id)})
        assert response.status_code == 422, forum
    with app.test_request_context():
        organiser_now, isef3 = current(series["organiser"]), current(series["isef3"])
        assert carry_over.earlier_forums(isef3) == [current(series["isef2"])]
        with pytest.raises(carry_over.CarryOverError):
            carry_over.carry_over(organiser_now, isef3, elsewhere.id)
    assert set(delegations_of(app, "isef3")) == {"Italia"}


def test_a_forum_outside_a_series_says_so(app, client):
    with committed(app):
        forum = make_forum(slug="alone", name="Alone")
        organiser = make_organiser(forum)
    sign_in(client, organiser)
    page = client.get("/forums/alone/manage/carry-over")
    assert page.status_code == 200 and "follows no earlier forum of a series" in page.get_data(as_text=True)


def test_organiser_of_the_new_forum_suffices_and_of_the_earlier_one_does_not(app, client, series):
    """Reading ISEF2's delegations is public: ISEF3's organiser needs no role at ISEF2. ISEF2's
    organiser is not ISEF3's and may not."""
    with committed(app):
        isef2_organiser = make_organiser(current(series["isef2"]))
    sign_in(client, isef2_organiser)
    assert client.get(CARRY).status_code == 403
    assert client.post(CARRY, data={"source": str(series["isef2"].id)}).status_code == 403
    with app.test_request_context():
        with pytest.raises(NotAllowed):
            carry_over.carry_over(current(isef2_organiser), current(series["isef3"]), series["isef2"].id)
    assert set(delegations_of(app, "isef3")) == {"Italia"}


def test_an_archived_forum_takes_nothing(app, series):
    with app.test_request_context():
        isef3 = current(series["isef3"])
        isef3.status = ForumStatus.ARCHIVED
        with pytest.raises(ForumArchived):
            carry_over.carry_over(current(series["organiser"]), isef3, series["isef2"].id)
        # An archived earlier forum can still be taken from.
        isef3.status = ForumStatus.PLANNING
        current(series["isef2"]).status = ForumStatus.ARCHIVED
        done = carry_over.carry_over(current(series["organiser"]), isef3, series["isef2"].id)
        assert [d.name for d in done.created] == ["ESA", "Japan"]


def test_a_deleted_account_is_not_invited_again(app, organiser, series):
    with committed(app):
        db.session.scalar(select(User).where(User.email == "hana@example.org")).deleted_at = utcnow()
    organiser.post(CARRY, data={"source": str(series["isef2"].id)})
    assert mails_to(app, "hana@example.org") == []
    assert len(mails_to(app, "kenji@example.org")) == 1
