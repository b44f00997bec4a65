"""The badges' PDF read back: the texts with pypdf, the QR codes decoded off the rendered pages
(pypdfium2 and zxing-cpp), page sizes, badges per sheet, cut marks, the bands' colours."""

from __future__ import annotations

import ctypes
import io
import re
from dataclasses import dataclass

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
import pytest
import segno
import zxingcpp
from PIL import Image
from pypdf import PdfReader

from planner.badges.models import BadgeCategory
from planner.badges.printing import A4, CATEGORY_COLOURS, LAYOUTS, BadgeFace, dark_rectangles, render_badges
from planner.statements.rendering import VENDORED_FONT
from tests.badges.faces import jpeg_photo, make_face

POINTS = 72 / 25.4  # PDF points in a millimetre
DPI = 200
PIXELS = DPI / 25.4  # pixels in a millimetre on the rendered pages
SIZES = {"a6": (105.0, 148.0), "id1": (53.98, 85.6)}


def render(faces: list[BadgeFace], layout: str, *, sheets: bool = False, **options) -> bytes:
    return render_badges(faces, layout, sheets=sheets, font_path=VENDORED_FONT, **options)


def page_texts(data: bytes) -> list[str]:
    """Each page's text as pypdf reads it, white space folded."""
    return [" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(data)).pages]


def page_sizes(data: bytes) -> list[tuple[float, float]]:
    """Each page's size in mm."""
    return [
        (round(float(p.mediabox.width) / POINTS, 2), round(float(p.mediabox.height) / POINTS, 2))
        for p in PdfReader(io.BytesIO(data)).pages
    ]


@dataclass
class Char:
    text: str
    left: float  # mm from the page's left edge
    right: float
    baseline: float  # mm from the page's top edge
    size: float  # the font size, pt


@dataclass
class Page:
    image: Image.Image
    chars: list[Char]

    def line(self, text: str) -> list[Char]:
        """The characters that print ``text``, in order (white space and line breaks aside)."""
        printed = [c for c in self.chars if c.text.strip()]
        wanted = "".join(text.split())
        start = "".join(c.text for c in printed).index(wanted)
        return printed[start : start + len(wanted)]

    def pixel(self, x_mm: float, y_mm: float) -> tuple[int, int, int]:
        return self.image.getpixel((round(x_mm * PIXELS), round(y_mm * PIXELS)))

    def darkest_near(self, x_mm: float, y_mm: float) -> int:
        """The darkest grey within a pixel of the point (a thin line antialiased)."""
        x, y = round(x_mm * PIXELS), round(y_mm * PIXELS)
        grey = self.image.convert("L")
        return min(grey.getpixel((x + dx, y + dy)) for dx in (-1, 0, 1) for dy in (-1, 0, 1))


def rendered(data: bytes) -> list[Page]:
    """Every page rendered at DPI, with its characters where pdfium finds them."""
    document = pdfium.PdfDocument(data)
    try:
        pages = []
        for page in document:
            text = page.get_textpage()
            chars = []
            for i in range(text.count_chars()):
                left, _, right, _ = text.get_charbox(i)
                x, y = ctypes.c_double(), ctypes.c_double()
                pdfium_c.FPDFText_GetCharOrigin(text.raw, i, ctypes.byref(x), ctypes.byref(y))
                baseline = (page.get_height() - y.value) / POINTS
                size = pdfium_c.FPDFText_GetFontSize(text.raw, i)
                chars.append(Char(text.get_text_range(i, 1), left / POINTS, right / POINTS, baseline, size))
            pages.append(Page(page.render(scale=DPI / 72).to_pil().convert("RGB"), chars))
        return pages
    finally:
        document.close()


def qr_codes(page: Page) -> list[zxingcpp.Barcode]:
    return zxingcpp.read_barcodes(page.image, formats=zxingcpp.BarcodeFormat.QRCode)


def centre(code: zxingcpp.Barcode) -> tuple[float, float]:
    """The code's centre on the page, in mm."""
    p = code.position
    corners = (p.top_left, p.top_right, p.bottom_right, p.bottom_left)
    return sum(c.x for c in corners) / 4 / PIXELS, sum(c.y for c in corners) / 4 / PIXELS


@pytest.mark.parametrize("layout", ["a6", "id1"])
def test_a_person_s_badge_is_a_page_of_the_badge_s_size_with_everything_on_it(layout):
    faces = [
        make_face(photo=jpeg_photo(), zones=["1 Plenary hall", "3 Bilateral rooms", "12 Press centre"]),
        make_face(number="0043", name="Amina Diallo", delegation="Senegal", function="Director-General",
                  category="press", category_label="Press", zones=["12 Press centre"], valid="2–3 March 2030"),
    ]  # fmt: skip
    data = render(faces, layout)
    assert page_sizes(data) == [SIZES[layout]] * 2
    first, second = page_texts(data)
    for expected in (
        "ISEF3 Third International Space Exploration Forum",
        "Maria Fernanda Rodríguez",
        "Argentina",
        "Minister of Science",
        "0042",
        "1–3 March 2030",
        "1 Plenary hall",
        "3 Bilateral rooms",
        "12 Press centre",
        "Delegate",
    ):
        assert expected in first, expected
    for expected in (
        "Amina Diallo",
        "Senegal",
        "Director-General",
        "0043",
        "2–3 March 2030",
        "12 Press centre",
        "Press",
    ):
        assert expected in second, expected
    assert "Plenary" not in second and "Delegate" not in second
    pages = rendered(data)
    for page, face in zip(pages, faces):
        assert [code.text for code in qr_codes(page)] == [face.qr]
    assert [len(p.images) for p in PdfReader(io.BytesIO(data)).pages] == [1, 0]  # the photo; none


def test_a_japanese_name_prints_in_the_vendored_font_with_its_latin_transcription():
    face = make_face(name="佐藤 結衣", latin_name="SATO Yui", delegation="日本", function="文部科学大臣")
    data = render([face], "id1")
    (text,) = page_texts(data)
    assert "佐藤 結衣" in text and "SATO Yui" in text and "日本" in text and "文部科学大臣" in text
    assert "?" not in text
    assert b"IPAexGothic" in data


def test_the_latin_transcription_is_left_out_when_it_is_the_name_itself():
    (text,) = page_texts(render([make_face(latin_name="Maria Fernanda Rodríguez")], "a6"))
    assert text.count("Maria Fernanda Rodríguez") == 1


@pytest.mark.parametrize("layout", ["a6", "id1"])
def test_a_long_name_shrinks_to_the_badge_s_width_then_takes_two_lines_and_is_cut_only_past_that(layout):
    name = LAYOUTS[layout].name
    width = SIZES[layout][0]
    short = "Yui Sato"
    longer = "Maria Fernanda Rodríguez de la Torre"
    long = "Sheikha Fatima bint Mohammed bin Rashid Al Maktoum Al Nahyan"
    endless = " ".join([long] * 4)
    data = render([make_face(name=n) for n in (short, longer, long, endless)], layout)
    pages = rendered(data)
    texts = page_texts(data)
    size = pages[0].line(short)[0].size
    assert size == name.size
    one_line = pages[1].line(longer)
    assert longer in texts[1]
    assert name.smallest <= one_line[0].size < size  # shrunk, on one line
    assert len({c.size for c in one_line}) == 1
    assert one_line[-1].right - one_line[0].left > name.box.w * 0.95  # as large as the width allows
    two_lines = pages[2].line(long)
    assert long in texts[2] and "…" not in texts[2]
    assert len({c.size for c in two_lines}) == 1 and two_lines[0].size >= name.smallest
    assert len({round(c.baseline, 2) for c in two_lines}) == 2  # two lines, in the name's box
    assert all(name.box.y < c.baseline < name.box.y + name.box.h for c in two_lines)
    cut = re.search(r"Sheikha Fatima[^…]*…", texts[3])
    assert cut and endless not in texts[3] and texts[3].count("…") == 1
    assert pages[3].line(cut.group(0))[0].size == name.smallest
    for page in pages:  # nothing on any badge runs past its margins
        printed = [c for c in page.chars if c.text.strip()]
        assert all(name.box.x - 0.01 <= c.left and c.right <= width - name.box.x + 0.01 for c in printed)


@pytest.mark.parametrize(("layout", "count", "per_page"), [("a6", 9, [4, 4, 1]), ("id1", 10, [9, 1])])
def test_a_print_run_puts_the_badges_on_a4_sheets_and_every_qr_code_reads_as_its_badge_s(layout, count, per_page):
    photo = jpeg_photo()
    faces = [
        make_face(
            number=f"{i + 1:04d}", name=f"Person {i + 1}", photo=photo if i % 2 else None, zones=[f"{i + 1} Zone"]
        )
        for i in range(count)
    ]
    data = render(faces, layout, sheets=True)
    assert page_sizes(data) == [(210.0, 297.0)] * len(per_page)
    spec = LAYOUTS[layout]
    first = 0
    for page, text, on_page in zip(rendered(data), page_texts(data), per_page):
        here = faces[first : first + on_page]
        assert [f"Person {int(f.number)}" in text for f in here] == [True] * on_page
        assert text.count("Person ") == on_page
        decoded = {}
        for code in qr_codes(page):
            x, y = centre(code)  # which place on the sheet: columns and rows share it evenly
            decoded[int(y // (A4[1] / spec.rows)) * spec.columns + int(x // (A4[0] / spec.columns))] = code.text
        assert decoded == {i: face.qr for i, face in enumerate(here)}
        first += on_page


@pytest.mark.parametrize(("layout", "smallest"), [("a6", 25), ("id1", 22)])
def test_the_qr_code_is_large_enough_to_scan_and_keeps_a_quiet_zone_of_four_modules(layout, smallest):
    face = make_face(zones=["1 Plenary hall"] * 6)  # a longer token, a larger symbol
    (page,) = rendered(render([face], layout))
    (code,) = qr_codes(page)
    p = code.position
    left, top = min(p.top_left.x, p.bottom_left.x), min(p.top_left.y, p.top_right.y)
    right, bottom = max(p.top_right.x, p.bottom_right.x), max(p.bottom_left.y, p.bottom_right.y)
    assert (right - left) / PIXELS >= smallest and (bottom - top) / PIXELS >= smallest
    modules = segno.make_qr(face.qr, mode="alphanumeric", error="m").symbol_size(border=0)[0]
    module = (right - left) / modules
    quiet = 4 * module
    grey = page.image.convert("L")
    ring = [
        grey.getpixel((x, y))
        for x in range(int(left - quiet + 2), int(right + quiet - 2))
        for y in range(int(top - quiet + 2), int(bottom + quiet - 2))
        if not (left - 2 <= x <= right + 2 and top - 2 <= y <= bottom + 2)
    ]
    assert ring and min(ring) > 240


def test_qr_codes_are_drawn_from_rectangles_that_cover_exactly_the_dark_modules():
    for text in ("ISEF3", make_face().qr, make_face(zones=[]).qr):
        matrix = segno.make_qr(text, mode="alphanumeric", error="m").matrix
        covered: list[tuple[int, int]] = []
        for column, row, width, height in dark_rectangles(matrix):
            covered += [(c, r) for c in range(column, column + width) for r in range(row, row + height)]
        dark = [(c, r) for r, cells in enumerate(matrix) for c, cell in enumerate(cells) if cell]
        assert sorted(covered) == sorted(dark)  # each once, nothing light
        assert len(list(dark_rectangles(matrix))) < len(dark) / 2


def test_cut_marks_stand_outside_each_card_at_its_corners():
    spec = LAYOUTS["id1"]
    (page,) = rendered(render([make_face() for _ in range(9)], "id1", sheets=True))
    w, h = SIZES["id1"]
    left = (A4[0] - 3 * w - 2 * spec.gutter) / 2
    top = (A4[1] - 3 * h - 2 * spec.gutter) / 2
    for row in range(3):
        for column in range(3):
            x0, y0 = left + column * (w + spec.gutter), top + row * (h + spec.gutter)
            for x, sx in ((x0, -1), (x0 + w, 1)):
                for y, sy in ((y0, -1), (y0 + h, 1)):
                    assert page.darkest_near(x + sx * 2.5, y) < 128  # the edge continued, outside
                    assert page.darkest_near(x, y + sy * 2.5) < 128
                    assert page.darkest_near(x + sx * 2.5, y + sy * 2.5) > 240  # not a box around it


def test_a6_badges_fill_the_sheet_and_their_cut_marks_sit_on_the_shared_cut_lines():
    (page,) = rendered(render([make_face() for _ in range(4)], "a6", sheets=True))
    middle_x, middle_y = 105.0, 0.5 + 148.0  # four A6 fill 210 x 296 mm of A4's 297
    assert page.darkest_near(middle_x, middle_y + 2.5) < 128  # down the vertical cut, in the white
    assert page.darkest_near(middle_x - 2.5, 0.5 + 2.5) > 240  # the badges' corners stay clean
    assert page.darkest_near(middle_x, 0.5 + 2.5) < 128
    assert page.darkest_near(middle_x, 297 - 0.5 - 2.5) < 128


def contrast(a: tuple[int, int, int], b: tuple[int, int, int]) -> float:
    """WCAG 2.1's contrast ratio."""

    def luminance(rgb: tuple[int, int, int]) -> float:
        c = [v / 255 for v in rgb]
        r, g, b = (x / 12.92 if x <= 0.03928 else ((x + 0.055) / 1.055) ** 2.4 for x in c)
        return 0.2126 * r + 0.7152 * g + 0.0722 * b

    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_each_category_prints_its_own_band_with_a_label_of_enough_contrast():
    assert set(CATEGORY_COLOURS) == set(BadgeCategory) == {"delegate", "participant", "press", "staff", "security"}
    assert len({band for band, _ in CATEGORY_COLOURS.values()}) == 5
    categories = list(CATEGORY_COLOURS)
    faces = [make_face(category=c, category_label=c.title()) for c in categories]
    data = render(faces, "id1")
    band = LAYOUTS["id1"].band
    for category, page, text in zip(categories, rendered(data), page_texts(data)):
        colour, label = CATEGORY_COLOURS[category]
        assert contrast(colour, label) >= 4.5, category
        assert category.title() in text
        printed = page.pixel(band.x + 1, band.y + band.h / 2)
        assert max(abs(p - c) for p, c in zip(printed, colour)) <= 2, category


def test_many_zones_print_their_numbers_smaller_and_all_inside_the_badge():
    zones = [f"{n} Bilateral room {n}" for n in range(1, 31)]
    data = render([make_face(zones=zones)], "id1")
    (text,) = page_texts(data)
    assert all(re.search(rf"\b{n}\b", text) for n in range(1, 31))
    area = LAYOUTS["id1"].zones.box
    (page,) = rendered(data)
    for char in page.chars:
        if char.text.isdigit() and char.size < 9:  # the zones' numbers, not the badge's
            assert area.x - 0.01 <= char.left and char.right <= area.x + area.w + 0.01


def test_a_photo_shown_on_many_badges_is_kept_once_and_a_damaged_one_leaves_its_frame_empty():
    photo = jpeg_photo()
    data = render([make_face(photo=photo) for _ in range(6)], "id1", sheets=True)
    assert data.count(b"/Subtype /Image") == 1
    damaged = render([make_face(photo=photo[:300]), make_face(photo=b"not a photo")], "a6")
    assert b"/Subtype /Image" not in damaged and len(page_texts(damaged)) == 2


def test_progress_hears_of_every_badge_done():
    done: list[int] = []
    render([make_face() for _ in range(5)], "a6", sheets=True, progress=done.append)
    assert done == [1, 2, 3, 4, 5]


def test_without_a_font_file_latin_prints_and_other_letters_become_question_marks():
    data = render_badges([make_face(name="佐藤 Yui", latin_name="SATO Yui")], "a6", sheets=False, font_path=None)
    (text,) = page_texts(data)
    assert "?? Yui" in text and "SATO Yui" in text and "Argentina" in text


def test_what_cannot_be_printed_is_refused():
    with pytest.raises(ValueError, match="layout"):
        render([make_face()], "a5")
    with pytest.raises(ValueError, match="category"):
        render([make_face(category="guest")], "a6")
    with pytest.raises(ValueError, match="no badges"):
        render([], "id1", sheets=True)
