"""The AI-attributable failure share, always a range: a lower and an upper bound with 95% Wilson intervals."""

from typing import Any

import pandas as pd

from coe.metrics.scope import incidents_only
from coe.metrics.stats import share, wilson

AI_CONTRIBUTED = ("primary", "contributing")
AI_INVOLVED = ("suspected", "confirmed")


def bounds(incidents: pd.DataFrame, claims: pd.DataFrame) -> pd.DataFrame:
    """Per incident of kind `incident`: key, started_at, lower (bool), upper (bool)."""
    rows = incidents_only(incidents)
    contributed = rows["ai_contribution"].isin(AI_CONTRIBUTED)
    contested = rows["attribution_status"] == "contested"
    claimed = rows["key"].isin(claims.loc[claims["attributes_to"] == "ai_tool", "key"])
    suspected = rows["ai_involvement"].isin(AI_INVOLVED) & (rows["ai_contribution"] == "undetermined")
    lower = contributed & ~contested
    return pd.DataFrame({"key": rows["key"], "started_at": rows["started_at"],
                         "lower": lower, "upper": lower | contributed | claimed | suspected})


def ai_attributable(incidents: pd.DataFrame, claims: pd.DataFrame) -> dict[str, Any]:
    """{total, lower: {count, share, ci95}, upper: {count, share, ci95}} over the window's incidents."""
    flags = bounds(incidents, claims)
    total = len(flags)

    def bound(column: str) -> dict[str, Any]:
        count = int(flags[column].sum())
        return {"count": count, "share": share(count, total), "ci95": wilson(count, total)}

    return {"total": total, "lower": bound("lower"), "upper": bound("upper")}


def ai_attributable_by_month(incidents: pd.DataFrame, claims: pd.DataFrame, months: list[str] | None = None
                             ) -> list[dict[str, Any]]:
    """[{month, incidents, ai_lower, ai_upper, lower_share, upper_share, lower_ci95, upper_ci95}] per month of started_at.

    `months` lists the months to report (zeros where nothing happened); by default, the months that have incidents.
    """
    flags = bounds(incidents, claims)
    counts = flags.groupby(flags["started_at"].dt.strftime("%Y-%m")).agg(
        incidents=("lower", "size"), ai_lower=("lower", "sum"), ai_upper=("upper", "sum"))
    counts = counts.reindex(months if months is not None else sorted(counts.index), fill_value=0)
    return [{"month": name, "incidents": total, "ai_lower": lower, "ai_upper": upper,
             "lower_share": share(lower, total), "upper_share": share(upper, total),
             "lower_ci95": wilson(lower, total), "upper_ci95": wilson(upper, total)}
            for name, total, lower, upper in zip(counts.index.tolist(), *(counts[c].astype(int).tolist()
                                                                          for c in counts.columns), strict=True)]
