"""The append-only audit trail: each event hashed over a canonical form and chained to the last."""

import hashlib
import json
from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Any

from pydantic_core import to_json
from sqlalchemy import select
from sqlmodel import Session

from coe import models, schema, store

GENESIS = "0" * 64
EVENT: Any = models.AuditEvent.__table__
_VOLATILE = ("updated_at", "version")
STORED = ("at", "actor", "action", "incident_key", "changes", "state_hash", "prev_hash", "hash")


def now() -> datetime:
    """The current time in UTC."""
    return datetime.now(UTC)


def canonical(value: Any) -> bytes:
    """Sorted keys, no spaces, UTF-8, ISO dates: the same data always gives the same bytes."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=_iso).encode()


def state_hash(doc: schema.Incident) -> str:
    """SHA-256 of an incident's full state: its coe/v1 JSON, fields in the contract's fixed order."""
    return serialised(doc)[0]


def serialised(doc: schema.Incident) -> tuple[str, str]:
    """An incident's state hash and its coe/v1 JSON."""
    state = doc.model_dump_json()
    return hashlib.sha256(state.encode()).hexdigest(), state


def hashed(doc: schema.Incident) -> tuple[str, dict[str, Any]]:
    """An incident's state hash and its coe/v1 JSON decoded: one serialisation for both, for storing it."""
    data = doc.model_dump(mode="json")
    return hashlib.sha256(to_json(data)).hexdigest(), data  # the same bytes as `model_dump_json`


def _iso(value: Any) -> str:
    """Dates and times as ISO-8601 text in the canonical form."""
    return value.isoformat() if isinstance(value, date) else str(value)


def event_hash(event: dict[str, Any]) -> str:
    """SHA-256 over an event's fields and the hash of the event before it."""
    fields = {k: event[k] for k in ("at", "actor", "action", "incident_key", "changes", "state_hash", "prev_hash")}
    fields["at"] = fields["at"].isoformat() if isinstance(fields["at"], datetime) else fields["at"]
    return hashlib.sha256(canonical(fields)).hexdigest()


def field_changes(before: dict[str, Any] | None, after: dict[str, Any]) -> dict[str, Any]:
    """Top-level fields whose value differs, as {field: [before, after]}."""
    before = before or {}
    return {
        name: [before.get(name), value]
        for name, value in after.items()
        if name not in _VOLATILE and before.get(name) != value
    }


def head(session: Session) -> str:
    """Hash of the newest event (the caller holds the chain lock)."""
    last = session.execute(select(EVENT.c.hash).order_by(EVENT.c.id.desc()).limit(1)).scalar()
    return last or GENESIS


def append(session: Session, events: list[dict[str, Any]]) -> None:
    """Chain and store events: each needs at, actor, action, incident_key, changes, state_hash."""
    previous = head(session)
    for event in events:
        event["prev_hash"] = previous
        event["hash"] = previous = event_hash(event)
    store.insert_rows(session, EVENT, STORED, [tuple(event[name] for name in STORED) for event in events])


def last_change(session: Session, key: str) -> tuple[str, datetime]:
    """Who changed an incident last, and when."""
    row = session.execute(
        select(EVENT.c.actor, EVENT.c.at).where(EVENT.c.incident_key == key).order_by(EVENT.c.id.desc()).limit(1)
    ).one()
    return row.actor, row.at


def history(session: Session, *, key: str) -> list[dict[str, Any]]:
    """Who changed a COE, when, how and which fields, oldest first."""
    rows = session.execute(
        select(EVENT.c.at, EVENT.c.actor, EVENT.c.action, EVENT.c.changes, EVENT.c.hash)
        .where(EVENT.c.incident_key == key).order_by(EVENT.c.id)
    ).mappings()
    return [{"at": r["at"], "actor": r["actor"], "action": r["action"], "fields": sorted(r["changes"] or {}),
             "hash": r["hash"]} for r in rows]


def events(session: Session, *, where: Any = None, chunk: int = 10_000) -> Iterator[Any]:
    """Every event (or those matching `where`) in chain order, read `chunk` rows at a time."""
    after = 0
    while True:
        query = select(EVENT).where(EVENT.c.id > after).order_by(EVENT.c.id).limit(chunk)
        rows = session.execute(query if where is None else query.where(where)).mappings().all()
        yield from rows
        if len(rows) < chunk:
            return
        after = rows[-1]["id"]
