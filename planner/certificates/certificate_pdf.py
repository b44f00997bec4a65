"""A certificate of attendance as PDF: ``content`` says what it prints (in the current
language, which the caller sets to the certificate's), ``pdf_bytes`` lays it out on one A4
page. Japanese prints with the font the visa letters use (``find_font``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from flask_babel import gettext as _

from planner.formatting import country_name, day_range
from planner.statements.rendering import NEXT_LINE, start_pdf

if TYPE_CHECKING:
    from planner.certificates.models import Certificate
    from planner.forums.models import Forum


@dataclass(frozen=True)
class CertificateContent:
    title: str
    forum_name: str
    certify: str
    name: str
    affiliation: str
    attended: str
    issued: str
    signed: str
    verification: tuple[str, ...]


def content(forum: Forum, certificate: Certificate, code: str, verify_url: str) -> CertificateContent:
    """What the certificate says, in the current language."""
    place = _("%(city)s, %(country)s", city=forum.host_city, country=country_name(forum.host_country))
    issued_on = certificate.issued_at.astimezone(forum.zone).date()
    return CertificateContent(
        title=_("Certificate of attendance"),
        forum_name=certificate.forum_name,
        certify=_("This is to certify that"),
        name=certificate.name,
        affiliation=certificate.affiliation,
        attended=_(
            "attended %(event)s at %(forum)s, held in %(place)s, %(dates)s.",
            event=certificate.event_title,
            forum=certificate.forum_name,
            place=place,
            dates=day_range(certificate.first_day, certificate.last_day),
        ),
        issued=_("Issued on %(date)s", date=day_range(issued_on, issued_on)),
        signed=forum.letterhead_name or _("The organisers of %(forum)s", forum=certificate.forum_name),
        verification=(
            _(
                "To check that this certificate is genuine, open the address below and enter its reference and "
                "verification code."
            ),
            verify_url,
            _("Reference: %(reference)s", reference=certificate.reference),
            _("Verification code: %(code)s", code=code),
        ),
    )


def pdf_bytes(certificate: CertificateContent, font_path: str | None) -> bytes:
    pdf, family, fit = start_pdf(f"{certificate.title} · {certificate.name}", font_path, margin=25)

    def centred(size: float, height: float, text: str) -> None:
        pdf.set_font(family, size=size)
        pdf.multi_cell(0, height, fit(text), align="C", **NEXT_LINE)

    pdf.ln(15)
    centred(14, 8, certificate.forum_name)
    pdf.ln(8)
    centred(26, 14, certificate.title)
    pdf.ln(4)
    pdf.line(pdf.l_margin + 30, pdf.get_y(), pdf.w - pdf.r_margin - 30, pdf.get_y())
    pdf.ln(16)
    centred(12, 7, certificate.certify)
    pdf.ln(6)
    centred(22, 12, certificate.name)
    if certificate.affiliation:
        centred(12, 7, certificate.affiliation)
    pdf.ln(6)
    centred(12, 7, certificate.attended)
    pdf.ln(20)
    centred(11, 6, certificate.issued)
    pdf.ln(4)
    centred(12, 7, certificate.signed)
    # The way to check it, at the foot of the page (or under a text long enough to reach it).
    pdf.set_y(max(pdf.get_y() + 10, pdf.h - pdf.b_margin - 30))
    pdf.set_font(family, size=9)
    for line in certificate.verification:
        pdf.multi_cell(0, 5, fit(line), align="C", **NEXT_LINE)
    return bytes(pdf.output())
