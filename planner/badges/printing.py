"""The badges' PDF: A6 or ID-1 cards, one to a page of the badge's own size (a person's badge) or
several to an A4 sheet with cut marks (a print run).

Pure rendering, from ``BadgeFace`` to bytes: the caller turns badges and their holders into faces,
with every text already in the reader's language. Names print in the vendored Japanese font
(``statements.rendering.use_font``, added once a PDF); the QR code is drawn as vector rectangles
from segno's matrix, in alphanumeric mode (the token is uppercase base32), inside a white quiet
zone of four modules."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import segno

from planner.badges.models import BadgeCategory
from planner.statements.rendering import use_font

if TYPE_CHECKING:
    from fpdf import FPDF

RGB = tuple[int, int, int]
WHITE: RGB = (255, 255, 255)
INK: RGB = (26, 26, 26)
MUTED: RGB = (90, 90, 90)  # the forum's title, an empty photo frame

#: Each category's band and the colour of its label (contrast of at least 4.5:1 between them).
CATEGORY_COLOURS: dict[str, tuple[RGB, RGB]] = {
    BadgeCategory.DELEGATE: ((0x1F, 0x4E, 0x9A), WHITE),  # blue
    BadgeCategory.PARTICIPANT: ((0x1B, 0x7A, 0x3A), WHITE),  # green
    BadgeCategory.PRESS: ((0xF5, 0xA6, 0x23), INK),  # orange, dark text
    BadgeCategory.STAFF: ((0x3D, 0x3D, 0x3D), WHITE),  # dark grey
    BadgeCategory.SECURITY: ((0xC6, 0x28, 0x28), WHITE),  # red
}

QUIET_ZONE = 4  # modules of white around the QR code, as ISO/IEC 18004 asks
A4 = (210.0, 297.0)
MARK = 4.0  # cut marks: length, in mm
MARK_OFFSET = 1.0  # gap between a badge's corner and its cut marks
ELLIPSIS = "…"


@dataclass(frozen=True)
class BadgeFace:
    """What one badge shows, ready to print."""

    number: str  # "0042"
    name: str  # in the person's own order
    latin_name: str  # its Latin transcription; "" when the name is already in Latin letters
    delegation: str
    function: str
    category: str  # a BadgeCategory (delegate, participant, press, staff, security)
    category_label: str  # printed in the band
    zones: list[str]  # "1 Plenary hall": the number printed big, the name small
    valid: str  # the dates, formatted
    photo: bytes | None  # JPEG
    qr: str  # the signed token as uppercase base32
    forum_title: str


@dataclass(frozen=True)
class Box:
    """A rectangle on the badge, in mm from its top left corner."""

    x: float
    y: float
    w: float
    h: float


@dataclass(frozen=True)
class Line:
    """A line of text in a box: the font starts at ``size`` (pt) and shrinks to ``smallest`` to
    fit the width; with ``lines=2``, a text too long for that is set on two lines in the box
    instead; what still does not fit is cut with an ellipsis. Never beyond the box."""

    box: Box
    size: float
    smallest: float
    lines: int = 1


@dataclass(frozen=True)
class Zones:
    """The zones' area: rows of a big number and a small name, in as many columns as it takes."""

    box: Box
    row: float  # a row's height, mm
    number_width: float  # the numbers' column, mm
    number_size: float
    name_size: float
    name_smallest: float
    name_narrowest: float  # below this width (mm) the names are left out and only numbers print


@dataclass(frozen=True)
class Layout:
    size: tuple[float, float]  # width, height in mm, portrait
    title: Line
    photo: Box  # the photo keeps its aspect inside it
    qr: Box  # square, quiet zone included
    number: Line
    valid: Line
    name: Line
    latin: Line  # when there is no Latin transcription the lines below move up into its place
    delegation: Line
    function: Line
    zones: Zones
    band: Box  # the category's colour, across the badge
    band_label: Line
    columns: int  # on an A4 sheet
    rows: int
    gutter: float  # between badges on a sheet, mm (0: they touch, and share their cut lines)


