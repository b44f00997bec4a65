"""A delegation's public page across its forum's series: the same country or organisation at
each forum, what is public of it, and a fixed number of queries."""

import datetime as dt
from dataclasses import dataclass

import pytest

from planner.delegations.models import (
    Delegation,
    DelegationKind,
    DelegationMember,
    DelegationStatus,
    InternationalOrganisation,
    NominationStatus,
)
from planner.extensions import db
from planner.forums.models import Forum
from planner.statements.models import (
    DocumentKind,
    DocumentStatus,
    DocumentVersion,
    Endorsement,
    EndorsementKind,
    OutcomeDocument,
)
from tests.factories import committed, make_delegation, make_forum, make_person, make_series


@dataclass
class Series:
    isef1: Forum
    isef2: Forum
    isef3: Forum
    japan: dict[str, Delegation]
    esa: dict[str, Delegation]
    renamed: dict[str, Delegation]


def day(year: int) -> dt.date:
    return dt.date(year, 3, 3)


def member(delegation: Delegation, name: str, status: NominationStatus, listed: bool, function: str = "") -> None:
    person = make_person(name=name, family_name=name.split()[-1])
    delegation.members.append(DelegationMember(person=person, status=status, listed_publicly=listed, function=function))


def endorse(delegation: Delegation, title: str, adopted: bool = True) -> None:
    document = OutcomeDocument(
        forum_id=delegation.forum_id,
        kind=DocumentKind.JOINT_STATEMENT,
        title=title,
        slug=title.lower().replace(" ", "-"),
        status=DocumentStatus.ADOPTED if adopted else DocumentStatus.DRAFT,
        adopted_on=delegation.forum.last_day if adopted else None,
        adopted_version=1 if adopted else None,
    )
    document.versions.append(DocumentVersion(number=1, text="Text."))
    document.endorsements.append(
        Endorsement(delegation=delegation, kind=EndorsementKind.ENDORSED, endorsed_on=delegation.forum.last_day)
    )
    db.session.add(document)
    db.session.flush()


@pytest.fixture
def series(app) -> Series:
    with committed(app):
        forums = [
            make_forum(slug=f"isef{n}", name=f"ISEF{n}", first_day=day(year), last_day=day(year))
            for n, year in ((1, 2014), (2, 2018), (3, 2026))
        ]
        isef1, isef2, isef3 = forums
        make_series(isef3, isef1, isef2)
        make_forum(slug="elsewhere", name="Elsewhere")
        esa_entry = InternationalOrganisation(acronym="ESA", name="European Space Agency", is_space_agency=True)
        japan = {
            f.slug: make_delegation(f, name="Japan", kind=DelegationKind.COUNTRY, country_code="JP") for f in forums
        }
        japan["isef3"].status = DelegationStatus.INVITED
        esa = {
            "isef1": make_delegation(isef1, name="European Space Agency", organisation=esa_entry),
            # typed by name at ISEF2, in another letter case
            "isef2": make_delegation(isef2, name="EUROPEAN SPACE AGENCY"),
        }
        first = make_delegation(isef1, name="Space Council")
        renamed = {
            "isef1": first,
            "isef2": make_delegation(isef2, name="Space Council of Nations", carried_from_id=first.id),
        }
        renamed["isef3"] = make_delegation(isef3, name="Council for Space", carried_from_id=renamed["isef2"].id)
        make_delegation(isef3, name="Space Council")  # same name, but ISEF3's carried-over one is chosen
        member(japan["isef2"], "Aiko Tanaka", NominationStatus.ACCREDITED, True, "Minister of Education")
        member(japan["isef2"], "Kenji Sato", NominationStatus.ACCREDITED, False)
        member(japan["isef2"], "Mei Ito", NominationStatus.NOMINATED, True)
        member(japan["isef1"], "Ren Kato", NominationStatus.ACCREDITED, True)
        endorse(japan["isef1"], "ISEF1 Statement")
        endorse(japan["isef2"], "ISEF2 Joint Statement")
        endorse(japan["isef2"], "ISEF2 Draft", adopted=False)
    return Series(isef1, isef2, isef3, japan, esa, renamed)


def url(delegation: Delegation) -> str:
    return f"/forums/{delegation.forum.slug}/delegations/{delegation.id}/participation"


