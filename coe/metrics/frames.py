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
`volumes` — the ChangeVolume rows of the chosen teams (every team when none is chosen; not filtered by
    window: metrics match them by month and team): month ("YYYY-MM"), team, changes_total, changes_ai_generated.
`history` — what recurrence needs: every non-drill incident (no team/service/severity filter) that
    started from 90 days before `since` up to `until`: key, kind, started_at, root_cause_category,
    services (list[str]).

`load_headline(…)` reads only what `summary.headline()` needs (the Overview's tiles and monthly chart);
`incident_columns(…)` reads chosen stored columns of the matching incidents (a dashboard's incident list).
Rows are read from the driver's cursor and typed one column at a time, never row by row in Python.
"""

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import JSON, Select, Table, Text, cast, func, select
from sqlmodel import Session

from coe import db, models
from coe.metrics.actions import OPEN

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
DATES = ("stated_on", "due_on", "completed_on")
FLAGS = ("ai_permissions_inherited", "ai_spec_reviewed")
COUNTS = ("id", "incident_id", "changes_total", "changes_ai_generated")
AS_IS = ("key", "title", "statement", "services")  # text that rarely repeats, and lists: nothing to share
CHANGE_COLUMNS = ("key", "role", "provenance")
CLAIM_COLUMNS = ("key", "source", "source_kind", "attributes_to", "confidence", "stated_on", "statement")
ACTION_COLUMNS = ("key", "title", "kind", "control", "owner", "priority", "status", "due_on", "completed_on",
                  "team", "resolved_at")
VOLUME_COLUMNS = ("month", "team", "changes_total", "changes_ai_generated")
HISTORY_COLUMNS = ("key", "kind", "started_at", "root_cause_category", "services")
HEADLINE_COLUMNS = ("key", "kind", "started_at", "resolved_at", "ai_involvement", "ai_contribution",
                    "attribution_status")
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
    with db.paused_gc():
        return _load(session, since, until, teams=teams, services=services, severities=severities, kinds=kinds)



def _load(session: Session, since: date | None, until: date | None, **filters: Iterable[str]) -> Frames:
    """load() itself."""
    filters = {name: tuple(values) for name, values in filters.items()}  # each is read twice
    scope = _conditions(since, until, **filters)
    ids = select(INCIDENT.c.id).where(*scope)
    incidents = _read(session, select(INCIDENT.c.id, *map(_stored, _STORED)).where(*scope), ("id", *_STORED))
    names = _services(session, since, until)
    incidents["services"] = _lists_for(incidents["id"], names)
    incidents = incidents.merge(_approvals(session, ids), on="id", how="left")
    incidents["published_at"] = _published(session, incidents)
    keys = pd.Series(incidents["key"].to_numpy(), index=incidents["id"].to_numpy())
    return Frames(
        incidents=incidents.loc[:, list(INCIDENT_COLUMNS)],
        changes=_children(session, CHANGE, ids, keys, CHANGE_COLUMNS),
        claims=_children(session, CLAIM, ids, keys, CLAIM_COLUMNS),
        action_items=_actions(session, ids, incidents),
        volumes=volumes(session, teams=filters.get("teams", ())),
        history=_history(session, since, until, names),
    )


def load_headline(session: Session, *, since: date | None = None, until: date | None = None,
                  **filters: Iterable[str]) -> Frames:
    """Only what the headline needs: incidents (HEADLINE_COLUMNS), claims blaming `ai_tool`, open action items."""
    with db.paused_gc():
        return _load_headline(session, since, until, **filters)


def _load_headline(session: Session, since: date | None, until: date | None, **filters: Iterable[str]) -> Frames:
    """load_headline() itself."""
    scope = _conditions(since, until, **filters)
    ids = select(INCIDENT.c.id).where(*scope)
    incidents = _read(session, select(INCIDENT.c.id, *(INCIDENT.c[c] for c in HEADLINE_COLUMNS)).where(*scope),
                      ("id", *HEADLINE_COLUMNS))
    keys = pd.Series(incidents["key"].to_numpy(), index=incidents["id"].to_numpy())
    claims = _keyed(session, select(CLAIM.c.incident_id, CLAIM.c.attributes_to).where(
        CLAIM.c.incident_id.in_(ids), CLAIM.c.attributes_to == "ai_tool"), keys, ("key", "attributes_to"))
    items = _keyed(session, select(ACTION.c.incident_id, ACTION.c.status, ACTION.c.due_on).where(
        ACTION.c.incident_id.in_(ids), ACTION.c.status.in_(OPEN)), keys, ("key", "status", "due_on"))
    nothing = empty()
    return Frames(incidents.drop(columns="id"), nothing.changes, claims, items, nothing.volumes, nothing.history)


def incident_columns(session: Session, columns: Sequence[str], *, since: date | None = None,
                     until: date | None = None, **filters: Iterable[str]) -> pd.DataFrame:
    """Chosen stored columns (not services, approver or published_at) of the incidents that match."""
    return _read(session, select(*map(_stored, columns)).where(*_conditions(since, until, **filters)), columns)


def filter_values(session: Session) -> dict[str, list[str]]:
    """The teams and service names the incidents use, sorted: what the dashboards' filters offer."""
    teams = session.execute(select(INCIDENT.c.team).distinct().where(INCIDENT.c.team != "")).scalars()
    names = session.execute(select(SERVICE.c.name).distinct()).scalars()
    return {"teams": sorted(teams), "services": sorted(names)}


def volumes(session: Session, *, teams: Iterable[str] = ()) -> pd.DataFrame:
    """The change-volume rows of the teams (all when none), ordered by month and team."""
    # A team filter narrows the denominator too, or other teams' changes would dilute the team's failure rate.
    chosen = [VOLUME.c.team.in_(teams)] if (teams := tuple(teams)) else []
    stmt = select(*(VOLUME.c[c] for c in VOLUME_COLUMNS)).where(*chosen).order_by(VOLUME.c.month, VOLUME.c.team)
    return _read(session, stmt, VOLUME_COLUMNS)


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


def _started_within(since: date | None, until: date | None) -> list[Any]:
    """WHERE clauses for incidents that started on one of the days [since, until]."""
    start, end = day_bounds(since, until)
    return [*([INCIDENT.c.started_at >= start] if start else []), *([INCIDENT.c.started_at < end] if end else [])]


def _stored(name: str) -> Any:
    """An incident column to select; JSON comes back as its text on every database, to be parsed in one call."""
    column = INCIDENT.c[name]
    return cast(column, Text).label(name) if isinstance(column.type, JSON) else column


def _conditions(since: date | None, until: date | None, *, teams: Iterable[str] = (), services: Iterable[str] = (),
                severities: Iterable[str] = (), kinds: Iterable[str] = ()) -> list[Any]:
    """WHERE clauses on the incident table for a window and filters."""
    scope = _started_within(since, until)
    for column, values in (("team", tuple(teams)), ("severity", tuple(severities)), ("kind", tuple(kinds))):
        if values:
            scope.append(INCIDENT.c[column].in_(values))
    if services := tuple(services):
        scope.append(INCIDENT.c.id.in_(select(SERVICE.c.incident_id).where(SERVICE.c.name.in_(services))))
    return scope


def _read(session: Session, stmt: Select, columns: Sequence[str]) -> pd.DataFrame:
    """A select's rows as typed columns, taken as the driver returns them (no per-row SQLAlchemy processing)."""
    result = session.connection().execute(stmt)
    try:
        rows = result.cursor.fetchall()
    finally:
        result.close()
    # Every value is a scalar (JSON is selected as text), so numpy lays the rows out as a table in one step.
    table = np.array(rows, dtype=object).reshape(len(rows), len(columns))
    times = [c for c in (*TIMES, "at") if c in columns]
    # Typed one column at a time: a frame built from the raw table would keep every raw cell alive.
    return pd.DataFrame({name: _column(name, pd.Series(table[:, i], dtype=object), times)
                         for i, name in enumerate(columns)})


def _typed(frame: pd.DataFrame, times: Sequence[str]) -> pd.DataFrame:
    """Each column as the frames promise it (see _column)."""
    for name in frame.columns:
        frame[name] = _column(name, frame[name], times)
    return frame


def _column(name: str, values: pd.Series, times: Sequence[str]) -> pd.Series:
    """One column as the frames promise it: UTC times, dates, True/False/None flags, JSON lists, ints, text."""
    if name in times:
        return pd.to_datetime(values, utc=True, format="ISO8601")
    if name in DATES:
        days = pd.to_datetime(values, format="ISO8601").dt.date
        return days.where(days.notna(), None).astype(object)
    if name in FLAGS:
        flags = values.map({1: True, 0: False})
        return flags.astype(object).where(flags.notna(), None)
    if name == "authors":
        return _json_lists(values)
    if name in COUNTS:
        return values.astype("int64")
    return values if name in AS_IS else _shared(values)


def _shared(values: pd.Series) -> pd.Series:
    """A text column whose repeated values are one object each: the driver makes a new string per cell, and
    100,000 incidents' vocabulary would otherwise weigh hundreds of MB in a cached frame."""
    codes, uniques = pd.factorize(values.to_numpy(), use_na_sentinel=False)
    return pd.Series(uniques.take(codes), index=values.index, dtype=object)


def _json_lists(values: pd.Series) -> pd.Series:
    """A JSON list column, parsed in one call (text from the database, or lists already in a hand-built frame)."""
    texts = values.tolist()
    if texts and all(isinstance(t, str) for t in texts):
        texts = json.loads("[" + ",".join(texts) + "]")
    return pd.Series(texts, index=values.index, dtype=object)


def _services(session: Session, since: date | None, until: date | None) -> pd.DataFrame:
    """incident_id and name, in each COE's order, for every incident the window or its history can hold."""
    wide = select(INCIDENT.c.id).where(*_started_within(
        since - timedelta(days=RECURRENCE_DAYS) if since else None, until))
    stmt = (select(SERVICE.c.incident_id, SERVICE.c.name).where(SERVICE.c.incident_id.in_(wide))
            .order_by(SERVICE.c.incident_id, SERVICE.c.position))
    return _read(session, stmt, ("incident_id", "name"))


def _lists_for(ids: pd.Series, names: pd.DataFrame) -> list[list[str]]:
    """Each id's names as a list (rows sorted by id): one slice per incident instead of a groupby."""
    owner = names["incident_id"].to_numpy()
    if not len(owner):
        return [[] for _ in range(len(ids))]
    starts = np.flatnonzero(np.r_[True, owner[1:] != owner[:-1]])
    ends = np.r_[starts[1:], len(owner)]
    values = names["name"].tolist()
    by_id = {i: values[a:b] for i, a, b in zip(owner[starts].tolist(), starts.tolist(), ends.tolist(), strict=True)}
    return [list(by_id.get(i, ())) for i in ids.tolist()]


def _approvals(session: Session, ids: Select) -> pd.DataFrame:
    """The latest `approve` review per incident: id, approver, approved_at."""
    stmt = (select(REVIEW.c.incident_id, REVIEW.c.reviewer, REVIEW.c.at)
            .where(REVIEW.c.incident_id.in_(ids), REVIEW.c.decision == "approve")
            .order_by(REVIEW.c.incident_id, REVIEW.c.at, REVIEW.c.position))
    rows = _read(session, stmt, ("id", "approver", "at")).rename(columns={"at": "approved_at"})
    return rows.drop_duplicates("id", keep="last")


def _published(session: Session, incidents: pd.DataFrame) -> pd.Series:
    """When each published incident was published: its latest `publish` event, else its approval."""
    stmt = (select(AUDIT.c.incident_key, func.max(AUDIT.c.at).label("at"))
            .where(AUDIT.c.action == "publish").group_by(AUDIT.c.incident_key))
    events = _read(session, stmt, ("key", "at"))
    at = incidents["key"].map(pd.Series(events["at"].to_numpy(), index=events["key"].to_numpy()))
    at = at.where(at.notna(), incidents["approved_at"])
    return pd.to_datetime(at.where(incidents["status"] == "published"), utc=True)


def _keyed(session: Session, stmt: Select, keys: pd.Series, columns: Sequence[str]) -> pd.DataFrame:
    """Rows whose first column is an incident id, with the incident key in its place."""
    frame = _read(session, stmt, ("id", *columns[1:]))
    frame.insert(0, "key", frame.pop("id").map(keys).astype(object))
    return frame


def _children(session: Session, table: Table, ids: Select, keys: pd.Series, columns: Sequence[str]) -> pd.DataFrame:
    """A child table's rows for the chosen incidents, with the incident key in place of its id."""
    stmt = (select(table.c.incident_id, *(table.c[c] for c in columns[1:]))
            .where(table.c.incident_id.in_(ids)).order_by(table.c.incident_id, table.c.position))
    return _keyed(session, stmt, keys, columns)


def _actions(session: Session, ids: Select, incidents: pd.DataFrame) -> pd.DataFrame:
    """Action items with their incident's key, team and resolved_at (looked up by the incident's id)."""
    stmt = (select(ACTION.c.incident_id, *(ACTION.c[c] for c in ACTION_COLUMNS[1:-2]))
            .where(ACTION.c.incident_id.in_(ids)).order_by(ACTION.c.incident_id, ACTION.c.position))
    items = _read(session, stmt, ("id", *ACTION_COLUMNS[1:-2]))
    context = incidents.set_index("id").loc[:, ["key", "team", "resolved_at"]]
    items = pd.concat([items, context.reindex(items.pop("id").to_numpy()).reset_index(drop=True)], axis=1)
    return items.loc[:, list(ACTION_COLUMNS)]


def _history(session: Session, since: date | None, until: date | None, names: pd.DataFrame) -> pd.DataFrame:
    """Non-drill incidents from 90 days before the window to its end, for recurrence."""
    scope = [INCIDENT.c.kind != "drill", *_started_within(
        since - timedelta(days=RECURRENCE_DAYS) if since else None, until)]
    stmt = select(INCIDENT.c.id, *(INCIDENT.c[c] for c in HISTORY_COLUMNS[:-1])).where(*scope)
    frame = _read(session, stmt, ("id", *HISTORY_COLUMNS[:-1]))
    frame["services"] = _lists_for(frame["id"], names)
    return frame.drop(columns="id")


def utc_day(value: datetime | None) -> date:
    """The UTC calendar day of a time (now when None)."""
    return (value or datetime.now(UTC)).astimezone(UTC).date()
