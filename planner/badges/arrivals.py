"""Arrivals as they happen, for organisers: badges issued against badges arrived, by event,
zone and delegation; the latest arrivals; the refusals the scanners recorded; and the CSV.

Every figure is a GROUP BY in the database, so the page costs the same few queries whatever
the number of badges and scans. A badge counts as issued while it is not revoked, and as
arrived once it has an arrival at any zone (an arrival is a badge's earliest admitted scan
at a zone, ``checkin``). The figures are those of the scans synced so far: a scanner that is
offline sends its scans when it is back, so the page says when each device last synced.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import Text, and_, cast, func, select

from planner.accounts.models import User
from planner.accounts.permissions import require_organiser
from planner.audit.services import record
from planner.badges.models import Arrival, Badge, BadgeCategory, Scan, ScanOutcome, Zone
from planner.db import utcnow
from planner.extensions import db
from planner.forums.models import Event, EventKind, Forum
from planner.registration.models import Registration
from planner.spreadsheet_cells import cell

#: What the scanners refused or found twice, in the order the page shows them.
REFUSALS = (
    ScanOutcome.DUPLICATE,
    ScanOutcome.WRONG_ZONE,
    ScanOutcome.REVOKED,
    ScanOutcome.EXPIRED,
    ScanOutcome.FORGED,
    ScanOutcome.UNKNOWN_BADGE,
)
#: How many of the latest arrivals the page lists.
LATEST = 25

# Spreadsheets run cells starting with these as formulas (OWASP "CSV injection"), as the

#: The CSV's columns keep these English names and raw values (category and outcome values,
#: ISO 8601 times with the forum's UTC offset), as the other exports do.
ARRIVAL_COLUMNS = (
    "badge",
    "name",
    "latin_name",
    "delegation",
    "category",
    "zone",
    "zone_name",
    "event",
    "first_scanned_at",
    "device",
    "scans",
)
SCAN_COLUMNS = (
    "scan_id",
    "scanned_at",
    "received_at",
    "device",
    "scanned_by",
    "outcome",
    "manual",
    "badge",
    "badge_version",
    "name",
    "delegation",
    "category",
    "zone",
    "zone_name",
    "event",
)


@dataclass
class Tally:
    """Badges issued (not revoked) and, of them, the ones arrived."""

    issued: int = 0
    arrived: int = 0

    @property
    def waiting(self) -> int:
        return max(self.issued - self.arrived, 0)

    def add(self, issued: int, arrived: int) -> None:
        self.issued += issued
        self.arrived += arrived


@dataclass
class DelegationTally(Tally):
    name: str = ""  # as printed on the badges; "" for badges of no delegation or organisation


@dataclass
class EventTally(Tally):
    """The badges of the event's holders (its delegates, or its confirmed participants), the
    ones arrived anywhere, and the arrivals the doors recorded for the event."""

    event: Event | None = None
    at_its_doors: int = 0


@dataclass
class ZoneTally(Tally):
    """The badges that open the zone, and the ones arrived at it; what its scanners found (every outcome)."""

    zone: Zone | None = None  # None: scans naming a zone number the forum does not have
    outcomes: Counter[ScanOutcome] = field(default_factory=Counter)


@dataclass(frozen=True)
class LatestArrival:
    at: dt.datetime
    number: str
    name: str
    latin_name: str
    delegation: str
    category: BadgeCategory
    zone: Zone | None
    event: Event | None
    device: str


@dataclass(frozen=True)
class Device:
    name: str
    scans: int
    last_received_at: dt.datetime


@dataclass
class ArrivalsBoard:
    forum: Forum
    as_of: dt.datetime
    total: Tally
    revoked: int  # badges revoked, counted nowhere else
    by_event: list[EventTally]
    by_zone: list[ZoneTally]
    by_delegation: list[DelegationTally]
    latest: list[LatestArrival]
    outcomes: Counter[ScanOutcome]  # of every scan synced
    devices: list[Device]

    @property
    def scans(self) -> int:
        return sum(self.outcomes.values())

    @property
    def refused(self) -> int:
        return sum(self.outcomes[outcome] for outcome in REFUSALS)


def _arrived_badges(forum: Forum):  # noqa: ANN202  (a subquery)
    return select(Arrival.badge_id).where(Arrival.forum_id == forum.id).distinct().subquery()


def board(actor: User, forum: Forum, now: dt.datetime | None = None) -> ArrivalsBoard:
    """The forum's arrivals so far, for its organisers, in eight queries whatever the number of
    badges and scans."""
    require_organiser(actor, forum)
    as_of = now or utcnow()
    zones = list(db.session.scalars(select(Zone).where(Zone.forum_id == forum.id).order_by(Zone.number)))
    zone_by_id = {zone.id: zone for zone in zones}
    events = list(forum.events)
    event_by_id = {event.id: event for event in events}

    # Badges by delegation, category and (for participants) event; arrived ones among them.
    arrived = _arrived_badges(forum)
    groups = db.session.execute(
        select(
            Badge.affiliation,
            Badge.category,
            Registration.event_id,
            func.count(Badge.id),
            func.count(arrived.c.badge_id),
        )
        .outerjoin(arrived, arrived.c.badge_id == Badge.id)
        .outerjoin(Registration, Registration.id == Badge.registration_id)
        .where(Badge.forum_id == forum.id, Badge.revoked_at.is_(None))
        .group_by(Badge.affiliation, Badge.category, Registration.event_id)
    ).all()
    total = Tally()
    by_delegation: dict[str, DelegationTally] = {}
    delegates = Tally()
    participants_by_event: dict[int, Tally] = {}
    for affiliation, category, event_id, issued, came in groups:
        total.add(issued, came)
        by_delegation.setdefault(affiliation, DelegationTally(name=affiliation)).add(issued, came)
        if category is BadgeCategory.DELEGATE:
            delegates.add(issued, came)
        elif category is BadgeCategory.PARTICIPANT and event_id is not None:
            participants_by_event.setdefault(event_id, Tally()).add(issued, came)
    revoked = db.session.scalar(
        select(func.count()).select_from(Badge).where(Badge.forum_id == forum.id, Badge.revoked_at.is_not(None))
    )

    # The zones each badge opens, as printed: few distinct lists, however many badges.
    opening = db.session.execute(
        select(cast(Badge.zone_numbers, Text), func.count())
        .where(Badge.forum_id == forum.id, Badge.revoked_at.is_(None))
        .group_by(cast(Badge.zone_numbers, Text))
    ).all()
    opened_by_number: Counter[int] = Counter()
    for numbers, count in opening:
        for number in set(json.loads(numbers or "[]")):
            opened_by_number[number] += count

    # Arrivals by zone and by the event the door named.
    arrivals_at: Counter[int] = Counter()
    at_doors: Counter[int] = Counter()
    for arrival_zone, arrival_event, count in db.session.execute(
        select(Arrival.zone_id, Arrival.event_id, func.count())
        .join(Badge, Badge.id == Arrival.badge_id)
        .where(Arrival.forum_id == forum.id, Badge.revoked_at.is_(None))
        .group_by(Arrival.zone_id, Arrival.event_id)
    ):
        arrivals_at[arrival_zone] += count
        if arrival_event is not None:
            at_doors[arrival_event] += count

    # Every scan's outcome by zone, and each device's last sync.
    outcomes: Counter[ScanOutcome] = Counter()
    outcomes_at: dict[int | None, Counter[ScanOutcome]] = {}
    devices: list[Device] = []
    for device, scan_zone, outcome, count, last in db.session.execute(
        select(Scan.device, Scan.zone_id, Scan.outcome, func.count(), func.max(Scan.received_at))
        .where(Scan.forum_id == forum.id)
        .group_by(Scan.device, Scan.zone_id, Scan.outcome)
    ):
        outcomes[outcome] += count
        outcomes_at.setdefault(scan_zone, Counter())[outcome] += count
        devices.append(Device(device, count, last))

    by_zone = [
        ZoneTally(
            issued=opened_by_number[zone.number],
            arrived=arrivals_at[zone.id],
            zone=zone,
            outcomes=outcomes_at.get(zone.id, Counter()),
        )
        for zone in zones
    ]
    if None in outcomes_at:
        by_zone.append(ZoneTally(zone=None, outcomes=outcomes_at[None]))
    by_event = []
    for event in events:
        holders = delegates if event.kind is EventKind.MINISTERIAL else participants_by_event.get(event.id, Tally())
        by_event.append(
            EventTally(issued=holders.issued, arrived=holders.arrived, event=event, at_its_doors=at_doors[event.id])
        )

    latest = [
        LatestArrival(
            at=at,
            number=f"{number:04d}",
            name=name,
            latin_name=latin_name,
            delegation=affiliation,
            category=category,
            zone=zone_by_id.get(zone_id),
            event=event_by_id.get(event_id) if event_id is not None else None,
            device=device,
        )
        for at, zone_id, event_id, device, number, name, latin_name, affiliation, category in db.session.execute(
            select(
                Arrival.first_scanned_at,
                Arrival.zone_id,
                Arrival.event_id,
                Arrival.device,
                Badge.number,
                Badge.name,
                Badge.latin_name,
                Badge.affiliation,
                Badge.category,
            )
            .join(Badge, Badge.id == Arrival.badge_id)
            .where(Arrival.forum_id == forum.id)
            .order_by(Arrival.first_scanned_at.desc(), Badge.number)
            .limit(LATEST)
        )
    ]
    return ArrivalsBoard(
        forum=forum,
        as_of=as_of,
        total=total,
        revoked=revoked or 0,
        by_event=by_event,
        by_zone=by_zone,
        by_delegation=sorted(by_delegation.values(), key=lambda tally: (tally.name == "", tally.name.casefold())),
        latest=latest,
        outcomes=outcomes,
        devices=_by_device(devices),
    )


def _by_device(groups: Iterable[Device]) -> list[Device]:
    """One line a device (the query counts by device, zone and outcome), the latest sync first."""
    scans: Counter[str] = Counter()
    last: dict[str, dt.datetime] = {}
    for group in groups:
        scans[group.name] += group.scans
        if group.name not in last or group.last_received_at > last[group.name]:
            last[group.name] = group.last_received_at
    return sorted(
        (Device(name, scans[name], last[name]) for name in scans),
        key=lambda device: (-device.last_received_at.timestamp(), device.name),
    )


# -- the CSV --------------------------------------------------------------------------------


def _moment(moment: dt.datetime | None, forum: Forum) -> str:
    """ISO 8601 in the forum's timezone, with its UTC offset: what the forum's clocks showed."""
    return moment.astimezone(forum.zone).isoformat(timespec="seconds") if moment is not None else ""


@dataclass(frozen=True)
class Sheet:
    text: str
    rows: int
    name: str  # the file's name


def arrivals_csv(actor: User, forum: Forum) -> Sheet:
    """One row an arrival (a badge's first admitted scan at a zone), the earliest first, with
    the number of scans of that badge at that zone. Its download goes in the audit log."""
    require_organiser(actor, forum)
    per_zone = (
        select(Scan.badge_id, Scan.zone_id, func.count().label("scans"))
        .where(Scan.forum_id == forum.id, Scan.badge_id.is_not(None))
        .group_by(Scan.badge_id, Scan.zone_id)
        .subquery()
    )
    rows = db.session.execute(
        select(
            Badge.number,
            Badge.name,
            Badge.latin_name,
            Badge.affiliation,
            Badge.category,
            Zone.number,
            Zone.name,
            Event.code,
            Arrival.first_scanned_at,
            Arrival.device,
            per_zone.c.scans,
        )
        .join(Badge, Badge.id == Arrival.badge_id)
        .join(Zone, Zone.id == Arrival.zone_id)
        .outerjoin(Event, Event.id == Arrival.event_id)
        .outerjoin(per_zone, and_(per_zone.c.badge_id == Arrival.badge_id, per_zone.c.zone_id == Arrival.zone_id))
        .where(Arrival.forum_id == forum.id)
        .order_by(Arrival.first_scanned_at, Badge.number, Zone.number)
    ).all()
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(ARRIVAL_COLUMNS)
    for number, name, latin, affiliation, category, zone, zone_name, code, at, device, scans in rows:
        writer.writerow(
            [
                cell(v)
                for v in (
                    f"{number:04d}",
                    name,
                    latin,
                    affiliation,
                    category.value,
                    zone,
                    zone_name,
                    code,
                    _moment(at, forum),
                    device,
                    scans or 0,
                )
            ]
        )
    _record_download(actor, forum, "arrivals", len(rows))
    return Sheet(out.getvalue(), len(rows), f"{forum.slug}-arrivals.csv")


def scans_csv(actor: User, forum: Forum) -> Sheet:
    """Every scan synced, in the order they were made, with the server's verdict on it. Its
    download goes in the audit log."""
    require_organiser(actor, forum)
    rows = db.session.execute(
        select(
            Scan.scan_uuid,
            Scan.scanned_at,
            Scan.received_at,
            Scan.device,
            User.name,
            Scan.outcome,
            Scan.manual,
            Badge.number,
            Scan.badge_version,
            Badge.name,
            Badge.affiliation,
            Badge.category,
            Zone.number,
            Zone.name,
            Event.code,
        )
        .outerjoin(User, User.id == Scan.scanned_by_id)
        .outerjoin(Badge, Badge.id == Scan.badge_id)
        .outerjoin(Zone, Zone.id == Scan.zone_id)
        .outerjoin(Event, Event.id == Scan.event_id)
        .where(Scan.forum_id == forum.id)
        .order_by(Scan.scanned_at, Scan.id)
    ).all()
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(SCAN_COLUMNS)
    for (
        scan_uuid,
        scanned_at,
        received_at,
        device,
        scanned_by,
        outcome,
        manual,
        number,
        version,
        name,
        affiliation,
        category,
        zone,
        zone_name,
        code,
    ) in rows:
        writer.writerow(
            [
                cell(v)
                for v in (
                    scan_uuid,
                    _moment(scanned_at, forum),
                    _moment(received_at, forum),
                    device,
                    scanned_by,
                    outcome.value,
                    "yes" if manual else "no",
                    f"{number:04d}" if number is not None else "",
                    version,
                    name,
                    affiliation,
                    category.value if category is not None else "",
                    zone,
                    zone_name,
                    code,
                )
            ]
        )
    _record_download(actor, forum, "scans", len(rows))
    return Sheet(out.getvalue(), len(rows), f"{forum.slug}-scans.csv")


def _record_download(actor: User, forum: Forum, what: str, rows: int) -> None:
    """The file holds badge holders' names and their movements: who took a copy is recorded."""
    summary = (
        _("%(num)d arrivals downloaded", num=rows) if what == "arrivals" else _("%(num)d scans downloaded", num=rows)
    )
    record(
        actor,
        "arrivals.exported",
        forum_id=forum.id,
        target=("forum", forum.id),
        summary=summary,
        after={"file": what, "rows": rows},
    )
