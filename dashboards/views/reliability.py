"""Reliability: how long incidents take to detect and resolve, by severity and by AI contribution; severity mix."""

from functools import partial

import streamlit as st

import data
import filters
from coe import charts
from coe.metrics import tables


DURATIONS = {"ttr": "time to resolve", "ttd": "time to detect", "ttm": "time to mitigate", "tta": "time to acknowledge"}
SHOWN = ("title", "severity", "ai_contribution", "team")

st.title("Reliability")
if filters.empty_state():
    st.stop()
chosen = filters.sidebar()
frames = data.metric_frames(chosen)
per = data.durations_of(chosen)
st.caption(f"{chosen.since} to {chosen.until}. Counted: incidents (kind `incident`) that have both the start and "
           f"the end time of the duration — {len(per)} incidents in this window.")
if per.empty:
    st.info("No incidents in this window. Widen the dates or clear a filter in the sidebar.")
    st.stop()

duration = st.segmented_control("Duration", list(DURATIONS), format_func=lambda d: DURATIONS[d].capitalize(),
                                default="ttr", key="reliability.duration") or "ttr"
label = DURATIONS[duration]
clicked: list[str] = []
for group, name in (("severity", "severity"), ("ai", "AI contribution")):
    left, right = st.columns(2)
    with left:
        event = st.plotly_chart(charts.duration_box(per, duration, group, f"{label.capitalize()} by {name}"),
                                key=f"reliability.box.{group}", on_select="rerun", selection_mode="points")
        clicked += charts.picked(event)
    with right:
        event = st.plotly_chart(charts.duration_ecdf(per, duration, group, f"{label.capitalize()} by {name}, "
                                                     "cumulative"),
                                key=f"reliability.ecdf.{group}", on_select="rerun", selection_mode="points")
        clicked += charts.picked(event)
    st.caption(f"Minutes from start to {label.split(' to ')[1]} per incident, grouped by {name} (log scale); "
               "the right chart reads as: this share of incidents took at most x minutes. Each outlier and each "
               "step of a line is one incident: click it to list it.")
# A callable: the CSV of every incident is made only when the button is clicked, not on every re-render.
st.download_button("Download durations per incident (CSV)", partial(data.csv, per), file_name="durations.csv",
                   mime="text/csv", key="reliability.csv")
if clicked:
    filters.behind(charts.with_values(frames.incidents, "key", clicked), "Incidents clicked above", SHOWN)

pairs = filters.chart(
    charts.severity_mix(tables.counted_incidents(frames)), key="reliability.severity",
    table=tables.severity_by_month(frames), name="severity mix", file_name="severity_mix.csv",
    caption=f"Incidents (kind `incident`) per month of their start, stacked by severity. {filters.CLICK}")
if pairs:
    filters.behind(charts.in_month_and_severity(frames.incidents, pairs),
                   "Incidents of " + ", ".join(f"{severity} in {month}" for month, severity in pairs), SHOWN)

with st.expander("Longest incidents in this window"):
    st.dataframe(data.incident_links(tables.longest(frames, per, duration), ("title", "severity", "minutes", "team")),
                 column_config=filters.LINK, hide_index=True)
