"""Every write goes through here: keys, versions, workflow rules and the audit trail."""

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import and_, exists, func, select
from sqlmodel import Session

from coe import audit, db, models, schema, store, users
from coe.enums import Status
from coe.errors import Conflict, NotFound, Problem, ValidationFailed, WorkflowError

INCIDENT = store.INCIDENT
SERVICE: Any = models.IncidentService.__table__


def import_incidents(
    session: Session, *, incidents: Sequence[schema.Incident], actor: str, source: str = ""
) -> list[str]:
    """Save validated documents as they were recorded (status, reviews, times); all or none."""
    users.require(session, actor, "import")
    refuse_taken_keys(session, [d.key for d in incidents])
    at = audit.now()
    hashed = [audit.hashed(doc) for doc in with_keys(incidents, at, _next_free(session))]
    store.insert_incidents(session, [data for _, data in hashed])
    changes = {"source": source} if source else {}
    audit.append(session, [_event(at, actor, "import", data["key"], state, changes) for state, data in hashed])
    return [data["key"] for _, data in hashed]


def import_batches(
    session: Session, *, batches: Iterable[Sequence[schema.Incident]], actor: str, source: str = ""
) -> list[str]:
    """Import a long stream a batch at a time, in the caller's one transaction, so memory stays flat."""
    keys: list[str] = []
    with db.paused_gc(), store.bulk_cache(session):
        for batch in batches:
            keys.extend(import_incidents(session, incidents=batch, actor=actor, source=source))
    return keys


def import_prepared(session: Session, *, stream: Any, actor: str, source: str = "") -> list[str]:
    """Import a long stream whose batches another process made into rows, in the caller's one transaction.

    `stream.prepared(highest, dialect)` yields `import_pipeline.Prepared` batches, numbering new keys after `highest`.
    """
    users.require(session, actor, "import")
    changes = {"source": source} if source else {}
    keys: list[str] = []
    with db.paused_gc(), store.bulk_cache(session):
        for batch in stream.prepared(store.highest_key_numbers(session), session.get_bind().dialect):
            refuse_taken_keys(session, batch.given)
            store.insert_prepared(session, batch.stored_rows(session.get_bind().dialect))
            audit.append(session, [_event(batch.at, actor, "import", key, state, changes)
                                   for key, state in zip(batch.keys, batch.hashes, strict=True)])
            keys.extend(batch.keys)
    return keys


def refuse_taken_keys(session: Session, given: Sequence[str | None]) -> None:
    """Raise ValidationFailed, numbering records from 1, for each key already in the database."""
    taken = store.existing_keys(session, [key for key in given if key])
    if taken:
        raise ValidationFailed([Problem("key", f"{key} already exists in the database", record=n)
                                for n, key in enumerate(given, start=1) if key in taken])


def create_incident(session: Session, *, incident: schema.Incident, actor: str) -> schema.Incident:
    """Start a new COE as a draft written by the actor."""
    users.require(session, actor, "create")
    draft = incident.model_copy(
        update={"status": Status.draft, "reviews": [], "authors": incident.authors or [actor],
                "created_at": None, "updated_at": None, "version": None}
    )
    [saved] = with_keys([draft], audit.now(), _next_free(session))
    state, data = audit.hashed(saved)
    store.insert_incidents(session, [data])
    changes = audit.field_changes(None, data)
    audit.append(session, [_event(saved.created_at, actor, "create", saved.key, state, changes)])
    return saved


def get_incident(session: Session, *, key: str) -> schema.Incident:
    """One whole COE by key."""
    ids = store.incident_ids(session, [key])
    if key not in ids:
        raise NotFound(f"no incident with key {key}")
    return store.load_incidents(session, [ids[key]])[0]


def update_incident(
    session: Session, *, key: str, incident: schema.Incident, version: int, actor: str
) -> schema.Incident:
    """Replace a COE's content, if nobody changed it since `version` was read; an approved one returns to draft."""
    users.require(session, actor, "update")
    current = get_incident(session, key=key)
    if current.status == Status.published:
        raise WorkflowError(f"{key} is published; correct it with an amendment, not an edit")
    # An approval covers what was approved: an edit after it sends the COE back to draft, to be reviewed again.
    status = Status.draft if current.status == Status.approved else current.status
    workflow = {"status": status, "reviews": current.reviews, "amendments": current.amendments}
    return save_state(session, current, incident.model_copy(update=workflow), version, actor, "update")


@dataclass(frozen=True)
class IncidentFilter:
    """What a list of incidents is narrowed to; empty means no narrowing."""

    since: date | None = None
    until: date | None = None
    teams: Sequence[str] = ()
    services: Sequence[str] = ()
    severities: Sequence[str] = ()
    kinds: Sequence[str] = ()
    statuses: Sequence[str] = ()
    ai_involvement: Sequence[str] = ()
    limit: int | None = None


LIST_COLUMNS = (
    "key", "title", "status", "kind", "severity", "team", "started_at", "resolved_at",
    "ai_involvement", "ai_contribution", "attribution_status", "version",
)


def list_incidents(session: Session, *, filters: IncidentFilter = IncidentFilter()) -> list[dict[str, Any]]:
    """Incident summaries, newest first, with their services."""
    query = select(*(INCIDENT.c[name] for name in LIST_COLUMNS), INCIDENT.c.id)
    query = query.where(*_conditions(filters)).order_by(INCIDENT.c.started_at.desc(), INCIDENT.c.id.desc())
    if filters.limit:
        query = query.limit(filters.limit)
    rows = [dict(r) for r in session.execute(query).mappings()]
    services: dict[int, list[str]] = {}
    ids = [r["id"] for r in rows]
    for start in range(0, len(ids), 1_000):
        chunk = ids[start : start + 1_000]
        names = session.execute(
            select(SERVICE.c.incident_id, SERVICE.c.name)
            .where(SERVICE.c.incident_id.in_(chunk))
            .order_by(SERVICE.c.incident_id, SERVICE.c.position)
        )
        for incident_id, name in names:
            services.setdefault(incident_id, []).append(name)
    for row in rows:
        row["services"] = services.get(row.pop("id"), [])
    return rows