def _line(x: float, y: float, w: float, h: float, size: float, smallest: float, lines: int = 1) -> Line:
    return Line(Box(x, y, w, h), size, smallest, lines)


LAYOUTS: dict[str, Layout] = {
    # A6, 105 x 148 mm; four fill an A4 sheet (210 x 296 of its 210 x 297): no gutter is left.
    "a6": Layout(
        size=(105.0, 148.0),
        title=_line(6, 4, 93, 8, 11, 6),
        photo=Box(6, 14, 30, 38.6),  # 35:45, a passport photo's frame
        qr=Box(63, 13, 38, 38),  # a version 6 symbol (a token with a few zones): 31.8 mm
        number=_line(6, 53, 30, 6, 13, 8),
        valid=_line(6, 59, 30, 4.5, 7.5, 5),
        name=_line(6, 65, 93, 10, 26, 10, lines=2),
        latin=_line(6, 75, 93, 6, 12, 7),
        delegation=_line(6, 81.5, 93, 7, 13, 7),
        function=_line(6, 88.5, 93, 5.5, 10, 6),
        zones=Zones(
            Box(6, 96, 93, 32), row=8, number_width=10, number_size=16, name_size=8, name_smallest=6, name_narrowest=14
        ),
        band=Box(0, 130, 105, 18),
        band_label=_line(6, 130, 93, 18, 22, 10),
        columns=2,
        rows=2,
        gutter=0,
    ),
    # ISO/IEC 7810 ID-1 (a bank card), 53.98 x 85.6 mm, upright; nine to an A4 sheet.
    "id1": Layout(
        size=(53.98, 85.6),
        title=_line(3, 2.5, 47.98, 5, 7, 4.5),
        photo=Box(3, 8.5, 18, 23.1),
        qr=Box(24.5, 8, 27.5, 27.5),  # version 6: 23 mm
        number=_line(3, 32, 18, 3.8, 9, 6),
        valid=_line(3, 35.8, 18, 3, 5.5, 4),
        name=_line(3, 39.5, 47.98, 6.5, 15, 7, lines=2),
        latin=_line(3, 46, 47.98, 4, 8, 5),
        delegation=_line(3, 50.3, 47.98, 4.7, 9, 5),
        function=_line(3, 55, 47.98, 3.5, 6.5, 4.5),
        zones=Zones(
            Box(3, 59.5, 47.98, 15.5),
            row=5,
            number_width=6.5,
            number_size=10,
            name_size=5.5,
            name_smallest=4,
            name_narrowest=10,
        ),
        band=Box(0, 76.5, 53.98, 9.1),
        band_label=_line(3, 76.5, 47.98, 9.1, 13, 7),
        columns=3,
        rows=3,
        gutter=8,
    ),
}


def render_badges(
    faces: Sequence[BadgeFace],
    layout: str,
    *,
    sheets: bool,
    font_path: str | None,
    progress: Callable[[int], None] | None = None,
) -> bytes:
    """The PDF of ``faces`` in ``layout`` ("a6" or "id1"): with ``sheets``, as many as fit to an
    A4 sheet with cut marks at every badge's corners; without, a page of the badge's size each.
    ``progress`` is told how many badges are done after each one."""
    from fpdf import FPDF  # fpdf2 is loaded by the first PDF, not by every process at start

    if layout not in LAYOUTS:
        raise ValueError(f"unknown badge layout {layout!r}")
    if not faces:
        raise ValueError("no badges to print")
    for face in faces:
        if face.category not in CATEGORY_COLOURS:
            raise ValueError(f"unknown badge category {face.category!r}")
    spec = LAYOUTS[layout]
    page, places = _places(spec, sheets)
    pdf = FPDF(unit="mm", format=page)
    pdf.set_title(faces[0].forum_title)
    pdf.set_auto_page_break(False)
    pdf.set_margins(0, 0, 0)
    family, fit = use_font(pdf, font_path)
    badge = _Badge(pdf, family, fit, spec)
    for done, face in enumerate(faces, start=1):
        place = (done - 1) % len(places)
        if place == 0:
            pdf.add_page()
        x, y = places[place]
        badge.draw(face, x, y)
        if sheets:
            _cut_marks(pdf, spec, x, y, page)
        if progress is not None:
            progress(done)
    return bytes(pdf.output())


