"""The plan drawn (planner/seating/drawing.py): an SVG image named and described for screen
readers, each seat with its words, short names that fit, everything escaped, and the same
seating giving the same markup."""

from __future__ import annotations

import re

from planner.delegations.models import DelegationKind, InternationalOrganisation, MemberRole
from planner.extensions import db
from planner.seating import drawing, services
from planner.seating.models import SeatingPlan
from tests.factories import make_delegation, make_forum, make_organiser
from tests.seating.test_services import member


def seated(forum, rows: list[int], per: int = 2) -> services.Seating:
    plan = SeatingPlan(rows=rows, seats_per_delegation=per)
    return services.seating_of(make_organiser(forum), forum, plan, "en")


def test_the_svg_is_an_image_named_and_described_with_words_for_every_seat(app_context):
    forum = make_forum()
    japan = make_delegation(forum, name="Japan", kind=DelegationKind.COUNTRY, country_code="JP")
    member(japan, "Aiko Tanaka", role=MemberRole.HEAD)
    member(japan, "Ken Sato")
    svg = str(drawing.svg_markup(seated(forum, [2, 2]), "Seating plan of ISEF3"))
    assert svg.startswith('<svg xmlns="http://www.w3.org/2000/svg" class="seating-drawing" role="img"')
    assert 'aria-labelledby="seating-svg-title seating-svg-desc"' in svg
    assert '<desc id="seating-svg-desc">4 seats in 2 rows, the rostrum at the top;' in svg
    titles = re.findall(r'<g class="([\w-]+)"><title>([^<]+)</title>', svg)
    assert titles == [
        ("seat-head", "A1: Japan, Aiko Tanaka (head of delegation)"),
        ("seat-empty", "A2: empty"),
        ("seat-member", "B1: Japan, Ken Sato"),
        ("seat-empty", "B2: empty"),
    ]
    assert svg.count(">JP</text>") == 2
    assert svg == str(drawing.svg_markup(seated(forum, [2, 2]), "Seating plan of ISEF3"))


def test_rows_are_centred_under_the_rostrum(app_context):
    result = seated(make_forum(), [2, 4])
    drawn = drawing.layout(result)
    front = [b.x for b in drawn.boxes if b.row == 0]
    back = [b.x for b in drawn.boxes if b.row == 1]
    width = drawing.SEAT_WIDTH
    assert (front[0] + front[-1] + width) / 2 == (back[0] + back[-1] + width) / 2 == drawn.width / 2
    assert [label for label, _ in drawn.row_labels] == ["A", "B"]


def test_names_are_escaped_and_short_names_fit_a_seat(app_context):
    forum = make_forum()
    esa = InternationalOrganisation(acronym="ESA", name="European Space Agency")
    db.session.add(esa)
    db.session.flush()
    typed = make_delegation(forum, name="<b>Space & Co</b>", kind=DelegationKind.ORGANISATION)
    listed = make_delegation(
        forum, name="European Space Agency", kind=DelegationKind.ORGANISATION, organisation_id=esa.id
    )
    member(typed, "Eve <script>")
    member(listed, "Josef Aschbacher")
    svg = str(drawing.svg_markup(seated(forum, [2]), "Plan <of> ISEF3"))
    assert "<script>" not in svg and "<b>" not in svg
    assert "&lt;b&gt;Space &amp; Co&lt;/b&gt;, Eve &lt;script&gt;" in svg
    assert "Plan &lt;of&gt; ISEF3" in svg
    assert ">&lt;b&gt;Spa</text>" in svg  # the name's first six characters, escaped
    assert ">ESA</text>" in svg
