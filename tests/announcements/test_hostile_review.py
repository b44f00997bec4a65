"""Found in a hostile review: what an organiser could post that would be accepted and then
never reach anyone."""

from __future__ import annotations

import pytest

from planner.announcements import services
from tests.announcements.conftest import PAGE
from tests.announcements.test_services import nothing_queued, send
from tests.announcements.test_views import MESSAGE, signed_in_as, stored

# Characters that end a line for the mail library as "\n" does: a subject holding one could
# never be written as a header, so every message would fail at the mail server's door.
LINE_BREAKS = ["\u2028", "\u2029", "\x85", "\x0b", "\x0c", "\x1c"]


@pytest.mark.parametrize("line_break", LINE_BREAKS, ids=[f"U+{ord(c):04X}" for c in LINE_BREAKS])
@pytest.mark.parametrize("field", ["subject", "subject_ja"])
def test_a_subject_broken_by_any_line_separator_is_refused_and_nothing_queued(app, world, field, line_break):
    subject = f"Buses{line_break}on Friday"
    texts = (
        {"subject": subject}
        if field == "subject"
        else {"translations": {"ja": {"subject": subject, "body": "バスは8時に出ます。"}}}
    )
    with app.test_request_context():
        with pytest.raises(services.AnnouncementRefused) as refusal:
            send(world, **texts)
        assert (str(refusal.value), refusal.value.field) == ("Keep the subject to one line of 200 characters.", field)
        assert nothing_queued()


def test_the_form_says_so_too(app, world):
    organiser = signed_in_as(app, world, "organiser")
    response = organiser.post(
        f"{PAGE}/new", data={**MESSAGE, "subject": "Buses\u2028on Friday", "audience": "focal_points"}
    )
    assert response.status_code == 422
    assert "Keep the subject to one line of 200 characters." in response.get_data(as_text=True)
    assert stored(app) == (0, 0)
