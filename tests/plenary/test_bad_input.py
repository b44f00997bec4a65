"""Hostile and broken input to every form of the speakers' list: a clear form error (422),
never a 500, nothing stored half-way, and stored text always escaped when shown."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from planner.audit.models import AuditEntry
from planner.extensions import db
from planner.plenary import inscriptions, services
from planner.plenary.models import SpeakerEntry, SpeakersList
from planner.statements.models import OutcomeDocument
from tests.conftest import sign_in
from tests.factories import committed, current
from tests.plenary.world import L, World, make_world, member, open_list

SCRIPT = '<script>alert("x")</script>'
ERROR_SUMMARY = 'class="error-summary" role="alert"'
VALUES = {
    "empty": "",
    "script": SCRIPT,
    "long": "x" * 5000,
    "control characters": "a\x00b\x1bc",
    "past INTEGER": str(2**31),
}


@pytest.fixture
def world(app) -> tuple[World, int, int]:
    """ISEF2's plenary with its list open and Japan's minister waiting; the panel has none."""
    with committed(app):
        world = make_world()
        speakers_list = open_list(world)
        entry = inscriptions.inscribe(world.organiser, speakers_list, world.japan, world.person_id("japan_minister"))
    return world, speakers_list.id, entry.id


def stored() -> tuple[int, ...]:
    return tuple(
        db.session.scalar(select(func.count()).select_from(model))
        for model in (SpeakersList, SpeakerEntry, OutcomeDocument, AuditEntry)
    )


def forms(world: World, list_id: int, entry_id: int) -> dict[str, list[str]]:
    manage = f"/forums/isef2/manage/sessions/{world.plenary.id}/speakers"
    settings = ["settings-deadline", "settings-speaking_minutes", "settings-speakers_per_delegation"]
    return {
        f"/forums/isef2/manage/sessions/{world.panel.id}/speakers/open": settings,
        manage + "/settings": settings,
        manage + "/inscribe": ["inscribe-speaker"],
        f"/forums/isef2/manage/speakers/{entry_id}/move": [f"move-{entry_id}-place", f"move-{entry_id}-reason"],
        f"/forums/isef2/delegations/{world.japan.id}/speakers/{world.plenary.id}": [f"list-{list_id}-speaker"],
        # The minister has not spoken: even a well-formed statement is refused, with the reason.
        f"/forums/isef2/speakers/{entry_id}/statement": ["title", "language", "text"],
    }


@pytest.mark.parametrize("kind", VALUES)
def test_every_form_field_refuses_bad_values_cleanly(app, world, kind):
    world, list_id, entry_id = world
    client = app.test_client()
    sign_in(client, world.organiser)
    with app.app_context():
        before = stored()
    for url, fields in forms(world, list_id, entry_id).items():
        response = client.post(url, data=dict.fromkeys(fields, VALUES[kind]))
        page = response.get_data(as_text=True)
        assert (response.status_code, ERROR_SUMMARY in page) == (422, True), url
        assert SCRIPT not in page
    with app.app_context():
        assert stored() == before


def test_ids_past_integer_name_nothing(app, world):
    world, _, _ = world
    client = app.test_client()
    sign_in(client, world.organiser)
    for url in (
        f"/forums/isef2/manage/sessions/{2**31}/speakers",
        f"/forums/isef2/manage/speakers/{2**31}/move",
        f"/forums/isef2/sessions/{2**31}/speakers/screen",
    ):
        method = client.post if url.endswith("move") else client.get
        assert method(url).status_code == 404, url


def test_a_name_with_markup_is_shown_as_text_on_every_page_and_in_the_pdf(app, world):
    world, _, _ = world
    with committed(app):
        person = member(current(world.kenya), SCRIPT, L.MINISTER)
        speakers_list = services.list_of(current(world.plenary))
        inscriptions.inscribe(current(world.organiser), speakers_list, current(world.kenya), person.id)
    client = app.test_client()
    screen = client.get(f"/forums/isef2/sessions/{world.plenary.id}/speakers/screen").get_data(as_text=True)
    sign_in(client, world.organiser)
    manage = client.get(f"/forums/isef2/manage/sessions/{world.plenary.id}/speakers").get_data(as_text=True)
    for page in (screen, manage):
        assert SCRIPT not in page and "&lt;script&gt;" in page
    assert client.get(f"/forums/isef2/manage/sessions/{world.plenary.id}/speakers.pdf").status_code == 200
