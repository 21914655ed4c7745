"""Loading a demo history: coe's bulk path against one-at-a-time ORM inserts with a commit each.

Prints JSON with the times, incidents per second, peak memory and the speed-up ratio.
Usage: python benchmarks/demo_bench.py [--incidents 100000] [--sample 2000]
"""

import argparse
import json
import resource
import sys
import tempfile
import time
from pathlib import Path

from sqlmodel import Session

from coe import demo, models, services, store, users
from coe.db import engine_for, writing
from coe.migrate import upgrade

CHILDREN = {
    "timeline": models.TimelineEvent, "changes": models.Change, "action_items": models.ActionItem,
    "reviews": models.Review,
}


def fresh(folder: Path, name: str):
    """A migrated SQLite database with an admin."""
    engine = engine_for(f"sqlite:///{folder / name}")
    upgrade(engine)
    with writing(engine) as session:
        users.ensure_first_admin(session, name="bench")
    return engine


def whole_demo(engine, incidents: int) -> float:
    """`coe demo` end to end: generate, validate, store, audit, in one transaction."""
    started = time.perf_counter()
    with writing(engine) as session:
        services.import_batches(session, batches=demo.batches(incidents, 7), actor="bench")
    return time.perf_counter() - started


def bulk(engine, docs: list) -> float:
    """coe's storing of validated documents: bulk inserts and audit events, one transaction."""
    started = time.perf_counter()
    with writing(engine) as session:
        chunks = (docs[start : start + 2_000] for start in range(0, len(docs), 2_000))
        services.import_batches(session, batches=chunks, actor="bench")
    return time.perf_counter() - started


def naive(engine, docs: list, first: int = 1) -> float:
    """The baseline: the same documents as ORM objects, one incident and one commit at a time, numbered from `first`."""
    started = time.perf_counter()
    with Session(engine) as session:
        for number, doc in enumerate(docs, start=first):
            row = store.incident_row(doc, doc.model_dump()) | {"key": f"COE-{doc.started_at.year}-{number:06d}",
                                                               "created_at": doc.started_at,
                                                               "updated_at": doc.started_at, "version": 1}
            incident = models.Incident(**row)
            session.add(incident)
            session.flush()
            for position, name in enumerate(doc.services):
                session.add(models.IncidentService(incident_id=incident.id, position=position, name=name))
            for field, table in CHILDREN.items():
                for position, item in enumerate(getattr(doc, field)):
                    session.add(table(incident_id=incident.id, position=position, **item.model_dump()))
            for position, claim in enumerate(doc.attribution.claims):
                session.add(models.AttributionClaim(incident_id=incident.id, position=position, **claim.model_dump()))
            session.commit()
    return time.perf_counter() - started


def main() -> None:
    """Run both in the same process and print the comparison."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--incidents", type=int, default=100_000)
    parser.add_argument("--sample", type=int, default=2_000, help="incidents stored both ways for the ratio")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        demo_seconds = whole_demo(fresh(Path(folder), "demo.db"), args.incidents)
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        docs = [doc for batch in demo.batches(args.sample, 11) for doc in batch]
        ours = bulk(fresh(Path(folder), "bulk.db"), docs)
        theirs = naive(fresh(Path(folder), "naive.db"), docs)
    json.dump({
        "demo_incidents": args.incidents, "demo_seconds": round(demo_seconds, 2),
        "demo_under_a_minute": demo_seconds < 60, "demo_peak_memory_mb": round(peak_mb),
        "sample_incidents": args.sample, "store_bulk_seconds": round(ours, 3),
        "store_naive_orm_seconds": round(theirs, 3), "bulk_speedup": round(theirs / ours, 1),
    }, sys.stdout, indent=2)
    print()


if __name__ == "__main__":
    main()
