"""Figures for the dashboards, built from `coe metrics` outputs and incident frames."""

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go

# Colours readable on a white background and for red-green colour blindness.
AI_AGREED = "#d55e00"
AI_DISPUTED = "#e69f00"
NOT_AI = "#0072b2"
SHARE_BAND = "rgba(213, 94, 0, 0.18)"
# Fixed per severity (worst darkest), so no theme's colour cycle can paint sev1 blue.
SEVERITY_COLORS = {"sev1": "#7f0000", "sev2": "#d55e00", "sev3": "#e69f00", "sev4": "#56b4e9", "sev5": "#999999"}

# Readable ticks for log-scaled durations in minutes.
DURATION_TICKS = {1: "1 min", 5: "5 min", 15: "15 min", 30: "30 min", 60: "1 h", 120: "2 h", 240: "4 h", 480: "8 h",
                  1440: "1 day", 2880: "2 days", 10080: "1 week"}
AI_GROUPS = {"AI contributed": AI_AGREED, "AI did not contribute": NOT_AI}
LONG_LABELS = 14  # characters: longer category names are laid out as horizontal bars, so they never overlap

CONTROL_GAP_LABELS = {
    "gate_bypassed_or_absent": "approval gate bypassed or absent",
    "admin_permissions": "admin permissions",
    "inherited_permissions": "inherited permissions",
    "dark_code": "unreviewed AI-generated change (dark code)",
    "agent_executed": "change executed by an agent",
    "spec_not_reviewed": "spec not reviewed",
}


def _layout(figure: go.Figure, title: str) -> go.Figure:
    """Apply the shared look: title, white background, legend below the plot so it never covers the title."""
    legend = len(figure.data) > 1 and figure.layout.showlegend is not False
    figure.update_layout(
        title=title,
        template="plotly_white",
        # Anchored to the bottom of the figure, not the plot, so it never meets an x-axis title either.
        legend={"orientation": "h", "yref": "container", "yanchor": "bottom", "y": 0, "x": 0,
                "traceorder": "normal"},
        margin={"l": 10, "r": 30, "t": 50, "b": 90 if legend else 40},  # r: room for the last tick label
    )
    return figure


def _words(values: pd.Index) -> list[str]:
    """Vocabulary values as a chart labels them: `least_privilege` reads 'least privilege'."""
    return [str(v).replace("_", " ") for v in values]


def _duration_axis(duration: str) -> dict:
    """A log axis of minutes with ticks a reader knows (15 min, 1 h, 1 day)."""
    return {"title": f"{duration.upper()} (log scale)", "type": "log", "tickvals": list(DURATION_TICKS),
            "ticktext": list(DURATION_TICKS.values())}


def _colour(group: str) -> str | None:
    """The fixed colour of a severity or an AI-contribution group; None leaves it to the theme."""
    return SEVERITY_COLORS.get(group) or AI_GROUPS.get(group)


def monthly_incidents(by_month: Sequence[Mapping]) -> go.Figure:
    """Monthly incidents stacked by AI contribution, with the attributable share as a lower–upper band."""
    frame = pd.DataFrame(list(by_month), columns=["month", "incidents", "ai_lower", "ai_upper"])
    agreed = frame["ai_lower"]
    disputed = frame["ai_upper"] - frame["ai_lower"]
    not_ai = frame["incidents"] - frame["ai_upper"]
    totals = frame["incidents"].where(frame["incidents"] > 0)
    figure = go.Figure()
    for name, values, colour in (
        ("AI-attributable (agreed)", agreed, AI_AGREED),
        ("AI possibly (contested or suspected)", disputed, AI_DISPUTED),
        ("not attributed to AI", not_ai, NOT_AI),
    ):
        figure.add_bar(x=frame["month"], y=values, name=name, marker_color=colour,
                       customdata=frame["month"])
    # The band is drawn as upper bound, then lower bound filled up to it.
    figure.add_scatter(x=frame["month"], y=frame["ai_upper"] / totals, name="share, upper bound",
                       yaxis="y2", mode="lines", line={"color": AI_AGREED, "width": 1, "dash": "dot"})
    figure.add_scatter(x=frame["month"], y=frame["ai_lower"] / totals, name="share, lower bound",
                       yaxis="y2", mode="lines", fill="tonexty", fillcolor=SHARE_BAND,
                       line={"color": AI_AGREED, "width": 1})
    figure.update_layout(
        barmode="stack",
        yaxis={"title": "incidents"},
        yaxis2={"title": "AI-attributable share", "overlaying": "y", "side": "right",
                "range": [0, 1], "tickmode": "linear", "tick0": 0, "dtick": 0.2,
                "tickformat": ".0%", "showgrid": False},
    )
    return _layout(figure, "Incidents per month by AI contribution")


