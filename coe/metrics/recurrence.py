"""Recurrence: an incident recurs when an earlier one within 90 days shares a service and its root-cause category."""

from typing import Any

import pandas as pd

from coe.metrics.frames import RECURRENCE_DAYS
from coe.metrics.scope import incidents_only
from coe.metrics.stats import share


def recurring(incidents: pd.DataFrame, history: pd.DataFrame) -> pd.Series:
    """The keys of the window's incidents that recur, given `history` (earlier incidents, up to 90 days back)."""
    rows = incidents_only(incidents)
    pool = pd.concat([incidents_only(history).loc[:, ["key", "started_at", "root_cause_category", "services"]],
                      rows.loc[:, ["key", "started_at", "root_cause_category", "services"]]]).drop_duplicates("key")
    spread = pool.explode("services").dropna(subset=["services"])
    if spread.empty or rows.empty:
        return pd.Series([], dtype=object)
    group = ["services", "root_cause_category"]
    # The nearest strictly earlier start in the same service and category decides; ties share a time.
    starts = spread.loc[:, [*group, "started_at"]].drop_duplicates().sort_values([*group, "started_at"])
    starts["previous"] = starts.groupby(group)["started_at"].shift()
    spread = spread.merge(starts, on=[*group, "started_at"], how="left")
    gap = spread["started_at"] - spread["previous"]
    hit = spread[gap.notna() & (gap <= pd.Timedelta(days=RECURRENCE_DAYS))]
    return pd.Series(sorted(set(hit["key"]) & set(rows["key"])), dtype=object)


def recurrence(incidents: pd.DataFrame, history: pd.DataFrame) -> dict[str, Any]:
    """{recurring, share} over the window's incidents."""
    count = len(recurring(incidents, history))
    return {"recurring": count, "share": share(count, len(incidents_only(incidents)))}
