"""The seating plan through its pages: organisers describe the hall by posting the form (bad
input gets a message and saves nothing), see the plan drawn with its table of seats, and print
the plan and the name plates as PDF; a hall too small says so instead of a plan."""

from __future__ import annotations

import io
import re

import pytest
from sqlalchemy import select

from planner.delegations.models import DelegationKind, DelegationMember, MemberRole, NominationStatus
from planner.extensions import db
from planner.seating.models import SeatingPlan
from tests.conftest import sign_in
from tests.factories import Programme, committed, make_person, make_programme

PAGE = "/forums/isef2/manage/seating"


def accredit(delegation, name: str, role: MemberRole = MemberRole.MEMBER) -> None:
    person = make_person(name=name)
    db.session.add(
        DelegationMember(
            delegation_id=delegation.id, person_id=person.id, role=role, status=NominationStatus.ACCREDITED
        )
    )
    db.session.flush()


@pytest.fixture
def programme(app) -> Programme:
    """ISEF2 in English and Japanese with the Plenary Hall, a focal point of Japan; Japan
    (a head and an adviser) and Italy (one delegate) accredited."""
    with committed(app):
        programme = make_programme()
        programme.forum.languages = ["en", "ja"]
        programme.room("hall", "Plenary Hall")
        japan = programme.delegation("japan", "Japan", kind=DelegationKind.COUNTRY, country_code="JP")
        italy = programme.delegation("italy", "Italy", kind=DelegationKind.COUNTRY, country_code="IT")
        programme.focal_point("focal", "japan")
        accredit(japan, "田中 愛子", MemberRole.HEAD)
        accredit(japan, "Ken Sato")
        accredit(italy, "Giulia Rossi")
    return programme


def save(client, rows: str, per: str = "2", room: str = "0", reserved: str = ""):
    return client.post(PAGE, data={"rows": rows, "seats_per_delegation": per, "room": room, "reserved_seats": reserved})


def stored(app) -> SeatingPlan | None:
    with app.app_context():
        return db.session.scalars(select(SeatingPlan)).first()


def pdf_text(data: bytes) -> tuple[int, str]:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data))
    return len(reader.pages), "\n".join(page.extract_text() for page in reader.pages)


def test_the_organiser_describes_the_hall_and_sees_the_plan(app, client, programme):
    sign_in(client, programme.organiser)
    page = client.get(PAGE).get_data(as_text=True)
    assert "ISEF2 has no seating plan yet" in page
    assert "Plenary Hall" in page  # a room to choose
    response = save(client, "4, 4", room=str(programme.hall.id))
    assert response.status_code == 302
    assert stored(app).rows == [4, 4]
    page = client.get(PAGE).get_data(as_text=True)
    assert "The seating plan is saved." in page
    # The drawing, named and described, and its table: heads in front (Italy before Japan).
    assert '<svg xmlns="http://www.w3.org/2000/svg" class="seating-drawing" role="img"' in page
    assert '<title id="seating-svg-title">Seating plan of ISEF2</title>' in page
    rows = re.findall(r'<tr><th scope="row">(\w+)</th>\s*<td[^>]*>([^<]+)</td>\s*<td>([^<]+)</td>', page)
    assert rows == [("A1", "Italy", "Giulia Rossi"), ("A2", "Japan", "田中 愛子"), ("B1", "Japan", "Ken Sato")]
    assert "Print:" in page and "The seating plan (PDF)" in page and "Name plates to fold (PDF)" in page
    assert 'value="4, 4"' in page
    facts = "3 seated, 0 seats reserved, 5 empty; up to 2 seats a delegation, heads of delegation in the front rows"
    assert facts in page
    assert "Plenary Hall" in page.split("The hall")[0]  # the room named on the plan


