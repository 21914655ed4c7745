"""Map `coe/v1` documents to table rows and back, in bulk, with no per-row ORM objects."""

import dataclasses
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC
from functools import lru_cache
from operator import itemgetter
from typing import Any

from pydantic_core import to_json
from sqlalchemy import (
    JSON,
    Date,
    Dialect,
    Integer,
    String,
    Table,
    bindparam,
    cast,
    delete,
    func,
    select,
    text,
    update,
)
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session
from sqlmodel.sql.sqltypes import UTCDateTime

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
# SQLite's default 2 MiB page cache spills the random-order index pages (audit hashes) of a large import to disk.
BULK_CACHE_KIB = 256 * 1024
_INCIDENT_COLUMNS = tuple(column.name for column in INCIDENT.c if column.name != "id")
_INCIDENT_ROW = itemgetter(*_INCIDENT_COLUMNS)

# child table → (document field, row → document part)
_CHILDREN: dict[Table, tuple[str, Any]] = {
    models.IncidentService.__table__: ("services", lambda r: r["name"]),
    models.TimelineEvent.__table__: ("timeline", dict),
    models.Change.__table__: ("changes", dict),
    models.ActionItem.__table__: ("action_items", dict),
    models.Review.__table__: ("reviews", dict),
    models.AttributionClaim.__table__: ("attribution.claims", dict),
}
_NOT_DOCUMENT = ("id", "incident_id", "position")
# child table → its columns after incident_id and position, in the order its rows are built
_CHILD_FIELDS = {table: tuple(c.name for c in table.c if c.name not in _NOT_DOCUMENT) for table in _CHILDREN}
_CHILD_COLUMNS = {table: ("incident_id", "position", *fields) for table, fields in _CHILD_FIELDS.items()}
_TABLES = {table.name: table for table in _CHILDREN}


def incident_row(doc: schema.Incident, data: dict[str, Any]) -> dict[str, Any]:
    """The incident table's columns for a document and its `model_dump()` (children excluded)."""
    row = _incident_columns(data)
    row |= {name: [item.model_dump(mode="json") for item in getattr(doc, name)] for name in _JSON_PARTS}
    return row


def _incident_columns(data: dict[str, Any]) -> dict[str, Any]:
    """The incident table's columns of a document's data, its JSON parts as they are there."""
    row = {name: data[name] for name in _SCALARS}
    row |= {f"ai_{name}": data["ai"][name] for name in _AI_FIELDS}
    row["ai_contribution"] = data["attribution"]["ai_contribution"]
    row["primary_cause"] = data["attribution"]["primary_cause"]
    row["attribution_status"] = data["attribution"]["status"]
    row |= {name: data.get(name, []) for name in _JSON_PARTS}  # empty amendments and extra sections are left out
    row["cut_in_half_detection"] = data["cut_in_half"]["detection"]
    row["cut_in_half_mitigation"] = data["cut_in_half"]["mitigation"]
    return row


def _child_rows(incident_id: int, data: dict[str, Any]) -> dict[Table, list[tuple[Any, ...]]]:
    """Rows of every child table for one document's `model_dump()`, as (incident_id, position, fields…)."""
    out: dict[Table, list[tuple[Any, ...]]] = {}
    for table, (field, _) in _CHILDREN.items():
        items = data["attribution"]["claims"] if field == "attribution.claims" else data[field]
        if field == "services":
            out[table] = [(incident_id, i, name) for i, name in enumerate(items)]
            continue
        fields = itemgetter(*_CHILD_FIELDS[table])
        out[table] = [(incident_id, i, *fields(item)) for i, item in enumerate(items)]
    return out


def next_key_number(session: Session, year: int) -> int:
    """The next free NNNN of COE-YYYY-NNNN (the caller holds the write lock)."""
    prefix = f"COE-{year:04d}-"
    number = cast(func.substr(INCIDENT.c.key, len(prefix) + 1), Integer)
    highest = session.execute(
        select(func.max(number)).where(INCIDENT.c.key.like(f"{prefix}%"))
    ).scalar()
    return (highest or 0) + 1


def highest_key_numbers(session: Session) -> dict[int, int]:
    """The highest NNNN of COE-YYYY-NNNN per year (the caller holds the write lock)."""
    year = func.substr(INCIDENT.c.key, 5, 4)
    rows = session.execute(select(year, func.max(cast(func.substr(INCIDENT.c.key, 10), Integer))).group_by(year))
    return {int(y): highest for y, highest in rows}


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


# A namespaced id (agent-postmortems:…, aiaaic:…) names a record; a bare CVE, CWE or source name may be shared.
_RECORD_ID = re.compile(r"[a-z0-9-]+:\S")


def record_refs(doc: Any) -> list[tuple[str, str]]:
    """A record's references that name it elsewhere, as (system, id)."""
    return [(r.system.value, r.id) for r in doc.external_refs if identifies(r.system.value, r.id)]


def identifies(system: str, ref_id: str) -> bool:
    """Whether a reference names one record (an AIID or ticket id), not a file's hash or a shared citation."""
    if system != "other":
        return bool(ref_id)
    return bool(_RECORD_ID.match(ref_id)) and not ref_id.startswith(("sha256:", "http:", "https:"))


