"""Deciding on every application a page shows at once, with or without JavaScript."""

from __future__ import annotations

import datetime as dt

import pytest

from planner.extensions import db
from planner.registration import review
from planner.registration.models import Registration, RegistrationPolicy
from planner.registration.models import RegistrationStatus as Status
from tests.conftest import sign_in
from tests.factories import Programme, committed, make_isef2, make_programme, make_user

FIRST_DAY = dt.date.today() + dt.timedelta(days=90)
APPLIED = dt.datetime.combine(dt.date.today() - dt.timedelta(days=30), dt.time(9), tzinfo=dt.UTC)
PAGE = "/forums/isef2/manage/registrations"


@pytest.fixture
def programme(app) -> Programme:
    """ISEF2 ahead; Y-ISEF needs approval and has room for everyone."""
    with committed(app):
        programme = make_programme(make_isef2(first_day=FIRST_DAY, last_day=FIRST_DAY + dt.timedelta(days=2)))
        db.session.add(RegistrationPolicy(event_id=programme.event.id, approval_required=True))
    return programme


def pending(app, programme: Programme, count: int, country: str = "JP") -> list[int]:
    with committed(app):
        rows = [
            Registration(
                event_id=programme.event.id,
                user_id=make_user().id,
                status=Status.PENDING,
                country_code=country,
                applied_at=APPLIED + dt.timedelta(seconds=n),
            )
            for n in range(count)
        ]
        db.session.add_all(rows)
        db.session.flush()
        return [r.id for r in rows]


def statuses(app, ids: list[int]) -> list[Status]:
    with app.app_context():
        return [db.session.get(Registration, i).status for i in ids]


def test_without_javascript_one_button_decides_on_every_row_shown(client, app, programme):
    japan = pending(app, programme, 3)
    france = pending(app, programme, 2, country="FR")
    sign_in(client, programme.organiser)
    page = client.get(PAGE, query_string={"country": "JP"}).get_data(as_text=True)
    assert "Apply to all 3 applications on this page that can be decided" in page
    assert page.count('name="shown"') == 3
    shown = [str(i) for i in japan]
    response = client.post(
        f"{PAGE}/bulk", data={"action": "approve", "scope": "shown", "shown": shown, "country": "JP"}
    )
    assert response.status_code == 302 and response.headers["Location"].endswith("?country=JP")
    assert statuses(app, japan) == [Status.CONFIRMED] * 3
    assert statuses(app, france) == [Status.PENDING] * 2  # not shown, not decided


def test_the_selected_button_ignores_the_rows_shown(client, app, programme):
    first, second = pending(app, programme, 2)
    sign_in(client, programme.organiser)
    data = {"action": "decline", "scope": "selected", "ids": [str(first)], "shown": [str(first), str(second)]}
    assert client.post(f"{PAGE}/bulk", data=data).status_code == 302
    assert statuses(app, [first, second]) == [Status.DECLINED, Status.PENDING]


def test_the_page_has_a_select_all_checkbox_for_javascript(client, app, programme):
    pending(app, programme, 1)
    sign_in(client, programme.organiser)
    page = client.get(PAGE).get_data(as_text=True)
    assert '<input type="checkbox" id="select-all" data-select-all="ids" hidden>' in page
    assert '<script src="/static/js/select-all.js" defer></script>' in page
    script = client.get("/static/js/select-all.js")
    script.close()
    assert script.status_code == 200


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"scope": "everything"}, "Decide on the selected applications or on all those shown."),
        ({"scope": "shown", "shown": ["abc"]}, "Registrations are chosen by their numbers."),
        ({"scope": "shown", "shown": ["1"] * (review.BULK_LIMIT + 1)}, "At most 500 registrations"),
    ],
)
def test_bad_select_all_input_is_refused_with_the_reason(client, app, programme, data, message):
    (registration,) = pending(app, programme, 1)
    sign_in(client, programme.organiser)
    response = client.post(f"{PAGE}/bulk", data={"action": "approve", **data})
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert statuses(app, [registration]) == [Status.PENDING]


def test_more_rows_than_one_decision_takes_offer_no_all_button(client, app, programme, monkeypatch):
    monkeypatch.setattr(review, "BULK_LIMIT", 2)
    pending(app, programme, 3)
    sign_in(client, programme.organiser)
    page = client.get(PAGE).get_data(as_text=True)
    assert 'name="shown"' not in page
    assert "Choose filters that show at most 2 undecided applications" in page
