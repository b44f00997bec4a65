"""Who may apply is said before anyone fills in the form: the event page states the rules,
and a closed event's form page says why it is closed instead of offering a form."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from planner.extensions import db
from planner.registration.models import Question, QuestionKind, Registration, RegistrationPolicy
from tests.conftest import sign_in
from tests.factories import Programme, committed, make_forum, make_policy, make_programme

EVENT = "/forums/isef3/events/S-ISEF/"
REGISTER = EVENT + "register"


@pytest.fixture
def setting(app) -> Programme:
    """ISEF3 in 2030 (Tokyo): S-ISEF for students in Japan aged 15 to 18 with a code and a
    guardian, closing on 1 February 2030 at 17:00 Tokyo time; Hana may apply."""
    with committed(app):
        setting = make_programme(
            make_forum(slug="isef3", name="ISEF3", first_day=dt.date(2030, 3, 1), last_day=dt.date(2030, 3, 3)),
            code="S-ISEF",
            title="Student ISEF",
        )
        make_policy(
            setting.event,
            capacity=40,
            min_age=15,
            max_age=18,
            allowed_countries=["JP"],
            organisation_required=True,
            invitation_codes=["MOON"],
            guardian_required=True,
            approval_required=True,
            closes_at=dt.datetime(2030, 2, 1, 8, 0, tzinfo=dt.UTC),
        )
        setting.add(
            "diet",
            Question(event_id=setting.event.id, label="Diet", kind=QuestionKind.TEXT, required=True),
        )
        setting.person("delegate", name="Hana")
    return setting


def test_the_event_page_states_every_rule_before_the_button(client, setting):
    page = client.get(EVENT).get_data(as_text=True)
    rules = page.split('id="who-may-apply"', 1)[1]
    assert rules.index("People aged 15 to 18 on Friday, March 1, 2030.") < rules.index(
        'href="/forums/isef3/events/S-ISEF/register"'
    )
    for stated in (
        "People from Japan.",
        "People who come for an organisation, which they name.",
        "People with an invitation code from the organisers.",
        "A parent or guardian gives their name, email address and consent.",
        "1 Feb 2030 17:00 JST",  # the deadline in the forum's time, with its zone
        "0 of 40 taken; then a waiting list.",
        "The organisers approve each application.",
        "<li>Diet (required)</li>",
    ):
        assert stated in rules, stated


def test_without_a_closing_time_applications_close_when_the_event_starts(client, app, setting):
    with app.app_context():
        db.session.get(RegistrationPolicy, setting.event.id).closes_at = None
        db.session.get(RegistrationPolicy, setting.event.id).min_age = None
        db.session.commit()
    page = client.get(EVENT).get_data(as_text=True)
    assert "when the event starts, 1 Mar 2030 09:00 JST" in page
    assert "People aged 18 or less on Friday, March 1, 2030." in page


def test_an_event_without_limits_says_anyone_may_apply(client, app):
    with committed(app):
        programme = make_programme(
            make_forum(slug="open", first_day=dt.date(2030, 3, 1), last_day=dt.date(2030, 3, 1)), code="OPEN"
        )
        make_policy(programme.event)
    page = client.get("/forums/open/events/OPEN/").get_data(as_text=True)
    assert "Anyone with a planner account." in page and "None: a free place is yours at once." in page


def close(app, setting, **times) -> None:
    with app.app_context():
        policy = db.session.get(RegistrationPolicy, setting.event.id)
        for name, value in times.items():
            setattr(policy, name, value)
        db.session.commit()


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_a_closed_events_form_page_says_when_it_closed_and_shows_no_form(client, app, setting, method):
    close(app, setting, closes_at=dt.datetime(2020, 1, 1, tzinfo=dt.UTC))
    sign_in(client, setting.delegate)
    response = client.open(REGISTER, method=method, data={"organisation": "School"} if method == "POST" else None)
    assert response.status_code == (409 if method == "POST" else 200)
    page = response.get_data(as_text=True)
    assert "Registration closed on 1 Jan 2020 09:00 JST." in page
    assert '<form method="post" class="stacked"' not in page and "Date of birth" not in page
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Registration)) == 0


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_once_the_event_has_started_the_form_page_says_so(client, app, setting, method):
    # Later closing times do not keep the form open past the start.
    close(app, setting, closes_at=None)
    with app.app_context():
        event = db.session.get(type(setting.event), setting.event.id)
        event.starts_at = dt.datetime(2021, 3, 1, tzinfo=dt.UTC)
        db.session.commit()
    sign_in(client, setting.delegate)
    response = client.open(REGISTER, method=method)
    page = response.get_data(as_text=True)
    assert response.status_code == (409 if method == "POST" else 200)
    assert "Registration is closed: the event has started." in page and "Registration closed on" not in page
    assert "Date of birth" not in page


def test_before_it_opens_the_form_page_says_when_it_will(client, app, setting):
    close(app, setting, opens_at=dt.datetime(2029, 12, 31, 15, 0, tzinfo=dt.UTC), closes_at=None)
    sign_in(client, setting.delegate)
    page = client.get(REGISTER).get_data(as_text=True)
    assert "Registration opens on 1 Jan 2030 00:00 JST." in page and "Date of birth" not in page
    assert "1 Jan 2030 00:00 JST" in client.get(EVENT).get_data(as_text=True)
