"""Database rows → pandas: the few columns every metric and chart needs, loaded with a handful of SQL queries.

`load(session, since=…, until=…, teams=…, services=…, severities=…, kinds=…)` returns a frozen `Frames`.
Filters apply to the incident; an empty tuple means "any". The window is `[since, until]` on the UTC date
of `started_at`, both days included; `None` leaves that end open. Drills are loaded (the `kinds` filter
decides) and every metric leaves them out itself. Times are pandas UTC-aware datetimes (`NaT` when
absent), dates are `datetime.date` objects (or `None`) in object columns, text is `str`.

`incidents` — one row per incident in the window:
    key, title, kind, severity, status, team, environment,
    services (list[str], in the COE's order),
    started_at, detected_at, acknowledged_at, mitigated_at, resolved_at (UTC datetimes),
    root_cause_category, detection_method,
    ai_involvement, ai_tool, ai_mode, ai_autonomy, ai_approval_gate, ai_permission_scope,
    ai_permissions_inherited, ai_spec_reviewed (True / False / None),
    ai_contribution, primary_cause, attribution_status,
    authors (list[str]),
    approver (str | None: the reviewer of the latest `approve` review),
    published_at (UTC datetime: the latest `publish` audit event, or for a COE imported as published,
        the time of its latest `approve` review; NaT when not published).
`changes` — one row per contributing change of those incidents: key, role, provenance.
`claims` — one row per attribution claim: key, source, source_kind, attributes_to, confidence,
    stated_on (date | None), statement.
`action_items` — one row per action item: key, title, kind, control, owner, priority, status,
    due_on, completed_on (date | None), and the incident's team and resolved_at.
`volumes` — every ChangeVolume row (not filtered by window or team; metrics match them by month and
    team): month ("YYYY-MM"), team, changes_total, changes_ai_generated.
`history` — what recurrence needs: every non-drill incident (no team/service/severity filter) that
    started from 90 days before `since` up to `until`: key, kind, started_at, root_cause_category,
    services (list[str]).
"""

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pandas as pd
from sqlalchemy import Select, String, Table, func, select, type_coerce
from sqlmodel import Session

from coe import models

RECURRENCE_DAYS = 90

INCIDENT: Table = models.Incident.__table__  # type: ignore[assignment]
SERVICE: Table = models.IncidentService.__table__  # type: ignore[assignment]
CHANGE: Table = models.Change.__table__  # type: ignore[assignment]
CLAIM: Table = models.AttributionClaim.__table__  # type: ignore[assignment]
ACTION: Table = models.ActionItem.__table__  # type: ignore[assignment]
REVIEW: Table = models.Review.__table__  # type: ignore[assignment]
AUDIT: Table = models.AuditEvent.__table__  # type: ignore[assignment]
VOLUME: Table = models.ChangeVolume.__table__  # type: ignore[assignment]

INCIDENT_COLUMNS = (
    "key", "title", "kind", "severity", "status", "team", "environment", "services",
    "started_at", "detected_at", "acknowledged_at", "mitigated_at", "resolved_at",
    "root_cause_category", "detection_method",
    "ai_involvement", "ai_tool", "ai_mode", "ai_autonomy", "ai_approval_gate", "ai_permission_scope",
    "ai_permissions_inherited", "ai_spec_reviewed", "ai_contribution", "primary_cause",
    "attribution_status", "authors", "approver", "published_at",
)
TIMES = ("started_at", "detected_at", "acknowledged_at", "mitigated_at", "resolved_at")
CHANGE_COLUMNS = ("key", "role", "provenance")
CLAIM_COLUMNS = ("key", "source", "source_kind", "attributes_to", "confidence", "stated_on", "statement")
ACTION_COLUMNS = ("key", "title", "kind", "control", "owner", "priority", "status", "due_on", "completed_on",
                  "team", "resolved_at")
VOLUME_COLUMNS = ("month", "team", "changes_total", "changes_ai_generated")
HISTORY_COLUMNS = ("key", "kind", "started_at", "root_cause_category", "services")
_STORED = tuple(c for c in INCIDENT_COLUMNS if c not in ("services", "approver", "published_at"))


@dataclass(frozen=True)
class Frames:
    """The data of one window, as DataFrames; see the module docstring for every column."""

    incidents: pd.DataFrame
    changes: pd.DataFrame
    claims: pd.DataFrame
    action_items: pd.DataFrame
    volumes: pd.DataFrame
    history: pd.DataFrame


