"""Pure functions: two metric summaries and the window's frames become the trend report's context."""

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

import pandas as pd

from coe.charts.figures import CONTROL_GAP_LABELS
from coe.metrics.frames import Frames
from coe.metrics.scope import incidents_only

DURATIONS = {"ttd": "time to detect", "tta": "time to acknowledge", "ttm": "time to mitigate",
             "ttr": "time to resolve"}
# Chart geometry in SVG user units (the chart is scaled to the page width).
WIDTH, HEIGHT, LEFT, RIGHT, TOP, BOTTOM = 640, 240, 40, 10, 24, 46


def _count_change(current: int, previous: int) -> str:
    """A signed difference of two counts."""
    return f"{current - previous:+d}"


def _share_change(current: float | None, previous: float | None) -> str:
    """A signed difference of two shares in percentage points, or an em dash."""
    return "—" if current is None or previous is None else f"{(current - previous) * 100:+.1f} pp"


def _minutes_change(current: float | None, previous: float | None) -> str:
    """A signed difference of two durations in minutes, or an em dash."""
    return "—" if current is None or previous is None else f"{current - previous:+.1f} min"


def _pct(value: float | None) -> str:
    """A share as a percentage with one decimal, or an em dash."""
    return "—" if value is None else f"{value * 100:.1f}%"


def _min(value: float | None) -> str:
    """Minutes with one decimal, or an em dash."""
    return "—" if value is None else f"{value:.1f} min"


def kpis(current: Mapping[str, Any], previous: Mapping[str, Any]) -> list[dict[str, str]]:
    """The headline numbers of the window and of the one before it, with the change between them."""
    def count(label: str, now: int, before: int) -> dict[str, str]:
        return {"label": label, "current": str(now), "previous": str(before), "change": _count_change(now, before)}

    def share(label: str, now: float | None, before: float | None) -> dict[str, str]:
        return {"label": label, "current": _pct(now), "previous": _pct(before), "change": _share_change(now, before)}

    def minutes(label: str, now: float | None, before: float | None) -> dict[str, str]:
        return {"label": label, "current": _min(now), "previous": _min(before), "change": _minutes_change(now, before)}

    ai, ai0 = current["ai_attributable"], previous["ai_attributable"]
    act, act0 = current["action_items"], previous["action_items"]
    return [
        count("Incidents", current["incidents"], previous["incidents"]),
        count("Near misses", current["near_misses"], previous["near_misses"]),
        share("AI-attributable, lower bound", ai["lower"]["share"], ai0["lower"]["share"]),
        share("AI-attributable, upper bound", ai["upper"]["share"], ai0["upper"]["share"]),
        minutes("Median TTD", current["durations"]["ttd"]["median"], previous["durations"]["ttd"]["median"]),
        minutes("Median TTR", current["durations"]["ttr"]["median"], previous["durations"]["ttr"]["median"]),
        count("Action items open", act["open"], act0["open"]),
        count("Action items overdue", act["overdue"], act0["overdue"]),
        share("Action items done on time", act["on_time_share"], act0["on_time_share"]),
        share("Recurring incidents", current["recurrence"]["share"], previous["recurrence"]["share"]),
        share("Published within 14 days", current["process"]["published_within_14d_share"],
              previous["process"]["published_within_14d_share"]),
        share("Independent approval", current["process"]["independent_approval_share"],
              previous["process"]["independent_approval_share"]),
    ]


