"""The list of participants through the pages: the public one shows only accredited people who
agreed, with their name, function and delegation; the organisers' one is for the forum's
organisers; both as HTML, PDF (Japanese printed) and CSV (safe in a spreadsheet); the draw by
lot, the order and each member's listing are changed by posting the forms."""

from __future__ import annotations

import csv
import io
import re

import pytest
from sqlalchemy import select

from planner.audit.models import AuditEntry
from planner.delegations.models import (
    Delegation,
    DelegationKind,
    DelegationMember,
    MemberRole,
    NominationStatus,
    ParticipantListDraw,
    Person,
    RepresentationLevel,
)
from planner.extensions import db
from planner.forums.models import Forum
from tests.conftest import sign_in
from tests.factories import (
    Programme,
    committed,
    make_delegation,
    make_forum,
    make_organiser,
    make_person,
    make_programme,
    make_user,
)

PUBLIC = "/forums/isef2/participants"
MANAGE = "/forums/isef2/manage/participants"


def add_member(delegation: Delegation, name: str, email: str, **overrides) -> None:
    values = dict(
        status=NominationStatus.ACCREDITED, listed_publicly=True, level=RepresentationLevel.OTHER, function=""
    )
    values.update(overrides)
    person = make_person(name=name, email=email)
    db.session.add(DelegationMember(delegation_id=delegation.id, person_id=person.id, **values))
    db.session.flush()


@pytest.fixture
def programme(app) -> Programme:
    """ISEF2 with Japan, Italy and the United States, a focal point of Japan and of Italy;
    in Japan a listed minister (head of delegation), a listed adviser, one who did not agree and
    one still nominated."""
    with committed(app):
        programme = make_programme()
        japan = programme.delegation("japan", "Japan", kind=DelegationKind.COUNTRY, country_code="JP")
        italy = programme.delegation("italy", "Italy", kind=DelegationKind.COUNTRY, country_code="IT")
        usa = programme.delegation("usa", "United States", kind=DelegationKind.COUNTRY, country_code="US")
        programme.focal_point("focal", "japan")
        programme.focal_point("italy_focal", "italy")
        add_member(
            japan,
            "田中 愛子",
            "aiko@example.org",
            role=MemberRole.HEAD,
            level=RepresentationLevel.MINISTER,
            function="文部科学大臣",
        )
        add_member(japan, "Ken Sato", "ken@example.org", function="Adviser, JAXA")
        add_member(japan, "Private Person", "private@example.org", listed_publicly=False)
        add_member(japan, "Awaiting Person", "awaiting@example.org", status=NominationStatus.NOMINATED)
        add_member(italy, "Giulia Rossi", "giulia@example.org", function="Minister of University and Research")
        add_member(usa, "Alex Smith", "alex@example.org", function='=HYPERLINK("http://x")')
    return programme


def test_the_public_list_shows_only_consenting_accredited_people_and_only_name_function_delegation(client, programme):
    response = client.get(PUBLIC)
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert "<caption>List of participants of ISEF2</caption>" in text
    for shown in ("田中 愛子", "文部科学大臣", "Ken Sato", "Adviser, JAXA", "Giulia Rossi", "Japan", "Italy"):
        assert shown in text
    for hidden in ("Private Person", "Awaiting Person", "@example.org", "Minister</td>", "Head of delegation"):
        assert hidden not in text
    headers = re.findall(r'<th scope="col">([^<]*)</th>', text)
    assert headers == ["Delegation", "Name", "Function"]
    # In protocol order: Italy, Japan (its head first), United States.
    assert text.index("Giulia Rossi") < text.index("田中 愛子") < text.index("Ken Sato") < text.index("Alex Smith")


def delegations_on(page: str) -> list[str]:
    return re.findall(r'<th scope="rowgroup"[^>]*>([^<]*)</th>', page)


