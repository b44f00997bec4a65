"""The document as plain text, Markdown or PDF, with the facts of its adoption on top."""

from __future__ import annotations

from flask import Response, current_app
from flask_babel import gettext as _

from planner.formatting import long_date
from planner.labels import label
from planner.statements import services
from planner.statements.models import OutcomeDocument
from planner.statements.rendering import find_font, pdf_bytes, plain_paragraphs
from planner.translated import localized


def _national_facts(document: OutcomeDocument) -> list[str]:
    """A delegation's statement: who delivered it, when and where; never "adopted"."""
    assert document.adopted_on is not None  # kept once delivered
    lines = [f"{document.forum.name}: {label(document.kind)}"]
    if document.delegation is not None:
        lines.append(_("Delivered by %(delegation)s", delegation=document.delegation.name))
    date = long_date(document.adopted_on)
    if document.session is not None:
        lines.append(_("Delivered on %(date)s (%(where)s)", date=date, where=localized(document.session, "title")))
    else:
        lines.append(_("Delivered on %(date)s", date=date))
    return lines


def _facts(document: OutcomeDocument) -> list[str]:
    if document.is_national:
        return _national_facts(document)
    lines = [f"{document.forum.name}: {label(document.kind)}, {label(document.status)}"]
    if document.adopted_on:
        where = _(", ").join(
            x
            for x in (
                localized(document.adopted_by_event, "title") if document.adopted_by_event else "",
                document.adopted_place,
            )
            if x
        )
        date = long_date(document.adopted_on)
        adopted = _("Adopted on %(date)s (%(where)s)", date=date, where=where) if where else None
        lines.append(adopted or _("Adopted on %(date)s", date=date))
    if document.latest:
        lines.append(_("Version %(number)d", number=document.latest.number))
    if document.is_summary:
        lines.append(_("This text is a summary of the forum's public report, not the official wording."))
    return lines


def markdown_source(document: OutcomeDocument) -> str:
    parts = [
        f"# {localized(document, 'title')}",
        "\n".join(f"_{line}_  " for line in _facts(document)),
        services.current_text(document),
    ]
    for c in document.corrigenda:
        parts += [f"## {_('Corrigendum %(number)d', number=c.number)} ({c.issued_on.isoformat()})", c.latest.text]
    return "\n\n".join(parts) + "\n"


def text_source(document: OutcomeDocument) -> str:
    parts = [
        localized(document, "title"),
        "\n".join(_facts(document)),
        "\n\n".join(plain_paragraphs(services.current_text(document))),
    ]
    for c in document.corrigenda:
        parts += [
            f"{_('Corrigendum %(number)d', number=c.number)} ({c.issued_on.isoformat()})",
            "\n\n".join(plain_paragraphs(c.latest.text)),
        ]
    return "\n\n".join(parts) + "\n"


def download_response(document: OutcomeDocument, fmt: str) -> Response:
    name = f"{document.forum.slug}-{document.slug}.{fmt}"
    if fmt == "pdf":
        body = services.current_text(document)
        for c in document.corrigenda:
            body += f"\n\n{_('Corrigendum %(number)d', number=c.number)} ({c.issued_on.isoformat()})\n\n{c.latest.text}"
        data = pdf_bytes(
            localized(document, "title"),
            _facts(document),
            body,
            find_font(current_app.config.get("STATEMENTS_PDF_FONT")),
            _(
                "Characters this PDF's font cannot show are printed as ?; "
                "the text and Markdown downloads hold the full text."
            ),
        )
        mimetype = "application/pdf"
    elif fmt == "md":
        data, mimetype = markdown_source(document).encode(), "text/markdown; charset=utf-8"
    else:
        data, mimetype = text_source(document).encode(), "text/plain; charset=utf-8"
    response = Response(data, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
