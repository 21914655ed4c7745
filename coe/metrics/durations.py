"""TTD, TTA, TTM and TTR in minutes: count, mean, median and p90, overall and per group."""

from typing import Any

import pandas as pd

from coe.metrics.scope import incidents_only
from coe.metrics.stats import summarise

DURATIONS = {"ttd": "detected_at", "tta": "acknowledged_at", "ttm": "mitigated_at", "ttr": "resolved_at"}


def minutes(incidents: pd.DataFrame) -> pd.DataFrame:
    """Per incident of kind `incident`: key, severity, ai_contribution and ttd/tta/ttm/ttr in minutes (NaN if unknown)."""
    rows = incidents_only(incidents)
    out = rows.loc[:, ["key", "severity", "ai_contribution"]].copy()
    for name, column in DURATIONS.items():
        out[name] = (rows[column] - rows["started_at"]).dt.total_seconds() / 60
    return out


def durations(incidents: pd.DataFrame) -> dict[str, dict[str, Any]]:
    """{ttd|tta|ttm|ttr: {count, mean, median, p90}} over the incidents that have both timestamps."""
    return {name: duration(incidents, name) for name in DURATIONS}


def duration(incidents: pd.DataFrame, name: str) -> dict[str, Any]:
    """{count, mean, median, p90} of one duration (`ttd`, `tta`, `ttm` or `ttr`); needs only its two times."""
    rows = incidents_only(incidents)
    return summarise((rows[DURATIONS[name]] - rows["started_at"]).dt.total_seconds() / 60)


def durations_by(incidents: pd.DataFrame, by: str) -> dict[str, dict[str, dict[str, Any]]]:
    """durations() per value of a column: `severity`, or `ai` (AI primary/contributing vs not)."""
    per = minutes(incidents)
    groups = per["ai_contribution"].isin(["primary", "contributing"]).map({True: "ai", False: "not_ai"}) \
        if by == "ai" else per[by]
    return {str(value): {name: summarise(part[name]) for name in DURATIONS}
            for value, part in per.groupby(groups, sort=True)}
