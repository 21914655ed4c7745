"""Map `coe/v1` documents to table rows and back, in bulk, with no per-row ORM objects."""

from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import Integer, String, Table, bindparam, cast, delete, func, select, update
from sqlmodel import Session

from coe import models, schema
from coe.search import index as search_index

INCIDENT: Table = models.Incident.__table__  # type: ignore[assignment]
_AI_FIELDS = tuple(schema.AIInvolvement.model_fields)
_JSON_PARTS = ("five_whys", "contributing_factors", "external_refs", "amendments", "extra_sections")
_SCALARS = tuple(
    name
    for name, field in schema.Incident.model_fields.items()
    if name in models.Incident.model_fields and name not in ("id", *_JSON_PARTS)
)

# child table → (document field, row → document part, document part → row)
_CHILDREN: dict[Table, tuple[str, Any, Any]] = {
    models.IncidentService.__table__: ("services", lambda r: r["name"], lambda v: {"name": v}),
    models.TimelineEvent.__table__: ("timeline", dict, dict),
    models.Change.__table__: ("changes", dict, dict),
    models.ActionItem.__table__: ("action_items", dict, dict),
    models.Review.__table__: ("reviews", dict, dict),
    models.AttributionClaim.__table__: ("attribution.claims", dict, dict),
}
_NOT_DOCUMENT = ("id", "incident_id", "position")


def incident_row(doc: schema.Incident, data: dict[str, Any]) -> dict[str, Any]:
    """The incident table's columns for a document and its `model_dump()` (children excluded)."""
    row = {name: data[name] for name in _SCALARS}
    row |= {f"ai_{name}": data["ai"][name] for name in _AI_FIELDS}
    row["ai_contribution"] = data["attribution"]["ai_contribution"]
    row["primary_cause"] = data["attribution"]["primary_cause"]
    row["attribution_status"] = data["attribution"]["status"]
    row |= {name: [item.model_dump(mode="json") for item in getattr(doc, name)] for name in _JSON_PARTS}
    row["cut_in_half_detection"] = data["cut_in_half"]["detection"]
    row["cut_in_half_mitigation"] = data["cut_in_half"]["mitigation"]
    return row


def _child_rows(incident_id: int, data: dict[str, Any]) -> dict[Table, list[dict[str, Any]]]:
    """Rows of every child table for one document's `model_dump()`."""
    out: dict[Table, list[dict[str, Any]]] = {}
    for table, (field, _, to_row) in _CHILDREN.items():
        items = data["attribution"]["claims"] if field == "attribution.claims" else data[field]
        out[table] = [
            {"incident_id": incident_id, "position": i} | to_row(item) for i, item in enumerate(items)
        ]
    return out


def next_key_number(session: Session, year: int) -> int:
    """The next free NNNN of COE-YYYY-NNNN (the caller holds the write lock)."""
    prefix = f"COE-{year:04d}-"
    number = cast(func.substr(INCIDENT.c.key, len(prefix) + 1), Integer)
    highest = session.execute(
        select(func.max(number)).where(INCIDENT.c.key.like(f"{prefix}%"))
    ).scalar()
    return (highest or 0) + 1


def existing_keys(session: Session, keys: Sequence[str]) -> set[str]:
    """Which of these keys are already taken."""
    found: set[str] = set()
    for chunk in _chunks(list(keys), 500):
        found |= set(session.execute(select(INCIDENT.c.key).where(INCIDENT.c.key.in_(chunk))).scalars())
    return found


def keys_by_ref(session: Session, ref_id: str) -> list[str]:
    """Keys of the incidents whose external references include this id (an imported file's hash)."""
    rows = session.execute(
        select(INCIDENT.c.key, INCIDENT.c.external_refs).where(
            cast(INCIDENT.c.external_refs, String).like(f"%{ref_id}%"))
    )
    return [key for key, refs in rows if any(r.get("id") == ref_id for r in refs or [])]


