"""Colour contrast (WCAG 2.1 AA, 1.4.3: at least 4.5:1 for text) of the timetable's colours,
read from static/css/planner.css so that a change of colour there is checked here."""

import re
from pathlib import Path

import pytest

CSS = re.sub(r"/\*.*?\*/", "", (Path(__file__).parents[2] / "static" / "css" / "planner.css").read_text(), flags=re.S)


def declared(selector: str, prop: str) -> str:
    """The value of ``prop`` in the rule for exactly ``selector``, variables resolved."""
    for selectors, body in re.findall(r"([^{}]+)\{([^{}]*)\}", CSS):
        if selector in (s.strip() for s in selectors.split(",")):
            if found := re.search(rf"(?:^|;)\s*{re.escape(prop)}\s*:\s*([^;]+)", body):
                value = found.group(1).strip()
                if variable := re.fullmatch(r"var\((--[\w-]+)\)", value):
                    return declared(":root", variable.group(1))
                return value
    raise LookupError(f"{selector} {{ {prop} }}")


def luminance(colour: str) -> float:
    hex_digits = colour.lstrip("#")
    if len(hex_digits) == 3:
        hex_digits = "".join(c * 2 for c in hex_digits)
    channels = [int(hex_digits[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


BACKGROUNDS = {
    "page": lambda: declared("body", "background"),
    "session": lambda: declared(".timetable td.session", "background"),
    "cancelled session": lambda: declared(".timetable td.session.cancelled", "background"),
    "break": lambda: declared(".timetable td.kind-break", "background"),
    "plenary": lambda: declared(".timetable td.kind-plenary", "background"),
    "column header": lambda: declared(":root", "--panel"),
}
TEXTS = {
    "cancelled mark": lambda: declared(".cancelled-mark", "color"),
    "body text": lambda: declared(":root", "--text"),
    "links": lambda: declared("a", "color"),
    "times, venues, second timezone": lambda: declared(".other-zone", "color"),
    "room column": lambda: declared(".timetable .venue", "color"),
}


@pytest.mark.parametrize("text", list(TEXTS))
@pytest.mark.parametrize("background", list(BACKGROUNDS))
def test_timetable_text_has_enough_contrast(text, background):
    ratio = contrast(TEXTS[text](), BACKGROUNDS[background]())
    assert ratio >= 4.5, f"{text} on {background}: {ratio:.2f}:1"


def test_the_contrast_formula_matches_wcag():
    assert contrast("#000000", "#ffffff") == pytest.approx(21)
    assert contrast("#767676", "#ffffff") == pytest.approx(4.54, abs=0.01)  # the lightest grey that passes
    assert contrast("#777777", "#ffffff") < 4.5
