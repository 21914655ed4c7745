"""Action-item follow-through: open, overdue as of a date, on-time share, days to complete; also per control."""

from datetime import date
from typing import Any

import pandas as pd

from coe.metrics.stats import number, share

OPEN = ("open", "in_progress")


def item_flags(items: pd.DataFrame, as_of: date) -> pd.DataFrame:
    """Per item: key, control, owner, status, open, overdue, done, dated_done, on_time and days_to_complete."""
    due = pd.to_datetime(items["due_on"])
    completed = pd.to_datetime(items["completed_on"])
    resolved_day = pd.to_datetime(items["resolved_at"], utc=True).dt.tz_convert(None).dt.normalize()
    is_open = items["status"].isin(OPEN)
    done = items["status"] == "done"
    dated = done & due.notna() & completed.notna()
    return pd.DataFrame({
        "key": items["key"], "control": items["control"], "owner": items["owner"], "status": items["status"],
        "open": is_open,
        "overdue": is_open & (due < pd.Timestamp(as_of)),
        "done": done,
        "dated_done": dated,
        "on_time": dated & (completed <= due),
        # Whole calendar days from the incident's resolution (UTC day) to the completion day.
        "days_to_complete": (completed - resolved_day).dt.days.where(done),
    })


def _totals(flags: pd.DataFrame) -> dict[str, Any]:
    """The follow-through numbers of a set of item flags."""
    return {
        "total": len(flags), "open": int(flags["open"].sum()), "overdue": int(flags["overdue"].sum()),
        "done": int(flags["done"].sum()),
        "on_time_share": share(int(flags["on_time"].sum()), int(flags["dated_done"].sum())),
        "median_days_to_complete": number(flags["days_to_complete"].median()) if len(flags) else None,
    }


def action_items(items: pd.DataFrame, as_of: date) -> dict[str, Any]:
    """{total, open, overdue, done, on_time_share, median_days_to_complete, by_control: {control: {…same…}}}."""
    flags = item_flags(items, as_of)
    return _totals(flags) | {"by_control": {str(c): _totals(part) for c, part in flags.groupby("control", sort=True)}}
