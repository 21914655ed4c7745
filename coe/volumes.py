"""Change volumes (changes shipped per team and month, and how many were AI-generated): validate, replace, list."""

import csv
import io
import re
from collections.abc import Iterable, Mapping
from typing import Any

import pandas as pd
from sqlalchemy import delete, select, tuple_
from sqlmodel import Session

from coe import audit, models, users
from coe.errors import Problem, ValidationFailed

VOLUME: Any = models.ChangeVolume.__table__
COLUMNS = ("month", "team", "changes_total", "changes_ai_generated")
_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
_MAX_TEAM = 200


def parse_csv(text: str) -> list[dict[str, Any]]:
    """Rows of a volume CSV, validated; ValidationFailed lists every bad line as `LINE: field: message`."""
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise ValidationFailed([Problem(", ".join(missing), "missing column; the header must be "
                                        + ",".join(COLUMNS), record=1)])
    return validate([(reader.line_num, row) for row in reader])


def validate(numbered: Iterable[tuple[int, Mapping[str, Any]]]) -> list[dict[str, Any]]:
    """Check rows given as (line or record number, row); all problems at once, or the clean rows."""
    problems: list[Problem] = []
    clean: list[dict[str, Any]] = []
    seen: dict[tuple[str, str], int] = {}
    for number, row in numbered:
        found = _check(row, number)
        if isinstance(found, list):
            problems.extend(found)
            continue
        pair = (found["month"], found["team"])
        if pair in seen:
            problems.append(Problem("team", f"{pair[1]} already has a row for {pair[0]} (line {seen[pair]})",
                                    record=number))
        seen[pair] = number
        clean.append(found)
    if problems:
        raise ValidationFailed(problems)
    return clean


def _check(row: Mapping[str, Any], number: int) -> dict[str, Any] | list[Problem]:
    """One row as typed values, or its problems."""
    problems = []
    month = str(row.get("month") or "").strip()
    team = str(row.get("team") or "").strip()
    if not _MONTH.match(month):
        problems.append(Problem("month", f"{month!r} is not a month like 2025-03", record=number))
    if not team or len(team) > _MAX_TEAM:
        problems.append(Problem("team", f"must be 1–{_MAX_TEAM} characters", record=number))
    counts = {}
    for name in COLUMNS[2:]:
        counts[name] = _count(row.get(name))
        if counts[name] is None:
            problems.append(Problem(name, f"{row.get(name)!r} is not a whole number ≥ 0", record=number))
    total, ai = counts["changes_total"], counts["changes_ai_generated"]
    if total is not None and ai is not None and ai > total:
        problems.append(Problem("changes_ai_generated", f"{ai} is more than changes_total ({total})", record=number))
    return problems or {"month": month, "team": team, "changes_total": total, "changes_ai_generated": ai}


def _count(value: Any) -> int | None:
    """A non-negative whole number from text or a number, else None."""
    if isinstance(value, bool):
        return None
    try:
        number = float(str(value).strip()) if not isinstance(value, int | float) else float(value)
    except ValueError:
        return None
    return int(number) if number.is_integer() and 0 <= number < 10**12 else None


def import_volumes(session: Session, *, rows: list[dict[str, Any]], actor: str, source: str = "") -> int:
    """Add validated rows, replacing those of the same month and team; audited as one event."""
    users.require(session, actor, "record_volume")
    if rows:
        pairs = [(r["month"], r["team"]) for r in rows]
        session.execute(delete(VOLUME).where(tuple_(VOLUME.c.month, VOLUME.c.team).in_(pairs)))
        session.execute(VOLUME.insert(), rows)
    _audit(session, actor, "import_volumes", {"rows": len(rows), **({"source": source} if source else {})})
    return len(rows)


def set_volumes(session: Session, *, rows: Iterable[Mapping[str, Any]], actor: str) -> int:
    """Replace the whole volume table with these rows (as edited in the app); validated, audited."""
    users.require(session, actor, "record_volume")
    clean = validate(enumerate(rows, start=1))
    session.execute(delete(VOLUME))
    if clean:
        session.execute(VOLUME.insert(), clean)
    _audit(session, actor, "set_volumes", {"rows": len(clean)})
    return len(clean)


def list_volumes(session: Session) -> pd.DataFrame:
    """Every volume row (month, team, changes_total, changes_ai_generated), ordered by month and team."""
    stmt = select(*(VOLUME.c[c] for c in COLUMNS)).order_by(VOLUME.c.month, VOLUME.c.team)
    return pd.DataFrame([tuple(r) for r in session.execute(stmt)], columns=list(COLUMNS))


def _audit(session: Session, actor: str, action: str, changes: dict[str, Any]) -> None:
    """One audit event for a change to the volumes (no incident, no incident state)."""
    audit.append(session, [{"at": audit.now(), "actor": actor, "action": action, "incident_key": None,
                            "changes": changes, "state_hash": None}])
