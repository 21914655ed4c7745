"""Reliability: how long incidents take to detect and resolve, by severity and by AI contribution; severity mix."""

import streamlit as st

import data
import filters
from coe import charts

DURATIONS = {"ttr": "time to resolve", "ttd": "time to detect", "ttm": "time to mitigate", "tta": "time to acknowledge"}

st.title("Reliability")
if filters.empty_state():
    st.stop()
chosen = filters.sidebar()
frames = data.metric_frames(chosen)
per = data.duration_minutes(frames)
st.caption(f"{chosen.since} to {chosen.until}. Counted: incidents (kind `incident`) that have both the start and "
           f"the end time of the duration — {len(per)} incidents in this window.")
if per.empty:
    st.info("No incidents in this window. Widen the dates or clear a filter in the sidebar.")
    st.stop()

duration = st.segmented_control("Duration", list(DURATIONS), format_func=lambda d: DURATIONS[d].capitalize(),
                                default="ttr", key="reliability.duration") or "ttr"
label = DURATIONS[duration]
for group, name in (("severity", "severity"), ("ai", "AI contribution")):
    left, right = st.columns(2)
    with left:
        st.plotly_chart(charts.duration_box(per, duration, group, f"{label.capitalize()} by {name}"),
                        key=f"reliability.box.{group}")
    with right:
        st.plotly_chart(charts.duration_ecdf(per, duration, group, f"{label.capitalize()} by {name}, cumulative"),
                        key=f"reliability.ecdf.{group}")
    st.caption(f"Minutes from start to {label.split(' to ')[1]} per incident, grouped by {name} (log scale); "
               "the right chart reads as: this share of incidents took at most x minutes.")
st.download_button("Download durations per incident (CSV)", data.csv(per), file_name="durations.csv",
                   mime="text/csv", key="reliability.csv")

st.plotly_chart(charts.severity_mix(data.counted_incidents(frames)), key="reliability.severity")
st.caption("Incidents (kind `incident`) per month of their start, stacked by severity.")
st.download_button("Download severity mix (CSV)", data.csv(data.severity_by_month(frames)),
                   file_name="severity_mix.csv", mime="text/csv", key="reliability.severity.csv")

with st.expander("Longest incidents in this window"):
    st.dataframe(data.incident_links(data.longest(frames, per, duration), ("title", "severity", "minutes", "team")),
                 column_config={"key": st.column_config.LinkColumn("key", display_text=r"key=(.*)")},
                 hide_index=True)
