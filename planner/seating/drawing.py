"""The seating plan drawn: where each seat's box goes (``layout``, shared by the SVG and the
PDF so both show the same hall) and the SVG markup for the page, built from the seating alone
(the same seating gives the same bytes).

The rostrum is at the top, the front row (A) under it; each row is centred, its seats numbered
from the left as one faces the rostrum. A seat shows its delegation's short name (a country's
ISO code, an organisation's acronym), a reserved seat a cross; the table beside the drawing is
its text alternative."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from markupsafe import Markup, escape

from planner.delegations.models import DelegationKind
from planner.delegations.participants import ListedDelegation
from planner.seating.services import Seat, Seating, row_label

SEAT_WIDTH = 44
SEAT_HEIGHT = 28
SEAT_GAP = 6
ROW_GAP = 10
ROW_LABEL_WIDTH = 32
MARGIN = 10
ROSTRUM_HEIGHT = 30
SHORT_NAME_MAX = 6


@dataclass(frozen=True)
class SeatBox:
    x: float
    y: float
    row: int
    number: int
    seat: Seat | None


@dataclass(frozen=True)
class Layout:
    width: float
    height: float
    boxes: tuple[SeatBox, ...]
    row_labels: tuple[tuple[str, float], ...]  # (label, y of the row's top)


def layout(seating: Seating) -> Layout:
    longest = max((len(row) for row in seating.rows), default=0)
    width = 2 * MARGIN + 2 * ROW_LABEL_WIDTH + longest * (SEAT_WIDTH + SEAT_GAP) - SEAT_GAP
    boxes: list[SeatBox] = []
    labels: list[tuple[str, float]] = []
    y = MARGIN + ROSTRUM_HEIGHT + 2 * ROW_GAP
    for r, row in enumerate(seating.rows):
        row_width = len(row) * (SEAT_WIDTH + SEAT_GAP) - SEAT_GAP
        x = (width - row_width) / 2
        for n, seat in enumerate(row):
            boxes.append(SeatBox(x=x + n * (SEAT_WIDTH + SEAT_GAP), y=y, row=r, number=n + 1, seat=seat))
        labels.append((row_label(r), y))
        y += SEAT_HEIGHT + ROW_GAP
    return Layout(width=width, height=y + MARGIN - ROW_GAP, boxes=tuple(boxes), row_labels=tuple(labels))


def short_name(delegation: ListedDelegation) -> str:
    """What fits in a seat's box: the ISO code, the acronym, else the name's start."""
    d = delegation.delegation
    if d.kind is DelegationKind.COUNTRY and d.country_code:
        return d.country_code
    if d.organisation is not None:
        return d.organisation.acronym[:SHORT_NAME_MAX]
    return delegation.name[:SHORT_NAME_MAX]


def seat_description(seat: Seat) -> str:
    """A seat in words: "A3: Japan, Aiko Tanaka (head of delegation)"."""
    if seat.is_head_of_delegation:
        return _(
            "%(seat)s: %(delegation)s, %(name)s (head of delegation)",
            seat=seat.label,
            delegation=seat.delegation.name,
            name=seat.member.name,
        )
    return _(
        "%(seat)s: %(delegation)s, %(name)s", seat=seat.label, delegation=seat.delegation.name, name=seat.member.name
    )


def _number(value: float) -> str:
    return f"{value:g}"


def svg_markup(seating: Seating, title: str) -> Markup:
    """The plan as inline SVG: an image named by ``title``, described as the table below it."""
    drawn = layout(seating)
    seats = len(drawn.boxes)
    description = _(
        "%(seats)d seats in %(rows)d rows, the rostrum at the top; the table after the drawing lists every seat.",
        seats=seats,
        rows=len(seating.rows),
    )
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="seating-drawing" role="img"'
        f' aria-labelledby="seating-svg-title seating-svg-desc" viewBox="0 0 {_number(drawn.width)}'
        f' {_number(drawn.height)}" width="{_number(drawn.width)}" height="{_number(drawn.height)}">',
        f'<title id="seating-svg-title">{escape(title)}</title>',
        f'<desc id="seating-svg-desc">{escape(description)}</desc>',
        f'<rect class="rostrum" x="{_number(drawn.width / 4)}" y="{MARGIN}" width="{_number(drawn.width / 2)}"'
        f' height="{ROSTRUM_HEIGHT}" rx="4"/>',
        f'<text class="rostrum-label" x="{_number(drawn.width / 2)}" y="{MARGIN + ROSTRUM_HEIGHT / 2 + 5}"'
        f' text-anchor="middle">{escape(_("Rostrum"))}</text>',
    ]
    for label, y in drawn.row_labels:
        middle = _number(y + SEAT_HEIGHT / 2 + 4)
        parts.append(f'<text class="row-label" x="{MARGIN}" y="{middle}">{escape(label)}</text>')
        parts.append(
            f'<text class="row-label" x="{_number(drawn.width - MARGIN)}" y="{middle}" text-anchor="end">'
            f"{escape(label)}</text>"
        )
    for box in drawn.boxes:
        seat = box.seat
        label = f"{row_label(box.row)}{box.number}"
        if seat is not None:
            kind, words = ("seat-head" if seat.is_head else "seat-member"), seat_description(seat)
        elif seating.is_reserved(box.row, box.number):
            kind, words = "seat-reserved", _("%(seat)s: reserved", seat=label)
        else:
            kind, words = "seat-empty", _("%(seat)s: empty", seat=label)
        text = short_name(seat.delegation) if seat is not None else "×" if kind == "seat-reserved" else ""
        parts.append(
            f'<g class="{kind}"><title>{escape(words)}</title>'
            f'<rect x="{_number(box.x)}" y="{_number(box.y)}" width="{SEAT_WIDTH}" height="{SEAT_HEIGHT}" rx="3"/>'
            f'<text x="{_number(box.x + SEAT_WIDTH / 2)}" y="{_number(box.y + SEAT_HEIGHT / 2 + 4)}"'
            f' text-anchor="middle">{escape(text)}</text></g>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))
