"""Colour contrast (WCAG 2.1 AA) of the seating plan's drawing, read from static/css/planner.css:
each seat's text on its seat (at least 4.5:1), and the seats' outline on the page (1.4.11:
at least 3:1, so an empty seat's box is seen)."""

import pytest

from tests.schedule.test_contrast import contrast, declared

SEATS = ("seat-head", "seat-member", "seat-reserved")


@pytest.mark.parametrize("seat", SEATS)
def test_a_seats_text_has_enough_contrast_on_the_seat(seat):
    text = declared(f".seating-drawing .{seat} text", "fill")
    background = declared(f".seating-drawing .{seat} rect", "fill")
    assert contrast(text, background) >= 4.5, seat


def test_the_rostrum_and_row_labels_can_be_read():
    text = declared(".seating-drawing .row-label", "fill")
    assert contrast(text, declared(".seating-drawing .rostrum", "fill")) >= 4.5
    assert contrast(text, declared("body", "background")) >= 4.5


def test_a_seats_outline_stands_out_from_the_page():
    outline = declared(".seating-drawing rect", "stroke")
    assert contrast(outline, declared(".seating-drawing .seat-empty rect", "fill")) >= 3
    assert contrast(outline, declared("body", "background")) >= 3
