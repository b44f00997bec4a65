"""The programme as CSV, one row per session: export, and an all-or-nothing import.

Columns (English names, raw values, times of day in the forum's timezone)::

    id, event, title, kind, date, start, end, venue, room, public, status, chairs, speakers,
    language, interpretation, description

then, for each of the forum's other languages, the title and description in it: ``title_ja``,
``description_ja``. A row leaves the translations of a column the file does not have alone.

Cells are separated by commas, or by semicolons when the first line has more of those (as
spreadsheets in many European locales write CSV); a UTF-8 byte order mark is skipped.
A row with an ``id`` of one of the forum's sessions changes that session; a row without one
adds a session. ``chairs`` and ``speakers`` list names or email addresses separated by ``;``;
``language`` is the ISO 639-1 code of the language spoken, ``interpretation`` the codes of the
languages interpreted into, separated by ``;`` (a file without these columns leaves a changed
session's languages as they are).
The import reads every row first and reports every problem with its line number (shape,
unknown events or rooms, and the blocking scheduling rules over the whole programme as it
would be); only when there is none does it write, in the caller's transaction.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field, replace

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import inspect, select

from planner.accounts.models import User
from planner.accounts.permissions import require_organiser
from planner.audit.services import record
from planner.delegations.models import Person
from planner.extensions import db
from planner.formatting import gap_around, repeated, skipped, wall_clock_to_utc
from planner.forums.models import Event, Forum, Room, Venue
from planner.forums.services import lock_forum
from planner.refusals import Refused
from planner.schedule import conflicts, editing
from planner.schedule.models import Session, SessionKind, SessionStatus
from planner.spreadsheet_cells import cell, typed
from planner.translated import field_name, language_name
from planner.validators import language_codes, language_problems

COLUMNS = (
    "id",
    "event",
    "title",
    "kind",
    "date",
    "start",
    "end",
    "venue",
    "room",
    "public",
    "status",
    "chairs",
    "speakers",
    "language",
    "interpretation",
    "description",
)
REQUIRED = ("event", "title", "date", "start", "end")
#: Columns that come once more for each of the forum's other languages, like title_ja.
TRANSLATED = ("title", "description")
MAX_ROWS = 10_000
MAX_BYTES = 8 * 2**20  # of an upload; the site's 1 MB request limit (MAX_CONTENT_LENGTH) applies first
TRUE, FALSE = {"yes", "true", "1", "y"}, {"no", "false", "0", "n"}


# Lines a problem among many rows names before "and N more".
LISTED_LINES = 20


@dataclass(frozen=True)
class Problem:
    line: int
    message: str
    # An overlap among rows is one problem, at its first row; these are the others.
    other_lines: tuple[int, ...] = ()

    @property
    def lines(self) -> str:
        """The line, or for an overlap among rows its lines: "4, 9, 12 and 3 more"."""
        named = ", ".join(str(n) for n in (self.line, *self.other_lines[: LISTED_LINES - 1]))
        rest = len(self.other_lines) - (LISTED_LINES - 1)
        if rest <= 0:
            return named
        return ngettext("%(lines)s and %(num)d more", "%(lines)s and %(num)d more", rest, lines=named)


@dataclass
class ImportReport:
    rows: int = 0
    created: int = 0
    updated: int = 0
    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


class ImportRefused(Refused):
    """Nothing was written; ``report.errors`` says why, line by line."""

    def __init__(self, report: ImportReport) -> None:
        self.report = report
        super().__init__("; ".join(f"line {p.line}: {p.message}" for p in report.errors[:5]))


@dataclass
class _Row:
    line: int
    session: Session | None  # the session it changes, or None for a new one
    data: editing.SessionData
    chair_names: list[str]
    speaker_names: list[str]


def translation_columns(forum: Forum) -> list[str]:
    return [field_name(column, language) for language in forum.other_languages for column in TRANSLATED]


def _foreign_language(column: str) -> str | None:
    """The language a column like ``title_fr`` is for, if it is named like a translation."""
    name, _sep, language = column.rpartition("_")
    return language if name in TRANSLATED and language.isascii() and language.isalpha() else None


def _names(value: str) -> list[str]:
    return [n.strip() for n in value.split(";") if n.strip()]


class _Lookups:
    """Everything rows refer to, read once for the whole file."""

    def __init__(self, forum: Forum, texts: list[dict[str, str]]) -> None:
        self.forum = forum
        self.events = {e.code: e for e in db.session.scalars(select(Event).where(Event.forum_id == forum.id))}
        rooms = db.session.execute(
            select(Room, Venue.name).join(Venue, Venue.id == Room.venue_id).where(Venue.forum_id == forum.id)
        ).all()
        self.rooms = {(venue.lower(), room.name.lower()): room for room, venue in rooms}
        self.rooms_by_name: dict[str, list[Room]] = {}
        for room, _venue in rooms:
            self.rooms_by_name.setdefault(room.name.lower(), []).append(room)
        # ASCII digits only: int() refuses "²", which isdigit() accepts.
        ids = {int(i) for t in texts if (i := (t.get("id") or "").strip()).isascii() and i.isdigit() and len(i) < 10}
        self.sessions = {s.id: s for s in editing.sessions_of(forum) if s.id in ids} if ids else {}
        names = {
            n
            for t in texts
            for column in ("chairs", "speakers")
            for n in _names(typed(t.get(column)))
            if n.isprintable()
        }  # the others are refused row by row; PostgreSQL refuses NUL in a query
        emails = {n.lower() for n in names if "@" in n}
        plain = {n for n in names if "@" not in n}
        self.people: dict[str, Person] = {}
        if emails:
            found = db.session.scalars(select(Person).where(Person.email.in_(emails)))
            self.people.update({p.email: p for p in found if p.email is not None})  # IN matches no NULL
        if plain:
            for person in db.session.scalars(select(Person).where(Person.name.in_(plain)).order_by(Person.id)):
                self.people.setdefault(person.name, person)

        # People not in the database yet get stand-in ids below zero, so their clashes show too.
        self.pending: dict[str, int] = {}

    def person_id(self, name: str) -> int:
        person = self.person(name)
        if person is not None:
            return person.id
        return self.pending.setdefault(name, -1 - len(self.pending))

    def person(self, name: str) -> Person | None:
        return self.people.get(name.lower() if "@" in name else name)

    def room(self, venue: str, name: str) -> Room | str:
        """The room, or why it cannot be found."""
        if venue:
            return self.rooms.get((venue.lower(), name.lower())) or _(
                "%(venue)s has no room called %(room)s.", venue=venue, room=name
            )
        candidates = self.rooms_by_name.get(name.lower(), [])
        if len(candidates) == 1:
            return candidates[0]
        if not candidates:
            return _("This forum has no room called %(room)s.", room=name)
        return _("Several venues have a room called %(room)s; fill in the venue.", room=name)


class UnclearTime(ValueError):
    """A wall-clock time the clocks skip, or one that happens twice without saying which."""


def _offset(offset: dt.timedelta | None) -> str:
    """'-04:00', as ISO 8601 writes a UTC offset after a time."""
    minutes = int((offset or dt.timedelta(0)).total_seconds()) // 60
    return f"{'-' if minutes < 0 else '+'}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def _local(day: str, clock: str, forum: Forum) -> dt.datetime:
    """``clock`` on ``day`` in the forum's zone, as UTC. A time may carry its UTC offset
    (``01:30-04:00``): it must, when the clocks go back over it and it happens twice."""
    time = dt.time.fromisoformat(clock)
    moment = dt.datetime.combine(dt.date.fromisoformat(day), time.replace(tzinfo=None))
    if not 1900 <= moment.year <= 2200:
        raise ValueError(day)
    zone, given = forum.zone, time.utcoffset()
    shown = moment.strftime("%H:%M")
    if skipped(moment, zone):
        start, end = gap_around(moment, zone)
        raise UnclearTime(
            _(
                "The clocks go forward at %(start)s on %(day)s in %(zone)s: %(time)s does not exist that day.",
                start=start.strftime("%H:%M"),
                day=day,
                zone=forum.timezone,
                time=shown,
            )
            + " "
            + _(
                "Use a time before %(start)s or from %(end)s.", start=start.strftime("%H:%M"), end=end.strftime("%H:%M")
            )
        )
    folds = {moment.replace(tzinfo=zone, fold=fold).utcoffset(): fold for fold in (1, 0)}
    if given is None and len(folds) == 2:
        first, second = (_offset(moment.replace(tzinfo=zone, fold=fold).utcoffset()) for fold in (0, 1))
        raise UnclearTime(
            _(
                "%(time)s happens twice on %(day)s in %(zone)s (the clocks go back): write %(first)s for the "
                "first or %(second)s for the second.",
                time=shown,
                day=day,
                zone=forum.timezone,
                first=shown + first,
                second=shown + second,
            )
        )
    if given is not None and given not in folds:
        raise UnclearTime(
            _(
                "%(time)s is not %(offset)s in %(zone)s on %(day)s.",
                time=shown,
                offset="UTC" + _offset(given),
                zone=forum.timezone,
                day=day,
            )
        )
    return wall_clock_to_utc(moment, zone, folds[given] if given is not None else 0)


def _parse(line: int, text: dict[str, str], lookups: _Lookups) -> tuple[_Row | None, list[str]]:
    forum = lookups.forum
    errors = []
    translated = [name for name in translation_columns(forum) if name in text]
    value = {name: typed(text.get(name)) for name in (*COLUMNS, *translated)}
    # Line breaks and tabs only in descriptions; other control characters nowhere (PostgreSQL refuses NUL).
    garbled = [
        name
        for name, text in value.items()
        if any((ord(c) < 32 and not (name.startswith("description") and c in "\n\r\t")) or c == "\ufffd" for c in text)
    ]
    if garbled:
        errors.append(
            _("Remove control characters or unreadable characters from %(columns)s.", columns=", ".join(garbled))
        )
    missing = [name for name in REQUIRED if not value[name]]
    if missing:
        errors.append(_("Fill in %(columns)s.", columns=", ".join(missing)))
    session = None
    if value["id"]:
        try:
            session = lookups.sessions.get(int(value["id"])) if len(value["id"]) < 10 else None
        except ValueError:
            session = None
        if session is None:
            errors.append(_("This forum has no session with the number %(id)s.", id=value["id"][:12]))
    event = lookups.events.get(value["event"].upper())
    if value["event"] and event is None:
        errors.append(_("This forum has no event with the code %(code)s.", code=value["event"][:32]))
    if len(value["title"]) > 300:
        errors.append(_("The title is longer than 300 characters."))
    translations: dict[str, dict[str, str]] = {}
    for name in translated:
        column, _sep, language = name.rpartition("_")
        translations.setdefault(language, {})[column] = value[name]
        if column == "title" and len(value[name]) > 300:
            errors.append(
                _("The title in %(language)s is longer than 300 characters.", language=language_name(language))
            )
    try:
        kind = SessionKind(value["kind"].lower() or SessionKind.OTHER.value)
    except ValueError:
        kind = SessionKind.OTHER
        errors.append(
            _(
                "There is no session kind %(kind)s; use one of %(kinds)s.",
                kind=value["kind"][:32],
                kinds=", ".join(k.value for k in SessionKind),
            )
        )
    try:
        status = SessionStatus(value["status"].lower() or SessionStatus.SCHEDULED.value)
    except ValueError:
        status = SessionStatus.SCHEDULED
        errors.append(_("The status must be scheduled or cancelled."))
    public_text = value["public"].lower() or "yes"
    if public_text not in TRUE | FALSE:
        errors.append(_("Public must be yes or no."))
    starts_at = ends_at = None
    if value["date"] and value["start"] and value["end"]:
        try:
            starts_at = _local(value["date"], value["start"], forum)
            ends_at = _local(value["date"], value["end"], forum)
        except UnclearTime as unclear:
            errors.append(str(unclear))
        except ValueError:
            errors.append(_("Write the date like 2018-03-03 and the times like 09:30."))
    room = None
    if value["room"]:
        found = lookups.room(value["venue"], value["room"])
        if isinstance(found, str):
            errors.append(found)
        else:
            room = found
    chairs, speakers = _names(value["chairs"]), _names(value["speakers"])
    for name in chairs + speakers:
        if "@" in name and lookups.person(name) is None:
            errors.append(_("Nobody has the email address %(email)s.", email=name[:320]))
        elif "@" not in name and len(name) > 200:
            errors.append(_("%(text)s... is too long for a name or an email address.", text=name[:30]))
    # A file without the columns (written before they existed) keeps what a session has.
    spoken = value["language"].lower() or None if "language" in text else (session.spoken_language if session else None)
    interpretation = (
        language_codes(value["interpretation"])
        if "interpretation" in text
        else (list(session.interpretation) if session else [])
    )
    for column, message in language_problems(spoken, interpretation):
        errors.append(_("Column %(column)s: %(message)s", column=column, message=message))
    if errors or event is None or starts_at is None or ends_at is None:
        return None, errors
    data = editing.SessionData(
        event=event,
        title=value["title"],
        kind=kind,
        starts_at=starts_at,
        ends_at=ends_at,
        room=room,
        description=value["description"],
        is_public=public_text in TRUE,
        status=status,
        translations=translations,
        spoken_language=spoken,
        interpretation=interpretation,
    )
    return _Row(line, session, data, chairs, speakers), []


def _facts(row: _Row, lookups: _Lookups) -> conflicts.SessionFacts:
    return conflicts.SessionFacts(
        key=row.session.id if row.session else ("line", row.line),
        title=row.data.title,
        event_id=row.data.event.id,
        starts_at=row.data.starts_at,
        ends_at=row.data.ends_at,
        room_id=row.data.room.id if row.data.room else None,
        person_ids=frozenset(lookups.person_id(n) for n in row.chair_names + row.speaker_names),
        cancelled=row.data.status is SessionStatus.CANCELLED,
        revision=row.session.revision if row.session else 1,
    )


def import_csv(
    actor: User | None,
    forum: Forum,
    raw: bytes | str,
    dry_run: bool = False,
    progress: Callable[[int], None] | None = None,
) -> ImportReport:
    """Check every row, then (unless ``dry_run`` or a row has a problem) write them all.
    ``actor`` None is the command line, which is trusted. Raises ImportRefused, writing nothing."""
    if actor is not None:
        require_organiser(actor, forum)
    tick = progress or (lambda n: None)
    report = ImportReport()
    try:
        text = raw.decode("utf-8-sig") if isinstance(raw, bytes) else raw
    except UnicodeDecodeError:
        report.errors.append(Problem(1, _("The file is not UTF-8 text; save it as CSV UTF-8.")))
        raise ImportRefused(report) from None
    # Spreadsheets set to many European locales separate cells with semicolons; the header tells.
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter)
    header = [h.strip().lower() for h in (reader.fieldnames or [])]
    reader.fieldnames = header
    known = (*COLUMNS, *translation_columns(forum))
    unknown = [h for h in header if h not in known]
    foreign = [h for h in unknown if _foreign_language(h)]
    if foreign:
        report.errors.append(
            Problem(
                1,
                _(
                    "%(forum)s is not written in the language of the column %(column)s; "
                    "add the language to the forum first (its languages: %(languages)s).",
                    forum=forum.name,
                    column=foreign[0][:40],
                    languages=", ".join(forum.languages),
                ),
            )
        )
        raise ImportRefused(report)
    absent = [c for c in REQUIRED if c not in header]
    if unknown or absent or not header:
        report.errors.append(
            Problem(
                1,
                _(
                    "The first line must name the columns %(columns)s (unknown: %(unknown)s).",
                    columns=", ".join(known),
                    unknown=", ".join(unknown) or "—",
                ),
            )
        )
        raise ImportRefused(report)
    texts: list[tuple[int, dict[str, str]]] = []
    try:
        start = reader.line_num + 1
        for record_ in reader:
            texts.append((start, record_))
            start = reader.line_num + 1
            if len(texts) > MAX_ROWS:
                report.errors.append(
                    Problem(start, _("At most %(num)d sessions can be imported at once.", num=MAX_ROWS))
                )
                raise ImportRefused(report)
    except csv.Error as error:
        report.errors.append(Problem(reader.line_num, _("The file is not valid CSV: %(error)s", error=str(error))))
        raise ImportRefused(report) from None
    report.rows = len(texts)
    if not dry_run:
        lock_forum(forum)  # what is checked is what gets written

    with db.session.no_autoflush:
        lookups = _Lookups(forum, [t for _line, t in texts])
        rows: list[_Row] = []
        seen_ids: dict[int, int] = {}
        for line, record_ in texts:
            if None in record_:
                report.errors.append(Problem(line, _("This row has more cells than the first line has columns.")))
                tick(1)
                continue
            row, errors = _parse(line, record_, lookups)
            report.errors.extend(Problem(line, e) for e in errors)
            if row and row.session is not None:
                session_id = row.session.id
                if session_id in seen_ids:
                    report.errors.append(
                        Problem(
                            line,
                            _(
                                "Session %(id)d is already changed on line %(other)d.",
                                id=session_id,
                                other=seen_ids[session_id],
                            ),
                        )
                    )
                    row = None
                else:
                    seen_ids[session_id] = line
            if row:
                rows.append(row)
            tick(1)
        facts = [_facts(row, lookups) for row in rows]
        line_of: dict[Hashable, int] = {f.key: row.line for f, row in zip(facts, rows, strict=True)}
        programme = conflicts.load_programme(forum)
        programme = replace(programme, person_names={i: n for n, i in lookups.pending.items()})
        for conflict in conflicts.check_changes(forum, facts, programme):
            lines = sorted({line_of[s.key] for s in conflict.sessions if s.key in line_of})
            target = report.errors if conflict.blocking else report.warnings
            target.append(Problem(lines[0], conflict.message, tuple(lines[1:])))
    report.errors.sort(key=lambda p: p.line)
    report.warnings.sort(key=lambda p: p.line)
    if report.errors:
        raise ImportRefused(report)
    if dry_run:
        return report
    _write(actor, forum, rows, lookups, report, tick)
    return report


def _write(
    actor: User | None,
    forum: Forum,
    rows: list[_Row],
    lookups: _Lookups,
    report: ImportReport,
    tick: Callable[[int], None],
) -> None:
    new_people: dict[str, Person] = {}

    def people(names: list[str]) -> list[Person]:
        found = []
        for name in names:
            person = lookups.person(name) or new_people.get(name)
            if person is None:
                person = new_people[name] = Person(name=name[:200])
                db.session.add(person)
            if person not in found:
                found.append(person)
        return found

    changes = []
    with db.session.no_autoflush:
        for row in rows:
            row.data.chairs, row.data.speakers = people(row.chair_names), people(row.speaker_names)
            if row.session is None:
                session = Session(revision=1)
                editing.assign(session, row.data)
                db.session.add(session)
                report.created += 1
            else:
                editing.assign(row.session, row.data)
                changed = editing.changed_attributes(row.session)
                visibility_changed = inspect(row.session).attrs.is_public.history.has_changes()
                if changed or visibility_changed:
                    changes.append((row.session, changed, visibility_changed))
                report.updated += 1
            tick(1)
    db.session.flush()
    for session, changed, visibility_changed in changes:
        editing.record_change(actor, session, changed, visibility_changed)
    record(
        actor,
        "programme.imported",
        forum_id=forum.id,
        target=("forum", forum.id),
        summary=_(
            "%(created)d sessions added, %(updated)d changed by import", created=report.created, updated=report.updated
        ),
    )
    db.session.flush()


def _clock(local: dt.datetime) -> str:
    """09:30; with the offset (01:30-05:00) when that time happens twice, so the import reads it back."""
    text = local.strftime("%H:%M")
    return text + _offset(local.utcoffset()) if repeated(local, local.tzinfo) else text  # type: ignore[arg-type]


def export_csv(forum: Forum) -> str:
    """Every session of the forum, cancelled and closed ones too, in the import's columns."""
    out = io.StringIO()
    writer = csv.writer(out)
    languages = forum.other_languages
    writer.writerow([*COLUMNS, *translation_columns(forum)])
    for s in editing.sessions_of(forum):
        start, end = s.starts_at.astimezone(forum.zone), s.ends_at.astimezone(forum.zone)
        writer.writerow(
            [
                cell(v)
                for v in (
                    s.id,
                    s.event.code,
                    s.title,
                    s.kind.value,
                    start.date().isoformat(),
                    _clock(start),
                    _clock(end),
                    s.room.venue.name if s.room else "",
                    s.room.name if s.room else "",
                    "yes" if s.is_public else "no",
                    s.status.value,
                    "; ".join(p.name for p in s.chairs),
                    "; ".join(p.name for p in s.speakers),
                    s.spoken_language or "",
                    "; ".join(s.interpretation),
                    s.description,
                    *(
                        s.translations.get(language, {}).get(column, "")
                        for language in languages
                        for column in TRANSLATED
                    ),
                )
            ]
        )
    return out.getvalue()


def count_rows(raw: bytes) -> int:
    """Roughly how many rows a file has (for a progress bar): its lines after the first."""
    return max(raw.count(b"\n") - (0 if raw.endswith(b"\n") else -1) - 1, 0)
