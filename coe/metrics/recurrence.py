"""Recurrence: an incident recurs when an earlier one within 90 days shares a service and its root-cause category."""

from typing import Any

import numpy as np
import pandas as pd

from coe.metrics.frames import RECURRENCE_DAYS
from coe.metrics.scope import incidents_only
from coe.metrics.stats import share

POOLED = ["key", "started_at", "root_cause_category", "services"]


def recurring(incidents: pd.DataFrame, history: pd.DataFrame) -> pd.Series:
    """The keys of the window's incidents that recur, given `history` (earlier incidents, up to 90 days back)."""
    rows = incidents_only(incidents)
    pool = pd.concat([incidents_only(history).loc[:, POOLED], rows.loc[:, POOLED]]).drop_duplicates("key")
    spread = pool.explode("services").dropna(subset=["services"])
    if spread.empty or rows.empty:
        return pd.Series([], dtype=object)
    # One row per (incident, service), ordered by service, category and start; integer codes sort fast.
    order = pd.DataFrame({"service": pd.factorize(spread["services"])[0],
                          "category": pd.factorize(spread["root_cause_category"])[0],
                          "started_at": spread["started_at"].array, "key": spread["key"].to_numpy()})
    order = order.sort_values(["service", "category", "started_at"], ignore_index=True)
    group = order[["service", "category"]]
    same_group = (group == group.shift()).all(axis=1)
    started = order["started_at"]
    # A run is one group's incidents that started at the same moment: they share the nearest strictly earlier start.
    run_starts = ~(same_group & (started == started.shift()))
    earlier = started.shift().where(same_group)
    previous = earlier[run_starts].array[np.cumsum(run_starts.to_numpy()) - 1]
    gap = started - previous
    hit = order.loc[gap.notna() & (gap <= pd.Timedelta(days=RECURRENCE_DAYS)), "key"]
    return pd.Series(sorted(set(hit.tolist()) & set(rows["key"].tolist())), dtype=object)


def recurrence(incidents: pd.DataFrame, history: pd.DataFrame) -> dict[str, Any]:
    """{recurring, share} over the window's incidents."""
    count = len(recurring(incidents, history))
    return {"recurring": count, "share": share(count, len(incidents_only(incidents)))}