# One row per (incident, reference); the JSON functions differ, the answer does not.
_REFS_SQL = {
    "sqlite": "SELECT i.key, json_extract(r.value, '$.system'), json_extract(r.value, '$.id') "
              "FROM incident i, json_each(i.external_refs) r WHERE json_extract(r.value, '$.id') IN :ids",
    "postgresql": "SELECT i.key, r ->> 'system', r ->> 'id' "
                  "FROM incident i, json_array_elements(i.external_refs) r WHERE r ->> 'id' IN :ids",
}


def keys_by_refs(session: Session, refs: Iterable[tuple[str, str]]) -> dict[tuple[str, str], str]:
    """The key of a stored incident carrying each of these (system, id) references, for those that one does."""
    wanted = set(refs)
    query = text(_REFS_SQL[session.get_bind().dialect.name]).bindparams(bindparam("ids", expanding=True))
    found: dict[tuple[str, str], str] = {}
    for chunk in _chunks(sorted({ref_id for _, ref_id in wanted}), 500):
        for key, system, ref_id in session.execute(query, {"ids": chunk}):
            if (system, ref_id) in wanted:
                found.setdefault((system, ref_id), key)
    return found


@dataclasses.dataclass
class Rows:
    """Documents as plain tuples ready for the driver, made without a session (so in any process)."""

    incidents: list[tuple[Any, ...]] = dataclasses.field(default_factory=list)  # the incident columns after id
    # table name → (position in `incidents`, position, fields…)
    children: dict[str, list[tuple[Any, ...]]] = dataclasses.field(default_factory=lambda: {table.name: [] for table in _CHILDREN})
    search: list[tuple[Any, ...]] = dataclasses.field(default_factory=list)  # the search index row after id

    def add(self, docs: Sequence[dict[str, Any]], dialect: Dialect) -> None:
        """Add complete documents as their coe/v1 JSON decodes (keys and versions set), converted for this dialect."""
        incidents = [_INCIDENT_ROW(_incident_columns(data)) for data in docs]
        children: dict[Table, list[tuple[Any, ...]]] = {table: [] for table in _CHILDREN}
        for n, data in enumerate(docs, start=len(self.incidents)):
            for table, rows in _child_rows(n, data).items():
                children[table] += rows
        self.incidents += _converted(INCIDENT, _INCIDENT_COLUMNS, dialect, incidents, decoded=True)
        for table, rows in children.items():
            self.children[table.name] += _converted(table, _CHILD_COLUMNS[table], dialect, rows, decoded=True)
        self.search += [search_index.entry(data) for data in docs]


def incident_rows(docs: Sequence[dict[str, Any]], dialect: Dialect) -> Rows:
    """Rows for complete documents as their coe/v1 JSON decodes (keys and versions set), converted for this dialect."""
    rows = Rows()
    rows.add(docs, dialect)
    return rows


def insert_prepared(session: Session, rows: Rows) -> list[int]:
    """Store rows made by `incident_rows`; return the new incidents' ids."""
    ids = _new_ids(session, len(rows.incidents))
    _write(session, INCIDENT, ("id", *_INCIDENT_COLUMNS), [(i, *row) for i, row in zip(ids, rows.incidents, strict=True)])
    for name, children in rows.children.items():
        table = _TABLES[name]
        _write(session, table, _CHILD_COLUMNS[table], [(ids[row[0]], *row[1:]) for row in children])
    search_index.add_rows(session, [(i, *row) for i, row in zip(ids, rows.search, strict=True)])
    return ids


def insert_incidents(session: Session, docs: Sequence[dict[str, Any]]) -> list[int]:
    """Insert complete documents as their coe/v1 JSON decodes (keys and versions set); return their ids."""
    dialect = session.get_bind().dialect
    return [i for chunk in _chunks(list(docs), 2_000) for i in insert_prepared(session, incident_rows(chunk, dialect))]


@contextmanager
def bulk_cache(session: Session) -> Iterator[None]:
    """On SQLite, a page cache that holds a bulk import's hot index pages, then the connection's own size again."""
    if session.get_bind().dialect.name != "sqlite":
        yield
        return
    # The driver's connection: restoring must work even when the session's transaction has failed.
    sqlite = session.connection().connection.driver_connection
    before = sqlite.execute("PRAGMA cache_size").fetchone()[0]  # type: ignore[union-attr]
    sqlite.execute(f"PRAGMA cache_size = -{BULK_CACHE_KIB}")  # type: ignore[union-attr]
    try:
        yield
    finally:
        sqlite.execute(f"PRAGMA cache_size = {before}")  # type: ignore[union-attr]


def _new_ids(session: Session, count: int) -> list[int]:
    """Ids for `count` new incidents, taken up front so that their children need no RETURNING round trip."""
    if session.get_bind().dialect.name == "postgresql":
        query = text("SELECT nextval(pg_get_serial_sequence('incident', 'id')) FROM generate_series(1, :n) ORDER BY 1")
        return list(session.execute(query, {"n": count}).scalars())
    # SQLite gives a new row max(id) + 1 anyway, and the caller holds the write lock.
    first = session.execute(select(func.coalesce(func.max(INCIDENT.c.id), 0))).scalar_one() + 1
    return list(range(first, first + count))


