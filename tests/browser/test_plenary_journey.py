"""The plenary and the corridors, as people do it in the browser: the organiser opens the
plenary's speakers' list; France's focal point inscribes its vice-minister, then Japan's its
minister, and the list puts the minister first; Japan asks France for a bilateral, France
accepts and both participants get an iTIP invitation, while Italy's focal point cannot even
find it; the organiser describes the hall and prints the speakers' list and the seating plan."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from icalendar import Calendar
from playwright.sync_api import expect
from pypdf import PdfReader
from sqlalchemy import select

from planner.bilaterals.models import Bilateral, BilateralRoom
from planner.delegations.models import DelegationKind, DelegationMember, MemberRole, NominationStatus
from planner.delegations.models import RepresentationLevel as Level
from planner.extensions import db
from planner.mail.models import OutboxMessage
from planner.schedule.models import SessionKind
from tests.bilaterals.builders import clock_before_the_slots, make_slot
from tests.factories import committed, make_focal_point, make_person, make_plenary_and_panel, make_room


@pytest.fixture
def plenary(app):
    """ISEF2's plenary in the Hall on 3 March, a bilateral room with two slots that morning, and
    three delegations: Japan (a minister), France (a vice-minister), Italy (an ambassador)."""
    with committed(app):
        built = make_plenary_and_panel(panel=None)
        built.plenary.kind = SessionKind.PLENARY
        forum = built.forum
        clock_before_the_slots()
        room = make_room(forum, "Bilateral room 1")
        db.session.add(BilateralRoom(room_id=room.id, forum_id=forum.id))
        slots = [make_slot(forum.id, "2018-03-03 10:00"), make_slot(forum.id, "2018-03-03 11:00")]
        ids = {"plenary": built.plenary.id, "slots": [slot.id for slot in slots]}
        for name, code, speaker, level in (
            ("Japan", "JP", "Yui Sato", Level.MINISTER),
            ("France", "FR", "Jean Dupont", Level.VICE_MINISTER),
            ("Italy", "IT", "Maria Rossi", Level.AMBASSADOR),
        ):
            delegation = built.delegation(name.lower(), name, kind=DelegationKind.COUNTRY, country_code=code)
            make_focal_point(delegation, email=f"focal-{code.lower()}@example.org", name=f"Focal point of {name}")
            person = make_person(name=speaker, email=f"{code.lower()}-head@example.org")
            db.session.add(
                DelegationMember(
                    delegation_id=delegation.id,
                    person_id=person.id,
                    role=MemberRole.HEAD,
                    level=level,
                    status=NominationStatus.ACCREDITED,
                )
            )
            ids[name] = delegation.id
        db.session.flush()
    return ids


def outbox_invitations(app) -> list[OutboxMessage]:
    with app.app_context():
        found = list(
            db.session.scalars(
                select(OutboxMessage)
                .where(OutboxMessage.attachment_content_type.is_not(None))
                .order_by(OutboxMessage.id)
            )
        )
        db.session.remove()
    return found


def pdf_text(page, link_name: str) -> str:
    """The PDF a link names, fetched with the page's session cookie as the browser would."""
    href = page.get_by_role("link", name=link_name).get_attribute("href")
    answer = page.context.request.get(page.url.split("/forums/")[0] + href if href.startswith("/") else href)
    assert answer.status == 200
    assert answer.headers["content-type"].startswith("application/pdf")
    return " ".join(part.extract_text() for part in PdfReader(io.BytesIO(answer.body())).pages)


