"""The seating plan and the name plates as PDF: bytes from a ``Seating``; views only send them.

Both are A4 landscape and print Japanese with the statements' font (``find_font``), like the
list of participants. The plan: the hall drawn as ``drawing.layout`` places it, then the seats
listed. The name plates: one folded tent card a delegation, in the order of the plan, its name
in each of the forum's languages, large, on both faces (the top half upside down, so that it
reads from the front once folded along the dashed line). The same seating gives the same
bytes: the PDFs carry the plan's time as their creation date, and are kept by what they show.
"""

from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache
from typing import Any

from flask_babel import gettext as _

from planner.delegations.names import delegation_name
from planner.seating.drawing import SEAT_HEIGHT, SEAT_WIDTH, SeatBox, layout, short_name
from planner.seating.services import Seating
from planner.statements.rendering import NEXT_LINE, use_font

PAGE_WIDTH, PAGE_HEIGHT, PAGE_MARGIN = 297.0, 210.0, 12.0
#: Box, words: (x, y, kind, text) a seat in the drawing's own units.
Box = tuple[float, float, str, str]
Row = tuple[str, str, str, str]  # seat, delegation, name, "Head of delegation" or the function


def _created(seating: Seating) -> dt.datetime:
    when = seating.plan.updated_at or dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
    return when if when.tzinfo else when.replace(tzinfo=dt.UTC)


def _start(title: str, font_path: str | None, created: dt.datetime) -> tuple[Any, str, Any]:
    from fpdf import FPDF  # loaded by the first PDF, as the other PDFs do

    pdf = FPDF(orientation="L", format="A4")
    pdf.set_title(title)
    pdf.set_creation_date(created)
    pdf.set_margins(PAGE_MARGIN, PAGE_MARGIN, PAGE_MARGIN)
    pdf.set_auto_page_break(True, margin=PAGE_MARGIN)
    pdf.add_page()
    family, fit = use_font(pdf, font_path)
    return pdf, family, fit


def _kind(seating: Seating, box: SeatBox) -> str:
    if box.seat is not None:
        return "head" if box.seat.is_head else "member"
    return "reserved" if seating.is_reserved(box.row, box.number) else "empty"


def plan_pdf(seating: Seating, title: str, facts: list[str], font_path: str | None) -> bytes:
    drawn = layout(seating)
    boxes: tuple[Box, ...] = tuple(
        (
            box.x,
            box.y,
            kind,
            short_name(box.seat.delegation) if box.seat is not None else "x" if kind == "reserved" else "",
        )
        for box in drawn.boxes
        for kind in (_kind(seating, box),)
    )
    head = _("Head of delegation")
    reserved = _("Reserved")
    rows: tuple[Row, ...] = tuple(
        (label, reserved, "", "")
        if seat is None
        else (
            label,
            seat.delegation.name,
            seat.member.name,
            head if seat.is_head_of_delegation else seat.member.function,
        )
        for label, seat in seating.taken
    )
    headings = (_("Seat"), _("Delegation"), _("Name"), _("Role or function"))
    return _plan_pdf(
        title,
        tuple(facts),
        (drawn.width, drawn.height),
        boxes,
        drawn.row_labels,
        headings,
        rows,
        _("Rostrum"),
        font_path,
        _created(seating),
    )


@lru_cache(maxsize=16)
def _plan_pdf(
    title: str,
    facts: tuple[str, ...],
    size: tuple[float, float],
    boxes: tuple[Box, ...],
    row_labels: tuple[tuple[str, float], ...],
    headings: tuple[str, str, str, str],
    rows: tuple[Row, ...],
    rostrum: str,
    font_path: str | None,
    created: dt.datetime,
) -> bytes:
    pdf, family, fit = _start(title, font_path, created)
    pdf.set_font(family, size=16)
    pdf.multi_cell(0, 8, fit(title), **NEXT_LINE)
    pdf.set_font(family, size=9)
    for line in facts:
        pdf.multi_cell(0, 5, fit(line), **NEXT_LINE)
    top = pdf.get_y() + 3
    width, height = size
    scale = min((PAGE_WIDTH - 2 * PAGE_MARGIN) / width, (PAGE_HEIGHT - PAGE_MARGIN - top) / height)
    left = PAGE_MARGIN + (PAGE_WIDTH - 2 * PAGE_MARGIN - width * scale) / 2
    # The rostrum, as the SVG draws it.
    pdf.set_draw_color(60, 60, 60)
    pdf.set_fill_color(220, 220, 220)
    pdf.rect(left + width * scale / 4, top + 10 * scale, width * scale / 2, 30 * scale, style="DF")
    pdf.set_font(family, size=max(6, 12 * scale * 2.8))
    pdf.set_xy(left + width * scale / 4, top + 10 * scale)
    pdf.cell(width * scale / 2, 30 * scale, fit(rostrum), align="C")
    label_size = max(5.0, min(11.0, SEAT_HEIGHT * scale * 1.6))
    pdf.set_font(family, size=label_size)
    for label, y in row_labels:
        pdf.set_xy(left, top + y * scale)
        pdf.cell(20 * scale, SEAT_HEIGHT * scale, label)
        pdf.set_xy(left + (width - 30) * scale, top + y * scale)
        pdf.cell(20 * scale, SEAT_HEIGHT * scale, label, align="R")
    for x, y, kind, text in boxes:
        if kind == "head":
            pdf.set_fill_color(31, 78, 121)
            pdf.set_text_color(255, 255, 255)
        else:
            pdf.set_fill_color(*{"member": (230, 238, 248), "reserved": (200, 200, 200)}.get(kind, (255, 255, 255)))
            pdf.set_text_color(26, 26, 26)
        pdf.rect(left + x * scale, top + y * scale, SEAT_WIDTH * scale, SEAT_HEIGHT * scale, style="DF")
        if text:
            pdf.set_xy(left + x * scale, top + y * scale)
            pdf.cell(SEAT_WIDTH * scale, SEAT_HEIGHT * scale, fit(text), align="C")
    pdf.set_text_color(0, 0, 0)
    pdf.add_page()
    widths = (22.0, 95.0, 110.0, 46.0)
    pdf.set_font(family, size=10)
    for heading, w in zip(headings, widths, strict=True):
        pdf.cell(w, 7, fit(heading), border="B")
    pdf.ln(7)
    for row in rows:
        if pdf.will_page_break(6):
            pdf.add_page()
        for value, w in zip(row, widths, strict=True):
            pdf.cell(w, 6, fit(value)[:80])
        pdf.ln(6)
    return bytes(pdf.output())


