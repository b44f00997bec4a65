"""The PDFs (planner/seating/files.py), read back with pypdf: the plan's drawing and its list of
seats, the name plates with each delegation's name in the forum's languages on both faces,
a long name made smaller to fit the card, and the same seating giving the same bytes."""

from __future__ import annotations

import io

from pypdf import PdfReader

from planner.delegations.models import DelegationKind, MemberRole
from planner.seating import files, services
from planner.seating.models import SeatingPlan
from planner.statements.rendering import find_font
from tests.factories import make_delegation, make_forum, make_organiser
from tests.seating.test_services import member

FONT = find_font(None)


def seated(forum, rows: list[int], language: str = "en") -> services.Seating:
    plan = SeatingPlan(rows=rows, seats_per_delegation=2)
    return services.seating_of(make_organiser(forum), forum, plan, language)


def pages(data: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(data)).pages]


def test_the_plan_pdf_draws_the_hall_then_lists_the_seats(app_context):
    forum = make_forum(slug="isef3", name="ISEF3", languages=["en", "ja"])
    japan = make_delegation(forum, name="Japan", kind=DelegationKind.COUNTRY, country_code="JP")
    member(japan, "田中 愛子", role=MemberRole.HEAD)
    member(japan, "Ken Sato")
    result = seated(forum, [3, 3], "ja")
    data = files.plan_pdf(result, "Seating plan of ISEF3", ["28 February to 3 March 2018"], FONT)
    drawing, seats = pages(data)
    assert "Seating plan of ISEF3" in drawing and "Rostrum" in drawing and "JP" in drawing
    assert "A1" in seats and "日本" in seats and "田中 愛子" in seats and "Head of delegation" in seats
    assert "B1" in seats and "Ken Sato" in seats
    assert PdfReader(io.BytesIO(data)).metadata.title == "Seating plan of ISEF3"
    assert files.file_name(result, "plan") == "isef3-seating-plan-ja.pdf"


def test_a_name_plate_a_delegation_each_name_once_a_language(app_context):
    forum = make_forum(slug="isef3", languages=["en", "ja"])
    long_name = "United Nations Office for Outer Space Affairs and Friends of the Moon"
    for name, kind, code in (("Japan", DelegationKind.COUNTRY, "JP"), (long_name, DelegationKind.ORGANISATION, None)):
        member(make_delegation(forum, name=name, kind=kind, country_code=code), f"Head of {name}")
    result = seated(forum, [2, 2])
    # An organisation with no Japanese name typed keeps its English one: printed once.
    assert files.plate_names(result) == (("Japan", "日本"), (long_name,))
    data = files.name_plates_pdf(result, "Name plates", FONT)
    japan, unoosa = pages(data)
    assert japan.count("日本") == 2 and japan.count("Japan") == 2
    assert unoosa.count("Friends of the Moon") == 2  # shrunk to fit, not cut
    assert files.file_name(result, "name-plates") == "isef3-name-plates.pdf"


def test_the_same_seating_gives_the_same_bytes(app_context):
    forum = make_forum()
    member(make_delegation(forum, name="Japan", kind=DelegationKind.COUNTRY, country_code="JP"), "Aiko Tanaka")
    result = seated(forum, [2])
    first = files.name_plates_pdf(result, "Name plates", FONT)
    files._name_plates_pdf.cache_clear()  # built again, not the kept copy
    assert files.name_plates_pdf(result, "Name plates", FONT) == first