def test_the_japanese_list_is_in_japanese_order(client, programme):
    text = client.get(PUBLIC + "?lang=ja").get_data(as_text=True)
    assert '<html lang="ja">' in text
    assert delegations_on(text) == ["アメリカ合衆国", "イタリア", "日本"]
    assert 'href="/forums/isef2/participants.pdf?lang=ja"' in text


def test_the_forum_page_links_to_the_list_and_the_manage_hub_to_the_organisers_list(client, programme):
    assert f'href="{PUBLIC}"' in client.get("/forums/isef2/").get_data(as_text=True)
    sign_in(client, programme.organiser)
    assert f'href="{MANAGE}"' in client.get("/forums/isef2/manage/").get_data(as_text=True)


def pdf_text(data: bytes) -> str:
    from pypdf import PdfReader

    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_the_pdf_prints_the_japanese_names(client, programme):
    response = client.get(PUBLIC + ".pdf?lang=ja")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"] == 'attachment; filename="isef2-participants-ja.pdf"'
    text = pdf_text(response.get_data())
    assert "田中 愛子" in text and "文部科学大臣" in text and "日本" in text and "イタリア" in text
    assert "Private Person" not in text and "awaiting@example.org" not in text and "?" not in text
    assert text.index("アメリカ合衆国") < text.index("イタリア") < text.index("日本")
    # ?format= on the page gives the same file.
    assert client.get(PUBLIC + "?format=pdf&lang=ja").get_data()[:5] == b"%PDF-"


