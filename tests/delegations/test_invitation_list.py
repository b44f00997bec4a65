"""The invitation list through its pages: organisers add countries, organisations of the site's
list and others by name, edit and remove them; every refusal is a message and stores nothing."""

import datetime as dt

import pytest
from sqlalchemy import func, select

from planner.audit.models import AuditEntry
from planner.delegations import invitation_list
from planner.delegations import services as nominations
from planner.delegations.models import Delegation, DelegationKind, DelegationStatus
from planner.extensions import db
from planner.forums.models import ForumStatus
from planner.statements.models import DocumentKind, Endorsement, EndorsementKind
from planner.statements.services import create_document
from tests.conftest import sign_in
from tests.factories import Programme, committed, current, make_forum, make_kept_list, make_organiser, make_programme

LIST = "/forums/isef2/manage/delegations"


@pytest.fixture
def programme(app) -> Programme:
    """ISEF2 in English and Japanese with Japan (two seats) and the site's list; an organiser of
    another forum with a delegation of its own."""
    with committed(app):
        programme = make_programme()
        programme.forum.languages = ["en", "ja"]
        programme.delegation("japan", "Japan", kind=DelegationKind.COUNTRY, country_code="JP", seat_quota=2)
        other = make_forum(slug="other")
        programme.delegation("foreign", "France", forum=other, kind=DelegationKind.COUNTRY, country_code="FR")
        programme.people["other_organiser"] = make_organiser(other)
        programme.others.update(make_kept_list())
    return programme


@pytest.fixture
def organiser(client, programme):
    sign_in(client, programme.organiser)
    return client


def add(client, **fields):
    data = {"add-status": "invited", **{f"add-{k}": v for k, v in fields.items()}}
    return client.post(LIST, data=data)


def stored(app) -> dict[str, Delegation]:
    with app.app_context():
        forum_delegations = db.session.scalars(
            select(Delegation).join(Delegation.forum).where(Delegation.forum.has(slug="isef2"))
        )
        return {d.name: d for d in forum_delegations}


def test_organisers_add_a_country_an_organisation_of_the_list_and_one_by_name(app, organiser, programme):
    assert add(organiser, source="country", country_code="FR", seat_quota="3", space_agency="CNES").status_code == 302
    assert add(organiser, source="organisation", organisation=str(programme.ESA.id)).status_code == 302
    response = add(
        organiser, source="name", name="Moon Village Association", name_ja="ムーン・ビレッジ協会", status="confirmed"
    )
    assert response.status_code == 302
    delegations = stored(app)
    france, esa, village = (
        delegations["France"],
        delegations["European Space Agency"],
        delegations["Moon Village Association"],
    )
    assert (france.kind, france.country_code, france.seat_quota, france.space_agency, france.status) == (
        DelegationKind.COUNTRY,
        "FR",
        3,
        "CNES",
        DelegationStatus.INVITED,
    )
    assert (esa.kind, esa.organisation_id, esa.space_agency) == (
        DelegationKind.ORGANISATION,
        programme.ESA.id,
        "European Space Agency (ESA)",  # a space agency on the list brings itself
    )
    assert (village.kind, village.organisation_id, village.translations, village.status) == (
        DelegationKind.ORGANISATION,
        None,
        {"ja": {"name": "ムーン・ビレッジ協会"}},
        DelegationStatus.CONFIRMED,
    )
    with app.app_context():
        added = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "delegation.added")).all()
        assert {e.after["name"] for e in added} == {"France", "European Space Agency", "Moon Village Association"}
        assert all(e.actor_id == programme.organiser.id for e in added)


def test_the_list_shows_names_in_the_readers_language_in_its_order(app, organiser, programme):
    add(organiser, source="country", country_code="DE")
    add(organiser, source="organisation", organisation=str(programme.ESA.id))
    add(organiser, source="name", name="Moon Village Association", name_ja="ムーン・ビレッジ協会")
    english = organiser.get(LIST).get_data(as_text=True).split("<tbody>")[1]
    assert english.index("European Space Agency") < english.index("Germany") < english.index("Japan")
    page = organiser.get(LIST + "?lang=ja").get_data(as_text=True)
    japanese = page.split("<tbody>")[1].split("</tbody>")[0]
    for name in ("ドイツ", "日本", "欧州宇宙機関", "ムーン・ビレッジ協会"):
        assert name in japanese
    # Kana before kanji: ドイツ, ムーン..., then 欧州 and 日本.
    assert japanese.index("ドイツ") < japanese.index("ムーン・ビレッジ協会") < japanese.index("欧州宇宙機関")
    # The country list: ISO 3166-1 only, in Japanese order.
    countries = page.split('id="add-country_code"')[1].split("</select>")[0]
    assert countries.index("アイスランド") < countries.index("アゼルバイジャン") < countries.index("日本")
    assert "欧州連合" not in countries


