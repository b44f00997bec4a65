"""The organisers' allocation of bilaterals: 60 delegations ask for 400 bilaterals over two
days of 20 slots in 6 rooms; how long the allocation takes, how many SQL statements it
sends, and how many it places against the best possible for that input.

Builds a database with the migrations (a fresh temporary SQLite file, or the one named by
DATABASE_URL, which must be a database of its own: its ``public`` schema is recreated) and
one forum, from a fixed random seed: 60 delegations of three members, 6 bilateral rooms, two
days of 20 slots of 30 minutes (08:00 to 18:00, Tokyo), and 400 bilaterals between distinct
pairs of delegations, already accepted by both sides, each naming 3 preferred slots and one
or two participants per side. The programme takes some of it: a session holds one bilateral
room the first morning, and 30 of the participants speak in a two-hour plenary on the second
day. Then, in this process:

1. ``/healthz`` through the test client, 300 times: the unit of time the figures are given in
   (``*_ratio``: the operation's time over one /healthz answer, measured in the same run);
2. ``services.place_accepted`` (the organisers' "Place the accepted bilaterals"), timed and
   its SQL statements counted, with the invitations off, twice from nothing placed: with
   the daily limit 4 (tight: a day's delegation places, 60 x 4 / 2, are as few as its
   room-slots, 6 x 20) and 5 (the rooms are the scarce thing); then the invitations of
   every bilateral placed (iTIP REQUEST by mail to each participant), timed and counted apart
   (every delegation takes part and every participant is accredited, so none is held back:
   ``held_back`` is 0);
3. the day's grid (the organisers' page, signed in), its time and statements;
4. the best possible: ``allocation.upper_bound`` on the same facts. It counts what every
   placement uses (a preferred slot with a free room, two delegations free there, one of
   each delegation's places under the daily limit that day), so no allocation places more;
   when ``placed`` equals it the allocation is proven the best there is. Also the plain
   greedy pass without the repairs, to show what the repairs add.

Usage, from the project root:  .venv/bin/python benchmarks/bilaterals.py
The last line printed is one JSON object with the results; the exit status is 1 when the
database's places break a rule (two in a room, a delegation twice in a slot or past its limit).
"""

from __future__ import annotations

import datetime as dt
import random
import secrets
import sys
import time
from collections import Counter
from pathlib import Path

from serving import ROOT, BenchmarkError, bench_database_url, database_name, run, upgrade_schema, wipe_postgresql
from sqlalchemy import delete, event, func, select, update

sys.path.insert(0, str(ROOT))
from werkzeug.security import generate_password_hash  # noqa: E402

from planner import create_app  # noqa: E402
from planner.accounts import sessions  # noqa: E402
from planner.accounts.models import User  # noqa: E402
from planner.bilaterals import allocation, invitations, placing, reading, services, standing  # noqa: E402
from planner.bilaterals.models import (  # noqa: E402
    Bilateral,
    BilateralParticipant,
    BilateralPreference,
    BilateralRoom,
    BilateralSettings,
    BilateralSlot,
    BilateralStatus,
    DelegationDay,
    DelegationSlotHold,
    PersonSlotHold,
)
from planner.delegations.models import Delegation, DelegationKind, DelegationMember, NominationStatus, Person  # noqa: E402
from planner.extensions import db  # noqa: E402
from planner.forums.models import Event, EventKind, Forum, Room, Venue  # noqa: E402
from planner.schedule.models import ParticipantRole, Session, SessionParticipant  # noqa: E402

SEED = 2018
SLUG = "bench-bilaterals"
DELEGATIONS, MEMBERS, REQUESTS, ROOMS = 60, 3, 400, 6
DAYS = (dt.date(2030, 3, 4), dt.date(2030, 3, 5))
SLOTS_PER_DAY, SLOT_MINUTES, FIRST_HOUR = 20, 30, 8
PREFERENCES = 3
#: The daily limits the allocation runs with: four (tight), then five.
TIGHT_AND_ROOMY = (4, 5)
HEALTHZ_REPEATS = 300
ADMIN_EMAIL = "admin@bench.example"


