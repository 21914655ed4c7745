"""The search index: one row per incident with its text in three weighted columns, kept in sync on every write."""

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import Connection, text
from sqlmodel import Session

FTS_TABLE = "incident_fts"  # SQLite: an FTS5 table whose rowid is the incident id
PG_TABLE = "incident_search"  # PostgreSQL: a table with a generated tsvector and a GIN index
WEIGHTS = (8.0, 3.0, 1.0)  # title, cause, detail


def is_search_object(name: str | None) -> bool:
    """Whether a table belongs to the search index (kept out of the models' metadata)."""
    return bool(name) and (name.startswith(FTS_TABLE) or name == PG_TABLE)  # type: ignore[union-attr]


def columns(data: dict[str, Any]) -> tuple[str, str, str]:
    """Title, cause (summary, trigger, root cause, resolution) and detail texts of a document's `model_dump()`."""
    cause = "\n".join(data[k] for k in ("summary", "trigger", "root_cause", "resolution") if data.get(k))
    detail: list[str] = [e["description"] for e in data.get("timeline", [])]
    detail += [f"{w['question']} {w['answer']}" for w in data.get("five_whys", [])]
    detail += [f["description"] for f in data.get("contributing_factors", [])]
    detail += [line for lines in (data.get("lessons") or {}).values() for line in lines]
    detail += [a["title"] for a in data.get("action_items", [])]
    return data["title"], cause, "\n".join(d for d in detail if d)


def entry(data: dict[str, Any]) -> tuple[str, str, str, int]:
    """A document's index row without its id: its three texts and its version."""
    return (*columns(data), data.get("version") or 0)


def add(session: Session | Connection, pairs: Iterable[tuple[int, dict[str, Any]]], *, replace: bool = False) -> None:
    """Index documents (id, `model_dump()`); `replace` drops their old entries first."""
    add_rows(session, [(i, *entry(d)) for i, d in pairs], replace=replace)


def add_rows(session: Session | Connection, rows: list[tuple[Any, ...]], *, replace: bool = False) -> None:
    """Index rows made by `entry`, their ids in front."""
    if not rows:
        return
    connection = session.connection() if isinstance(session, Session) else session
    table, key = (FTS_TABLE, "rowid") if connection.dialect.name == "sqlite" else (PG_TABLE, "incident_id")
    mark = "?" if connection.dialect.paramstyle == "qmark" else "%s"
    # Plain tuples straight to the driver's executemany: a bulk import indexes 100,000 documents.
    if replace:
        connection.exec_driver_sql(f"DELETE FROM {table} WHERE {key} = {mark}", [(row[0],) for row in rows])
    connection.exec_driver_sql(
        f"INSERT INTO {table} ({key}, title, cause, detail, version) VALUES ({', '.join([mark] * 5)})", rows)


def fingerprint(connection: Session | Connection) -> tuple[int, int, int]:
    """How many incidents the index holds, the sum of their ids, and the sum of id × version."""
    # Equal to rebuild.stored_fingerprint exactly when every incident is indexed at its current version.
    dialect = connection.get_bind().dialect.name if isinstance(connection, Session) else connection.dialect.name
    table, key = (FTS_TABLE, "rowid") if dialect == "sqlite" else (PG_TABLE, "incident_id")
    row = connection.execute(text(f"SELECT count(*), sum({key}), sum(CAST({key} AS bigint) * version) FROM {table}")).one()
    return row[0], row[1] or 0, row[2] or 0


def rebuild(connection: Connection, ids: Sequence[int], load: Any) -> None:
    """Index every incident again, `load(ids)` giving their `model_dump()`s a chunk at a time."""
    dialect = connection.dialect.name
    connection.execute(text(f"DELETE FROM {FTS_TABLE if dialect == 'sqlite' else PG_TABLE}"))
    for start in range(0, len(ids), 1_000):
        chunk = list(ids[start : start + 1_000])
        add(connection, zip(chunk, load(chunk), strict=True))