def test_the_country_list_offers_iso_3166_countries_only(organiser):
    page = organiser.get(LIST).get_data(as_text=True)
    countries = page.split('id="add-country_code"')[1].split("</select>")[0]
    assert 'value="FR"' in countries and 'value="TW"' in countries
    for code in ("EU", "EZ", "UN", "QO", "XA", "XB", "XK", "ZZ"):
        assert f'value="{code}"' not in countries


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({}, "Choose what to invite."),
        ({"source": "planet"}, "Not a valid choice."),
        ({"source": "country"}, "Choose a country."),
        ({"source": "country", "country_code": "EU"}, "EU is not an ISO 3166-1 country code."),
        ({"source": "country", "country_code": "ZZ"}, "ZZ is not an ISO 3166-1 country code."),
        ({"source": "country", "country_code": "JP"}, "Japan is already invited: Japan in this forum."),
        ({"source": "organisation"}, "Choose an organisation."),
        ({"source": "organisation", "organisation": "999999"}, "Choose an organisation from the list."),
        ({"source": "organisation", "organisation": "abc"}, "Choose an organisation from the list."),
        ({"source": "name"}, "Enter the organisation&#39;s name."),
        ({"source": "name", "name": "x" * 201}, "Field cannot be longer than 200 characters."),
        ({"source": "name", "name": "Bad\x01name"}, ""),
        ({"source": "name", "name": "japan"}, "japan is a country (JP): choose it from the country list."),
        ({"source": "name", "name": "esa"}, "esa is on the site&#39;s list of organisations as ESA"),
        ({"source": "name", "name": "Moon", "name_ja": "月" * 201}, "Keep this to 200 characters or fewer"),
        ({"source": "country", "country_code": "FR", "seat_quota": "-1"}, "Enter a number from 0 to 1000."),
        ({"source": "country", "country_code": "FR", "seat_quota": "1001"}, "Enter a number from 0 to 1000."),
        ({"source": "country", "country_code": "FR", "seat_quota": "many"}, "Not a valid integer value."),
        ({"source": "country", "country_code": "FR", "status": "lost"}, "Invalid Choice: could not coerce."),
        ({"source": "country", "country_code": "FR", "space_agency": "x" * 201}, "longer than 200"),
    ],
)
def test_bad_input_is_refused_with_a_message_and_stores_nothing(app, organiser, fields, message):
    response = add(organiser, **fields)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert set(stored(app)) == {"Japan"}


def test_a_name_is_used_once_in_any_letter_case(app, organiser):
    assert add(organiser, source="name", name="Moon Village Association").status_code == 302
    response = add(organiser, source="name", name="MOON village association")
    assert response.status_code == 422
    assert "The name MOON village association is already used: Moon Village Association in this forum." in (
        response.get_data(as_text=True)
    )
    assert len(stored(app)) == 2


def test_an_organisation_of_the_list_is_invited_once(app, organiser, programme):
    add(organiser, source="organisation", organisation=str(programme.EU.id))
    response = add(organiser, source="organisation", organisation=str(programme.EU.id))
    assert response.status_code == 422
    assert "European Union is already invited" in response.get_data(as_text=True)


def edit(client, delegation, **fields):
    data = {"edit-status": delegation.status.value, **{f"edit-{k}": v for k, v in fields.items()}}
    return client.post(f"{LIST}/{delegation.id}/edit", data=data)


def test_editing_changes_space_agency_quota_and_status_and_is_audited(app, organiser, programme):
    page = organiser.get(f"{LIST}/{programme.japan.id}/edit")
    assert page.status_code == 200 and 'name="edit-name"' not in page.get_data(as_text=True)  # a country's name stays
    response = edit(organiser, programme.japan, space_agency="JAXA", seat_quota="5", status="confirmed")
    assert response.status_code == 302
    japan = stored(app)["Japan"]
    assert (japan.space_agency, japan.seat_quota, japan.status) == ("JAXA", 5, DelegationStatus.CONFIRMED)
    with app.app_context():
        actions = db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)).all()
    assert actions == ["nomination.quota_changed", "delegation.changed"]


def test_a_delegation_invited_by_name_can_be_renamed_in_every_language(app, organiser):
    add(organiser, source="name", name="Moon Village Association")
    village = stored(app)["Moon Village Association"]
    response = edit(organiser, village, name="Moon Village Assoc.", name_ja="ムーン・ビレッジ協会")
    assert response.status_code == 302
    renamed = stored(app)["Moon Village Assoc."]
    assert renamed.translations == {"ja": {"name": "ムーン・ビレッジ協会"}}
    assert edit(organiser, renamed, name="").status_code == 422  # a name is needed


def test_the_quota_never_goes_below_the_seats_nominations_hold(app, organiser, programme):
    with app.app_context():
        nominations.nominate(
            current(programme.organiser), current(programme.japan), given_name="Aiko", email="a@example.org"
        )
        nominations.nominate(
            current(programme.organiser), current(programme.japan), given_name="Ben", email="b@example.org"
        )
        db.session.commit()
    response = edit(organiser, programme.japan, seat_quota="1")
    assert response.status_code == 422
    assert "2 seats are held by nominations: withdraw or decline some first." in response.get_data(as_text=True)
    assert stored(app)["Japan"].seat_quota == 2


