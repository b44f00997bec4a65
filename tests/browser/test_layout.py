"""Layout as people meet it: choices on one line with their control, /me on a phone, and
"select all" on the organisers' list."""

import datetime as dt

import pytest

from planner.extensions import db
from planner.registration.models import Question, QuestionKind, Registration, RegistrationStatus
from tests.factories import committed, make_forum, make_policy, make_programme, make_session, make_user

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def setting(app):
    """ISEF3 in 2030: Y-ISEF asks three questions with choices; Hana is confirmed for it,
    with two long-titled sessions on her agenda; Aiko organises; Ken and Lee are pending."""
    with committed(app):
        forum = make_forum(slug="isef3", name="ISEF3", first_day=dt.date(2030, 3, 1), last_day=dt.date(2030, 3, 3))
        programme = make_programme(forum, "Y-ISEF", organiser="aiko@example.org", title="Young Professionals ISEF")
        make_policy(programme.event, capacity=100)
        event = programme.event.id
        db.session.add_all(
            [
                Question(
                    event_id=event,
                    position=1,
                    label="Diet",
                    kind=QuestionKind.SINGLE,
                    choices=["Vegetarian", "Halal", "No particular diet"],
                ),
                Question(
                    event_id=event,
                    position=2,
                    label="Access needs",
                    kind=QuestionKind.MULTIPLE,
                    choices=["Wheelchair access", "Hearing loop", "Sign language interpreting"],
                ),
                Question(event_id=event, position=3, label="May we photograph you?", kind=QuestionKind.YES_NO),
            ]
        )
        hana = make_user(email="hana@example.org", name="Hana Suzuki")
        db.session.add(Registration(event_id=event, user_id=hana.id, status=RegistrationStatus.CONFIRMED))
        for name in ("Ken", "Lee"):
            db.session.add(
                Registration(event_id=event, user_id=make_user(name=name).id, status=RegistrationStatus.PENDING)
            )
        make_user(email="mio@example.org", name="Mio")
        start = dt.datetime(2030, 3, 1, 9, tzinfo=forum.zone)
        for n in range(3):
            make_session(
                programme.event,
                start + dt.timedelta(hours=n),
                title="International cooperation in lunar surface exploration and sustainable presence " * 2,
            )
    return programme


def test_each_choice_is_one_line_control_then_label(live_server, signed_in_page, setting):
    page = signed_in_page("mio@example.org")
    page.goto(live_server + "/forums/isef3/events/Y-ISEF/register")
    choices = page.locator(".choice")
    assert choices.count() == 3 + 3 + 2
    for index in range(choices.count()):
        choice = choices.nth(index)
        control = choice.locator("input").bounding_box()
        label = choice.locator("label").bounding_box()
        assert control["x"] + control["width"] <= label["x"], choice.inner_text()
        # On the same line: the control sits within the label's first line.
        assert abs((control["y"] + control["height"] / 2) - (label["y"] + min(label["height"], 24) / 2)) < 12
    page.get_by_label("Hearing loop").check()
    page.get_by_label("Halal").check()
    page.get_by_label("No", exact=True).check()
    page.get_by_label("Country").select_option("JP")
    page.get_by_role("button", name="Apply").click()
    assert "your place is confirmed" in page.content()


def test_me_fits_a_phone(live_server, signed_in_page, setting):
    page = signed_in_page("hana@example.org")
    page.set_viewport_size(PHONE)
    page.goto(live_server + "/me")
    for button in page.get_by_role("button", name="to my agenda").all()[:2]:
        button.click()
    page.get_by_role("button", name="Get my calendar address").click()
    page.goto(live_server + "/me")
    assert page.get_by_role("button", name="Remove").count() == 2
    assert page.evaluate("document.scrollingElement.scrollWidth") <= PHONE["width"]


def test_select_all_ticks_every_row_with_javascript(live_server, signed_in_page, setting):
    page = signed_in_page("aiko@example.org")
    page.goto(live_server + "/forums/isef3/manage/registrations")
    select_all = page.get_by_label("Select all on this page")
    select_all.check()
    boxes = page.locator('input[name="ids"]')
    assert boxes.count() == 3 and all(boxes.nth(i).is_checked() for i in range(3))
    page.get_by_label("Select Ken").uncheck()
    assert page.evaluate("document.getElementById('select-all').indeterminate")
    select_all.check()
    page.get_by_label("Approve").check()
    page.get_by_role("button", name="Apply to the selected").click()
    assert "2 approved" in page.content()