def control_gaps(gaps: Mapping) -> go.Figure:
    """Share of AI-involved incidents with each control gap, as horizontal bars."""
    rows = [(key, CONTROL_GAP_LABELS[key], gaps.get(key, {}).get("share"), gaps.get(key, {}).get("count", 0))
            for key in CONTROL_GAP_LABELS]
    frame = pd.DataFrame(rows, columns=["key", "gap", "share", "count"])
    figure = go.Figure(go.Bar(x=frame["share"], y=frame["gap"], orientation="h", marker_color=AI_AGREED,
                              text=frame["count"], texttemplate="%{text} incidents",
                              textposition="auto", customdata=frame["key"]))
    figure.update_layout(xaxis={"range": [0, 1], "tickformat": ".0%",
                                "title": f"share of {gaps.get('ai_involved', 0)} AI-involved incidents"},
                         yaxis={"autorange": "reversed"})
    return _layout(figure, "Control gaps among AI-involved incidents")


def counts_by(incidents: pd.DataFrame, column: str, title: str, unit: str = "incidents",
              label: str | None = None) -> go.Figure:
    """Rows (incidents unless `unit` says otherwise) counted by one column's values, most frequent first;
    missing values as 'not recorded'. Each bar carries its value in customdata."""
    counts = incidents[column].fillna("not recorded").value_counts()
    names, axis = _words(counts.index), label or column.replace("_", " ")
    if len(names) > 5 or any(len(n) > LONG_LABELS for n in names):
        figure = go.Figure(go.Bar(x=counts.to_numpy(), y=names, orientation="h", marker_color=NOT_AI,
                                  customdata=counts.index.astype(str)))
        figure.update_layout(xaxis={"title": unit}, yaxis={"title": axis, "autorange": "reversed"})
    else:
        figure = go.Figure(go.Bar(x=names, y=counts.to_numpy(), marker_color=NOT_AI,
                                  customdata=counts.index.astype(str)))
        figure.update_layout(yaxis={"title": unit}, xaxis={"title": axis})
    return _layout(figure, title)


def ordered_bars(table: pd.DataFrame, label: str, value: str, title: str, unit: str) -> go.Figure:
    """One bar per row of a table, in the table's order (e.g. age buckets), labels from `label`."""
    figure = go.Figure(go.Bar(x=table[label].astype(str), y=table[value].to_numpy(), marker_color=AI_AGREED,
                              text=table[value], textposition="auto", customdata=table[label].astype(str)))
    figure.update_layout(yaxis={"title": unit}, xaxis={"title": label})
    return _layout(figure, title)


def duration_box(incidents: pd.DataFrame, duration: str, group: str, title: str) -> go.Figure:
    """One box per group over an incident duration in minutes, incidents without it left out."""
    figure = go.Figure()
    known = incidents.dropna(subset=[duration])
    for name, rows in known.groupby(group, sort=True):
        figure.add_box(y=rows[duration], name=str(name), boxpoints="outliers", marker_color=_colour(str(name)),
                       customdata=rows.get("key"))
    figure.update_layout(yaxis=_duration_axis(duration), showlegend=False)
    return _layout(figure, title)


def duration_ecdf(incidents: pd.DataFrame, duration: str, group: str, title: str) -> go.Figure:
    """Empirical cumulative distribution of a duration, one line per group."""
    figure = go.Figure()
    known = incidents.dropna(subset=[duration])
    for name, rows in known.groupby(group, sort=True):
        ordered = rows.sort_values(duration, kind="stable")
        values = ordered[duration].to_numpy(dtype=float)
        fraction = np.arange(1, len(values) + 1) / len(values)
        figure.add_scatter(x=values, y=fraction, name=str(name), mode="lines", line_shape="hv",
                           line_color=_colour(str(name)), customdata=ordered.get("key"))
    figure.update_layout(xaxis=_duration_axis(duration),
                         yaxis={"title": "share of incidents at or below", "tickformat": ".0%",
                                "range": [0, 1]})
    return _layout(figure, title)


def severity_mix(incidents: pd.DataFrame) -> go.Figure:
    """Incidents per month stacked by severity, from a frame with `started_at` and `severity`."""
    months = incidents["started_at"].dt.strftime("%Y-%m")
    table = pd.crosstab(months, incidents["severity"]).sort_index()
    figure = go.Figure()
    for severity in sorted(table.columns):
        figure.add_bar(x=table.index, y=table[severity].to_numpy(), name=str(severity),
                       marker_color=SEVERITY_COLORS.get(str(severity)),
                       customdata=[[month, str(severity)] for month in table.index])
    figure.update_layout(barmode="stack", yaxis={"title": "incidents"})
    return _layout(figure, "Severity mix per month")


def change_failure_rate(rates: Mapping) -> go.Figure:
    """Change failure rate of AI-generated against human changes; a side without volumes is left out."""
    sides = [(key, label, rates.get(key)) for key, label in (("ai", "AI-generated changes"),
                                                            ("human", "human changes"))]
    known = [(key, label, rate) for key, label, rate in sides if rate is not None]
    figure = go.Figure(go.Bar(x=[label for _, label, _ in known], y=[rate for *_, rate in known],
                              marker_color=[AI_AGREED if key == "ai" else NOT_AI for key, *_ in known],
                              texttemplate="%{y:.2%}", textposition="auto", customdata=[key for key, *_ in known]))
    figure.update_layout(yaxis={"title": "failed changes per change", "tickformat": ".1%"})
    return _layout(figure, "Change failure rate by provenance")
