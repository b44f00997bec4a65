"""Scans synced from the scanners: checked again here, kept once, and arrivals in order.

A scanner decides at the door on its own (it may have no network) and later sends its scans in
batches. The server trusts none of its verdicts: it checks each token's signature, forum and
key, the badge's revocation, its dates at the moment of the scan, and the zone. Each scan has
the device's own id, so a batch sent twice, or a retry after a lost answer, is answered from
what is stored and counts nothing twice. A badge's arrival at a zone is its earliest admitted
scan, whichever device syncs first: a later one that turns out earlier takes its place.

A batch costs the same handful of queries whatever its size: inserts are INSERT ... ON CONFLICT
DO NOTHING (so two devices, or two workers, racing for one scan or one arrival agree), and
everything a batch reads is read in one query per table.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, cast

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString
from sqlalchemy import String, Table, bindparam, func, literal, select, tuple_, union_all, update
from sqlalchemy import cast as cast_
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from planner.accounts.models import User
from planner.badges import issuing, signing
from planner.badges.models import Arrival, Badge, ForumSigningKey, Scan, ScanOutcome, Zone
from planner.badges.scanners import require_scanner
from planner.db import utcnow
from planner.extensions import db
from planner.forums.models import Event, Forum
from planner.refusals import Refused

#: The most scans one request may carry (a scanner sends 50 at a time).
MAX_BATCH = 200
#: A device's clock may run this far ahead before its time is replaced by the server's.
CLOCK_SLACK = dt.timedelta(minutes=10)
_DEVICE = re.compile(r"[A-Za-z0-9._:-]{1,64}")
SCANS = cast(Table, Scan.__table__)
ARRIVALS = cast(Table, Arrival.__table__)


class BatchRefused(Refused):
    """A batch that is not what scanners send: nothing of it is kept."""


@dataclass(frozen=True)
class ScanIn:
    scan_id: str
    token: str | None
    badge_id: int | None  # a check-in by search, without a token
    zone: int
    event: str | None
    at: dt.datetime


@dataclass
class ScanResult:
    scan_id: str
    outcome: ScanOutcome
    badge_id: int | None
    replayed: bool = False
    first_at: dt.datetime | None = None
    first_zone: int | None = None

    def as_json(self) -> dict[str, Any]:
        first = (
            {"at": self.first_at.isoformat().replace("+00:00", "Z"), "zone": self.first_zone}
            if self.first_at is not None
            else None
        )
        return {
            "id": self.scan_id,
            "outcome": self.outcome.value,
            "badge": self.badge_id,
            "first": first,
            "replayed": self.replayed,
        }


# -- reading a batch ----------------------------------------------------------------------


def _scan_id(value: Any, where: LazyString) -> str:
    if isinstance(value, str) and len(value) <= 64:
        try:
            return str(uuid.UUID(value))
        except ValueError:
            pass
    raise BatchRefused(_("%(where)s: the scan's id is not a UUID.", where=where))


def _moment(value: Any, where: LazyString) -> dt.datetime:
    if not isinstance(value, str) or len(value) > 40:
        raise BatchRefused(_("%(where)s: the time of the scan is missing.", where=where))
    try:
        moment = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise BatchRefused(_("%(where)s: the time of the scan is not an ISO 8601 time.", where=where)) from None
    if moment.tzinfo is None:
        raise BatchRefused(_("%(where)s: the time of the scan needs its UTC offset.", where=where))
    try:
        return moment.astimezone(dt.UTC)
    except OverflowError:  # year 1 or 9999 with an offset that takes it past the calendar
        raise BatchRefused(_("%(where)s: the time of the scan is out of range.", where=where)) from None


def read_batch(payload: Any) -> tuple[str, list[ScanIn]]:
    """The device and its scans, or ``BatchRefused`` naming the first thing wrong."""
    if not isinstance(payload, dict):
        raise BatchRefused(_("Send a JSON object with a device and its scans."))
    device = payload.get("device")
    if not isinstance(device, str) or not _DEVICE.fullmatch(device):
        raise BatchRefused(_("The device's name is missing or not 1 to 64 letters, digits and . _ : -."))
    scans = payload.get("scans")
    if not isinstance(scans, list):
        raise BatchRefused(_("The scans must be a list."))
    if len(scans) > MAX_BATCH:
        raise BatchRefused(_("Send at most %(count)d scans at a time.", count=MAX_BATCH))
    read: list[ScanIn] = []
    seen: set[str] = set()
    for index, item in enumerate(scans, start=1):
        where = _l("Scan %(number)d", number=index)  # translated only for a refusal
        if not isinstance(item, dict):
            raise BatchRefused(_("%(where)s is not an object.", where=where))
        scan_id = _scan_id(item.get("id"), where)
        if scan_id in seen:
            raise BatchRefused(_("%(where)s repeats the id of an earlier scan in the batch.", where=where))
        seen.add(scan_id)
        token, badge = item.get("token"), item.get("badge")
        if token is not None and (not isinstance(token, str) or len(token) > signing.MAX_TOKEN_LENGTH):
            raise BatchRefused(_("%(where)s: the token is not a badge's text.", where=where))
        if token is None and (not isinstance(badge, int) or isinstance(badge, bool) or not 0 < badge < 2**31):
            raise BatchRefused(_("%(where)s needs a token or a badge's number.", where=where))
        zone = item.get("zone")
        if not isinstance(zone, int) or isinstance(zone, bool) or not 1 <= zone <= 255:
            raise BatchRefused(_("%(where)s: the zone must be a zone's number (1 to 255).", where=where))
        event = item.get("event")
        if event is not None and (not isinstance(event, str) or not 0 < len(event) <= 32):
            raise BatchRefused(_("%(where)s: the event must be an event's code.", where=where))
        read.append(
            ScanIn(
                scan_id=scan_id,
                token=token,
                badge_id=badge if token is None else None,
                zone=zone,
                event=event,
                at=_moment(item.get("at"), where),
            )
        )
    return device, read


# -- judging and keeping a batch ------------------------------------------------------------


def _insert(table: Table, rows: Sequence[Mapping[str, Any]], conflict: list[str], returning: Sequence[Any]) -> list:
    """One INSERT ... ON CONFLICT DO NOTHING RETURNING for all ``rows`` (dicts with the same
    keys). Into the table, not through the ORM: the ORM's bulk insert sends one statement for
    each run of rows with the same columns left empty (a batch's scans alternate: forged ones
    have no badge, most no event), so the statements would grow with the batch."""
    if not rows:
        return []
    if db.session.get_bind().dialect.name == "postgresql":
        # Each column as one array, unnested: a short statement whatever the number of rows.
        # A VALUES list of 50 scans is 12 kB of SQL, which psycopg parses afresh every time
        # (it caches statements up to 4 kB only): as long as judging the scans.
        names = list(rows[0])
        arrays = [
            cast_(
                bindparam(f"all_{name}", [row[name] for row in rows], type_=ARRAY(table.c[name].type)),
                ARRAY(table.c[name].type),
            )
            for name in names
        ]
        source = select(*(func.unnest(array) for array in arrays))
        statement = (
            postgresql_insert(table)
            .from_select(names, source)
            .on_conflict_do_nothing(index_elements=conflict)
            .returning(*returning)
        )
        return list(db.session.execute(statement).all())
    statement = sqlite_insert(table).on_conflict_do_nothing(index_elements=conflict).returning(*returning)
    return list(db.session.execute(statement, list(rows)).all())


@dataclass
class _Verdict:
    scan: ScanIn
    outcome: ScanOutcome
    badge_id: int | None = None
    version: int | None = None


def _badge_states(forum: Forum, ids: set[int]) -> dict[int, Any]:
    """What judging needs of each badge, whether its holder's right lapsed included, in one
    query of plain rows (not models: a batch's badges cost as much to load as to judge)."""
    if not ids:
        return {}
    rows = db.session.execute(
        select(
            Badge.id,
            Badge.version,
            Badge.revoked_at,
            Badge.valid_from,
            Badge.valid_until,
            Badge.zone_numbers,
            issuing.holder_lapsed().label("lapsed"),
        ).where(Badge.forum_id == forum.id, Badge.id.in_(ids))
    )
    return {row.id: row for row in rows}


def _forum_facts(forum: Forum) -> tuple[dict[int, int], dict[str, int], dict[int, Ed25519PublicKey]]:
    """The forum's zones (number to id), events (code to id) and verifying keys (id to public
    key), in one round trip: a batch is a few milliseconds of work, and each query is one more
    wait on the database."""
    facts = union_all(
        select(literal("zone"), cast_(Zone.number, String), Zone.id).where(Zone.forum_id == forum.id),
        select(literal("event"), Event.code, Event.id).where(Event.forum_id == forum.id),
        select(literal("key"), ForumSigningKey.public_key, ForumSigningKey.id).where(
            ForumSigningKey.forum_id == forum.id, ForumSigningKey.retired_at.is_(None)
        ),
    )
    zones: dict[int, int] = {}
    events: dict[str, int] = {}
    keys: dict[int, Ed25519PublicKey] = {}
    for kind, value, row_id in db.session.execute(facts):
        if kind == "zone":
            zones[int(value)] = row_id
        elif kind == "event":
            events[value] = row_id
        else:
            keys[row_id] = signing.public_key_from(value)
    return zones, events, keys


def _judge(
    forum: Forum, scans: list[ScanIn], zones: Mapping[int, int], keys: Mapping[int, Ed25519PublicKey]
) -> list[_Verdict]:
    verdicts: list[_Verdict] = []
    tokens: dict[str, signing.BadgeToken] = {}
    wanted: set[int] = set()
    for scan in scans:
        if scan.token is None:
            wanted.add(scan.badge_id or 0)
            continue
        try:
            verified = signing.verify_token(scan.token, forum.id, keys)
        except signing.TokenRefused:
            continue
        tokens[scan.scan_id] = verified
        wanted.add(verified.badge_id)
    badges = _badge_states(forum, wanted)
    for scan in scans:
        token = tokens.get(scan.scan_id)
        if scan.token is not None and token is None:
            verdicts.append(_Verdict(scan, ScanOutcome.FORGED))
            continue
        badge = badges.get(token.badge_id if token else scan.badge_id or 0)
        if badge is None:
            # A genuine signature on a badge this forum no longer has: as good as revoked.
            outcome = ScanOutcome.REVOKED if token else ScanOutcome.UNKNOWN_BADGE
            verdicts.append(_Verdict(scan, outcome))
            continue
        version = token.version if token else badge.version
        valid = token.is_valid_at(scan.at) if token else badge.valid_from <= scan.at < badge.valid_until
        opens = token.zones if token else tuple(badge.zone_numbers)
        if badge.revoked_at is not None or badge.lapsed or version != badge.version:
            outcome = ScanOutcome.REVOKED
        elif not valid:
            outcome = ScanOutcome.EXPIRED
        elif scan.zone not in opens or scan.zone not in zones:
            outcome = ScanOutcome.WRONG_ZONE
        else:
            outcome = ScanOutcome.ADMITTED
        verdicts.append(_Verdict(scan, outcome, badge.id, version))
    return verdicts


def sync(actor: User, forum: Forum, device: str, scans: list[ScanIn]) -> list[ScanResult]:
    """Keep the batch's new scans with the server's verdicts, and answer every scan of it."""
    require_scanner(actor, forum)
    if not scans:
        return []
    now = utcnow()
    scans = [scan if scan.at <= now + CLOCK_SLACK else _at(scan, now) for scan in scans]
    zones, events, keys = _forum_facts(forum)
    numbers = {zone_id: number for number, zone_id in zones.items()}
    # Every scan is judged and offered to the table: a scan id kept before inserts nothing and
    # is answered as stored, which costs a batch of new scans no query to look for old ones.
    verdicts = sorted(_judge(forum, scans, zones, keys), key=lambda verdict: verdict.scan.at)
    # Rows go in in key order, so two requests inserting the same keys wait for each other
    # instead of deadlocking.
    rows = [
        {
            "forum_id": forum.id,
            "scan_uuid": verdict.scan.scan_id,
            "device": device,
            "scanned_by_id": actor.id,
            "badge_id": verdict.badge_id,
            "badge_version": verdict.version,
            "zone_id": zones.get(verdict.scan.zone),
            "event_id": events.get(verdict.scan.event or ""),
            "outcome": verdict.outcome,
            "manual": verdict.scan.token is None,
            "scanned_at": verdict.scan.at,
            "received_at": now,
        }
        for verdict in sorted(verdicts, key=lambda verdict: verdict.scan.scan_id)
    ]
    kept = _insert(SCANS, rows, ["forum_id", "scan_uuid"], [Scan.id, Scan.scan_uuid])
    inserted = {scan_uuid: scan_id for scan_id, scan_uuid in kept}
    # Scans kept before (a replay, or a retry racing its first try): their stored answers.
    stored = _stored(forum, [verdict.scan.scan_id for verdict in verdicts if verdict.scan.scan_id not in inserted])
    # Admitted new scans of one badge at one zone: the earliest is the candidate arrival, the
    # others duplicates (kept as admitted a moment ago, so they are set right with the rest).
    candidates: dict[tuple[int, int], _Verdict] = {}
    twice: list[int] = []
    for verdict in verdicts:
        if verdict.outcome is ScanOutcome.ADMITTED and verdict.scan.scan_id in inserted:
            pair = (verdict.badge_id or 0, zones[verdict.scan.zone])
            if pair in candidates:
                verdict.outcome = ScanOutcome.DUPLICATE
                twice.append(inserted[verdict.scan.scan_id])
            else:
                candidates[pair] = verdict
    firsts = _settle_arrivals(forum, device, candidates, inserted, events, twice)

    results: dict[str, ScanResult] = {scan_id: result for scan_id, result in stored.items()}
    for verdict in verdicts:
        if verdict.scan.scan_id in results:
            continue
        result = ScanResult(verdict.scan.scan_id, verdict.outcome, verdict.badge_id)
        if verdict.badge_id is not None and verdict.scan.zone in zones:
            pair = (verdict.badge_id, zones[verdict.scan.zone])
            first = firsts.get(pair)
            if first is not None and first[0] != inserted.get(verdict.scan.scan_id):
                if result.outcome is ScanOutcome.ADMITTED:
                    result.outcome = ScanOutcome.DUPLICATE
                result.first_at, result.first_zone = first[1], numbers.get(pair[1])
        results[verdict.scan.scan_id] = result
    return [results[scan.scan_id] for scan in scans]


def _at(scan: ScanIn, moment: dt.datetime) -> ScanIn:
    return ScanIn(scan.scan_id, scan.token, scan.badge_id, scan.zone, scan.event, moment)


def _settle_arrivals(
    forum: Forum,
    device: str,
    candidates: dict[tuple[int, int], _Verdict],
    inserted: Mapping[str, int],
    events: Mapping[str, int],
    demoted: list[int],
) -> dict[tuple[int, int], tuple[int, dt.datetime]]:
    """Make each candidate its badge's arrival at the zone unless an earlier one is kept, and
    make duplicates of the scans that lose (with ``demoted``, duplicates already known); the
    arrivals of every pair the batch touched, as (first scan's id, its time)."""
    rows = [
        {
            "badge_id": badge_id,
            "zone_id": zone_id,
            "forum_id": forum.id,
            "first_scan_id": inserted[verdict.scan.scan_id],
            "first_scanned_at": verdict.scan.at,
            "event_id": events.get(verdict.scan.event or ""),
            "device": device,
        }
        for (badge_id, zone_id), verdict in sorted(candidates.items())
    ]
    won = set(_insert(ARRIVALS, rows, ["badge_id", "zone_id"], [Arrival.badge_id, Arrival.zone_id]))
    contested = [pair for pair in candidates if pair not in won]
    firsts: dict[tuple[int, int], tuple[int, dt.datetime]] = {
        pair: (inserted[candidates[pair].scan.scan_id], candidates[pair].scan.at) for pair in won
    }
    if contested:
        kept = db.session.execute(
            select(Arrival.badge_id, Arrival.zone_id, Arrival.first_scan_id, Arrival.first_scanned_at)
            .where(tuple_(Arrival.badge_id, Arrival.zone_id).in_(contested))
            .order_by(Arrival.badge_id, Arrival.zone_id)
            .with_for_update()
        ).all()
        earlier: list[dict[str, Any]] = []
        for badge_id, zone_id, first_scan_id, first_at in kept:
            pair = (badge_id, zone_id)
            verdict = candidates[pair]
            scan_id = inserted[verdict.scan.scan_id]
            if verdict.scan.at < first_at:
                demoted.append(first_scan_id)
                earlier.append(
                    {
                        "pair_badge": badge_id,
                        "pair_zone": zone_id,
                        "new_scan": scan_id,
                        "new_at": verdict.scan.at,
                        "new_device": device,
                        "new_event": events.get(verdict.scan.event or ""),
                    }
                )
                firsts[pair] = (scan_id, verdict.scan.at)
            else:
                demoted.append(scan_id)
                firsts[pair] = (first_scan_id, first_at)
        if earlier:
            # One statement for every arrival an earlier scan takes over (the ORM would send one
            # a set of columns that changed).
            db.session.execute(
                update(ARRIVALS)
                .where(ARRIVALS.c.badge_id == bindparam("pair_badge"), ARRIVALS.c.zone_id == bindparam("pair_zone"))
                .values(
                    first_scan_id=bindparam("new_scan"),
                    first_scanned_at=bindparam("new_at"),
                    device=bindparam("new_device"),
                    event_id=bindparam("new_event"),
                ),
                earlier,
            )
    if demoted:
        db.session.execute(update(SCANS).where(SCANS.c.id.in_(demoted)).values(outcome=ScanOutcome.DUPLICATE))
    return firsts


def _stored(forum: Forum, scan_ids: list[str]) -> dict[str, ScanResult]:
    """Scans already kept, answered as they were judged (with the arrival that came first)."""
    if not scan_ids:
        return {}
    rows = db.session.execute(
        select(Scan.scan_uuid, Scan.outcome, Scan.badge_id, Arrival.first_scanned_at, Zone.number)
        .outerjoin(Arrival, (Arrival.badge_id == Scan.badge_id) & (Arrival.zone_id == Scan.zone_id))
        .outerjoin(Zone, Zone.id == Arrival.zone_id)
        .where(Scan.forum_id == forum.id, Scan.scan_uuid.in_(scan_ids))
    )
    answers = {}
    for scan_uuid, outcome, badge_id, first_at, zone in rows:
        result = ScanResult(scan_uuid, outcome, badge_id, replayed=True)
        if outcome is ScanOutcome.DUPLICATE and first_at is not None:
            result.first_at, result.first_zone = first_at, zone
        answers[scan_uuid] = result
    return answers
