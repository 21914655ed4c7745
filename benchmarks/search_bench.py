"""Search and similarity on a demo history: FTS against a LIKE scan, and the cost of indexing on the bulk path.

Prints JSON with median latencies and ratios. The 100,000-incident database is cached in /tmp.
Usage: python benchmarks/search_bench.py [--incidents 100000] [--load-sample 20000] [--database URL]
"""

import argparse
import json
import statistics
import tempfile
import time
from pathlib import Path

from sqlalchemy import or_, select

import demo_db
from coe import services
from coe.db import engine_for, reading
from coe.search import fulltext, index, rebuild, similar

QUERIES = ["database", "connection pool", "dns", "permissions", "rollback", "certificate expired",
           "deploy", "timeout", "migration", "cache", "region", "alarm"]


def indexing_cost(sample: int) -> dict[str, float]:
    """The demo load with and without the search index, in the same run."""
    with tempfile.TemporaryDirectory() as folder:
        with_index = demo_db.build(Path(folder) / "with.db", sample)
        real_add = index.add
        index.add = lambda *a, **k: None  # type: ignore[assignment]
        try:
            without = demo_db.build(Path(folder) / "without.db", sample)
        finally:
            index.add = real_add  # type: ignore[assignment]
    return {"incidents": sample, "load_s_with_index": round(with_index, 2), "load_s_without_index": round(without, 2),
            "ratio": round(with_index / without, 2)}


def median_ms(fn, repeat: int = 3) -> float:
    """Median wall time of a call, in milliseconds."""
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def like_scan(session, words: str, newest: int | None = None) -> list:
    """The baseline: a LIKE over the incident's text columns; every match (what ranking needs), or the newest few."""
    c = fulltext.INCIDENT.c
    conds = [or_(*(col.ilike(f"%{w}%") for col in (c.title, c.summary, c.trigger, c.root_cause, c.resolution)))
             for w in words.split()]
    return list(session.execute(select(c.key).where(*conds).order_by(c.started_at.desc()).limit(newest)).scalars())


def main() -> None:
    """Run once and print JSON."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--incidents", type=int, default=100_000)
    parser.add_argument("--load-sample", type=int, default=20_000)
    parser.add_argument("--database", help="the URL of an existing demo database (SQLite or PostgreSQL) to use instead")
    args = parser.parse_args()
    path = Path(f"/tmp/coe_search_bench_{args.incidents}.db")
    built = None
    if not args.database and not path.exists():
        built = round(demo_db.build(path, args.incidents), 1)
    engine = engine_for(args.database or f"sqlite:///{path}")
    with reading(engine) as session:
        fts = [median_ms(lambda q=q: fulltext.search(session, query=q, limit=20)) for q in QUERIES]
        page = [median_ms(lambda q=q: fulltext.search(session, query=q, limit=200)) for q in QUERIES]
        like = [median_ms(lambda q=q: like_scan(session, q)) for q in QUERIES]
        like_newest = [median_ms(lambda q=q: like_scan(session, q, 20)) for q in QUERIES]
        key = services.incident_keys(session)[-1]
        sim = median_ms(lambda: similar.similar(session, key=key, limit=5))
        incidents = services.count_incidents(session)
    with engine.connect() as connection:  # what `coe init` adds when the index is in step: two fingerprints
        init_check = median_ms(lambda: rebuild.ensure_index(connection))
    out = {
        "database": engine.dialect.name, "incidents": args.incidents, "demo_load_s": built,
        "incidents_in_db": incidents,
        "search_median_ms": round(statistics.median(fts), 1), "search_200_hits_median_ms": round(statistics.median(page), 1),
        "like_scan_all_matches_median_ms": round(statistics.median(like), 1),
        "like_over_search": round(statistics.median(like) / statistics.median(fts), 1),
        "like_newest_20_unranked_median_ms": round(statistics.median(like_newest), 1),
        "similar_ms": round(sim, 1), "similar_key": key, "init_index_check_ms": round(init_check, 1),
        "targets": {"search_ms": 50, "similar_ms": 300},
        "indexing": indexing_cost(args.load_sample) if args.load_sample else None,
    }
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