def test_speakers_bilateral_and_seating_plan(app, live_server, signed_in_page, plenary):
    deadline = (dt.datetime.now(dt.UTC) + dt.timedelta(days=30)).strftime("%Y-%m-%dT%H:%M")

    # The organiser opens the plenary's speakers' list from the manage hub.
    organiser = signed_in_page("org@example.org")
    organiser.goto(live_server + "/forums/isef2/manage/")
    organiser.get_by_role("link", name="Speakers' lists of the plenary sessions").click()
    organiser.get_by_role("link", name="Plenary").click()
    organiser.get_by_label("Deadline for inscriptions").fill(deadline)
    organiser.get_by_label("Speaking time (minutes)").fill("5")
    organiser.get_by_role("button", name="Open the speakers' list").click()
    expect(organiser.locator("#list-state")).to_have_text("Inscriptions are open.")

    # France inscribes first, Japan second: each from its delegation's page.
    for country, speaker in (("France", "Jean Dupont"), ("Japan", "Yui Sato")):
        focal = signed_in_page(f"focal-{'fr' if country == 'France' else 'jp'}@example.org")
        focal.goto(live_server + f"/forums/isef2/delegations/{plenary[country]}")
        focal.get_by_role("link", name=f"Speakers of {country} in the plenary sessions").click()
        focal.get_by_label("Speaker to inscribe").select_option(label=speaker)
        focal.get_by_role("button", name="Inscribe the speaker for Plenary").click()
        expect(focal.locator("main")).to_contain_text(f"{speaker}, place")

    # The minister speaks before the vice-minister inscribed earlier.
    organiser.reload()
    rows = organiser.locator("#speakers tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_contain_text("Yui Sato")
    expect(rows.nth(1)).to_contain_text("Jean Dupont")

    # Japan asks France for a bilateral at 10:00.
    japan = signed_in_page("focal-jp@example.org")
    japan.goto(live_server + f"/forums/isef2/delegations/{plenary['Japan']}")
    japan.get_by_role("link", name="Bilateral meetings of Japan").click()
    request = japan.locator("form", has=japan.get_by_role("button", name="Send the request"))
    request.locator("select[name=partner]").select_option(label="France")
    request.locator("input[name=topic]").fill("Lunar gateway cooperation")
    request.locator(f"input[name=slots][value='{plenary['slots'][0]}']").check()
    request.get_by_label("Yui Sato").check()
    request.get_by_role("button", name="Send the request").click()
    expect(japan.locator("h1")).to_contain_text("France")
    bilateral_url = japan.url

    # France finds it on its own page and accepts, with its vice-minister attending.
    france = signed_in_page("focal-fr@example.org")
    france.goto(live_server + f"/forums/isef2/delegations/{plenary['France']}/bilaterals")
    france.get_by_role("link", name="Japan").click()
    accept = france.locator("form", has=france.get_by_role("button", name="Accept the bilateral"))
    accept.get_by_label("Jean Dupont").check()
    accept.get_by_role("button", name="Accept the bilateral").click()
    expect(france.locator("main")).to_contain_text("Scheduled")
    expect(france.locator("main")).to_contain_text("Bilateral room 1")

    with app.app_context():
        bilateral = db.session.scalars(select(Bilateral)).one()
        assert bilateral.slot_id == plenary["slots"][0]
        db.session.remove()

    # Both participants got an invitation for 10:00 in Tokyo.
    invitations = outbox_invitations(app)
    assert sorted(m.to_address for m in invitations) == ["fr-head@example.org", "jp-head@example.org"]
    for message in invitations:
        calendar = Calendar.from_ical(message.attachment_body)
        (event,) = calendar.walk("VEVENT")
        assert str(calendar["METHOD"]) == "REQUEST"
        assert event["DTSTART"].dt.isoformat() == "2018-03-03T10:00:00+09:00"
        assert calendar.walk("VTIMEZONE")[0]["TZID"] == "Asia/Tokyo"

    # Italy's focal point neither sees it listed nor opens it.
    italy = signed_in_page("focal-it@example.org")
    italy.goto(live_server + f"/forums/isef2/delegations/{plenary['Italy']}/bilaterals")
    expect(italy.locator("main")).to_contain_text("No bilaterals yet.")
    assert italy.goto(bilateral_url).status == 404

    # The organiser prints the speakers' list: the minister first.
    organiser.reload()
    speakers = pdf_text(organiser, "Print the speakers' list (PDF)")
    assert speakers.index("Yui Sato") < speakers.index("Jean Dupont")

    # ... describes the hall, and prints the seating plan: all three heads, in protocol order.
    organiser.goto(live_server + "/forums/isef2/manage/")
    organiser.get_by_role("link", name="Seating plan of the plenary hall, and name plates").click()
    organiser.get_by_label("Seats in each row, front row first").fill("4, 6")
    organiser.get_by_label("Seats for each delegation").fill("1")
    organiser.get_by_role("button", name="Save the seating plan").click()
    expect(organiser.locator("main")).to_contain_text("The seating plan is saved.")
    expect(organiser.locator("svg.seating-drawing")).to_be_visible()
    plan = pdf_text(organiser, "The seating plan (PDF)")
    assert plan.index("France") < plan.index("Italy") < plan.index("Japan")
    assert all(name in plan for name in ("Yui Sato", "Jean Dupont", "Maria Rossi"))
    plates = pdf_text(organiser, "Name plates to fold (PDF)")
    assert all(name in plates for name in ("France", "Italy", "Japan"))
