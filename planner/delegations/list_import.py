"""The invitation list as CSV, one row per delegation: export, and an all-or-nothing import
with a dry run, as the programme's (``planner.schedule.programme_io``).

Columns::

    id, country_code, organisation, name, kind, space_agency, seat_quota, status

then ``name_<lang>`` for each of the forum's other languages. A row names its delegation by
one of ``country_code`` (ISO 3166-1 alpha-2), ``organisation`` (an acronym of the site's list)
or ``name`` (an organisation invited by name; only these have ``name_<lang>``). ``kind`` may
be left empty; ``seat_quota`` empty is no limit; ``status`` empty is ``invited`` for a new
delegation and leaves a changed one's. A row with the ``id`` of one of the forum's delegations
changes it (its country or organisation stays); a row without adds one. Every row is checked
first, with the rules of ``invitation_list``; only when no row has a problem is anything
written, in the caller's transaction.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import select

from planner.accounts.models import User
from planner.accounts.permissions import require_organiser
from planner.audit.services import record
from planner.delegations import invitation_list
from planner.delegations.invitation_list import DelegationData, Particulars, Taken
from planner.delegations.models import Delegation, DelegationKind, DelegationStatus
from planner.delegations.names import COLUMNS_LANGUAGE
from planner.extensions import db
from planner.forums.models import Forum
from planner.forums.services import lock_forum, require_not_archived
from planner.refusals import Refused
from planner.spreadsheet_cells import cell, typed
from planner.translated import field_name, merged
from planner.validators import has_control_characters

COLUMNS = ("id", "country_code", "organisation", "name", "kind", "space_agency", "seat_quota", "status")
MAX_ROWS = 1000
MAX_BYTES = 2**20  # the site's request limit (MAX_CONTENT_LENGTH) is 1 MB too


@dataclass(frozen=True)
class Problem:
    line: int
    message: str


@dataclass
class ListImportReport:
    rows: int = 0
    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    unchanged: int = 0
    errors: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


class ListImportRefused(Refused):
    """Nothing was written; ``report.errors`` says why, line by line."""

    def __init__(self, report: ListImportReport) -> None:
        self.report = report
        super().__init__("; ".join(f"line {p.line}: {p.message}" for p in report.errors[:5]))


def translation_columns(forum: Forum) -> list[str]:
    return [field_name("name", language) for language in forum.other_languages]


@dataclass
class _Row:
    line: int
    delegation: Delegation | None
    data: DelegationData


def _parse(line: int, value: dict[str, str], forum: Forum, taken: Taken, delegations: dict[int, Delegation]):  # noqa: ANN202
    """The row as a delegation to add or change, or its problems."""
    errors: list[str] = []
    sources = [c for c in ("country_code", "organisation", "name") if value[c]]
    if len(sources) != 1:
        return None, [_("Fill in one of country_code, organisation or name.")]
    delegation = None
    if value["id"]:
        number = value["id"]
        readable = number.isascii() and number.isdigit() and len(number) < 10
        delegation = delegations.get(int(number)) if readable else None
        if delegation is None:
            errors.append(_("This forum has no delegation with the number %(id)s.", id=number[:12]))
    try:
        status = (
            DelegationStatus(value["status"].lower())
            if value["status"]
            else (delegation.status if delegation is not None else DelegationStatus.INVITED)
        )
    except ValueError:
        status = DelegationStatus.INVITED
        errors.append(
            _("The status must be one of %(statuses)s.", statuses=", ".join(s.value for s in DelegationStatus))
        )
    quota: int | None = None
    if value["seat_quota"]:
        text = value["seat_quota"]
        if text.isascii() and text.isdigit() and len(text) < 10:
            quota = int(text)
        else:
            errors.append(_("The seat quota must be a whole number, or empty for no limit."))
    fields = Particulars(space_agency=value["space_agency"], seat_quota=quota, status=status)
    translations = {
        name.rpartition("_")[2]: {"name": value[name]} for name in translation_columns(forum) if name in value
    }
    in_other_languages = [name for name in translation_columns(forum) if value.get(name)]
    if sources[0] == "country_code":
        data = invitation_list.for_country(value["country_code"], **fields)
    elif sources[0] == "organisation":
        acronym = value["organisation"].casefold()
        organisation = next((o for o in taken.kept() if o.acronym.casefold() == acronym), None)
        if organisation is None:
            return None, [
                *errors,
                _("The site's list of organisations has no %(acronym)s.", acronym=value["organisation"][:40]),
            ]
        data = invitation_list.for_organisation(organisation, **fields)
    else:
        data = invitation_list.by_name(value["name"], translations, **fields)
    if in_other_languages and not data.by_name:
        errors.append(
            _(
                "%(columns)s: only organisations invited by name have names typed in other languages.",
                columns=", ".join(in_other_languages),
            )
        )
    kind = value["kind"].lower()
    if kind and kind not in {k.value for k in DelegationKind}:
        errors.append(_("The kind must be country or organisation."))
    elif kind and kind != data.kind.value:
        errors.append(
            _("A country has a country_code; an organisation an organisation or a name.")
            if kind == DelegationKind.COUNTRY.value
            else _("A delegation with a country_code is a country.")
        )
    if delegation is not None and (
        data.country_code != delegation.country_code
        or (data.organisation.id if data.organisation else None) != delegation.organisation_id
    ):
        errors.append(
            _(
                "Delegation %(id)d is %(delegation)s: its country or organisation cannot change.",
                id=delegation.id,
                delegation=delegation.name,
            )
        )
        delegation = None
    errors.extend(message for _field, message in invitation_list.problems(forum, data, taken, delegation))
    if errors:
        return None, errors
    return _Row(line, delegation, data), []


def import_csv(actor: User, forum: Forum, raw: bytes | str, dry_run: bool = False) -> ListImportReport:
    """Check every row, then (unless ``dry_run`` or a row has a problem) add and change the
    delegations. Raises ListImportRefused, having written nothing."""
    require_organiser(actor, forum)
    require_not_archived(forum)
    if not dry_run:
        lock_forum(forum)  # the rows are checked against the list as it stands
    report = ListImportReport()

    def refuse(line: int, message: str) -> ListImportRefused:
        report.errors.append(Problem(line, message))
        return ListImportRefused(report)

    if len(raw) > MAX_BYTES:
        raise refuse(1, _("The file is larger than %(num)d MB.", num=MAX_BYTES // 2**20))
    try:
        text = raw.decode("utf-8-sig") if isinstance(raw, bytes) else raw
    except UnicodeDecodeError:
        raise refuse(1, _("The file is not UTF-8 text; save it as CSV UTF-8.")) from None
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = [h.strip().lower() for h in (reader.fieldnames or [])]
    except csv.Error as error:
        raise refuse(1, _("The file is not valid CSV: %(error)s", error=str(error))) from None
    reader.fieldnames = header
    known = (*COLUMNS, *translation_columns(forum))
    unknown = [h[:40] for h in header if h not in known]
    if unknown or not header or not {"country_code", "organisation", "name"} & set(header):
        raise refuse(
            1,
            _(
                "The first line must name the columns, from %(columns)s (unknown: %(unknown)s).",
                columns=", ".join(known),
                unknown=", ".join(unknown) or "—",
            ),
        )
    texts: list[tuple[int, dict[str, str | None]]] = []
    try:
        start = reader.line_num + 1
        for cells in reader:
            texts.append((start, cells))
            start = reader.line_num + 1
            if len(texts) > MAX_ROWS:
                raise refuse(start, _("At most %(num)d delegations can be imported at once.", num=MAX_ROWS))
    except csv.Error as error:
        raise refuse(reader.line_num, _("The file is not valid CSV: %(error)s", error=str(error))) from None
    report.rows = len(texts)
    if not texts:
        raise refuse(2, _("The file has no delegations under its first line."))

    taken = Taken(forum)
    delegations = {d.id: d for d in db.session.scalars(select(Delegation).where(Delegation.forum_id == forum.id))}
    rows: list[_Row] = []
    changing: dict[int, int] = {}
    with db.session.no_autoflush:
        for line, cells in texts:
            if None in cells:
                report.errors.append(Problem(line, _("This row has more cells than the first line has columns.")))
                continue
            value = {name: typed(cells.get(name)) for name in known}
            if garbled := [n for n, t in value.items() if has_control_characters(t)]:
                report.errors.append(
                    Problem(
                        line,
                        _(
                            "Remove control characters or unreadable characters from %(columns)s.",
                            columns=", ".join(garbled),
                        ),
                    )
                )
                continue
            row, errors = _parse(line, value, forum, taken, delegations)
            report.errors.extend(Problem(line, e) for e in errors)
            if row is None:
                continue
            if row.delegation is not None:
                if row.delegation.id in changing:
                    report.errors.append(
                        Problem(
                            line,
                            _(
                                "Delegation %(id)d is already changed on line %(other)d.",
                                id=row.delegation.id,
                                other=changing[row.delegation.id],
                            ),
                        )
                    )
                    continue
                changing[row.delegation.id] = line
            # Later rows may not take what this one takes.
            taken.add(
                row.delegation.id if row.delegation else None,
                row.data.name,
                row.data.country_code,
                row.data.organisation.id if row.data.organisation else None,
                _("line %(line)d", line=line),
            )
            rows.append(row)
    report.errors.sort(key=lambda p: p.line)
    if report.errors:
        raise ListImportRefused(report)
    for row in rows:
        if row.delegation is None:
            report.added.append(row.data.name)
        elif _differs(row.delegation, row.data):
            report.changed.append(row.delegation.name)
        else:
            report.unchanged += 1
    if dry_run:
        return report
    for row in rows:
        if row.delegation is None:
            invitation_list.create(actor, forum, row.data)
        elif _differs(row.delegation, row.data):
            invitation_list.change(actor, row.delegation, row.data)
    record(
        actor,
        "delegations.imported",
        forum_id=forum.id,
        target=("forum", forum.id),
        summary=ngettext(
            "%(num)d delegation added, %(changed)d changed by import",
            "%(num)d delegations added, %(changed)d changed by import",
            len(report.added),
            changed=len(report.changed),
        ),
    )
    db.session.flush()
    return report


def _differs(delegation: Delegation, data: DelegationData) -> bool:
    current = invitation_list.current_data(delegation)
    if data.by_name:
        kept = merged(delegation.translations, data.translations)
        if data.name != current.name or kept != (delegation.translations or {}):
            return True
    return (data.space_agency.strip() or "", data.seat_quota, data.status) != (
        current.space_agency,
        current.seat_quota,
        current.status,
    )


def export_csv(forum: Forum) -> str:
    """Every delegation of the forum in the import's columns, by name in English."""
    out = io.StringIO()
    writer = csv.writer(out)
    languages = forum.other_languages
    writer.writerow([*COLUMNS, *translation_columns(forum)])
    for listed in invitation_list.invitation_list(forum, COLUMNS_LANGUAGE):
        d = listed.delegation
        by_name = d.country_code is None and d.organisation is None
        writer.writerow(
            [
                cell(v)
                for v in (
                    d.id,
                    d.country_code or "",
                    d.organisation.acronym if d.organisation else "",
                    d.name if by_name else "",
                    d.kind.value,
                    d.space_agency or "",
                    "" if d.seat_quota is None else d.seat_quota,
                    d.status.value,
                    *(
                        ((d.translations or {}).get(language, {}).get("name", "") if by_name else "")
                        for language in languages
                    ),
                )
            ]
        )
    return out.getvalue()