@pytest.mark.parametrize(
    ("rows", "per", "message"),
    [
        ("", "2", "Give the number of seats of each row."),
        ("four, four", "2", "Write the seats of each row as whole numbers separated by commas"),
        ("4, -4", "2", "Write the seats of each row as whole numbers separated by commas"),
        ("4, 0", "2", "Each row holds from 1 to 60 seats."),
        ("4, 4", "", "Enter how many seats a delegation gets."),
        ("4, 4", "99", "Enter a number from 1 to 20."),
        ("1", "2", "The hall has 1 seat not reserved for 2 delegations"),
        ("2", "2", "the 1 other members need as many seats behind them, but the rows behind have 0 seats not"),
    ],
)
def test_bad_input_gets_a_message_and_saves_nothing(app, client, programme, rows, per, message):
    sign_in(client, programme.organiser)
    response = save(client, rows, per)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert stored(app) is None


def test_reserved_seats_stay_free_and_are_listed_in_their_place(app, client, programme):
    sign_in(client, programme.organiser)
    assert save(client, "3, 3", reserved="a1, B2").status_code == 302
    assert stored(app).reserved_seats == ["A1", "B2"]
    page = client.get(PAGE).get_data(as_text=True)
    assert 'value="A1, B2"' in page
    assert '<g class="seat-reserved"><title>A1: reserved</title>' in page
    labels = re.findall(r'<tr><th scope="row">(\w+)</th>\s*<td[^>]*>([^<]+)</td>', page)
    assert labels == [("A1", "Reserved"), ("A2", "Italy"), ("A3", "Japan"), ("B1", "Japan"), ("B2", "Reserved")]


@pytest.mark.parametrize(
    ("reserved", "message"),
    [
        ("A9", "There is no seat A9 in this hall: rows run from A, seats from 1."),
        ("A1; B2", "Write seats as a row's letter and a number, like A1, separated by commas."),
        ("A1, A2, A3, B1, B2", "The hall has 1 seat not reserved for 2 delegations"),
    ],
)
def test_bad_reserved_seats_get_a_message_and_save_nothing(app, client, programme, reserved, message):
    sign_in(client, programme.organiser)
    response = save(client, "3, 3", reserved=reserved)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert stored(app) is None


def test_a_room_not_offered_is_refused(app, client, programme):
    sign_in(client, programme.organiser)
    response = save(client, "4, 4", room="999999")
    assert response.status_code == 422
    assert "Not a valid choice" in response.get_data(as_text=True)
    assert stored(app) is None


def test_a_hall_grown_too_small_says_so_and_its_pdfs_are_refused(app, client, programme):
    sign_in(client, programme.organiser)
    assert save(client, "2, 1").status_code == 302
    with committed(app):
        accredit(programme.italy, "Marco Bianchi")
    page = client.get(PAGE)
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "The delegations cannot be seated in this hall:" in text
    assert "the 2 other members need as many seats behind them, but the rows behind have 1 seat not reserved." in text
    assert "<svg" not in text
    for pdf in ("/plan.pdf", "/name-plates.pdf"):
        refused = client.get(PAGE + pdf)
        assert refused.status_code == 409
        assert "the rows behind have 1 seat not reserved" in refused.get_data(as_text=True)


def test_the_plan_pdf_shows_the_hall_and_lists_the_seats(client, programme):
    sign_in(client, programme.organiser)
    save(client, "3, 3", room=str(programme.hall.id))
    response = client.get(PAGE + "/plan.pdf?lang=ja")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"] == 'attachment; filename="isef2-seating-plan-ja.pdf"'
    assert response.headers["Cache-Control"] == "private, no-store"
    pages, text = pdf_text(response.data)
    assert pages == 2
    assert "Plenary Hall" in text
    assert "A1" in text and "イタリア" in text and "田中 愛子" in text and "B1" in text
    # Deterministic: the same plan gives the same bytes.
    assert client.get(PAGE + "/plan.pdf?lang=ja").data == response.data