def rows(page: str) -> list[str]:
    body = page[page.index("<tbody>") : page.index("</tbody>")]
    return body.split("<tr>")[1:]


def test_a_country_across_the_series(client, series):
    page = client.get(url(series.japan["isef2"])).get_data(as_text=True)
    assert "Japan at the forums of International Space Exploration Forum" in page
    isef1, isef2, isef3 = rows(page)
    assert "ISEF1" in isef1 and "Ren Kato" in isef1 and "ISEF1 Statement" in isef1
    assert f'href="/forums/isef1/delegations/{series.japan["isef1"].id}/participation"' in isef1
    assert '<span aria-current="page">ISEF2</span>' in isef2
    assert "<td>2</td>" in isef2  # accredited: Aiko and Kenji
    assert "Aiko Tanaka, Minister of Education" in isef2 and "ISEF2 Joint Statement" in isef2
    assert "Invited" in isef3 and "<td>0</td>" in isef3
    # Only what is public: no unlisted or unaccredited names, no addresses, no drafts.
    assert "Kenji Sato" not in page and "Mei Ito" not in page and "@example.org" not in page
    assert "ISEF2 Draft" not in page and "Elsewhere" not in page


def test_an_organisation_by_the_sites_list_or_by_name(client, series):
    page = client.get(url(series.esa["isef1"])).get_data(as_text=True)
    isef1, isef2, isef3 = rows(page)
    assert "ISEF1" in isef1 and "European Space Agency" not in isef1  # the page's own row names no link
    assert f'delegations/{series.esa["isef2"].id}/participation">EUROPEAN SPACE AGENCY</a>' in isef2
    assert "Did not take part" in isef3


def test_a_delegation_carried_over_under_another_name(client, series):
    page = client.get(url(series.renamed["isef2"])).get_data(as_text=True)
    isef1, _, isef3 = rows(page)
    assert f'delegations/{series.renamed["isef1"].id}/participation">Space Council</a>' in isef1
    assert f'delegations/{series.renamed["isef3"].id}/participation">Council for Space</a>' in isef3


def test_a_forum_outside_any_series(client, app):
    with committed(app):
        alone = make_forum(slug="alone", name="Alone")
        delegation = make_delegation(alone, name="Japan", kind=DelegationKind.COUNTRY, country_code="JP")
    page = client.get(url(delegation)).get_data(as_text=True)
    assert "Japan at Alone" in page and "Alone is not part of a series of forums." in page
    assert len(rows(page)) == 1


def test_the_forum_page_links_each_delegation_to_it(client, series):
    page = client.get("/forums/isef2/").get_data(as_text=True)
    assert f'<a href="{url(series.japan["isef2"])}">Japan</a>' in page
    endorsements = client.get(f"/delegations/{series.japan['isef2'].id}/endorsements").get_data(as_text=True)
    assert f'<a href="{url(series.japan["isef2"])}">Participation across the series</a>' in endorsements


def test_a_delegation_of_another_forum_is_a_404(client, series):
    answer = client.get(f"/forums/isef1/delegations/{series.japan['isef2'].id}/participation")
    assert answer.status_code == 404 and "ISEF1 has no such delegation." in answer.get_data(as_text=True)
    assert client.get("/forums/isef1/delegations/2147483648/participation").status_code == 404


def test_the_page_reads_a_fixed_number_of_queries(app, client, series, count_queries):
    with count_queries() as few:
        assert client.get(url(series.japan["isef2"])).status_code == 200
    with committed(app):
        for n, year in enumerate(range(2030, 2036)):
            forum = make_forum(slug=f"later-{n}", name=f"Later {n}", first_day=day(year), last_day=day(year))
            forum.series_id = series.isef1.series_id
            japan = make_delegation(forum, name="Japan", kind=DelegationKind.COUNTRY, country_code="JP")
            member(japan, f"Person {n} Later", NominationStatus.ACCREDITED, True)
            for k in range(3):
                endorse(japan, f"Later {n} statement {k}")
            db.session.flush()
    with count_queries() as many:
        page = client.get(url(series.japan["isef2"]))
    assert page.status_code == 200 and "Later 5 statement 2" in page.get_data(as_text=True)
    assert many.count == few.count
