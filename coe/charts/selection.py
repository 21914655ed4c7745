"""Click-through: what a selection picked (figures put a category or incident key in customdata) and its rows."""

from collections.abc import Iterable, Mapping, Sequence
from itertools import pairwise
from typing import Any

import pandas as pd

from coe.metrics.cfr import failure_flags
from coe.metrics.controls import gap_flags

NOT_RECORDED = "not recorded"


def picked(event: Mapping[str, Any] | None) -> list[Any]:
    """The distinct `customdata` of the selected points, in order (a list customdata becomes a tuple)."""
    points = ((event or {}).get("selection") or {}).get("points") or []
    values = [point.get("customdata") for point in points]
    chosen = [tuple(v) if isinstance(v, list) else v for v in values if v is not None]
    return list(dict.fromkeys(chosen))


def with_values(frame: pd.DataFrame, column: str, values: Iterable[Any]) -> pd.DataFrame:
    """Rows whose column shows one of the values as a chart labels it (missing as 'not recorded')."""
    return frame[frame[column].fillna(NOT_RECORDED).astype(str).isin([str(v) for v in values])]


def with_gaps(incidents: pd.DataFrame, changes: pd.DataFrame, gaps: Iterable[str]) -> pd.DataFrame:
    """AI-involved incidents (kind `incident`) with any of the control gaps (keys of controls.GAPS)."""
    flags = gap_flags(incidents, changes)
    chosen = [g for g in gaps if g in flags]
    hit = flags.loc[flags[chosen].astype(bool).any(axis=1), "key"] if chosen else flags["key"].iloc[:0]
    return incidents[incidents["key"].isin(hit)]


def in_month_and_severity(incidents: pd.DataFrame, pairs: Iterable[tuple[str, str]]) -> pd.DataFrame:
    """Incidents (kind `incident`) that started in a month ("YYYY-MM") with a severity, for each (month, severity)."""
    rows = incidents[incidents["kind"] == "incident"]
    labels = rows["started_at"].dt.strftime("%Y-%m") + " " + rows["severity"].astype(str)
    return rows[labels.isin([f"{month} {severity}" for month, severity in pairs])]


def failed_by_provenance(incidents: pd.DataFrame, changes: pd.DataFrame, volumes: pd.DataFrame,
                         months: list[str], sides: Iterable[str]) -> pd.DataFrame:
    """The incidents a change-failure rate counts for `ai` or `human` changes (team-months with a volume)."""
    flags = failure_flags(incidents, changes)
    measured = flags.merge(volumes.loc[:, ["month", "team"]], on=["month", "team"])
    measured = measured[measured["month"].isin(months)]
    hit = pd.Series(False, index=measured.index)
    for side in sides:
        if f"{side}_failures" in measured:
            hit |= measured[f"{side}_failures"].astype(bool)
    return incidents[incidents["key"].isin(measured.loc[hit, "key"])]


def overdue_for(items: pd.DataFrame, chosen: Iterable[str], edges: Sequence[int], names: Sequence[str]) -> pd.DataFrame:
    """Overdue items whose days overdue fall in the chosen buckets, bucket i being (edges[i], edges[i + 1]]."""
    bounds = dict(zip(names, pairwise(edges), strict=True))
    hit = pd.Series(False, index=items.index)
    for low, high in (bounds[name] for name in chosen if name in bounds):
        hit |= items["overdue"].astype(bool) & (items["days_overdue"] > low) & (items["days_overdue"] <= high)
    return items[hit]