def insert_incidents(session: Session, docs: Sequence[tuple[schema.Incident, dict[str, Any]]]) -> list[int]:
    """Insert complete documents with their `model_dump()` (keys and versions set); return their ids."""
    ids: list[int] = []
    for chunk in _chunks(list(docs), 2_000):
        result = session.execute(
            INCIDENT.insert().returning(INCIDENT.c.id, sort_by_parameter_order=True),
            [incident_row(doc, data) for doc, data in chunk],
        )
        chunk_ids = list(result.scalars())
        children: dict[Table, list[dict[str, Any]]] = defaultdict(list)
        for incident_id, (_, data) in zip(chunk_ids, chunk, strict=True):
            for table, rows in _child_rows(incident_id, data).items():
                children[table].extend(rows)
        for table, rows in children.items():
            if rows:
                session.execute(table.insert(), rows)
        search_index.add(session, zip(chunk_ids, (data for _, data in chunk), strict=True))
        ids.extend(chunk_ids)
    return ids


def replace_incident(session: Session, incident_id: int, doc: schema.Incident, version: int) -> bool:
    """Overwrite one incident and its children if it is still at `version`; False if it moved on."""
    data = doc.model_dump()
    row = incident_row(doc, data)
    result = session.execute(
        update(INCIDENT)
        .where(INCIDENT.c.id == incident_id, INCIDENT.c.version == version)
        .values(**row)
    )
    if result.rowcount != 1:
        return False
    for table, rows in _child_rows(incident_id, data).items():
        session.execute(delete(table).where(table.c.incident_id == incident_id))
        if rows:
            session.execute(table.insert(), rows)
    search_index.add(session, [(incident_id, data)], replace=True)
    return True


def incident_ids(session: Session, keys: Sequence[str]) -> dict[str, int]:
    """Map keys to row ids."""
    out: dict[str, int] = {}
    for chunk in _chunks(list(keys), 500):
        rows = session.execute(select(INCIDENT.c.key, INCIDENT.c.id).where(INCIDENT.c.key.in_(chunk)))
        out |= {key: incident_id for key, incident_id in rows}
    return out


def load_incidents(session: Session, ids: Sequence[int]) -> list[schema.Incident]:
    """Whole documents for these ids, in the order given."""
    docs: dict[int, schema.Incident] = {}
    for chunk in _chunks(list(ids), 500):
        docs |= _load_chunk(session, chunk)
    return [docs[i] for i in ids if i in docs]


def _load_chunk(session: Session, ids: list[int]) -> dict[int, schema.Incident]:
    """Read one chunk of incidents and all their children with one query per table."""
    rows = session.execute(select(INCIDENT).where(INCIDENT.c.id.in_(ids))).mappings().all()
    parts: dict[tuple[int, str], list[Any]] = defaultdict(list)
    for table, (field, to_doc, _) in _CHILDREN.items():
        query = (
            select(table)
            .where(table.c.incident_id.in_(bindparam("ids", expanding=True)))
            .order_by(table.c.incident_id, table.c.position)
        )
        for child in session.execute(query, {"ids": ids}).mappings():
            item = {k: v for k, v in child.items() if k not in _NOT_DOCUMENT}
            parts[(child["incident_id"], field)].append(to_doc(item))
    return {row["id"]: _document(row, parts) for row in rows}


def _document(row: Any, parts: dict[tuple[int, str], list[Any]]) -> schema.Incident:
    """Assemble one document from its incident row and its children."""
    data: dict[str, Any] = {name: row[name] for name in _SCALARS}
    data["ai"] = {name: row[f"ai_{name}"] for name in _AI_FIELDS}
    data["attribution"] = {
        "ai_contribution": row["ai_contribution"],
        "primary_cause": row["primary_cause"],
        "claims": parts.get((row["id"], "attribution.claims"), []),
    }
    data |= {name: row[name] for name in _JSON_PARTS}
    data["cut_in_half"] = {
        "detection": row["cut_in_half_detection"],
        "mitigation": row["cut_in_half_mitigation"],
    }
    for field, _, _ in _CHILDREN.values():
        if field != "attribution.claims":
            data[field] = parts.get((row["id"], field), [])
    return schema.Incident.model_validate(data)


def _chunks(items: list[Any], size: int) -> Iterable[list[Any]]:
    """Consecutive slices of at most `size` items."""
    for start in range(0, len(items), size):
        yield items[start : start + size]
