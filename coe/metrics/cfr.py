"""Change failure rate by provenance, where change volumes exist for the team and month."""

from typing import Any

import pandas as pd

from coe.metrics.scope import incidents_only
from coe.metrics.stats import number

AI_PROVENANCE = ("ai_generated_reviewed", "ai_generated_unreviewed", "ai_executed")
HUMAN_PROVENANCE = ("human", "ai_assisted")
CAUSAL_ROLES = ("trigger", "contributing")


def failure_flags(incidents: pd.DataFrame, changes: pd.DataFrame) -> pd.DataFrame:
    """Per incident of kind `incident`: key, month, team, and 1/0 ai_failures, human_failures (causal changes)."""
    rows = incidents_only(incidents)
    causal = changes[changes["role"].isin(CAUSAL_ROLES)]
    return pd.DataFrame({
        "key": rows["key"],
        "month": rows["started_at"].dt.strftime("%Y-%m"),
        "team": rows["team"],
        "ai_failures": rows["key"].isin(causal.loc[causal["provenance"].isin(AI_PROVENANCE), "key"]).astype(int),
        "human_failures": rows["key"].isin(causal.loc[causal["provenance"].isin(HUMAN_PROVENANCE), "key"]).astype(int),
    })


def failures_by_month(incidents: pd.DataFrame, changes: pd.DataFrame, volumes: pd.DataFrame) -> pd.DataFrame:
    """Per team-month with a volume: month, team, ai_failures, human_failures, changes_ai_generated, changes_human."""
    flags = failure_flags(incidents, changes)
    counts = flags.groupby(["month", "team"], as_index=False)[["ai_failures", "human_failures"]].sum()
    out = volumes.loc[:, ["month", "team", "changes_total", "changes_ai_generated"]].merge(
        counts, on=["month", "team"], how="left")
    out[["ai_failures", "human_failures"]] = out[["ai_failures", "human_failures"]].fillna(0).astype(int)
    out["changes_human"] = out["changes_total"] - out["changes_ai_generated"]
    return out.drop(columns="changes_total")


def change_failure_rate(incidents: pd.DataFrame, changes: pd.DataFrame, volumes: pd.DataFrame,
                        months: list[str] | None = None) -> dict[str, Any]:
    """{ai, human} rates (failures ÷ changes) plus the counts behind them; None where no volume applies.

    Only team-months that have a volume row count, and only those in `months` when given (the window's).
    """
    table = failures_by_month(incidents, changes, volumes)
    if months is not None:
        table = table[table["month"].isin(months)]
    sums = table[["ai_failures", "human_failures", "changes_ai_generated", "changes_human"]].sum()

    def rate(failures: str, denominator: str) -> float | None:
        return number(sums[failures] / sums[denominator]) if sums[denominator] else None

    return {"ai": rate("ai_failures", "changes_ai_generated"), "human": rate("human_failures", "changes_human"),
            "ai_failures": int(sums["ai_failures"]), "human_failures": int(sums["human_failures"]),
            "changes_ai_generated": int(sums["changes_ai_generated"]), "changes_human": int(sums["changes_human"])}