def test_the_public_csv_has_three_columns_and_cannot_run_formulas(client, programme):
    response = client.get(PUBLIC + ".csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == 'attachment; filename="isef2-participants-en.csv"'
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows == [
        ["delegation", "name", "function"],
        ["Italy", "Giulia Rossi", "Minister of University and Research"],
        ["Japan", "田中 愛子", "文部科学大臣"],
        ["Japan", "Ken Sato", "Adviser, JAXA"],
        ["United States", "Alex Smith", '\'=HYPERLINK("http://x")'],
    ]
    assert not response.get_data().startswith(b"\xef\xbb\xbf")  # as the registration export: no BOM


def test_the_organisers_list_shows_everyone_accredited_and_the_nominated_marked(client, programme):
    sign_in(client, programme.organiser)
    text = client.get(MANAGE).get_data(as_text=True)
    assert "List of participants of ISEF2, for organisers" in text
    assert "Private Person" in text and "private@example.org" in text
    row = re.search(r"Awaiting Person</th>(.*?)</tr>", text, re.DOTALL).group(1)
    assert "nominated" in row
    rows = list(csv.DictReader(io.StringIO(client.get(MANAGE + ".csv").get_data(as_text=True))))
    japan = [r for r in rows if r["delegation"] == "Japan"]
    assert [r["name"] for r in japan] == ["田中 愛子", "Awaiting Person", "Ken Sato", "Private Person"]
    assert japan[0] | {"position": ""} == {
        "position": "",
        "delegation": "Japan",
        "delegation_kind": "country",
        "country_code": "JP",
        "name": "田中 愛子",
        "function": "文部科学大臣",
        "level": "minister",
        "role": "head_of_delegation",
        "status": "accredited",
        "listed_publicly": "yes",
        "email": "aiko@example.org",
    }
    assert [r["position"] for r in rows] == [str(n) for n in range(1, len(rows) + 1)]
    pdf = client.get(MANAGE + ".pdf")
    assert pdf.headers["Cache-Control"] == "private, no-store"
    assert pdf.headers["Content-Disposition"] == 'attachment; filename="isef2-participants-organisers-en.pdf"'
    assert "private@example.org" in pdf_text(pdf.get_data())


@pytest.mark.parametrize("who", ["focal", "other_forum_organiser", "delegate"])
def test_the_organisers_list_is_for_this_forums_organisers_only(app, client, programme, who):
    with committed(app):
        user = {
            "focal": lambda: programme.focal,
            "other_forum_organiser": lambda: make_organiser(make_forum(slug="isef3")),
            "delegate": make_user,
        }[who]()
    sign_in(client, user)
    for suffix in ("", ".pdf", ".csv"):
        assert client.get(MANAGE + suffix).status_code == 403
    assert client.post(MANAGE + "/draw").status_code == 403


def test_anonymous_visitors_are_sent_to_sign_in_for_the_organisers_list(client, programme):
    assert client.get(MANAGE).status_code == 302


def test_an_unknown_format_is_a_clear_400(client, programme):
    response = client.get(PUBLIC + "?format=xlsx")
    assert response.status_code == 400 and "Choose the format html, pdf or csv." in response.get_data(as_text=True)


def test_drawing_by_lot_and_clearing_it_from_the_manage_page(app, client, programme):
    sign_in(client, programme.organiser)
    response = client.post(MANAGE + "/draw")
    assert response.status_code == 302 and response.headers["Location"] == MANAGE
    with app.app_context():
        draw = db.session.get(ParticipantListDraw, programme.forum.id)
        drawn = db.session.get(Delegation, draw.delegation_id).name
    text = client.get(MANAGE).get_data(as_text=True)
    assert f"starting from {drawn}, drawn by lot" in text
    first_delegation = re.search(r'<th scope="rowgroup"[^>]*>([^<]*)</th>', text).group(1)
    assert first_delegation == drawn
    assert "Clear the draw" in text
    assert client.post(MANAGE + "/draw/clear").status_code == 302
    with app.app_context():
        assert db.session.get(ParticipantListDraw, programme.forum.id) is None
    # Clearing again says there is nothing to clear.
    client.post(MANAGE + "/draw/clear")
    assert "No delegation has been drawn by lot." in client.get(MANAGE).get_data(as_text=True)


def test_the_organiser_lists_countries_first(app, client, programme):
    with committed(app):
        esa = make_delegation(programme.forum, name="European Space Agency")
        add_member(esa, "Josef Aschbacher", "josef@example.org")
    sign_in(client, programme.organiser)
    text = client.get(PUBLIC).get_data(as_text=True)
    assert text.index("European Space Agency") < text.index("Italy")
    assert client.post(MANAGE + "/order", data={"order-countries_listed_first": "y"}).status_code == 302
    text = client.get(PUBLIC).get_data(as_text=True)
    assert text.index("United States") < text.index("European Space Agency")
    assert "Countries are listed before international organisations." in text
    with app.app_context():
        assert db.session.get(Forum, programme.forum.id).countries_listed_first is True


def listing_url(programme: Programme, email: str) -> str:
    return f"/forums/isef2/delegations/{programme.japan.id}/members/{_person_id(email)}/listing"


def _person_id(email: str) -> int | None:
    return db.session.scalar(select(Person.id).where(Person.email == email))


def test_the_focal_point_changes_a_members_listing(app, client, programme):
    with app.app_context():
        url = listing_url(programme, "private@example.org")
    sign_in(client, programme.focal)
    page = client.get(url)
    assert page.status_code == 200 and 'name="listing-function"' in page.get_data(as_text=True)
    response = client.post(
        url,
        data={"listing-level": "ambassador", "listing-function": "Ambassador to Japan", "listing-listed_publicly": "y"},
    )
    assert response.status_code == 302
    assert "Private Person" in client.get(PUBLIC).get_data(as_text=True)
    with app.app_context():
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "nomination.listing_changed"))
        assert entry.after == {"level": "ambassador", "function": "Ambassador to Japan", "listed_publicly": True}


@pytest.mark.parametrize(
    "data",
    [
        {"listing-level": "emperor", "listing-function": ""},
        {"listing-level": "minister", "listing-function": "x" * 201},
        {"listing-level": "minister", "listing-function": "Minister\x07"},
    ],
)
def test_bad_listing_input_is_a_form_error_and_nothing_changes(app, client, programme, data):
    with app.app_context():
        url = listing_url(programme, "ken@example.org")
    sign_in(client, programme.organiser)
    assert client.post(url, data=data).status_code == 422
    with app.app_context():
        row = db.session.scalar(
            select(DelegationMember).where(DelegationMember.person_id == _person_id("ken@example.org"))
        )
        assert (row.level, row.function) == (RepresentationLevel.OTHER, "Adviser, JAXA")