def _places(spec: Layout, sheets: bool) -> tuple[tuple[float, float], list[tuple[float, float]]]:
    """The page's size and where each badge on it starts (its top left corner), centred on A4."""
    if not sheets:
        return spec.size, [(0.0, 0.0)]
    w, h = spec.size
    left = (A4[0] - spec.columns * w - (spec.columns - 1) * spec.gutter) / 2
    top = (A4[1] - spec.rows * h - (spec.rows - 1) * spec.gutter) / 2
    assert left >= 0 and top >= 0, "the badges fit on the sheet"
    step_x, step_y = w + spec.gutter, h + spec.gutter
    return A4, [(left + c * step_x, top + r * step_y) for r in range(spec.rows) for c in range(spec.columns)]


class _Badge:
    """Draws faces in one layout on one PDF, with its font."""

    def __init__(self, pdf: FPDF, family: str, fit: Callable[[str], str], spec: Layout) -> None:
        self.pdf, self.family, self.fit, self.spec = pdf, family, fit, spec
        self.ellipsis = ELLIPSIS if fit(ELLIPSIS) == ELLIPSIS else "..."

    def draw(self, face: BadgeFace, x: float, y: float) -> None:
        spec, pdf = self.spec, self.pdf
        pdf.set_text_color(*MUTED)
        self.write(spec.title, face.forum_title, x, y)
        self.photo(face.photo, x, y)
        _draw_qr(pdf, face.qr, spec.qr, x, y)
        pdf.set_text_color(*INK)
        self.write(spec.number, face.number, x, y)
        self.write(spec.valid, face.valid, x, y)
        self.write(spec.name, face.name, x, y)
        latin = face.latin_name if face.latin_name != face.name else ""
        if latin:
            self.write(spec.latin, latin, x, y)
        up = 0.0 if latin else spec.delegation.box.y - spec.latin.box.y
        self.write(spec.delegation, face.delegation, x, y - up)
        self.write(spec.function, face.function, x, y - up)
        self.zones(face.zones, x, y)
        band, label = CATEGORY_COLOURS[face.category]
        pdf.set_fill_color(*band)
        pdf.rect(x + spec.band.x, y + spec.band.y, spec.band.w, spec.band.h, style="F")
        pdf.set_text_color(*label)
        self.write(spec.band_label, face.category_label, x, y)

    def photo(self, photo: bytes | None, x: float, y: float) -> None:
        box = self.spec.photo
        if photo:
            try:
                self.pdf.image(photo, x + box.x, y + box.y, box.w, box.h, keep_aspect_ratio=True)
                return
            except (OSError, ValueError):  # a damaged photo leaves its frame empty, not the run stopped
                pass
        self.pdf.set_draw_color(*MUTED)
        self.pdf.set_line_width(0.2)
        self.pdf.rect(x + box.x, y + box.y, box.w, box.h)

    def write(self, line: Line, text: str, x: float, y: float, align: str = "C") -> None:
        """``text`` inside ``line``'s box, shrunk, set on two lines or cut to fit its width."""
        text = self.fit(text)
        if not text:
            return
        if line.lines > 1 and " " in text.strip() and self.fitting_size(text, line.box.w, line.size) < line.smallest:
            self.write_two(line, text.strip(), x, y, align)
        else:
            self.write_one(line.box, text, line.size, line.smallest, x, y, align)

    def write_two(self, line: Line, text: str, x: float, y: float, align: str) -> None:
        """Two lines of the same size, split at the space that balances them best; when even
        that is too small, the first line holds what fits of it and the second the rest."""
        box = line.box
        # Two lines of 1.2 times the size fill the box's height.
        size = min(line.size, box.h / 2 / 1.2 * 72 / 25.4)
        words = text.split()
        halves = [(" ".join(words[:i]), " ".join(words[i:])) for i in range(1, len(words))]
        self.pdf.set_font(self.family, size=size)
        top, bottom = min(halves, key=lambda h: max(self.pdf.get_string_width(part) for part in h))
        size = min(self.fitting_size(top, box.w, size), self.fitting_size(bottom, box.w, size))
        if size < line.smallest:
            size = line.smallest
            kept = max(
                (i for i in range(1, len(words)) if self.fitting_size(" ".join(words[:i]), box.w, size) >= size),
                default=1,
            )
            top, bottom = " ".join(words[:kept]), " ".join(words[kept:])
        for i, part in enumerate((top, bottom)):
            half = Box(box.x, box.y + i * box.h / 2, box.w, box.h / 2)
            self.write_one(half, part, size, line.smallest, x, y, align)

    def write_one(self, box: Box, text: str, size: float, smallest: float, x: float, y: float, align: str) -> None:
        size, fitted, width = self.fitted(text, box.w, size, smallest)
        left = x + box.x + ((box.w - width) / 2 if align == "C" else 0)
        # The baseline: the capitals' height (about 0.7 of the size) centred in the box.
        self.pdf.text(left, y + box.y + box.h / 2 + 0.35 * size * 25.4 / 72, fitted)

    def fitting_size(self, text: str, width: float, size: float) -> float:
        """The largest size up to ``size`` at which ``text`` fits ``width`` (widths grow with the
        size), to the half point below."""
        self.pdf.set_font(self.family, size=size)
        wide = self.pdf.get_string_width(text)
        return size if wide <= width else math.floor(size * width / wide * 2) / 2

    def fitted(self, text: str, width: float, size: float, smallest: float) -> tuple[float, str, float]:
        """The font size, the text (cut with an ellipsis if need be) and its width; the font is set."""
        pdf = self.pdf
        size = max(smallest, self.fitting_size(text, width, size))
        pdf.set_font(self.family, size=size)
        wide = pdf.get_string_width(text)
        if wide <= width:
            return size, text, wide
        kept, over = 0, len(text)
        while kept + 1 < over:  # the longest start that fits with the ellipsis
            middle = (kept + over) // 2
            if pdf.get_string_width(text[:middle].rstrip() + self.ellipsis) <= width:
                kept = middle
            else:
                over = middle
        cut = text[:kept].rstrip() + self.ellipsis
        return size, cut, pdf.get_string_width(cut)

    def zones(self, zones: list[str], x: float, y: float) -> None:
        if not zones:
            return
        spec = self.spec.zones
        rows = max(1, int(spec.box.h // spec.row))
        columns = math.ceil(len(zones) / rows)
        if spec.box.w / columns - spec.number_width >= spec.name_narrowest:
            self.zone_rows(zones, rows, spec.box.w / columns, x, y)
        else:
            self.zone_numbers([_split_zone(z)[0] or z for z in zones], x, y)

    def zone_rows(self, zones: list[str], rows: int, column_width: float, x: float, y: float) -> None:
        spec = self.spec.zones
        for i, zone in enumerate(zones):
            number, name = _split_zone(zone)
            left = spec.box.x + (i // rows) * column_width
            top = spec.box.y + (i % rows) * spec.row
            number_line = _line(left, top, spec.number_width, spec.row, spec.number_size, spec.name_size)
            self.write(number_line, number, x, y, align="L")
            name_width = column_width - spec.number_width - 1
            self.write(
                _line(left + spec.number_width, top, name_width, spec.row, spec.name_size, spec.name_smallest),
                name,
                x,
                y,
                align="L",
            )

    def zone_numbers(self, numbers: list[str], x: float, y: float) -> None:
        """Too many zones for their names: the numbers alone, smaller until they all fit."""
        spec = self.spec.zones
        scale = 1.0
        while True:
            per_row = max(1, int(spec.box.w // (spec.number_width * scale)))
            rows = max(1, int(spec.box.h // (spec.row * scale)))
            if per_row * rows >= len(numbers) or scale < 0.2:
                break
            scale *= 0.9
        for i, number in enumerate(numbers[: per_row * rows]):
            w, h = spec.number_width * scale, spec.row * scale
            cell = _line(
                spec.box.x + (i % per_row) * w,
                spec.box.y + (i // per_row) * h,
                w,
                h,
                spec.number_size * scale,
                spec.number_size * scale / 2,
            )
            self.write(cell, number, x, y, align="L")


def _split_zone(label: str) -> tuple[str, str]:
    """ "1 Plenary hall" -> ("1", "Plenary hall"); a label without a number is all name."""
    number, _, name = label.strip().partition(" ")
    return (number, name.strip()) if number.isdigit() else ("", label.strip())


def _draw_qr(pdf: FPDF, text: str, box: Box, x: float, y: float) -> None:
    """The QR code of ``text`` filling ``box``, quiet zone included, as filled rectangles."""
    from fpdf.enums import RenderStyle  # loaded with fpdf2, by the first PDF

    matrix = segno.make_qr(text, mode="alphanumeric", error="m").matrix
    module = box.w / (len(matrix) + 2 * QUIET_ZONE)
    left, top = x + box.x + QUIET_ZONE * module, y + box.y + QUIET_ZONE * module
    pdf.set_fill_color(0, 0, 0)
    for column, row, width, height in dark_rectangles(matrix):
        pdf.rect(left + column * module, top + row * module, width * module, height * module, style=RenderStyle.F)


def dark_rectangles(matrix: Sequence[Sequence[int]]) -> Iterator[tuple[int, int, int, int]]:
    """Rectangles (column, row, width, height, in modules) that cover exactly the dark modules:
    each row's runs, each run grown down over the rows below that repeat it. Fewer, larger
    rectangles than one a module: a smaller PDF, drawn faster, without seams between modules."""
    runs = [set(_runs(row)) for row in matrix]
    for r, row_runs in enumerate(runs):
        for start, end in sorted(row_runs):
            height = 1
            while r + height < len(runs) and (start, end) in runs[r + height]:
                runs[r + height].discard((start, end))
                height += 1
            yield start, r, end - start, height


def _runs(row: Sequence[int]) -> Iterator[tuple[int, int]]:
    start = None
    for i, dark in enumerate([*row, 0]):
        if dark and start is None:
            start = i
        elif not dark and start is not None:
            yield start, i
            start = None


def _cut_marks(pdf: FPDF, spec: Layout, x: float, y: float, page: tuple[float, float]) -> None:
    """Cut marks at the badge's four corners: short lines continuing its edges outside it, into
    the sheet's margin or up to the middle of the gutter between badges. Where badges touch (A6:
    four fill an A4 sheet) they share their cut lines, and the marks are drawn on those lines."""
    w, h = spec.size
    pdf.set_draw_color(0, 0, 0)
    pdf.set_line_width(0.15)
    for cx, sx in ((x, -1), (x + w, 1)):
        for cy, sy in ((y, -1), (y + h, 1)):
            if spec.gutter == 0:
                pdf.line(cx, cy, cx - sx * MARK, cy)
                pdf.line(cx, cy, cx, cy - sy * MARK)
                continue
            reach_x = _reach(cx if sx < 0 else page[0] - cx, w, spec.gutter)
            reach_y = _reach(cy if sy < 0 else page[1] - cy, h, spec.gutter)
            pdf.line(cx + sx * MARK_OFFSET, cy, cx + sx * reach_x, cy)
            pdf.line(cx, cy + sy * MARK_OFFSET, cx, cy + sy * reach_y)


def _reach(beyond: float, size: float, gutter: float) -> float:
    """How far from the corner a mark may go, with ``beyond`` mm of sheet past the edge: half the
    gutter when another badge lies past it, else the mark's length (1 mm short of the sheet's edge)."""
    if beyond >= size + gutter:
        return gutter / 2
    return min(MARK_OFFSET + MARK, beyond - 1)