def load(app) -> None:  # noqa: ANN001
    rng = random.Random(SEED)
    with app.app_context():
        db.session.add(
            User(
                email=ADMIN_EMAIL,
                name="Admin",
                given_name="Admin",
                password_hash=generate_password_hash(secrets.token_urlsafe(16)),
                is_admin=True,
                email_verified_at=dt.datetime.now(dt.UTC),
            )
        )
        forum = Forum(
            slug=SLUG,
            name="BENCH",
            title="Benchmark forum",
            host_city="Tokyo",
            host_country="JP",
            timezone="Asia/Tokyo",
            first_day=DAYS[0],
            last_day=DAYS[-1],
        )
        db.session.add(forum)
        db.session.flush()
        venue = Venue(forum_id=forum.id, name="Bench venue")
        db.session.add(venue)
        db.session.flush()
        rooms = [Room(venue_id=venue.id, name=f"Bilateral room {n + 1}") for n in range(ROOMS)]
        hall = Room(venue_id=venue.id, name="Plenary hall")
        db.session.add_all([*rooms, hall])
        db.session.flush()
        db.session.add_all(BilateralRoom(room_id=r.id, forum_id=forum.id) for r in rooms)
        db.session.add(BilateralSettings(forum_id=forum.id, daily_limit=TIGHT_AND_ROOMY[0]))
        slots = []
        for day in DAYS:
            for n in range(SLOTS_PER_DAY):
                start = dt.datetime.combine(day, dt.time(FIRST_HOUR), tzinfo=forum.zone) + dt.timedelta(
                    minutes=SLOT_MINUTES * n
                )
                slots.append(
                    BilateralSlot(
                        forum_id=forum.id, day=day, starts_at=start, ends_at=start + dt.timedelta(minutes=SLOT_MINUTES)
                    )
                )
        db.session.add_all(slots)
        delegations = [
            Delegation(forum_id=forum.id, name=f"Delegation {n:02d}", kind=DelegationKind.ORGANISATION)
            for n in range(DELEGATIONS)
        ]
        db.session.add_all(delegations)
        db.session.flush()
        members: dict[int, list[Person]] = {}
        for delegation in delegations:
            people = [
                Person(name=f"{delegation.name} member {m}", email=f"d{delegation.id}m{m}@bench.example")
                for m in range(MEMBERS)
            ]
            db.session.add_all(people)
            db.session.flush()
            db.session.add_all(
                DelegationMember(delegation_id=delegation.id, person_id=p.id, status=NominationStatus.ACCREDITED)
                for p in people
            )
            members[delegation.id] = people
        # The programme: a session in the last bilateral room the first morning, a plenary
        # on the second day with 30 participants speaking.
        event_ = Event(
            forum_id=forum.id,
            kind=EventKind.MINISTERIAL,
            code="MIN",
            title="Ministerial meeting",
            starts_at=dt.datetime.combine(DAYS[0], dt.time(8), tzinfo=forum.zone),
            ends_at=dt.datetime.combine(DAYS[-1], dt.time(19), tzinfo=forum.zone),
        )
        db.session.add(event_)
        db.session.flush()
        briefing = Session(
            event_id=event_.id,
            title="Press briefing",
            room_id=rooms[-1].id,
            starts_at=dt.datetime.combine(DAYS[0], dt.time(8), tzinfo=forum.zone),
            ends_at=dt.datetime.combine(DAYS[0], dt.time(10), tzinfo=forum.zone),
        )
        plenary = Session(
            event_id=event_.id,
            title="Plenary",
            room_id=hall.id,
            starts_at=dt.datetime.combine(DAYS[1], dt.time(9), tzinfo=forum.zone),
            ends_at=dt.datetime.combine(DAYS[1], dt.time(11), tzinfo=forum.zone),
        )
        db.session.add_all([briefing, plenary])
        db.session.flush()
        speakers = rng.sample([p for people in members.values() for p in people], 30)
        db.session.add_all(
            SessionParticipant(session_id=plenary.id, person_id=p.id, role=ParticipantRole.SPEAKER, position=n)
            for n, p in enumerate(speakers)
        )
        pairs: set[tuple[int, int]] = set()
        ids = [d.id for d in delegations]
        while len(pairs) < REQUESTS:
            a, b = rng.sample(ids, 2)
            pairs.add((min(a, b), max(a, b)))
        for a, b in sorted(pairs):
            bilateral = Bilateral(
                forum_id=forum.id,
                requester_id=a,
                requested_id=b,
                topic=f"Cooperation of {a} and {b}",
                status=BilateralStatus.ACCEPTED,
            )
            db.session.add(bilateral)
            db.session.flush()
            for position, slot in enumerate(rng.sample(slots, PREFERENCES)):
                db.session.add(BilateralPreference(bilateral_id=bilateral.id, slot_id=slot.id, position=position))
            for side in (a, b):
                for person in rng.sample(members[side], rng.choice((1, 2))):
                    db.session.add(
                        BilateralParticipant(bilateral_id=bilateral.id, person_id=person.id, delegation_id=side)
                    )
        db.session.commit()
        db.session.remove()


