"""Full-text search of outcome documents under gunicorn, on SQLite and on PostgreSQL.

For each database: builds the schema with the migrations, loads 10,000 adopted documents of
about 2,000 words each (a synthetic vocabulary with a Zipf-like spread of word frequencies,
and a little Japanese), starts gunicorn with two sync workers on 127.0.0.1, measures
``/healthz`` requests per second, then ``/statements/search?q=...`` with a fixed mix of
queries (single words, two words, a phrase, a Japanese word) from a few client threads for a
fixed time: queries per second and the 99th-percentile latency. Then the versions page
comparing two versions of the longest text the form accepts (one paragraph of MAX_TEXT
characters, a word in every 60 changed): the first, uncached view of each worker, and the
cached page's requests per second.

SQLite uses a temporary file. PostgreSQL uses a database of its own, created for the run and
dropped after it, on the server of BENCH_POSTGRES_URL (default
postgresql+psycopg://postgres@127.0.0.1:5432/postgres, used only to create and drop it);
``--databases sqlite`` skips PostgreSQL.

The machine is shared and noisy: compare the ratio of search to ``/healthz`` from one run.

Usage, from the project root:
  .venv/bin/python benchmarks/statements.py [--documents 10000] [--words 2000] [--seconds 10]
Ends with one JSON line per database: database, qps, p99_ms, healthz_rps, ratio, and for the
comparison diff_cold_ms (the slowest first view), diff_rps and diff_ratio (to /healthz).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import sys
import time
import urllib.parse
import uuid
from pathlib import Path

from serving import (
    ROOT,
    BenchmarkError,
    gunicorn,
    measure,
    request,
    run,
    sqlite_url,
    timed_loop,
    upgrade_schema,
)
from sqlalchemy import create_engine, insert, text
from sqlalchemy.engine import make_url

sys.path.insert(0, str(ROOT))
from planner.statements.forms import MAX_TEXT  # noqa: E402
from planner.statements.rendering import plain_text  # noqa: E402
from planner.statements.search import index_terms  # noqa: E402

VOCABULARY = 20_000
DIFF_PATH = "/forums/bench/statements/long-statement/versions?a=1&b=2"
BATCH = 250
JAPANESE = ["宇宙探査", "国際協力", "月面", "火星", "持続可能", "東京原則", "探査ロードマップ", "人類"]
SYLLABLES = ["ka", "lo", "mi", "ra", "te", "su", "no", "vi", "da", "pe", "ro", "lu", "xe", "an", "or", "is"]


def vocabulary(rng: random.Random) -> list[str]:
    words: set[str] = set()
    while len(words) < VOCABULARY:
        words.add("".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4))))
    return sorted(words, key=lambda w: (len(w), w))


def queries(words: list[str]) -> list[str]:
    """A fixed mix: words of middle and low frequency, pairs, a phrase and Japanese."""
    return [
        words[300],
        words[1500],
        words[6000],
        f"{words[400]} {words[900]}",
        f"{words[200]} {words[2500]}",
        f'"{words[10]} {words[11]}"',
        "宇宙探査",
        "国際協力 火星",
    ]


def documents(count: int, words_each: int, seed: int = 7):  # noqa: ANN201
    """(title, markdown) pairs, generated the same way on every run."""
    rng = random.Random(seed)
    words = vocabulary(rng)
    weights = [1 / (rank + 1) for rank in range(len(words))]
    for n in range(count):
        chosen = rng.choices(words, weights=weights, k=words_each)
        for position in rng.sample(range(words_each), 3):
            chosen[position] = rng.choice(JAPANESE)
        paragraphs = [" ".join(chosen[i : i + 100]).capitalize() + "." for i in range(0, words_each, 100)]
        yield f"Statement {n + 1}: {chosen[0]} {chosen[1]}", "\n\n".join(paragraphs)


def longest_versions(seed: int = 11) -> tuple[str, str]:
    """One paragraph of MAX_TEXT characters, and the same with a word in every 60 changed."""
    rng = random.Random(seed)
    words = vocabulary(rng)[:3000]
    before = " ".join(rng.choice(words) for _ in range(MAX_TEXT // 4))[:MAX_TEXT].strip()
    after = before.split(" ")
    for at in range(0, len(after), 60):
        after[at] = rng.choice(words)
    return before, " ".join(after)[:MAX_TEXT]


def load(database_url: str, count: int, words_each: int) -> None:
    """Insert the forum and the documents in batches (executemany), with their search entries."""
    from planner.forums.models import Forum
    from planner.statements.models import DocumentVersion, OutcomeDocument, SearchEntry

    engine = create_engine(database_url)
    now = dt.datetime.now(dt.UTC)
    with engine.begin() as connection:
        forum_id = connection.execute(
            insert(Forum.__table__).returning(Forum.__table__.c.id),
            {
                "slug": "bench",
                "name": "BENCH",
                "title": "Benchmark forum",
                "host_city": "Tokyo",
                "host_country": "JP",
                "timezone": "Asia/Tokyo",
                "first_day": dt.date(2018, 3, 3),
                "last_day": dt.date(2018, 3, 3),
                "description": "",
                "status": "archived",
                "is_demo": True,
                "schedule_version": 1,
                "created_at": now,
                "updated_at": now,
            },
        ).scalar_one()
    docs, versions, entries = [], [], []

    def flush() -> None:
        with engine.begin() as connection:
            connection.execute(insert(OutcomeDocument.__table__), docs)
            connection.execute(insert(DocumentVersion.__table__), versions)
            connection.execute(insert(SearchEntry.__table__), entries)
        docs.clear(), versions.clear(), entries.clear()

    def adopted_document(n: int, title: str, slug: str) -> dict[str, object]:
        return {
            "id": n,
            "forum_id": forum_id,
            "kind": "joint_statement",
            "title": title,
            "slug": slug,
            "language": "en",
            "status": "adopted",
            "is_summary": False,
            "adopted_by_event_id": None,
            "adopted_on": dt.date(2018, 3, 3),
            "adopted_place": "Tokyo",
            "adopted_version": 1,
            "created_at": now,
            "updated_at": now,
        }

    for n, (title, body) in enumerate(documents(count, words_each), start=1):
        docs.append(adopted_document(n, title, f"doc-{n}"))
        versions.append({"document_id": n, "number": 1, "text": body, "note": "", "author_id": None, "created_at": now})
        plain = plain_text(body)
        entries.append({"document_id": n, "title": title, "body": plain, "terms": index_terms(title, plain)})
        if len(docs) == BATCH:
            flush()
    # The long statement to compare: two versions, the first adopted, so anyone sees both.
    docs.append(adopted_document(count + 1, "Long statement", "long-statement"))
    before, after = longest_versions()
    versions += [
        {"document_id": count + 1, "number": number, "text": body, "note": "", "author_id": None, "created_at": now}
        for number, body in ((1, before), (2, after))
    ]
    entries.append({"document_id": count + 1, "title": "Long statement", "body": "", "terms": ""})
    flush()
    if engine.dialect.name == "postgresql":
        with engine.begin() as connection:
            # Rows went in by id: move the sequence past them, and give the planner statistics.
            connection.execute(
                text("SELECT setval('outcome_documents_id_seq', (SELECT max(id) FROM outcome_documents))")
            )
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("VACUUM ANALYZE statement_search_entries"))
    engine.dispose()


def timed_get(port: int, path: str) -> tuple[int, float]:
    started = time.perf_counter()
    response, _ = request(port, path, timeout=60)
    return response.status, time.perf_counter() - started


def measure_search(port: int, paths: list[str], seconds: float, concurrency: int) -> tuple[float, float]:
    """(queries per second, p99 latency in ms), cycling through ``paths`` from each thread."""
    for path in paths:
        if (status := timed_get(port, path)[0]) != 200:
            raise BenchmarkError(f"{path} answered {status} during warm-up, not 200")
    latencies: list[list[float]] = [[] for _ in range(concurrency)]

    def step(index: int, n: int) -> None:
        path = paths[(n + index) % len(paths)]
        status, elapsed = timed_get(port, path)
        if status != 200:
            raise BenchmarkError(f"{path} answered {status}")
        latencies[index].append(elapsed)

    elapsed = timed_loop(concurrency, seconds, step)
    every = sorted(t for per_thread in latencies for t in per_thread)
    if not every:
        raise BenchmarkError("no query finished in time")
    p99 = every[min(len(every) - 1, int(len(every) * 0.99))]
    return len(every) / elapsed, p99 * 1000


def run_one(database: str, database_url: str, tmp: Path, args: argparse.Namespace) -> dict:
    upgrade_schema(database_url, f"[{database}] building the schema...")
    print(f"[{database}] loading {args.documents} documents of {args.words} words...", flush=True)
    started = time.monotonic()
    load(database_url, args.documents, args.words)
    print(f"[{database}] loaded in {time.monotonic() - started:.0f} s", flush=True)
    words = vocabulary(random.Random(7))
    paths = ["/statements/search?" + urllib.parse.urlencode({"q": q}) for q in queries(words)]
    with gunicorn(database_url, tmp / f"gunicorn-{database}.log") as port:
        _, healthz_rps = measure(port, "/healthz", args.seconds, args.concurrency)
        qps, p99_ms = measure_search(port, paths, args.seconds, args.concurrency)
        # Each of the two workers has a cache of its own: the first views of both are cold.
        cold = [timed_get(port, DIFF_PATH) for _ in range(2)]
        if any(status != 200 for status, _ in cold):
            raise BenchmarkError(f"{DIFF_PATH} answered {[status for status, _ in cold]}, not 200")
        _, diff_rps = measure(port, DIFF_PATH, args.seconds, args.concurrency)
    diff_cold_ms = max(elapsed for _, elapsed in cold) * 1000
    print(f"[{database}] healthz {healthz_rps:.1f} rps; search {qps:.1f} qps, p99 {p99_ms:.0f} ms", flush=True)
    print(f"[{database}] long comparison: first view {diff_cold_ms:.0f} ms, cached {diff_rps:.1f} rps", flush=True)
    return {
        "database": database,
        "qps": round(qps, 1),
        "p99_ms": round(p99_ms, 1),
        "healthz_rps": round(healthz_rps, 1),
        "ratio": round(qps / healthz_rps, 4),
        "diff_cold_ms": round(diff_cold_ms, 1),
        "diff_rps": round(diff_rps, 1),
        "diff_ratio": round(diff_rps / healthz_rps, 4),
        "documents": args.documents,
        "words": args.words,
        "seconds": args.seconds,
        "concurrency": args.concurrency,
    }


def with_postgresql_database(tmp: Path, args: argparse.Namespace) -> dict:
    """Create a database for this run only, measure, and always drop it again."""
    admin_url = os.environ.get("BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
    name = f"bench_statements_{uuid.uuid4().hex[:8]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        url = make_url(admin_url).set(database=name).render_as_string(hide_password=False)
        return run_one("postgresql", url, tmp, args)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--documents", type=int, default=10_000)
    parser.add_argument("--words", type=int, default=2_000, help="words per document (default 2000)")
    parser.add_argument("--seconds", type=float, default=10.0, help="duration of each measurement (default 10)")
    parser.add_argument("--concurrency", type=int, default=4, help="client threads (default 4)")
    parser.add_argument("--databases", default="sqlite,postgresql")
    args = parser.parse_args()
    databases = [d.strip() for d in args.databases.split(",") if d.strip()]
    if not (
        1 <= args.documents <= 100_000
        and 10 <= args.words <= 10_000
        and 0 < args.seconds <= 300
        and 1 <= args.concurrency <= 32
        and set(databases) <= {"sqlite", "postgresql"}
        and databases
    ):
        parser.error(
            "documents 1-100000, words 10-10000, seconds (0, 300], concurrency 1-32, databases sqlite and/or postgresql"
        )

    def work(tmp: Path) -> list[dict]:
        results = []
        for database in databases:
            if database == "sqlite":
                results.append(run_one("sqlite", sqlite_url(tmp, "statements.sqlite3"), tmp, args))
            else:
                results.append(with_postgresql_database(tmp, args))
        return results

    return run(work, prefix="planner-bench-statements-")


if __name__ == "__main__":
    sys.exit(main())