def test_the_focal_point_of_another_delegation_cannot_change_japans_listing(app, client, programme):
    with app.app_context():
        url = listing_url(programme, "ken@example.org")
    sign_in(client, programme.italy_focal)
    assert client.get(url).status_code == 403
    assert client.post(url, data={"listing-level": "minister"}).status_code == 403


def test_the_nomination_form_takes_the_level_function_and_consent(app, client, programme):
    sign_in(client, programme.focal)
    page = client.get(f"/forums/isef2/delegations/{programme.japan.id}/").get_data(as_text=True)
    assert 'name="nominate-level"' in page and 'name="nominate-listed_publicly"' in page
    assert "Change how Ken Sato is listed" in page
    response = client.post(
        f"/forums/isef2/delegations/{programme.japan.id}/nominations",
        data={
            "nominate-given_name": "Yui",
            "nominate-family_name": "Sato",
            "nominate-email": "yui@example.org",
            "nominate-role": "member",
            "nominate-level": "vice_minister",
            "nominate-function": "State Minister",
            "nominate-listed_publicly": "y",
        },
    )
    assert response.status_code == 302
    with app.app_context():
        row = db.session.scalar(
            select(DelegationMember).where(DelegationMember.person_id == _person_id("yui@example.org"))
        )
        assert (row.level, row.function, row.listed_publicly) == (
            RepresentationLevel.VICE_MINISTER,
            "State Minister",
            True,
        )
    sign_in(client, programme.organiser)
    overview = client.get("/forums/isef2/manage/nominations").get_data(as_text=True)
    row = re.search(r"Yui Sato</th>(.*?)</tr>", overview, re.DOTALL).group(1)
    assert "Vice-Minister" in row and "State Minister" in row


def test_a_too_long_function_in_the_nomination_form_is_a_form_error(app, client, programme):
    sign_in(client, programme.focal)
    response = client.post(
        f"/forums/isef2/delegations/{programme.japan.id}/nominations",
        data={"nominate-given_name": "Yui", "nominate-email": "yui@example.org", "nominate-function": "x" * 201},
    )
    assert response.status_code == 422
    with app.app_context():
        assert _person_id("yui@example.org") is None


def _forum_with(size: int, slug: str) -> None:
    forum = make_forum(slug=slug)
    for n in range(size):
        delegation = make_delegation(forum, name=f"Delegation {slug} {n:02d}")
        for k in range(3):
            add_member(delegation, f"Member {slug} {n} {k}", f"m{k}-{n}-{slug}@example.org", function=f"F{k}")


@pytest.mark.parametrize("suffix", ["", ".pdf", ".csv"])
def test_the_lists_cost_the_same_queries_when_the_delegations_double(app, count_queries, suffix):
    with committed(app):
        admin = make_user(is_admin=True)
        _forum_with(4, "small")
        _forum_with(8, "large")
    client = app.test_client()
    sign_in(client, admin)
    counts = {}
    for slug in ("small", "large"):
        for path in (f"/forums/{slug}/participants{suffix}", f"/forums/{slug}/manage/participants{suffix}"):
            with count_queries() as counter:
                assert client.get(path).status_code == 200
            counts[(slug, "manage" in path)] = counter.count
    assert counts[("small", False)] == counts[("large", False)], counts
    assert counts[("small", True)] == counts[("large", True)], counts


def test_a_forum_with_nobody_accredited_says_so(client, app):
    with committed(app):
        make_programme()
    text = client.get(PUBLIC).get_data(as_text=True)
    assert "Nobody is listed yet." in text