def test_a_declined_or_withdrawn_delegation_nominates_nobody_more_and_keeps_its_nominations(app, organiser, programme):
    with app.app_context():
        nominations.nominate(
            current(programme.organiser), current(programme.japan), given_name="Aiko", email="a@example.org"
        )
        db.session.commit()
    assert edit(organiser, programme.japan, status="withdrawn").status_code == 302
    response = organiser.post(
        f"/forums/isef2/delegations/{programme.japan.id}/nominations",
        data={"nominate-given_name": "Ben", "nominate-email": "b@example.org", "nominate-role": "member"},
    )
    assert response.status_code == 422
    assert "Japan cannot nominate members: its status is “Withdrawn from the forum”." in response.get_data(as_text=True)
    with app.app_context():
        japan = db.session.get_one(Delegation, programme.japan.id)
        assert [m.person.name for m in japan.members] == ["Aiko"] and japan.seats_used == 1


def test_a_delegation_with_nominations_or_endorsements_is_withdrawn_not_removed(app, organiser, programme):
    with app.app_context():
        nominations.nominate(
            current(programme.organiser), current(programme.japan), given_name="Aiko", email="a@example.org"
        )
        db.session.commit()
    page = organiser.get(f"{LIST}/{programme.japan.id}/edit").get_data(as_text=True)
    assert "Japan cannot be removed: it has 1 nomination. Set its status to withdrawn instead." in page
    response = organiser.post(
        f"{LIST}/{programme.japan.id}/remove", data={"remove-confirm": "yes"}, follow_redirects=True
    )
    assert "Japan cannot be removed: it has 1 nomination. Set its status to withdrawn instead." in response.get_data(
        as_text=True
    )
    assert "Japan" in stored(app)

    add(organiser, source="country", country_code="FR")
    france = stored(app)["France"]
    with app.app_context():
        document = create_document(
            current(programme.organiser),
            current(programme.forum),
            kind=DocumentKind.JOINT_STATEMENT,
            title="T",
            slug="t",
            text=".",
        )
        db.session.add(
            Endorsement(
                document_id=document.id,
                delegation_id=france.id,
                kind=EndorsementKind.ENDORSED,
                endorsed_on=dt.date(2018, 3, 3),
            )
        )
        db.session.commit()
    response = organiser.post(f"{LIST}/{france.id}/remove", data={"remove-confirm": "yes"}, follow_redirects=True)
    assert "France cannot be removed: it has 1 endorsement." in response.get_data(as_text=True)
    assert "France" in stored(app)


def test_removing_a_delegation_nobody_named_is_audited(app, organiser):
    add(organiser, source="country", country_code="FR")
    france = stored(app)["France"]
    assert organiser.post(f"{LIST}/{france.id}/remove", data={}).status_code == 422  # not confirmed
    response = organiser.post(f"{LIST}/{france.id}/remove", data={"remove-confirm": "yes"})
    assert response.status_code == 302
    assert "France" not in stored(app)
    with app.app_context():
        removed = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "delegation.removed"))
        assert removed.before["country_code"] == "FR"


def test_an_archived_forums_list_does_not_change(app, organiser, programme):
    with app.app_context():
        current(programme.forum).status = ForumStatus.ARCHIVED
        db.session.commit()
    response = add(organiser, source="country", country_code="FR")
    assert response.status_code == 422
    assert "ISEF2 is archived: its delegations and their record can no longer be changed." in response.get_data(
        as_text=True
    )
    assert edit(organiser, programme.japan, seat_quota="9").status_code == 422
    assert organiser.post(f"{LIST}/{programme.japan.id}/remove", data={"remove-confirm": "yes"}).status_code == 302
    assert set(stored(app)) == {"Japan"} and stored(app)["Japan"].seat_quota == 2
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(AuditEntry)) == 0


def test_organisers_of_another_forum_cannot_touch_this_ones_list(app, client, programme):
    sign_in(client, programme.other_organiser)
    assert client.get(LIST).status_code == 403
    assert add(client, source="country", country_code="DE").status_code == 403
    assert client.get(f"{LIST}/{programme.japan.id}/edit").status_code == 403
    assert client.post(f"{LIST}/{programme.japan.id}/remove", data={"remove-confirm": "yes"}).status_code == 403
    # Their own forum's address with this forum's delegation: no such delegation there.
    assert client.get(f"/forums/other/manage/delegations/{programme.japan.id}/edit").status_code == 404
    assert (
        client.post(
            f"/forums/other/manage/delegations/{programme.japan.id}/remove", data={"remove-confirm": "yes"}
        ).status_code
        == 404
    )
    assert set(stored(app)) == {"Japan"}


def test_the_service_refuses_people_who_do_not_organise(app, programme):
    with app.app_context():
        with pytest.raises(nominations.NotAllowed):
            invitation_list.add(
                current(programme.other_organiser), current(programme.forum), invitation_list.for_country("DE")
            )


def test_the_manage_hub_links_the_list(organiser):
    assert 'href="/forums/isef2/manage/delegations"' in organiser.get("/forums/isef2/manage/").get_data(as_text=True)