def plate_names(seating: Seating) -> tuple[tuple[str, ...], ...]:
    """Each seated delegation's name in the forum's languages (the same name once), in the
    plan's order."""
    languages = seating.listing.forum.languages or ["en"]
    names = []
    for listed in seating.listing.delegations:
        if not listed.members:
            continue
        lines: list[str] = []
        for language in languages:
            name = delegation_name(listed.delegation, language)
            if name not in lines:
                lines.append(name)
        names.append(tuple(lines))
    return tuple(names)


def name_plates_pdf(seating: Seating, title: str, font_path: str | None) -> bytes:
    return _name_plates_pdf(title, plate_names(seating), _("Fold along the dashed line."), font_path, _created(seating))


@lru_cache(maxsize=16)
def _name_plates_pdf(
    title: str, plates: tuple[tuple[str, ...], ...], fold_here: str, font_path: str | None, created: dt.datetime
) -> bytes:
    pdf, family, fit = _start(title, font_path, created)
    pdf.set_auto_page_break(False)
    half = PAGE_HEIGHT / 2
    for n, lines in enumerate(plates):
        if n:
            pdf.add_page()
        pdf.set_draw_color(120, 120, 120)
        pdf.set_dash_pattern(dash=3, gap=2)
        pdf.line(0, half, PAGE_WIDTH, half)
        pdf.set_dash_pattern()
        pdf.set_font(family, size=7)
        pdf.set_xy(PAGE_MARGIN, half + 1)
        pdf.cell(0, 4, fit(fold_here))
        # The front face below the fold; the same face upside down above it.
        _face(pdf, family, fit, lines, half)
        with pdf.rotation(180, x=PAGE_WIDTH / 2, y=half):
            _face(pdf, family, fit, lines, half)
    return bytes(pdf.output())


def _face(pdf: Any, family: str, fit: Any, lines: tuple[str, ...], top: float) -> None:
    """The names, centred in the half page below ``top``: the first the largest, each made
    smaller until it fits the card's width."""
    usable = PAGE_WIDTH - 2 * PAGE_MARGIN
    sizes = []
    for n, line in enumerate(lines):
        size = 64.0 if n == 0 else 40.0
        pdf.set_font(family, size=size)
        while size > 12 and pdf.get_string_width(fit(line)) > usable:
            size -= 2
            pdf.set_font(family, size=size)
        sizes.append(size)
    heights = [size * 0.3528 * 1.25 for size in sizes]  # points to mm, with leading
    y = top + (PAGE_HEIGHT / 2 - sum(heights)) / 2
    for line, size, height in zip(lines, sizes, heights, strict=True):
        pdf.set_font(family, size=size)
        pdf.set_xy(PAGE_MARGIN, y)
        pdf.cell(usable, height, fit(line), align="C")
        y += height


def file_name(seating: Seating, kind: str) -> str:
    """For Content-Disposition: isef3-seating-plan-ja.pdf, isef3-name-plates.pdf."""
    slug = re.sub(r"[^A-Za-z0-9._-]", "-", seating.listing.forum.slug)
    if kind == "name-plates":
        return f"{slug}-name-plates.pdf"
    language = re.sub(r"[^a-z-]", "", seating.listing.language) or "en"
    return f"{slug}-seating-plan-{language}.pdf"