def test_the_name_plates_are_one_tent_card_a_delegation_in_the_forums_languages(client, programme):
    sign_in(client, programme.organiser)
    save(client, "3, 3")
    response = client.get(PAGE + "/name-plates.pdf")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == 'attachment; filename="isef2-name-plates.pdf"'
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(response.data))
    assert len(reader.pages) == 2
    first, second = (page.extract_text() for page in reader.pages)
    # Italy first, in protocol order; each name twice (both faces), in English and Japanese.
    assert first.count("Italy") == 2 and first.count("イタリア") == 2
    assert second.count("Japan") == 2 and second.count("日本") == 2
    assert "Fold along the dashed line." in first
    assert client.get(PAGE + "/name-plates.pdf").data == response.data


def test_the_focal_point_and_the_public_do_not_see_the_plan(client, programme):
    sign_in(client, programme.organiser)
    save(client, "3, 3")
    client.post("/logout", data={})
    assert client.get(PAGE).status_code == 302
    sign_in(client, programme.focal)
    for url in (PAGE, PAGE + "/plan.pdf", PAGE + "/name-plates.pdf"):
        assert client.get(url).status_code == 403
    assert save(client, "9, 9").status_code == 403


def test_the_manage_hub_links_to_the_plan(client, programme):
    sign_in(client, programme.organiser)
    page = client.get("/forums/isef2/manage/").get_data(as_text=True)
    assert 'href="/forums/isef2/manage/seating"' in page
    assert "Seating plan of the plenary hall, and name plates" in page


@pytest.mark.parametrize(
    "data",
    [
        {"rows": "4,\x00 4"},
        {"rows": "4, " * 2000},
        {"rows": "99999"},
        {"rows": "４, ４"},  # full-width digits: asked again in ASCII
        {"seats_per_delegation": "abc"},
        {"seats_per_delegation": "99999999999999999999"},
        {"room": "abc"},
        {"room": "99999999999999999999"},
        {"reserved_seats": "A1\x1b"},
        {"reserved_seats": "Z99999"},
    ],
)
def test_garbage_gets_a_message_never_a_500(app, client, programme, data):
    sign_in(client, programme.organiser)
    response = client.post(PAGE, data={"rows": "4, 4", "seats_per_delegation": "2", "room": "0", **data})
    assert response.status_code == 422
    assert 'class="error"' in response.get_data(as_text=True)
    assert stored(app) is None


def test_the_page_costs_the_same_queries_for_2_and_20_delegations(app, client, programme, count_queries):
    with committed(app):
        for n in range(18):
            accredit(programme.delegation(f"d{n}", f"Delegation {n:02}"), f"Head {n}", MemberRole.HEAD)
    sign_in(client, programme.organiser)
    save(client, "10, 10, 10")
    with count_queries() as counter:
        assert client.get(PAGE).status_code == 200
    large = counter.count
    with committed(app):
        for n in range(18):
            db.session.delete(db.session.get(type(programme.japan), programme.delegations[f"d{n}"].id))
    with count_queries() as counter:
        assert client.get(PAGE).status_code == 200
    assert counter.count == large


def test_the_organisers_list_of_participants_links_to_the_plan(client, programme):
    sign_in(client, programme.organiser)
    page = client.get("/forums/isef2/manage/participants").get_data(as_text=True)
    assert 'href="/forums/isef2/manage/seating">Seating plan of the plenary hall, and name plates</a>' in page


def test_the_page_follows_the_structural_accessibility_rules(client, programme):
    from tests.schedule.structure import problems, title_of

    sign_in(client, programme.organiser)
    empty = client.get(PAGE).get_data(as_text=True)
    assert problems(empty) == [] and title_of(empty).startswith("Seating plan of ISEF2")
    save(client, "3, 3", reserved="A1")
    shown = client.get(PAGE).get_data(as_text=True)
    assert problems(shown) == [] and title_of(shown).startswith("Seating plan of ISEF2")
    refused = save(client, "x").get_data(as_text=True)
    assert problems(refused) == []
