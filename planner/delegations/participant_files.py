"""The list of participants as PDF and CSV: bytes and text from a ``ParticipantList``, in the
order ``participants.protocol_order`` gave it; views only send them with their headers.

The PDF prints Japanese with the font the statements' PDFs use (``find_font``: the vendored
IPAexGothic unless another is configured). Parsing that font costs 0.1-0.3 s, so finished
PDFs are kept by what they show (the same lines give the same bytes), as the statements do.
"""

from __future__ import annotations

import csv
import io
import re
from functools import lru_cache

from flask_babel import gettext as _
from flask_babel import ngettext

from planner.delegations.models import NominationStatus
from planner.delegations.participants import ParticipantList
from planner.formatting import day_range
from planner.labels import label
from planner.spreadsheet_cells import cell
from planner.statements.rendering import NEXT_LINE, start_pdf

# Spreadsheets run cells starting with these as formulas (OWASP "CSV injection"), as the

#: The CSV's columns keep these English names and raw values (ISO codes, status values), as
#: the registration export does, so that name-plate and seating templates can rely on them.
PUBLIC_COLUMNS = ("delegation", "name", "function")
ORGANISER_COLUMNS = (
    "position",
    "delegation",
    "delegation_kind",
    "country_code",
    "name",
    "function",
    "level",
    "role",
    "status",
    "listed_publicly",
    "email",
)


def csv_text(participants: ParticipantList, *, for_organisers: bool) -> str:
    """One row a person, in protocol order (``position`` counts them, for seating)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(ORGANISER_COLUMNS if for_organisers else PUBLIC_COLUMNS)
    position = 0
    for listed in participants.delegations:
        for m in listed.members:
            position += 1
            if for_organisers:
                row: tuple[object, ...] = (
                    position,
                    listed.name,
                    listed.delegation.kind.value,
                    listed.delegation.country_code or "",
                    m.name,
                    m.function,
                    m.level.value,
                    m.role.value,
                    m.status.value,
                    "yes" if m.listed_publicly else "no",
                    m.email or "",
                )
            else:
                row = (listed.name, m.name, m.function)
            writer.writerow([cell(v) for v in row])
    return out.getvalue()


def title(participants: ParticipantList, *, for_organisers: bool) -> str:
    forum = participants.forum.name
    if for_organisers:
        return _("List of participants of %(forum)s, for organisers", forum=forum)
    return _("List of participants of %(forum)s", forum=forum)


def facts(participants: ParticipantList, *, for_organisers: bool) -> list[str]:
    """What the list is, under its title (HTML and PDF alike)."""
    forum = participants.forum
    lines = [day_range(forum.first_day, forum.last_day)]
    if participants.drawn:
        lines.append(
            _(
                "Delegations in alphabetical order, starting from %(delegation)s, drawn by lot.",
                delegation=participants.drawn,
            )
        )
    else:
        lines.append(_("Delegations in alphabetical order."))
    if forum.countries_listed_first:
        lines.append(_("Countries are listed before international organisations."))
    lines.append(
        ngettext("%(num)d participant.", "%(num)d participants.", participants.people)
        if for_organisers
        else ngettext(
            "%(num)d participant who agreed to be listed publicly.",
            "%(num)d participants who agreed to be listed publicly.",
            participants.people,
        )
    )
    if for_organisers:
        lines.append(_("Marked “nominated”: not accredited yet. Organisers' copy: it holds email addresses."))
    return lines


Block = tuple[str, tuple[tuple[str, str], ...]]  # a delegation's name, then (line, small print) a member


def pdf_bytes(participants: ParticipantList, *, for_organisers: bool, font_path: str | None) -> bytes:
    blocks: list[Block] = []
    for listed in participants.delegations:
        people = []
        for m in listed.members:
            line = f"{m.name}, {m.function}" if m.function else m.name
            small = ""
            if for_organisers:
                small = _(", ").join(
                    part
                    for part in (
                        label(m.level),
                        label(m.status) if m.status is NominationStatus.NOMINATED else "",
                        m.email or "",
                        _("listed publicly") if m.listed_publicly else _("not listed publicly"),
                    )
                    if part
                )
            people.append((line, small))
        blocks.append((listed.name, tuple(people)))
    return _pdf(
        title(participants, for_organisers=for_organisers),
        tuple(facts(participants, for_organisers=for_organisers)),
        tuple(blocks),
        font_path,
        _("Characters this PDF's font cannot show are printed as ?; the CSV download holds the full text."),
    )


@lru_cache(maxsize=16)
def _pdf(
    title: str, meta_lines: tuple[str, ...], blocks: tuple[Block, ...], font_path: str | None, notice: str
) -> bytes:
    pdf, family, fit = start_pdf(title, font_path)

    texts = [title, *meta_lines, *(t for name, people in blocks for t in (name, *(x for p in people for x in p)))]
    replaced = any(fit(s) != s for s in texts)
    pdf.set_font(family, size=16)
    pdf.multi_cell(0, 8, fit(title), **NEXT_LINE)
    pdf.ln(2)
    pdf.set_font(family, size=9)
    for line in [*meta_lines, *([notice] if replaced else [])]:
        pdf.multi_cell(0, 5, fit(line), **NEXT_LINE)
    for name, people in blocks:
        pdf.ln(3)
        if pdf.will_page_break(6 + 6 * min(len(people), 2)):
            pdf.add_page()  # a delegation's name is not left alone at the foot of a page
        pdf.set_font(family, size=12)
        pdf.multi_cell(0, 7, fit(name), **NEXT_LINE)
        for line, small in people:
            pdf.set_x(pdf.l_margin + 6)
            pdf.set_font(family, size=10)
            pdf.multi_cell(0, 5, fit(line), **NEXT_LINE)
            if small:
                pdf.set_x(pdf.l_margin + 6)
                pdf.set_font(family, size=8)
                pdf.multi_cell(0, 4, fit(small), **NEXT_LINE)
    return bytes(pdf.output())


def file_name(participants: ParticipantList, *, for_organisers: bool, extension: str) -> str:
    """For Content-Disposition: isef3-participants-ja.pdf, isef3-participants-organisers-en.csv."""
    slug = re.sub(r"[^A-Za-z0-9._-]", "-", participants.forum.slug)
    language = re.sub(r"[^a-z-]", "", participants.language) or "en"
    kind = "participants-organisers" if for_organisers else "participants"
    return f"{slug}-{kind}-{language}.{extension}"