class Statements:
    def __init__(self) -> None:
        self.count = 0

    def __call__(self, *args: object) -> None:
        self.count += 1


def counted(engine, work):  # noqa: ANN001, ANN201
    """(result, seconds, statements) of ``work()``."""
    statements = Statements()
    event.listen(engine, "before_cursor_execute", statements)
    started = time.perf_counter()
    try:
        result = work()
    finally:
        seconds = time.perf_counter() - started
        event.remove(engine, "before_cursor_execute", statements)
    return result, seconds, statements.count


def greedy_only(wishes: list[allocation.Wish], board: allocation.Board) -> int:
    placed = 0
    for wish in sorted(wishes, key=lambda w: (len(w.slots), w.id)):
        place = allocation.first_place(wish, board)
        if place is not None:
            board.take(wish, place)
            placed += 1
    return placed


def rules_hold(limit: int) -> bool:
    """The places in the database keep every rule (checked by counting, not by the code)."""
    rooms = db.session.execute(
        select(Bilateral.slot_id, Bilateral.room_id, func.count())
        .where(Bilateral.slot_id.is_not(None))
        .group_by(Bilateral.slot_id, Bilateral.room_id)
        .having(func.count() > 1)
    ).all()
    per_slot: Counter[tuple[int, int]] = Counter()
    per_day: Counter[tuple[int, dt.date]] = Counter()
    for requester, requested, slot_id, day in db.session.execute(
        select(Bilateral.requester_id, Bilateral.requested_id, Bilateral.slot_id, BilateralSlot.day).join(
            BilateralSlot, BilateralSlot.id == Bilateral.slot_id
        )
    ):
        for d in (requester, requested):
            per_slot[(d, slot_id)] += 1
            per_day[(d, day)] += 1
    return not rooms and max(per_slot.values(), default=0) <= 1 and max(per_day.values(), default=0) <= limit


def reset(limit: int) -> None:
    """Every bilateral back to accepted without a place, and the forum's limit ``limit``."""
    db.session.execute(delete(DelegationSlotHold))
    db.session.execute(delete(PersonSlotHold))
    db.session.execute(delete(DelegationDay))
    db.session.execute(
        update(Bilateral).values(status=BilateralStatus.ACCEPTED.value, slot_id=None, room_id=None, awaiting_id=None)
    )
    db.session.execute(update(BilateralSettings).values(daily_limit=limit))
    db.session.commit()


def allocate_with(engine, limit: int, healthz: float) -> dict[str, object]:  # noqa: ANN001
    """The organisers' allocation with the daily limit ``limit``, from nothing placed."""
    reset(limit)
    forum = db.session.scalars(select(Forum).where(Forum.slug == SLUG)).one()
    admin = db.session.scalars(select(User).where(User.email == ADMIN_EMAIL)).one()
    # The bound is over those the allocation tries: the ones that can still go ahead (here all).
    going_ahead, _held_back = standing.sorted_out(reading.accepted_waiting(forum))
    wishes = [placing.wish_of(b) for b in going_ahead]
    board = placing.load_board(forum, (p for w in wishes for p in w.people))
    best = allocation.upper_bound(wishes, placing.copy_of(board))
    greedy = greedy_only(wishes, placing.copy_of(board))
    db.session.rollback()
    forum = db.session.scalars(select(Forum).where(Forum.slug == SLUG)).one()
    admin = db.session.scalars(select(User).where(User.email == ADMIN_EMAIL)).one()
    outcome, seconds, statements = counted(engine, lambda: services.place_accepted(admin, forum, notify=False))
    db.session.commit()
    placed, left, held_back = len(outcome.placed), len(outcome.without_place), len(outcome.held_back)
    print(
        f"daily limit {limit}: placed {placed} of {REQUESTS} (best possible at most {best}, greedy alone {greedy})"
        f" in {seconds * 1000:.1f} ms, {statements} statements",
        flush=True,
    )
    return {
        "daily_limit": limit,
        "placed": placed,
        "left": left,
        "held_back": held_back,
        "best_upper_bound": best,
        "proven_best": placed == best,
        "greedy_only": greedy,
        "allocation_ms": round(seconds * 1000, 1),
        "allocation_queries": statements,
        "allocation_ratio": round(seconds / healthz, 1),
        "rules_hold": rules_hold(limit),
    }


