"""The speakers' list's pages: organisers open and run it, a focal point inscribes, the room's
screen, the printed list, the statement kept; bad input gets a message and writes nothing."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from sqlalchemy import func, select

from planner.db import utcnow
from planner.extensions import db
from planner.plenary import inscriptions, services
from planner.plenary.models import SpeakerEntry, SpeakersList, SpeakerStatus
from planner.schedule.models import SessionStatus
from planner.statements.models import OutcomeDocument
from tests.conftest import sign_in
from tests.factories import committed, current
from tests.plenary.world import World, make_world, open_list

MANAGE = "/forums/isef2/manage/sessions/{id}/speakers"


@pytest.fixture
def world(app) -> World:
    with committed(app):
        return make_world()


@pytest.fixture
def opened(app, world) -> World:
    with committed(app):
        open_list(world)
    return world


def local(moment: dt.datetime) -> str:
    return moment.astimezone(dt.timezone(dt.timedelta(hours=9))).strftime("%Y-%m-%dT%H:%M")


def count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def inscribe(app, world: World, key: str, delegation: str = "japan") -> SpeakerEntry:
    with committed(app):
        speakers_list = services.list_of(current(world.plenary))
        return inscriptions.inscribe(
            current(world.organiser), speakers_list, current(getattr(world, delegation)), world.person_id(key)
        )


def test_the_manage_hub_leads_to_the_plenaries_and_an_organiser_opens_a_list(app, client, world):
    sign_in(client, world.organiser)
    assert 'href="/forums/isef2/manage/speakers"' in client.get("/forums/isef2/manage/").get_data(as_text=True)
    index = client.get("/forums/isef2/manage/speakers").get_data(as_text=True)
    assert MANAGE.format(id=world.plenary.id) in index and "not open" in index
    page = client.get(MANAGE.format(id=world.plenary.id)).get_data(as_text=True)
    assert "Open the speakers' list" in page
    deadline = local(utcnow() + dt.timedelta(days=1))
    response = client.post(
        MANAGE.format(id=world.plenary.id) + "/open",
        data={"settings-deadline": deadline, "settings-speaking_minutes": "4", "settings-speakers_per_delegation": "1"},
    )
    assert response.status_code == 302
    page = client.get(MANAGE.format(id=world.plenary.id)).get_data(as_text=True)
    assert "Speaking time: 4 minutes." in page and "Inscriptions are open." in page


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"settings-speaking_minutes": "5", "settings-speakers_per_delegation": "1"}, "Give the date and time"),
        (
            {
                "settings-deadline": "tomorrow",
                "settings-speaking_minutes": "5",
                "settings-speakers_per_delegation": "1",
            },
            "Not a valid datetime value",
        ),
        (
            {
                "settings-deadline": "2018-03-02T18:00",
                "settings-speaking_minutes": "0",
                "settings-speakers_per_delegation": "1",
            },
            "between 1 and 60",
        ),
        (
            {
                "settings-deadline": "2018-03-02T18:00",
                "settings-speaking_minutes": "5",
                "settings-speakers_per_delegation": "99",
            },
            "between 1 and 10",
        ),
        (
            {
                "settings-deadline": "2018-03-02T18:00",
                "settings-speaking_minutes": "x",
                "settings-speakers_per_delegation": "1",
            },
            "Not a valid integer value",
        ),
    ],
)
def test_bad_settings_are_refused_with_a_message_and_open_nothing(app, client, world, data, message):
    sign_in(client, world.organiser)
    response = client.post(MANAGE.format(id=world.plenary.id) + "/open", data=data)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert count(app, SpeakersList) == 0


def test_a_panel_gets_no_list_a_page_that_says_why(app, client, world):
    sign_in(client, world.organiser)
    data = {
        "settings-deadline": "2018-03-02T18:00",
        "settings-speaking_minutes": "5",
        "settings-speakers_per_delegation": "1",
    }
    response = client.post(MANAGE.format(id=world.panel.id) + "/open", data=data)
    assert response.status_code == 422 and "Only a plenary session has a speakers" in response.get_data(as_text=True)
    assert count(app, SpeakersList) == 0
    other = client.get("/forums/isef2/manage/sessions/999999/speakers")
    assert other.status_code == 404 and "has no such session" in other.get_data(as_text=True)


def test_a_focal_point_inscribes_an_accredited_member_and_sees_the_place(app, client, opened):
    world = opened
    sign_in(client, world.japan_focal_point)
    delegation_page = client.get(f"/forums/isef2/delegations/{world.japan.id}/").get_data(as_text=True)
    assert f'href="/forums/isef2/delegations/{world.japan.id}/speakers"' in delegation_page
    page = client.get(f"/forums/isef2/delegations/{world.japan.id}/speakers").get_data(as_text=True)
    assert "Yui Sato" in page and "Not Accredited" not in page  # only accredited members are offered
    with app.app_context():
        list_id = services.list_of(current(world.plenary)).id
    url = f"/forums/isef2/delegations/{world.japan.id}/speakers/{world.plenary.id}"
    refused = client.post(url, data={f"list-{list_id}-speaker": f"{world.japan.id}:{world.person_id('japan_nominee')}"})
    assert refused.status_code == 422 and "Not a valid choice" in refused.get_data(as_text=True)
    other = client.post(url, data={f"list-{list_id}-speaker": f"{world.kenya.id}:{world.person_id('kenya_minister')}"})
    assert other.status_code == 422
    assert count(app, SpeakerEntry) == 0
    response = client.post(
        url, data={f"list-{list_id}-speaker": f"{world.japan.id}:{world.person_id('japan_minister')}"}
    )
    assert response.status_code == 302
    page = client.get(f"/forums/isef2/delegations/{world.japan.id}/speakers").get_data(as_text=True)
    assert "Yui Sato, place 1: waiting" in page
    assert "Each delegation may inscribe 1 speaker." in page
    assert f'value="{world.japan.id}:{world.person_id("japan_minister")}"' not in page  # on the list already
    second = client.post(
        url, data={f"list-{list_id}-speaker": f"{world.japan.id}:{world.person_id('japan_ambassador')}"}
    )
    assert second.status_code == 422 and "as many speakers as this list allows (1)" in second.get_data(as_text=True)
    assert count(app, SpeakerEntry) == 1
    # Another delegation's focal point may not inscribe for Japan.
    sign_in(client, world.kenya_focal_point)
    assert (
        client.post(
            url, data={f"list-{list_id}-speaker": f"{world.japan.id}:{world.person_id('japan_ambassador')}"}
        ).status_code
        == 403
    )


def test_after_the_deadline_the_focal_point_is_told_the_list_is_closed(app, client, world):
    with committed(app):
        open_list(world, deadline=utcnow() - dt.timedelta(hours=1))
    sign_in(client, world.japan_focal_point)
    page = client.get(f"/forums/isef2/delegations/{world.japan.id}/speakers").get_data(as_text=True)
    assert "Inscriptions are closed: ask the organisers to add a speaker." in page
    with app.app_context():
        list_id = services.list_of(current(world.plenary)).id
    url = f"/forums/isef2/delegations/{world.japan.id}/speakers/{world.plenary.id}"
    response = client.post(
        url, data={f"list-{list_id}-speaker": f"{world.japan.id}:{world.person_id('japan_minister')}"}
    )
    assert response.status_code == 422 and "its deadline has passed" in response.get_data(as_text=True)
    assert count(app, SpeakerEntry) == 0


def test_an_organiser_moves_a_speaker_but_not_without_a_reason(app, client, opened):
    world = opened
    inscribe(app, world, "japan_minister")
    esa = inscribe(app, world, "esa_director", "esa")
    sign_in(client, world.organiser)
    url = f"/forums/isef2/manage/speakers/{esa.id}/move"
    response = client.post(url, data={f"move-{esa.id}-place": "1", f"move-{esa.id}-reason": ""})
    assert response.status_code == 422 and "Give the reason for the move." in response.get_data(as_text=True)
    response = client.post(url, data={f"move-{esa.id}-place": "none", f"move-{esa.id}-reason": "Leaves early"})
    assert response.status_code == 422 and "Not a valid integer value" in response.get_data(as_text=True)
    with app.app_context():
        assert [e.person.name for e in services.shown_entries(services.list_of(current(world.plenary)))] == [
            "Yui Sato",
            "Josef Aschbacher",
        ]
    response = client.post(url, data={f"move-{esa.id}-place": "1", f"move-{esa.id}-reason": "Leaves early"})
    assert response.status_code == 302
    page = client.get(MANAGE.format(id=world.plenary.id)).get_data(as_text=True)
    assert page.index("Josef Aschbacher") < page.index("Yui Sato") and "moved by the chair" in page
    audit = client.get("/forums/isef2/manage/audit").get_data(as_text=True)
    assert "moved from place 2 to 1: Leaves early" in audit


def test_the_screen_shows_who_speaks_now_and_next_in_the_forums_language_and_refreshes_itself(app, client, opened):
    world = opened
    with committed(app):
        current(world.forum).languages = ["ja", "en"]
    minister = inscribe(app, world, "japan_minister")
    inscribe(app, world, "kenya_minister", "kenya")
    screen = f"/forums/isef2/sessions/{world.plenary.id}/speakers/screen"
    text = client.get(screen).get_data(as_text=True)
    assert '<html lang="ja">' in text and '<meta http-equiv="refresh" content="10">' in text
    assert "<script" not in text
    now, following = text.index('id="now-speaker"'), text.index('id="next-speaker"')
    assert text.index("日本") > now and text.index("ケニア") > following  # Japan's minister first (inscribed earlier)
    assert '<html lang="en">' in client.get(screen + "?lang=en").get_data(as_text=True)
    sign_in(client, world.organiser)
    assert client.post(f"/forums/isef2/manage/speakers/{minister.id}/spoke", data={}).status_code == 302
    text = client.get(screen).get_data(as_text=True)
    assert text.index("ケニア") < text.index('id="next-speaker"')


def test_the_printed_list_is_a_pdf_in_the_lists_order(app, client, opened):
    world = opened
    inscribe(app, world, "esa_director", "esa")
    inscribe(app, world, "japan_minister")
    sign_in(client, world.organiser)
    response = client.get(MANAGE.format(id=world.plenary.id).replace("/speakers", "/speakers.pdf"))
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    from pypdf import PdfReader

    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(response.get_data())).pages)
    assert text.index("1. Japan: Yui Sato, Minister of Education") < text.index("2. ESA: Josef Aschbacher")


def test_a_statement_is_attached_after_the_speech_and_shown_as_a_national_statement(app, client, opened):
    world = opened
    entry = inscribe(app, world, "japan_minister")
    sign_in(client, world.japan_focal_point)
    url = f"/forums/isef2/speakers/{entry.id}/statement"
    data = {"title": "Statement by Japan", "language": "en", "text": "Japan welcomes lunar cooperation."}
    refused = client.post(url, data=data)
    assert refused.status_code == 422 and "once the speaker has spoken" in refused.get_data(as_text=True)
    with committed(app):
        services.mark_spoken(current(world.organiser), current(entry))
    empty = client.post(url, data={**data, "text": ""})
    assert empty.status_code == 422 and "Paste the text delivered." in empty.get_data(as_text=True)
    assert count(app, OutcomeDocument) == 0
    response = client.post(url, data=data)
    assert response.status_code == 302
    document_url = response.headers["Location"]
    client.get("/")  # the flash
    page = client.get(document_url).get_data(as_text=True)
    assert "National statement" in page and "not an outcome of ISEF2" in page
    assert "Record the endorsement" not in page and "Adopted" not in page and "Plenary" in page
    statements = client.get("/forums/isef2/statements/").get_data(as_text=True)
    assert statements.index("National statements") < statements.index("Statement by Japan")
    api = client.get("/api/v1/forums/isef2/statements").get_json()
    assert [s["kind"] for s in api["items"]] == ["national_statement"]
    found = client.get("/statements/search?q=lunar").get_data(as_text=True)
    assert "Statement by Japan" in found and "delivered on" in found and "Adopted" not in found
    text = client.get(document_url + "/download/txt").get_data(as_text=True)
    assert "Delivered by Japan" in text and "Adopted" not in text
    # The archive of the forums' outcomes does not hold it.
    assert "Statement by Japan" not in client.get("/statements/").get_data(as_text=True)


def test_someone_who_neither_organises_nor_speaks_for_the_delegation_gets_a_reason(app, client, opened):
    world = opened
    entry = inscribe(app, world, "japan_minister")
    sign_in(client, world.kenya_focal_point)
    response = client.post(f"/forums/isef2/speakers/{entry.id}/withdraw", data={})
    assert response.status_code == 403 and "Only the focal points of Japan" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(SpeakerEntry, entry.id).status is SpeakerStatus.WAITING


def test_a_statement_from_a_closed_session_is_refused_and_no_public_page_shows_it(app, client, world):
    with committed(app):
        current(world.plenary).is_public = False
        open_list(world)
    entry = inscribe(app, world, "japan_minister")
    with committed(app):
        services.mark_spoken(current(world.organiser), current(entry))
    sign_in(client, world.japan_focal_point)
    page = client.get(f"/forums/isef2/delegations/{world.japan.id}/speakers").get_data(as_text=True)
    assert "Attach the statement" not in page and "A closed session" in page
    url = f"/forums/isef2/speakers/{entry.id}/statement"
    form = client.get(url).get_data(as_text=True)
    assert "Plenary is a closed session: statements delivered in it are not published" in form
    assert "Keep the statement" not in form
    data = {"title": "Statement by Japan", "language": "en", "text": "Japan welcomes lunar cooperation."}
    response = client.post(url, data=data)
    assert response.status_code == 422 and "closed session" in response.get_data(as_text=True)
    assert count(app, OutcomeDocument) == 0
    # What the public reads: the forum's statements, the search, the API.
    public = app.test_client()
    assert "Statement by Japan" not in public.get("/forums/isef2/statements/").get_data(as_text=True)
    assert "Statement by Japan" not in public.get("/statements/search?q=lunar").get_data(as_text=True)
    assert public.get("/api/v1/forums/isef2/statements").get_json()["items"] == []
    assert public.get(f"/forums/isef2/statements/national-statement-{entry.id}").status_code == 404


def test_a_cancelled_session_s_list_says_so_and_refuses_inscriptions(app, client, opened):
    world = opened
    inscribe(app, world, "japan_minister")
    with committed(app):
        current(world.plenary).status = SessionStatus.CANCELLED
        list_id = services.list_of(current(world.plenary)).id
    screen = client.get(f"/forums/isef2/sessions/{world.plenary.id}/speakers/screen").get_data(as_text=True)
    assert "This session is cancelled." in screen
    assert "Yui Sato" not in screen and "Speaking now" not in screen
    sign_in(client, world.japan_focal_point)
    page = client.get(f"/forums/isef2/delegations/{world.japan.id}/speakers").get_data(as_text=True)
    assert "This session is cancelled." in page and "Inscribe the speaker" not in page
    response = client.post(
        f"/forums/isef2/delegations/{world.japan.id}/speakers/{world.plenary.id}",
        data={f"list-{list_id}-speaker": f"{world.japan.id}:{world.person_id('japan_ambassador')}"},
    )
    assert response.status_code == 422
    assert "Plenary is cancelled: its speakers&#39; list takes no more changes." in response.get_data(as_text=True)
    sign_in(client, world.organiser)
    page = client.get(MANAGE.format(id=world.plenary.id)).get_data(as_text=True)
    assert "This session is cancelled." in page and "Save the settings" not in page
    assert count(app, SpeakerEntry) == 1


def test_marking_a_withdrawn_speaker_as_spoken_says_they_were_withdrawn(app, client, opened):
    world = opened
    entry = inscribe(app, world, "japan_minister")
    with committed(app):
        inscriptions.withdraw(current(world.organiser), current(entry))
    sign_in(client, world.organiser)
    response = client.post(f"/forums/isef2/manage/speakers/{entry.id}/spoke", data={}, follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "Yui Sato (Japan) was withdrawn from the list" in page and "already spoken" not in page