def insert_rows(session: Session, table: Table, columns: Sequence[str], rows: list[tuple[Any, ...]]) -> None:
    """Insert plain tuples through the driver (COPY on PostgreSQL); JSON columns take the documents' own values."""
    _write(session, table, columns, _converted(table, columns, session.get_bind().dialect, rows))


def _converted(
    table: Table, columns: Sequence[str], dialect: Dialect, rows: list[tuple[Any, ...]], *, decoded: bool = False
) -> list[tuple[Any, ...]]:
    """Rows with their values as the driver takes them (JSON as text; on SQLite, times as text too).

    `decoded`: the values come from decoded coe/v1 JSON (times and dates as ISO text), not from the models.
    """
    _, convert = _insert_plan(table, tuple(columns), dialect, decoded)
    return rows if convert is None else [convert(row) for row in rows]


def _write(session: Session, table: Table, columns: Sequence[str], rows: list[tuple[Any, ...]]) -> None:
    """Insert rows already converted by `_converted`, through the driver."""
    if not rows:
        return
    connection = session.connection()
    statement, _ = _insert_plan(table, tuple(columns), connection.dialect, False)
    if connection.dialect.name == "postgresql":
        driver = connection.dialect.loaded_dbapi
        try:
            with connection.connection.driver_connection.cursor() as cursor, cursor.copy(statement) as copy:  # type: ignore[union-attr]
                for row in rows:
                    copy.write_row(row)
        except driver.Error as exc:  # the same one-line refusal as for any other statement
            raise DBAPIError.instance(statement, None, exc, driver.Error, dialect=connection.dialect) from None
    else:
        connection.exec_driver_sql(statement, rows)


@lru_cache(maxsize=64)
def _insert_plan(
    table: Table, columns: tuple[str, ...], dialect: Dialect, decoded: bool
) -> tuple[str, Callable[[Any], Any] | None]:
    """The statement for these columns and a row converter for model values, or for decoded JSON's if `decoded`."""
    quote = dialect.identifier_preparer.quote
    names = ", ".join(quote(name) for name in columns)
    if dialect.name == "postgresql":
        statement = f"COPY {quote(table.name)} ({names}) FROM STDIN"
    else:
        statement = f"INSERT INTO {quote(table.name)} ({names}) VALUES ({', '.join('?' * len(columns))})"
    processor = _decoded_processor if decoded else _processor
    processors = [(i, processor(table.c[name].type, dialect)) for i, name in enumerate(columns)]
    processors = [(i, process) for i, process in processors if process is not None]
    if not processors:
        return statement, None

    def convert(row: tuple[Any, ...]) -> tuple[Any, ...]:
        values = list(row)
        for i, process in processors:
            values[i] = process(values[i])
        return tuple(values)

    return statement, convert


def _processor(column_type: Any, dialect: Dialect) -> Callable[[Any], Any] | None:
    """How one column's model values are prepared for the driver."""
    if isinstance(column_type, JSON):
        # pydantic's serialiser, in Rust, uses the models' own rules (timestamps as 2025-12-09T01:00:00+00:00).
        return lambda value: None if value is None else to_json(value).decode()
    if isinstance(column_type, UTCDateTime) and dialect.name == "sqlite":
        # The text SQLAlchemy stores on SQLite (2025-12-09 01:00:00.000000, UTC) in two C calls instead of four Python ones.
        return lambda value: None if value is None else value.astimezone(UTC).isoformat(" ", "microseconds")[:26]
    return column_type.dialect_impl(dialect).bind_processor(dialect)


def _decoded_processor(column_type: Any, dialect: Dialect) -> Callable[[Any], Any] | None:
    """How one column's decoded coe/v1 JSON values are prepared for the driver: times are ISO text already."""
    if isinstance(column_type, UTCDateTime) and dialect.name == "sqlite":
        return _sqlite_time
    if isinstance(column_type, UTCDateTime | Date):
        return None  # PostgreSQL reads ISO text, and SQLite stores a date as its ISO text
    return _processor(column_type, dialect)


def _sqlite_time(value: str | None) -> str | None:
    """A coe/v1 UTC timestamp (2025-12-09T01:00:00[.ffffff]+00:00) as SQLAlchemy stores it on SQLite."""
    if value is None:
        return None
    return f"{value[:10]} {value[11:19]}.{value[20:26] if value[19] == '.' else '000000'}"


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
        insert_rows(session, table, _CHILD_COLUMNS[table], rows)
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
    for table, (field, to_doc) in _CHILDREN.items():
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
    for field, _ in _CHILDREN.values():
        if field != "attribution.claims":
            data[field] = parts.get((row["id"], field), [])
    return schema.Incident.model_validate(data)


def _chunks(items: list[Any], size: int) -> Iterable[list[Any]]:
    """Consecutive slices of at most `size` items."""
    for start in range(0, len(items), size):
        yield items[start : start + size]
