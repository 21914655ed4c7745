"""COE process: days from resolution to publication, the share within 14 days, independent approval."""

from typing import Any

import pandas as pd

from coe.metrics.scope import incidents_only
from coe.metrics.stats import number, share

PUBLISH_WITHIN_DAYS = 14


def days_to_publish(incidents: pd.DataFrame) -> pd.DataFrame:
    """Per published incident: key, days (fractional; NaN when resolved_at is missing), independent (bool or None)."""
    rows = incidents_only(incidents)
    rows = rows[rows["status"] == "published"]
    days = (rows["published_at"] - rows["resolved_at"]).dt.total_seconds() / 86_400
    independent = [None if not isinstance(a, str) else a not in (authors or [])
                   for a, authors in zip(rows["approver"], rows["authors"], strict=True)]
    return pd.DataFrame({"key": rows["key"], "days": days, "independent": independent}, index=rows.index)


def process(incidents: pd.DataFrame) -> dict[str, Any]:
    """{published, median_days_to_publish, published_within_14d_share, independent_approval_share}."""
    per = days_to_publish(incidents)
    timed = per["days"].dropna()
    judged = per["independent"].dropna()
    return {
        "published": len(per),
        "median_days_to_publish": number(timed.median()) if len(timed) else None,
        "published_within_14d_share": share(int((timed <= PUBLISH_WITHIN_DAYS).sum()), len(timed)),
        "independent_approval_share": share(int(judged.astype(bool).sum()), len(judged)),
    }
