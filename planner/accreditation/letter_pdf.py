"""A visa invitation letter as PDF: ``content`` says what it prints (in the current language,
which the caller chooses), ``pdf_bytes`` lays it out on the forum's letterhead.

The PDF prints Japanese with the font the statements' PDFs use (``find_font``: the vendored
IPAexGothic unless another is configured), so that Japanese names and letterheads print.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from babel.dates import format_date
from flask_babel import get_locale
from flask_babel import gettext as _

from planner.formatting import country_name, day_range
from planner.statements.rendering import NEXT_LINE, start_pdf

if TYPE_CHECKING:
    from planner.accreditation.models import VisaLetter
    from planner.forums.models import Forum


@dataclass(frozen=True)
class LetterContent:
    title: str
    letterhead_name: str
    letterhead_address: tuple[str, ...]
    date_line: str
    reference_line: str
    addressee: str
    subject: str
    paragraphs: tuple[str, ...]
    particulars: tuple[tuple[str, str], ...]  # (label, value)
    verification: tuple[str, ...]
    closing: tuple[str, ...]


def content(forum: Forum, letter: VisaLetter, delegation: str, code: str, verify_url: str) -> LetterContent:
    """What the letter says, in the current language."""
    assert letter.issued_on is not None and letter.reference is not None
    host = forum.letterhead_name or _("The organisers of %(forum)s", forum=forum.name)
    place = _("%(city)s, %(country)s", city=forum.host_city, country=country_name(forum.host_country))
    dates = day_range(forum.first_day, forum.last_day)
    return LetterContent(
        title=_("Visa invitation letter %(reference)s", reference=letter.reference),
        letterhead_name=forum.letterhead_name,
        letterhead_address=tuple(line.strip() for line in forum.letterhead_address.splitlines() if line.strip()),
        date_line=format_date(letter.issued_on, "long", locale=get_locale()),
        reference_line=_("Reference: %(reference)s", reference=letter.reference),
        addressee=_("To the Embassy or Consulate concerned"),
        subject=_("Invitation to %(forum)s", forum=forum.name),
        paragraphs=(
            _(
                "%(host)s invites the person named below to %(forum)s (%(title)s), held in %(place)s, %(dates)s.",
                host=host,
                forum=forum.name,
                title=forum.title,
                place=place,
                dates=dates,
            ),
            _(
                "The purpose of the visit is to take part in the forum as a member of the delegation of "
                "%(delegation)s. We would be grateful for any assistance you can give in granting the visa "
                "the person needs to attend.",
                delegation=delegation,
            ),
        ),
        particulars=(
            (_("Name as in the passport"), letter.name_as_in_passport),
            (_("Nationality"), country_name(letter.nationality)),
            (_("Passport number"), letter.passport_number or ""),
            (_("Function"), letter.function),
            (_("Delegation"), delegation),
        ),
        verification=(
            _(
                "To check that this letter is genuine and has not been revoked, open the address below and enter "
                "its reference and verification code."
            ),
            verify_url,
            _("Reference: %(reference)s", reference=letter.reference),
            _("Verification code: %(code)s", code=code),
        ),
        closing=(_("Yours faithfully,"), host),
    )


def pdf_bytes(letter: LetterContent, font_path: str | None) -> bytes:
    pdf, family, fit = start_pdf(letter.title, font_path, margin=20)

    def lines(size: float, height: float, *texts: str) -> None:
        pdf.set_font(family, size=size)
        for text in texts:
            pdf.multi_cell(0, height, fit(text), **NEXT_LINE)

    # The letterhead, then a rule under it.
    if letter.letterhead_name:
        lines(14, 7, letter.letterhead_name)
    lines(9, 4.5, *letter.letterhead_address)
    pdf.ln(2)
    pdf.line(pdf.l_margin, pdf.get_y(), pdf.w - pdf.r_margin, pdf.get_y())
    pdf.ln(6)
    pdf.set_font(family, size=10)
    pdf.multi_cell(0, 5, fit(letter.date_line), align="R", **NEXT_LINE)
    pdf.multi_cell(0, 5, fit(letter.reference_line), align="R", **NEXT_LINE)
    pdf.ln(6)
    lines(11, 6, letter.addressee)
    pdf.ln(4)
    lines(12, 7, letter.subject)
    pdf.ln(2)
    for paragraph in letter.paragraphs:
        lines(11, 6, paragraph)
        pdf.ln(3)
    label_width = 55
    for name, value in letter.particulars:
        pdf.set_font(family, size=10)
        pdf.set_x(pdf.l_margin + 5)
        pdf.cell(label_width, 6, fit(name))
        pdf.set_font(family, size=11)
        pdf.multi_cell(0, 6, fit(value or "—"), **NEXT_LINE)
    pdf.ln(6)
    lines(11, 6, *letter.closing)
    pdf.ln(10)
    lines(9, 5, *letter.verification)
    return bytes(pdf.output())
