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


def _statements(dialect: str) -> tuple[str, str]:
    """The delete and insert statements of the index on this dialect."""
    if dialect == "sqlite":
        return (f"DELETE FROM {FTS_TABLE} WHERE rowid = :id",
                f"INSERT INTO {FTS_TABLE} (rowid, title, cause, detail) VALUES (:id, :title, :cause, :detail)")
    return (f"DELETE FROM {PG_TABLE} WHERE incident_id = :id",
            f"INSERT INTO {PG_TABLE} (incident_id, title, cause, detail) VALUES (:id, :title, :cause, :detail)")


def add(session: Session | Connection, pairs: Iterable[tuple[int, dict[str, Any]]], *, replace: bool = False) -> None:
    """Index documents (id, `model_dump()`); `replace` drops their old entries first."""
    rows = [dict(zip(("id", "title", "cause", "detail"), (i, *columns(d)), strict=True)) for i, d in pairs]
    if not rows:
        return
    delete, insert = _statements(session.get_bind().dialect.name if isinstance(session, Session) else session.dialect.name)
    if replace:
        session.execute(text(delete), [{"id": r["id"]} for r in rows])
    session.execute(text(insert), rows)


def count(connection: Session | Connection) -> int:
    """How many incidents the index holds."""
    dialect = connection.get_bind().dialect.name if isinstance(connection, Session) else connection.dialect.name
    return connection.execute(text(f"SELECT count(*) FROM {FTS_TABLE if dialect == 'sqlite' else PG_TABLE}")).scalar_one()


def rebuild(connection: Connection, ids: Sequence[int], load: Any) -> None:
    """Index every incident again, `load(ids)` giving their `model_dump()`s a chunk at a time."""
    dialect = connection.dialect.name
    connection.execute(text(f"DELETE FROM {FTS_TABLE if dialect == 'sqlite' else PG_TABLE}"))
    for start in range(0, len(ids), 1_000):
        chunk = list(ids[start : start + 1_000])
        add(connection, zip(chunk, load(chunk), strict=True))