def monthly_chart(by_month: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """Stacked bars per month (agreed AI / possibly AI / not AI) as SVG geometry for templates/trend_report."""
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    top = max([m["incidents"] for m in by_month] + [1])
    step = plot_w / max(len(by_month), 1)
    every = max(1, -(-len(by_month) // 12))  # at most 12 month labels

    def y(value: float) -> float:
        return round(TOP + plot_h * (1 - value / top), 2)

    bars = []
    for i, m in enumerate(by_month):
        x, width = round(LEFT + i * step + step * 0.15, 2), round(step * 0.7, 2)
        parts, base = [], 0
        for kind, value in (("agreed", m["ai_lower"]), ("possible", m["ai_upper"] - m["ai_lower"]),
                            ("not-ai", m["incidents"] - m["ai_upper"])):
            if value > 0:
                parts.append({"kind": kind, "y": y(base + value), "height": round(y(base) - y(base + value), 2)})
            base += value
        # Beyond a year the labels would overlap; the table under the chart has every number.
        labelled = m["incidents"] and len(by_month) <= 12
        range_text = f"{m['ai_lower']}–{m['ai_upper']} of {m['incidents']}" if labelled else ""
        bars.append({"month": m["month"], "x": x, "width": width, "centre": round(x + width / 2, 2),
                     "parts": parts, "label": m["month"] if i % every == 0 else "", "top": y(m["incidents"]),
                     "range": range_text})
    ticks = sorted({0, top // 2, top}) if top > 1 else [0, 1]
    return {"width": WIDTH, "height": HEIGHT, "left": LEFT, "right": WIDTH - RIGHT, "bottom": TOP + plot_h,
            "bars": bars, "ticks": [{"value": t, "y": y(t)} for t in ticks], "label_y": TOP + plot_h + 14}


def control_gap_rows(gaps: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Each control gap with its count, share and bar width (percent)."""
    return [{"label": label, "count": gaps[key]["count"], "share": _pct(gaps[key]["share"]),
             "bar": round((gaps[key]["share"] or 0) * 100, 1)} for key, label in CONTROL_GAP_LABELS.items()]


def _day(value: Any) -> str:
    """The UTC day of a timestamp, or an em dash."""
    return "—" if pd.isna(value) else value.strftime("%Y-%m-%d")


def contested(frames: Frames) -> list[dict[str, Any]]:
    """The window's contested incidents, each with its own finding and every claim."""
    rows = incidents_only(frames.incidents)
    rows = rows[rows["attribution_status"] == "contested"].sort_values("started_at")
    claims = frames.claims[frames.claims["key"].isin(rows["key"])]
    return [{"key": r.key, "title": r.title, "started": _day(r.started_at), "ai_contribution": r.ai_contribution,
             "primary_cause": r.primary_cause, "root_cause_category": r.root_cause_category,
             "claims": claims[claims["key"] == r.key].to_dict("records")} for r in rows.itertuples()]


def coe_rows(frames: Frames) -> list[dict[str, Any]]:
    """Every incident and near miss of the window (drills left out), oldest first."""
    rows = frames.incidents[frames.incidents["kind"] != "drill"].sort_values("started_at")
    return [{"key": r.key, "started": _day(r.started_at), "title": r.title, "kind": r.kind, "severity": r.severity,
             "status": r.status, "team": r.team, "ai_contribution": r.ai_contribution,
             "attribution_status": r.attribution_status} for r in rows.itertuples()]


def _bound(bound: Mapping[str, Any]) -> dict[str, Any]:
    """One bound of the AI-attributable range: its count, share and 95% interval as text."""
    low, high = bound["ci95"]
    return {"count": bound["count"], "share": _pct(bound["share"]),
            "ci": "—" if low is None else f"{_pct(low)}–{_pct(high)}"}


def build(frames: Frames, current: Mapping[str, Any], previous: Mapping[str, Any], *,
          generated_at: datetime) -> dict[str, Any]:
    """The context of templates/trend_report.html.j2."""
    return {
        "m": current, "previous": previous, "generated_at": generated_at.strftime("%Y-%m-%d %H:%M UTC"),
        "kpis": kpis(current, previous), "chart": monthly_chart(current["by_month"]),
        "durations": [{"name": name.upper(), "meaning": meaning, "count": current["durations"][name]["count"],
                       "median": _min(current["durations"][name]["median"]),
                       "p90": _min(current["durations"][name]["p90"]),
                       "mean": _min(current["durations"][name]["mean"])} for name, meaning in DURATIONS.items()],
        "gaps": control_gap_rows(current["control_gaps"]),
        "actions": current["action_items"], "on_time": _pct(current["action_items"]["on_time_share"]),
        "median_days": "—" if current["action_items"]["median_days_to_complete"] is None
        else f"{current['action_items']['median_days_to_complete']:.1f} days",
        "by_control": [{"control": c, **v, "on_time": _pct(v["on_time_share"])}
                       for c, v in current["action_items"].get("by_control", {}).items()],
        "ai": {k: _bound(current["ai_attributable"][k]) for k in ("lower", "upper")},
        "contested": contested(frames),
        "coes": coe_rows(frames),
    }