def load(
    session: Session,
    *,
    since: date | None = None,
    until: date | None = None,
    teams: Iterable[str] = (),
    services: Iterable[str] = (),
    severities: Iterable[str] = (),
    kinds: Iterable[str] = (),
) -> Frames:
    """Load the incidents of a window (and their parts) that match the filters."""
    scope = _conditions(since, until, tuple(teams), tuple(services), tuple(severities), tuple(kinds))
    ids = select(INCIDENT.c.id).where(*scope)
    rows = _rows(session, select(INCIDENT.c.id, *(_raw(INCIDENT.c[c]) for c in _STORED)).where(*scope))
    incidents = pd.DataFrame.from_records(rows, columns=["id", *_STORED])
    incidents["services"] = _services(session, ids).reindex(incidents["id"]).tolist()
    incidents["services"] = incidents["services"].map(lambda v: v if isinstance(v, list) else [])
    approvals = _approvals(session, ids)
    incidents = incidents.merge(approvals, on="id", how="left")
    incidents["published_at"] = _published(session, incidents)
    incidents = _typed(incidents, TIMES + ("published_at", "approved_at"))
    keys = incidents.set_index("id")["key"]
    return Frames(
        incidents=incidents.loc[:, list(INCIDENT_COLUMNS)].reset_index(drop=True),
        changes=_children(session, CHANGE, ids, keys, CHANGE_COLUMNS),
        claims=_children(session, CLAIM, ids, keys, CLAIM_COLUMNS),
        action_items=_actions(session, ids, keys, incidents),
        volumes=volumes(session),
        history=_history(session, since, until),
    )


def volumes(session: Session) -> pd.DataFrame:
    """Every change-volume row, ordered by month and team."""
    stmt = select(*(VOLUME.c[c] for c in VOLUME_COLUMNS)).order_by(VOLUME.c.month, VOLUME.c.team)
    return pd.DataFrame.from_records(_rows(session, stmt), columns=list(VOLUME_COLUMNS)).astype(
        {"changes_total": "int64", "changes_ai_generated": "int64"})


def empty() -> Frames:
    """Frames with every column and no rows (a window with nothing in it)."""
    def none(cols: Sequence[str]) -> pd.DataFrame:
        return pd.DataFrame({c: pd.Series([], dtype=object) for c in cols})
    incidents = _typed(none(INCIDENT_COLUMNS), TIMES + ("published_at",))
    actions = _typed(none(ACTION_COLUMNS), ("resolved_at",))
    history = _typed(none(HISTORY_COLUMNS), ("started_at",))
    vols = none(VOLUME_COLUMNS).astype({"changes_total": "int64", "changes_ai_generated": "int64"})
    return Frames(incidents, none(CHANGE_COLUMNS), none(CLAIM_COLUMNS), actions, vols, history)


def day_bounds(since: date | None, until: date | None) -> tuple[datetime | None, datetime | None]:
    """The UTC half-open range [since 00:00, until+1 00:00) the database compares against."""
    start = datetime.combine(since, time(), UTC) if since else None
    end = datetime.combine(until + timedelta(days=1), time(), UTC) if until else None
    return start, end


def _conditions(since, until, teams, services, severities, kinds) -> list[Any]:
    """WHERE clauses on the incident table for a window and filters."""
    start, end = day_bounds(since, until)
    scope: list[Any] = []
    if start is not None:
        scope.append(INCIDENT.c.started_at >= start)
    if end is not None:
        scope.append(INCIDENT.c.started_at < end)
    for column, values in (("team", teams), ("severity", severities), ("kind", kinds)):
        if values:
            scope.append(INCIDENT.c[column].in_(values))
    if services:
        scope.append(INCIDENT.c.id.in_(select(SERVICE.c.incident_id).where(SERVICE.c.name.in_(services))))
    return scope


def _raw(column: Any) -> Any:
    """A time column as the driver gives it: pandas parses a whole column at once, far faster than per row."""
    return type_coerce(column, String).label(column.name) if column.name in TIMES else column


def _rows(session: Session, stmt: Select) -> list[tuple]:
    """Plain tuples from a Core select (no ORM objects)."""
    return [tuple(r) for r in session.execute(stmt).all()]


