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
        "overdue": overdue(items, as_of),
        "done": done,
        "dated_done": dated,
        "on_time": dated & (completed <= due),
        # Whole calendar days from the incident's resolution (UTC day) to the completion day.
        "days_to_complete": (completed - resolved_day).dt.days.where(done),
    })


def overdue(items: pd.DataFrame, as_of: date) -> pd.Series:
    """Per item: open or in progress with `due_on` before `as_of` (needs only status and due_on)."""
    return items["status"].isin(OPEN) & (pd.to_datetime(items["due_on"]) < pd.Timestamp(as_of))


COUNTED = ["open", "overdue", "done", "on_time", "dated_done"]


def _totals(row: dict[str, Any]) -> dict[str, Any]:
    """The follow-through numbers from one row of sums: total, the COUNTED flags and the median days."""
    return {
        "total": int(row["total"]), "open": int(row["open"]), "overdue": int(row["overdue"]),
        "done": int(row["done"]), "on_time_share": share(int(row["on_time"]), int(row["dated_done"])),
        "median_days_to_complete": number(row["median"]) if row["total"] else None,
    }


def action_items(items: pd.DataFrame, as_of: date) -> dict[str, Any]:
    """{total, open, overdue, done, on_time_share, median_days_to_complete, by_control: {control: {…same…}}}."""
    flags = item_flags(items, as_of)
    overall = flags[COUNTED].sum().to_dict() | {"total": len(flags), "median": flags["days_to_complete"].median()}
    grouped = flags.groupby("control", sort=True)
    per = grouped[COUNTED].sum().assign(total=grouped.size(), median=grouped["days_to_complete"].median())
    return _totals(overall) | {"by_control": {str(c): _totals(row) for c, row in per.to_dict("index").items()}}