def work(tmp: Path) -> dict[str, object]:
    database_url = bench_database_url(tmp)
    if database_name(database_url) == "postgresql":
        wipe_postgresql(database_url, [("forums", "slug <> %s", SLUG)], "bench_bilaterals")
    upgrade_schema(database_url)
    app = create_app({"ENV": "testing", "SQLALCHEMY_DATABASE_URI": database_url, "MAIL_PROMPT_DELIVERY": "off"})
    print(f"Loading {DELEGATIONS} delegations and {REQUESTS} accepted bilaterals (seed {SEED})...", flush=True)
    load(app)
    client = app.test_client()
    with app.app_context():
        engine = db.engine
        for _ in range(20):
            client.get("/healthz")
        started = time.perf_counter()
        for _ in range(HEALTHZ_REPEATS):
            if client.get("/healthz").status_code != 200:
                raise BenchmarkError("/healthz does not answer 200")
        healthz = (time.perf_counter() - started) / HEALTHZ_REPEATS

    with app.test_request_context(method="POST"):
        # The tight case first: four a day makes the delegations' places (60 x 4 / 2 a day)
        # as scarce as the rooms (6 x 20), so both bounds bind at once.
        runs = [allocate_with(engine, limit, healthz) for limit in TIGHT_AND_ROOMY]
        scheduled = db.session.scalars(
            select(Bilateral).where(Bilateral.status == BilateralStatus.SCHEDULED).order_by(Bilateral.id)
        ).all()
        sent, invite_s, invite_queries = counted(
            engine, lambda: sum(invitations.send(b, invitations.REQUEST) for b in scheduled)
        )
        db.session.commit()
        admin = db.session.scalars(select(User).where(User.email == ADMIN_EMAIL)).one()
        key = sessions.open_session(admin)
        db.session.commit()
    with client.session_transaction() as cookie:
        cookie.update(sessions.cookie_values(key))
    with app.app_context():
        grid_url = f"/forums/{SLUG}/manage/bilaterals?day={DAYS[0].isoformat()}"
        client.get(grid_url)  # warm the templates
        response, grid_s, grid_queries = counted(engine, lambda: client.get(grid_url))
        if response.status_code != 200:
            raise BenchmarkError(f"the grid answered {response.status_code}")
        db.engine.dispose()

    print(f"/healthz                       {healthz * 1000:8.2f} ms")
    print(f"invitations ({sent:4d} messages)  {invite_s * 1000:8.1f} ms  {invite_queries:5d} statements")
    print(f"the day's grid                 {grid_s * 1000:8.1f} ms  {grid_queries:5d} statements")
    return {
        "benchmark": "bilaterals",
        "database": database_name(database_url),
        "seed": SEED,
        "requests": REQUESTS,
        "room_slots": ROOMS * SLOTS_PER_DAY * len(DAYS),
        "allocations": runs,
        "invitations": sent,
        "invitations_ms": round(invite_s * 1000, 1),
        "invitations_queries": invite_queries,
        "invitations_ratio": round(invite_s / healthz, 1),
        "grid_ms": round(grid_s * 1000, 1),
        "grid_queries": grid_queries,
        "grid_ratio": round(grid_s / healthz, 2),
        "healthz_ms": round(healthz * 1000, 3),
        "rules_hold": all(run["rules_hold"] for run in runs),
    }


if __name__ == "__main__":
    sys.exit(run(work, prefix="planner-bench-bilaterals-", broken=lambda result: not result["rules_hold"]))