def imported_as(session: Session, *, sha256: str) -> list[str]:
    """Keys of the COEs already imported from a file with this SHA-256."""
    return store.keys_by_ref(session, f"sha256:{sha256}")


def already_imported(session: Session, *, incidents: Sequence[schema.Incident]) -> dict[int, tuple[str, str, str]]:
    """Which records name a record already stored: position → (stored key, system, id) of the shared reference."""
    identities = {n: store.record_refs(d) for n, d in enumerate(incidents)}
    stored = store.keys_by_refs(session, (ref for refs in identities.values() for ref in refs))
    found = {n: next((ref for ref in refs if ref in stored), None) for n, refs in identities.items()}
    return {n: (stored[ref], *ref) for n, ref in found.items() if ref}


def incident_keys(session: Session) -> list[str]:
    """Every key, oldest first."""
    return list(session.execute(select(INCIDENT.c.key).order_by(INCIDENT.c.started_at, INCIDENT.c.id)).scalars())


def _conditions(f: IncidentFilter) -> list[Any]:
    """SQL conditions for a filter."""
    c = INCIDENT.c
    out: list[Any] = []
    if f.since:
        out.append(c.started_at >= datetime.combine(f.since, time(), UTC))
    if f.until:
        out.append(c.started_at < datetime.combine(f.until + timedelta(days=1), time(), UTC))
    for column, values in ((c.team, f.teams), (c.severity, f.severities), (c.kind, f.kinds),
                           (c.status, f.statuses), (c.ai_involvement, f.ai_involvement)):
        if values:
            out.append(column.in_([str(v) for v in values]))
    if f.services:
        out.append(exists().where(and_(SERVICE.c.incident_id == c.id, SERVICE.c.name.in_(list(f.services)))))
    return out


def _next_free(session: Session) -> Callable[[int], int]:
    """The next free NNNN of a year's keys, as the database has them."""
    return lambda year: store.next_key_number(session, year)


def with_keys(docs: Sequence[schema.Incident], at: datetime, next_free: Callable[[int], int]) -> list[schema.Incident]:
    """Assign COE-YYYY-NNNN keys where missing (from `next_free(year)` on) and fill the read-only fields."""
    next_number: dict[int, int] = {}
    given: dict[int, int] = {}  # the highest number per year among keys the batch itself carries
    for doc in docs:
        if doc.key:
            year, number = int(doc.key[4:8]), int(doc.key[9:])
            given[year] = max(given.get(year, 0), number)
    out = []
    for doc in docs:
        update: dict[str, Any] = {
            "created_at": doc.created_at or at,
            "updated_at": doc.updated_at or doc.created_at or at,
            "version": doc.version or 1,
        }
        if not doc.key:
            year = doc.started_at.year
            if year not in next_number:
                next_number[year] = max(next_free(year), given.get(year, 0) + 1)
            update["key"] = f"COE-{year:04d}-{next_number[year]:04d}"
            next_number[year] += 1
        out.append(doc.model_copy(update=update))
    return out


def save_state(
    session: Session, current: schema.Incident, changed: schema.Incident, version: int, actor: str, action: str
) -> schema.Incident:
    """Write a new state of an existing COE with optimistic locking, and audit it."""
    at = audit.now()
    new = schema.Incident.model_validate(
        dump(changed) | {"key": current.key, "created_at": current.created_at.isoformat(),  # type: ignore[union-attr]
                          "updated_at": at.isoformat(), "version": version + 1}
    )
    incident_id = store.incident_ids(session, [current.key])[current.key]  # type: ignore[index]
    if not store.replace_incident(session, incident_id, new, version):
        who, when = audit.last_change(session, current.key)  # type: ignore[arg-type]
        raise Conflict(
            f"{current.key} was changed by {who} at {when:%Y-%m-%d %H:%M} UTC since you opened it "
            f"(you have version {version}); reload it and apply your edit again"
        )
    changes = audit.field_changes(dump(current), dump(new))
    audit.append(session, [_event(at, actor, action, new.key, audit.state_hash(new), changes)])
    return new


def dump(doc: schema.Incident) -> dict[str, Any]:
    """A document as JSON-ready data."""
    return doc.model_dump(mode="json")


def _event(at: datetime, actor: str, action: str, key: str | None, state: str, changes: dict[str, Any]) -> dict[str, Any]:
    """An audit event pinning an incident's state after a change."""
    return {"at": at, "actor": actor, "action": action, "incident_key": key, "changes": changes, "state_hash": state}


def iter_incidents(
    session: Session, *, filters: IncidentFilter = IncidentFilter(), chunk: int = 500
) -> Iterator[schema.Incident]:
    """Whole documents matching a filter, oldest first, read a chunk at a time."""
    query = select(INCIDENT.c.id).where(*_conditions(filters)).order_by(INCIDENT.c.started_at, INCIDENT.c.id)
    ids = list(session.execute(query).scalars())
    for start in range(0, len(ids), chunk):
        yield from store.load_incidents(session, ids[start : start + chunk])


def count_incidents(session: Session) -> int:
    """How many incidents the database holds."""
    return session.execute(select(func.count()).select_from(INCIDENT)).scalar_one()
