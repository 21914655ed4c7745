"""Check the audit trail against itself and against the incidents, and export it for an auditor."""

import json
import os
import subprocess
import sys
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any, TextIO

from sqlalchemy import select, text
from sqlmodel import Session

from coe import audit, store
from coe.db import engine_for, reading
from coe.errors import CoeError, TamperDetected

FORMAT = "coe-audit/v1"
PARALLEL_FROM = 20_000  # below this many incidents, starting worker processes costs more than it saves
CHUNK = 1_000
INCIDENT = store.INCIDENT
Expected = tuple[int, str, str | None]  # incident id, key, state hash of its last audit event
EXPORTED = ("id", "at", "actor", "action", "incident_key", "changes", "state_hash", "prev_hash", "hash")


@dataclass(frozen=True)
class VerifyReport:
    """What a clean verification covered, and the hash the chain ends at (worth keeping outside coe)."""

    events: int
    incidents: int
    head: str

    def sentence(self) -> str:
        """'N events verified'."""
        return f"{self.events} events verified"


def verify(session: Session, *, workers: int | None = None) -> VerifyReport:
    """Walk the chain, then compare every incident with its last audited state; TamperDetected names the first fault.

    `workers`: processes that share the state hashing (default: one per CPU, up to 4, for large databases).
    """
    _snapshot(session)
    last_state, count, head = _walk_chain(session)
    rows = session.execute(select(INCIDENT.c.id, INCIDENT.c.key).order_by(INCIDENT.c.id)).all()
    for _, key in rows:
        if key not in last_state:
            raise TamperDetected(f"{key} has no audit event: it was added outside coe")
    present = {key for _, key in rows}
    gone = sorted((event_id, key) for key, (event_id, _) in last_state.items() if key not in present)
    if gone:
        event_id, key = gone[0]
        raise TamperDetected(f"{key} was audited (event {event_id}) but is missing: it was deleted outside coe")
    expected = [(incident_id, key, last_state[key][1]) for incident_id, key in rows]
    changed = _changed(session, expected, workers)
    if changed:
        _, key, _ = changed[0]
        raise TamperDetected(
            f"{key} does not match its last audited state (event {last_state[key][0]}): it was changed outside coe"
        )
    return VerifyReport(events=count, incidents=len(rows), head=head)