def _services(session: Session, ids: Select) -> pd.Series:
    """Each incident's service names in order, indexed by incident id."""
    stmt = (select(SERVICE.c.incident_id, SERVICE.c.name).where(SERVICE.c.incident_id.in_(ids))
            .order_by(SERVICE.c.incident_id, SERVICE.c.position))
    names: dict[int, list[str]] = defaultdict(list)
    # A plain loop: pandas' groupby(...).agg(list) builds one Series per group and is ~30× slower here.
    for incident_id, name in session.execute(stmt).all():
        names[incident_id].append(name)
    return pd.Series(names, dtype=object)


def _approvals(session: Session, ids: Select) -> pd.DataFrame:
    """The latest `approve` review per incident: id, approver, approved_at."""
    stmt = (select(REVIEW.c.incident_id, REVIEW.c.reviewer, REVIEW.c.at)
            .where(REVIEW.c.incident_id.in_(ids), REVIEW.c.decision == "approve")
            .order_by(REVIEW.c.incident_id, REVIEW.c.at, REVIEW.c.position))
    rows = pd.DataFrame.from_records(_rows(session, stmt), columns=["id", "approver", "approved_at"])
    return rows.drop_duplicates("id", keep="last")


def _published(session: Session, incidents: pd.DataFrame) -> pd.Series:
    """When each published incident was published: its latest `publish` event, else its approval."""
    stmt = (select(AUDIT.c.incident_key, func.max(AUDIT.c.at))
            .where(AUDIT.c.action == "publish").group_by(AUDIT.c.incident_key))
    events = dict(_rows(session, stmt))
    at = incidents["key"].map(events)
    at = at.where(at.notna(), incidents["approved_at"])
    return at.where(incidents["status"] == "published")


def _typed(frame: pd.DataFrame, times: Sequence[str]) -> pd.DataFrame:
    """Time columns as UTC-aware datetimes (the database keeps naive UTC)."""
    for column in times:
        if column in frame:
            frame[column] = pd.to_datetime(frame[column], utc=True)
    return frame


def _children(session: Session, table: Table, ids: Select, keys: pd.Series, columns: Sequence[str]) -> pd.DataFrame:
    """A child table's rows for the chosen incidents, with the incident key in place of its id."""
    stmt = (select(table.c.incident_id, *(table.c[c] for c in columns[1:]))
            .where(table.c.incident_id.in_(ids)).order_by(table.c.incident_id, table.c.position))
    frame = pd.DataFrame.from_records(_rows(session, stmt), columns=["id", *columns[1:]])
    frame.insert(0, "key", frame.pop("id").map(keys).astype(object))
    return frame


def _actions(session: Session, ids: Select, keys: pd.Series, incidents: pd.DataFrame) -> pd.DataFrame:
    """Action items with their incident's team and resolved_at."""
    items = _children(session, ACTION, ids, keys, ACTION_COLUMNS[:-2])
    context = incidents.loc[:, ["key", "team", "resolved_at"]]
    return items.merge(context, on="key", how="left").loc[:, list(ACTION_COLUMNS)]


def _history(session: Session, since: date | None, until: date | None) -> pd.DataFrame:
    """Non-drill incidents from 90 days before the window to its end, for recurrence."""
    start, end = day_bounds(since - timedelta(days=RECURRENCE_DAYS) if since else None, until)
    scope = [INCIDENT.c.kind != "drill"]
    if start is not None:
        scope.append(INCIDENT.c.started_at >= start)
    if end is not None:
        scope.append(INCIDENT.c.started_at < end)
    ids = select(INCIDENT.c.id).where(*scope)
    stmt = select(INCIDENT.c.id, INCIDENT.c.key, INCIDENT.c.kind, INCIDENT.c.started_at,
                  INCIDENT.c.root_cause_category).where(*scope)
    frame = pd.DataFrame.from_records(_rows(session, stmt), columns=["id", *HISTORY_COLUMNS[:-1]])
    names = _services(session, ids).reindex(frame["id"]).tolist()
    frame["services"] = [v if isinstance(v, list) else [] for v in names]
    return _typed(frame.drop(columns="id"), ("started_at",))


def utc_day(value: datetime | None) -> date:
    """The UTC calendar day of a time (now when None)."""
    return (value or datetime.now(UTC)).astimezone(UTC).date()
