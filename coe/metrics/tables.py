"""The tables the dashboards chart and offer as CSV, derived from the frames and the metrics summary."""

from datetime import date

import pandas as pd

from coe.metrics.actions import item_flags
from coe.metrics.durations import minutes
from coe.metrics.frames import Frames


def by_month_table(summary: dict) -> pd.DataFrame:
    """The monthly chart's data: month, incidents, AI-attributable lower and upper counts and shares."""
    return pd.DataFrame(summary["by_month"],
                        columns=["month", "incidents", "ai_lower", "ai_upper", "lower_share", "upper_share"])


def control_gap_table(summary: dict) -> pd.DataFrame:
    """The control-gap chart's data: one row per gap with its count and share of AI-involved incidents."""
    gaps = summary["control_gaps"]
    return pd.DataFrame([{"gap": name, "count": gaps[name]["count"], "share": gaps[name]["share"]}
                         for name in gaps if name != "ai_involved"], columns=["gap", "count", "share"])


def cfr_table(summary: dict) -> pd.DataFrame:
    """The change-failure-rate chart's data: rate, failures and changes per provenance."""
    rates = summary["change_failure_rate"]
    return pd.DataFrame([
        {"provenance": "ai", "rate": rates["ai"], "failures": rates["ai_failures"],
         "changes": rates["changes_ai_generated"]},
        {"provenance": "human", "rate": rates["human"], "failures": rates["human_failures"],
         "changes": rates["changes_human"]},
    ])


def value_counts(frame: pd.DataFrame, column: str) -> pd.DataFrame:
    """How many rows have each value of a column (missing as 'not recorded'), most frequent first."""
    counts = frame[column].fillna("not recorded").astype(str).value_counts()
    return pd.DataFrame({column: counts.index, "count": counts.to_numpy()})


def counted_incidents(frames: Frames) -> pd.DataFrame:
    """The incidents metrics count (kind `incident`)."""
    return frames.incidents[frames.incidents["kind"] == "incident"]


def ai_involved(frames: Frames) -> pd.DataFrame:
    """Counted incidents where AI was suspected or confirmed (what the governance counts are over)."""
    rows = counted_incidents(frames)
    return rows[rows["ai_involvement"].isin(["suspected", "confirmed"])]


def duration_minutes(frames: Frames) -> pd.DataFrame:
    """Per counted incident: key, severity, ai (AI primary/contributing or not) and TTD…TTR in minutes."""
    per = minutes(frames.incidents)
    per["ai"] = per["ai_contribution"].isin(["primary", "contributing"]).map(
        {True: "AI contributed", False: "AI did not contribute"})
    return per


def contested(frames: Frames) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Contested incidents (newest first) and every claim about them, the claims keyed by incident."""
    rows = frames.incidents[frames.incidents["attribution_status"] == "contested"].sort_values(
        "started_at", ascending=False)
    claims = frames.claims[frames.claims["key"].isin(rows["key"])]
    return rows, claims


def action_flags(frames: Frames, as_of: date) -> pd.DataFrame:
    """Action items of counted incidents with title, due date, open/overdue flags and days overdue as of `as_of`."""
    items = frames.action_items[frames.action_items["key"].isin(counted_incidents(frames)["key"])]
    flags = item_flags(items, as_of)
    flags["title"] = items["title"]
    flags["due_on"] = items["due_on"]
    flags["days_overdue"] = (pd.Timestamp(as_of) - pd.to_datetime(items["due_on"])).dt.days.where(flags["overdue"])
    return flags


AGEING_BUCKETS = (0, 7, 30, 90, 10**9)
AGEING_LABELS = ("1–7 days", "8–30 days", "31–90 days", "over 90 days")


def overdue_ageing(flags: pd.DataFrame) -> pd.DataFrame:
    """Overdue action items counted by how long they have been overdue."""
    overdue = flags[flags["overdue"]]
    buckets = pd.cut(overdue["days_overdue"], bins=list(AGEING_BUCKETS), labels=list(AGEING_LABELS))
    counts = buckets.value_counts().reindex(list(AGEING_LABELS), fill_value=0)
    return pd.DataFrame({"overdue for": list(AGEING_LABELS), "count": counts.to_numpy()})


def severity_by_month(frames: Frames) -> pd.DataFrame:
    """The severity-mix chart's data: one row per month, a count column per severity."""
    rows = counted_incidents(frames)
    table = pd.crosstab(rows["started_at"].dt.strftime("%Y-%m"), rows["severity"]).sort_index()
    return table.rename_axis(index="month", columns=None).reset_index()


def longest(frames: Frames, per: pd.DataFrame, duration: str, limit: int = 20) -> pd.DataFrame:
    """The incidents with the longest `duration` (minutes), longest first, with their title and team."""
    top = per.dropna(subset=[duration]).nlargest(limit, duration).rename(columns={duration: "minutes"})
    top["minutes"] = top["minutes"].round()
    return top.merge(frames.incidents.loc[:, ["key", "title", "team"]], on="key", how="left")


def open_by_owner(flags: pd.DataFrame) -> pd.DataFrame:
    """Per owner: open and overdue action items, most overdue first."""
    table = flags[flags["open"]].groupby(flags["owner"].fillna("no owner"))[["open", "overdue"]].sum()
    return table.sort_values(["overdue", "open"], ascending=False).rename_axis("owner").reset_index()