def _changed(session: Session, expected: list[Expected], workers: int | None) -> list[Expected]:
    """The incidents whose state hash differs from the expected one, by id; shared among processes when large."""
    url = session.get_bind().url
    if workers is None:
        in_memory = url.get_backend_name() == "sqlite" and url.database in (None, "", ":memory:")
        workers = 1 if in_memory or len(expected) < PARALLEL_FROM else min(os.cpu_count() or 1, 4)
    if workers <= 1:
        return changed_states(session, expected)
    size = -(-len(expected) // workers)
    shares = [expected[start : start + size] for start in range(0, len(expected), size)]
    with ThreadPoolExecutor(len(shares) - 1) as waiting:
        elsewhere = [waiting.submit(_in_worker_process, url.render_as_string(hide_password=False), share)
                     for share in shares[1:]]
        found = changed_states(session, shares[0])
        suspects = [item for future in elsewhere for item in future.result()]
    # Workers read a later snapshot: what they flag is judged again in this one, so a concurrent edit is no alarm.
    return sorted(found + changed_states(session, suspects))


def changed_states(session: Session, expected: list[Expected]) -> list[Expected]:
    """Of (id, key, state hash) triples, those whose incident now hashes differently or is gone."""
    out = []
    for start in range(0, len(expected), CHUNK):
        part = expected[start : start + CHUNK]
        docs = {doc.key: doc for doc in store.load_incidents(session, [incident_id for incident_id, _, _ in part])}
        out.extend(item for item in part if item[1] not in docs or audit.state_hash(docs[item[1]]) != item[2])
    return out


def _in_worker_process(url: str, expected: list[Expected]) -> list[Expected]:
    """`changed_states` in a fresh Python process (a plain subprocess: no reliance on the caller's __main__)."""
    package_root = str(Path(__file__).resolve().parents[1])
    env = os.environ | {"PYTHONPATH": os.pathsep.join(filter(None, (package_root, os.environ.get("PYTHONPATH"))))}
    done = subprocess.run(
        [sys.executable, "-c", "from coe.verify import worker_main; worker_main()"],
        input=json.dumps({"url": url, "expected": expected}).encode(), capture_output=True, env=env, check=False,
    )
    if done.returncode != 0:
        reason = (done.stderr.decode(errors="replace").strip().splitlines() or ["no message"])[-1]
        raise CoeError(f"a verification worker process failed: {reason}")
    return [tuple(item) for item in json.loads(done.stdout)]  # type: ignore[misc]


def worker_main() -> None:
    """Entry point of a worker: {url, expected} on standard input, the changed triples on standard output."""
    job = json.load(sys.stdin)
    engine = engine_for(job["url"])
    try:
        with reading(engine) as session:
            changed = changed_states(session, [tuple(item) for item in job["expected"]])  # type: ignore[misc]
    except Exception as exc:  # noqa: BLE001 — the parent reports it; one line is all it needs
        sys.exit(f"{type(exc).__name__}: {(str(exc).strip().splitlines() or [''])[0]}")
    finally:
        engine.dispose()
    json.dump(changed, sys.stdout)


def _walk_chain(session: Session) -> tuple[dict[str, tuple[int, str | None]], int, str]:
    """Check each event's hash and link; return each incident's last (event id, state hash), the count, the head."""
    last_state: dict[str, tuple[int, str | None]] = {}
    previous, previous_id, count = audit.GENESIS, None, 0
    for event in audit.events(session):
        if audit.event_hash(event) != event["hash"]:
            raise TamperDetected(
                f"audit event {event['id']} ({describe(event)}) does not match its hash: "
                "it was altered after it was written"
            )
        if event["prev_hash"] != previous:
            after = f"event {previous_id}" if previous_id is not None else "the start of the chain"
            raise TamperDetected(
                f"audit event {event['id']} does not follow {after}: "
                "an event was deleted or the events were reordered"
            )
        if event["incident_key"] is not None:
            last_state[event["incident_key"]] = (event["id"], event["state_hash"])
        previous, previous_id, count = event["hash"], event["id"], count + 1
    return last_state, count, previous


def describe(event: Any) -> str:
    """'update of COE-2025-0003 by alice at 2026-01-05 10:00:00 UTC'."""
    of = f" of {event['incident_key']}" if event["incident_key"] else ""
    return f"{event['action']}{of} by {event['actor']} at {event['at']:%Y-%m-%d %H:%M:%S} UTC"


def _snapshot(session: Session) -> None:
    """On PostgreSQL, read the chain and the incidents from one snapshot, so concurrent writers cause no false alarm."""
    # SQLite's read transaction is already a snapshot; PostgreSQL's default gives each statement its own.
    if session.get_bind().dialect.name == "postgresql" and not session.in_transaction():
        session.execute(text("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY"))


def export_events(session: Session, *, since: date, until: date) -> Iterator[dict[str, Any]]:
    """The events written on the UTC days since..until (both included), in chain order, as JSON-ready dicts."""
    start = datetime.combine(since, time(), UTC)
    end = datetime.combine(until + timedelta(days=1), time(), UTC)
    window = (audit.EVENT.c.at >= start) & (audit.EVENT.c.at < end)
    for event in audit.events(session, where=window):
        row = {name: event[name] for name in EXPORTED}
        row["at"] = row["at"].isoformat()
        yield row


def write_export(events: Iterable[dict[str, Any]], out: TextIO, *, since: date, until: date) -> int:
    """Stream a `coe-audit/v1` document, one event per line; return how many events were written."""
    head = {"format": FORMAT, "since": since.isoformat(), "until": until.isoformat()}
    out.write(json.dumps(head, ensure_ascii=False)[:-1] + ', "events": [')
    count = 0
    for count, event in enumerate(events, start=1):
        out.write(("," if count > 1 else "") + "\n  " + json.dumps(event, ensure_ascii=False, sort_keys=True))
    out.write("\n]}\n" if count else "]}\n")
    return count
