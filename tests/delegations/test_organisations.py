"""The site's list of international organisations: administrators add, rename and remove them
(with their names in Japanese); one that delegations come from stays."""

import pytest
from sqlalchemy import select

from planner.audit.models import AuditEntry
from planner.delegations import organisations
from planner.delegations.models import DelegationKind, InternationalOrganisation
from planner.extensions import db
from planner.refusals import NotAllowed
from tests.conftest import sign_in
from tests.factories import committed, current, make_admin, make_delegation, make_isef2, make_kept_list, make_organiser

LIST = "/admin/organisations"


@pytest.fixture
def site(app):
    with committed(app):
        kept = make_kept_list()
        forum = make_isef2()
        make_delegation(forum, name="European Space Agency", kind=DelegationKind.ORGANISATION, organisation=kept["ESA"])
        admin = make_admin()
        organiser = make_organiser(forum)
    return {"kept": kept, "admin": admin, "organiser": organiser}


@pytest.fixture
def admin(client, site):
    sign_in(client, site["admin"])
    return client


def add(client, **fields):
    return client.post(LIST, data={f"organisation-{k}": v for k, v in fields.items()})


def kept(app) -> dict[str, InternationalOrganisation]:
    with app.app_context():
        return {o.acronym: o for o in db.session.scalars(select(InternationalOrganisation))}


def test_the_list_shows_names_in_japanese(admin):
    page = admin.get(LIST + "?lang=ja").get_data(as_text=True)
    assert "欧州宇宙機関" in page and "国際連合宇宙部" in page
    assert 'href="/admin/organisations"' in admin.get("/admin/").get_data(as_text=True)


def test_administrators_add_and_rename_organisations_with_their_japanese_names(app, admin):
    response = add(
        admin, acronym="CEOS", name="Committee on Earth Observation Satellites", name_ja="地球観測衛星委員会"
    )
    assert response.status_code == 302
    ceos = kept(app)["CEOS"]
    assert (ceos.name, ceos.is_space_agency, ceos.translations) == (
        "Committee on Earth Observation Satellites",
        False,
        {"ja": {"name": "地球観測衛星委員会"}},
    )
    page = admin.get(f"{LIST}/{ceos.id}/edit")
    assert page.status_code == 200 and "地球観測衛星委員会" in page.get_data(as_text=True)
    response = admin.post(
        f"{LIST}/{ceos.id}/edit",
        data={
            "organisation-acronym": "CEOS",
            "organisation-name": "Committee on Earth Observation Satellites (CEOS)",
            "organisation-is_space_agency": "y",
            "organisation-name_ja": "",
        },
    )
    assert response.status_code == 302
    ceos = kept(app)["CEOS"]
    assert (ceos.is_space_agency, ceos.translations) == (True, {})
    with app.app_context():
        actions = db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)).all()
    assert actions == ["organisation.added", "organisation.changed"]


def test_the_reading_of_the_japanese_name_is_kept_and_shown_again(app, admin):
    response = add(
        admin,
        acronym="CEOS",
        name="Committee on Earth Observation Satellites",
        name_ja="地球観測衛星委員会",
        japanese_reading="ちきゅうかんそくえいせいいいんかい",
    )
    assert response.status_code == 302
    ceos = kept(app)["CEOS"]
    assert ceos.translations == {"ja": {"name": "地球観測衛星委員会", "reading": "ちきゅうかんそくえいせいいいんかい"}}
    assert "ちきゅうかんそくえいせいいいんかい" in admin.get(f"{LIST}/{ceos.id}/edit").get_data(as_text=True)
    # The starting list comes with the readings of its names in kanji.
    assert kept(app)["ESA"].translations["ja"]["reading"] == "おうしゅううちゅうきかん"


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"acronym": "", "name": "Something"}, "Enter the acronym."),
        ({"acronym": "ABC", "name": ""}, "Enter the name."),
        ({"acronym": "A" * 41, "name": "Something"}, "Field cannot be longer than 40 characters."),
        ({"acronym": "ABC", "name": "x" * 201}, "Field cannot be longer than 200 characters."),
        ({"acronym": "ABC", "name": "Something", "name_ja": "あ" * 201}, "Keep this to 200 characters or fewer"),
        ({"acronym": "esa", "name": "Something"}, "The list already has an organisation ESA."),
        ({"acronym": "ABC", "name": "european space agency"}, "ESA on the list already has this name."),
        ({"acronym": "A\x01C", "name": "Something"}, ""),
        ({"acronym": "ABC", "name": "Something", "japanese_reading": "abc"}, "in hiragana or katakana only"),
        ({"acronym": "ABC", "name": "Something", "japanese_reading": "国際"}, "in hiragana or katakana only"),
    ],
)
def test_bad_input_is_refused_and_nothing_is_stored(app, admin, fields, message):
    before = kept(app)
    response = add(admin, **fields)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert set(kept(app)) == set(before)


def test_renaming_to_another_organisations_acronym_is_refused(app, admin, site):
    eu = site["kept"]["EU"]
    response = admin.post(
        f"{LIST}/{eu.id}/edit", data={"organisation-acronym": "ESA", "organisation-name": "European Union"}
    )
    assert response.status_code == 422
    assert "The list already has an organisation ESA." in response.get_data(as_text=True)
    assert kept(app)["EU"].acronym == "EU"


def test_an_organisation_delegations_come_from_is_not_removed(app, admin, site):
    esa = site["kept"]["ESA"]
    page = admin.get(f"{LIST}/{esa.id}/edit").get_data(as_text=True)
    assert "Delegations of ISEF2 come from it, so it stays on the list; it can be renamed." in page
    response = admin.post(f"{LIST}/{esa.id}/remove", data={"remove-confirm": "yes"}, follow_redirects=True)
    assert "ESA cannot be removed: a delegation of ISEF2 comes from it." in response.get_data(as_text=True)
    assert "ESA" in kept(app)


def test_an_unused_organisation_is_removed_and_audited(app, admin, site):
    itu = site["kept"]["ITU"]
    assert admin.post(f"{LIST}/{itu.id}/remove", data={}).status_code == 422  # not confirmed
    assert admin.post(f"{LIST}/{itu.id}/remove", data={"remove-confirm": "yes"}).status_code == 302
    assert "ITU" not in kept(app)
    with app.app_context():
        removed = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "organisation.removed"))
        assert removed.before["name"] == "International Telecommunication Union"


def test_only_administrators_edit_the_list(app, client, site):
    sign_in(client, site["organiser"])
    esa = site["kept"]["ESA"]
    assert client.get(LIST).status_code == 403
    assert add(client, acronym="NEW", name="New organisation").status_code == 403
    assert (
        client.post(f"{LIST}/{esa.id}/edit", data={"organisation-acronym": "X", "organisation-name": "Y"}).status_code
        == 403
    )
    assert client.post(f"{LIST}/{esa.id}/remove", data={"remove-confirm": "yes"}).status_code == 403
    assert kept(app)["ESA"].name == "European Space Agency" and "NEW" not in kept(app)
    with app.app_context(), pytest.raises(NotAllowed):
        organisations.save_organisation(
            current(site["organiser"]), None, acronym="NEW", name="New", is_space_agency=False, translations={}
        )
