"""The speakers' list as the chair prints it: its facts (HTML and PDF alike) and the PDF's
bytes, with the Japanese font the list of participants uses; views only send them."""

from __future__ import annotations

import re
from functools import lru_cache

from flask_babel import gettext as _
from flask_babel import ngettext

from planner.delegations.names import delegation_name
from planner.formatting import clock, long_date, when_in
from planner.labels import label
from planner.plenary import services
from planner.plenary.models import SpeakerEntry, SpeakersList, SpeakerStatus
from planner.statements.rendering import NEXT_LINE, start_pdf


def title(speakers_list: SpeakersList) -> str:
    return _("Speakers' list: %(session)s", session=speakers_list.session.title)


def facts(speakers_list: SpeakersList) -> list[str]:
    """What the list is, under its title."""
    session = speakers_list.session
    forum = session.event.forum
    lines = [
        _(
            "%(day)s, %(start)s–%(end)s",
            day=long_date(session.starts_at, forum),
            start=clock(session.starts_at, forum),
            end=clock(session.ends_at, forum),
        ),
        ngettext("Speaking time: %(num)d minute.", "Speaking time: %(num)d minutes.", speakers_list.speaking_minutes),
        _("Inscriptions close %(when)s.", when=when_in(speakers_list.deadline, forum)),
        ngettext(
            "Each delegation may inscribe %(num)d speaker.",
            "Each delegation may inscribe %(num)d speakers.",
            speakers_list.speakers_per_delegation,
        ),
        _("In order of level of representation, then of inscription."),
    ]
    if speakers_list.states_first:
        lines.append(_("Countries speak before international organisations."))
    if services.is_cancelled(session):
        lines.insert(0, _("This session is cancelled."))
    return lines


def speaker_line(entry: SpeakerEntry, language: str) -> str:
    """ "Japan: Yui Sato, Minister of ..." as the list prints it."""
    person = entry.person.name
    function = entry.member.function if entry.member is not None else ""
    who = f"{person}, {function}" if function else person
    return _("%(delegation)s: %(speaker)s", delegation=delegation_name(entry.delegation, language), speaker=who)


def pdf_bytes(speakers_list: SpeakersList, entries: list[SpeakerEntry], language: str, font_path: str | None) -> bytes:
    lines = tuple(
        (
            f"{place}. {speaker_line(e, language)}",
            _(", ").join(
                p
                for p in (
                    label(e.level),
                    label(e.status) if e.status is SpeakerStatus.SPOKE else "",
                    _("moved by the chair") if e.moved else "",
                )
                if p
            ),
        )
        for place, e in enumerate(entries, start=1)
    )
    return _pdf(
        title(speakers_list),
        tuple(facts(speakers_list)),
        lines,
        _("No speaker is inscribed yet."),
        font_path,
        _("Characters this PDF's font cannot show are printed as ?."),
    )


@lru_cache(maxsize=16)
def _pdf(
    title: str,
    meta: tuple[str, ...],
    lines: tuple[tuple[str, str], ...],
    empty: str,
    font_path: str | None,
    notice: str,
) -> bytes:
    pdf, family, fit = start_pdf(title, font_path)
    texts = [title, *meta, *(t for line in lines for t in line)]
    replaced = any(fit(s) != s for s in texts)
    pdf.set_font(family, size=16)
    pdf.multi_cell(0, 8, fit(title), **NEXT_LINE)
    pdf.ln(2)
    pdf.set_font(family, size=9)
    for line in [*meta, *([notice] if replaced else [])]:
        pdf.multi_cell(0, 5, fit(line), **NEXT_LINE)
    pdf.ln(4)
    if not lines:
        pdf.set_font(family, size=11)
        pdf.multi_cell(0, 6, fit(empty), **NEXT_LINE)
    for line, small in lines:
        pdf.set_font(family, size=12)
        pdf.multi_cell(0, 7, fit(line), **NEXT_LINE)
        if small:
            pdf.set_x(pdf.l_margin + 6)
            pdf.set_font(family, size=8)
            pdf.multi_cell(0, 4, fit(small), **NEXT_LINE)
        pdf.ln(1)
    return bytes(pdf.output())


def file_name(speakers_list: SpeakersList, language: str) -> str:
    """For Content-Disposition: isef2-speakers-12-ja.pdf."""
    slug = re.sub(r"[^A-Za-z0-9._-]", "-", speakers_list.session.event.forum.slug)
    language = re.sub(r"[^a-z-]", "", language) or "en"
    return f"{slug}-speakers-{speakers_list.session_id}-{language}.pdf"
