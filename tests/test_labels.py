"""Every enumeration shown to people has a translatable name of its own."""

import enum

import pytest

from planner.labels import LABELS, label
from planner.models import ForumStatus
from planner.registration.models import RegistrationMode


@pytest.mark.parametrize("enum_class", list(LABELS), ids=lambda c: c.__name__)
def test_every_member_has_a_label(app, enum_class):
    with app.test_request_context():
        assert {member: bool(label(member)) for member in enum_class} == {member: True for member in enum_class}


def test_members_with_the_same_value_keep_their_own_labels(app):
    """StrEnum members of different enumerations with the same value are equal (both
    "open"): a forum that is open is not "Online registration"."""
    assert ForumStatus.OPEN == RegistrationMode.OPEN  # why the labels are kept per enumeration
    with app.test_request_context():
        assert (label(ForumStatus.OPEN), label(RegistrationMode.OPEN)) == ("Open", "Online registration")
    assert all(isinstance(c, type) and issubclass(c, enum.Enum) for c in LABELS)
