"""AI governance: which controls were missing when AI was involved, how the AI was set up, and change failure rates."""

import streamlit as st

import data
import filters
from coe import charts
from coe.metrics import tables

SETUP = {"ai_tool": "tool", "ai_mode": "mode", "ai_autonomy": "autonomy", "ai_approval_gate": "approval gate",
         "ai_permission_scope": "permission scope"}
SHOWN = ("title", "severity", "ai_tool", "ai_mode", "ai_approval_gate", "ai_permission_scope", "team")

st.title("AI governance")
if filters.empty_state():
    st.stop()
chosen = filters.sidebar()
current = data.summary(chosen)
frames = data.metric_frames(chosen)
involved = tables.ai_involved(frames)
st.caption(f"{chosen.since} to {chosen.until}. Counted: incidents (kind `incident`) where AI involvement is "
           f"suspected or confirmed — {len(involved)} in this window.")
if involved.empty:
    st.info("No AI-involved incidents in this window. Widen the dates or clear a filter in the sidebar.")
    st.stop()

gaps = filters.chart(
    charts.control_gaps(current["control_gaps"]), key="governance.gaps", table=tables.control_gap_table(current),
    caption=f"Share of AI-involved incidents with each control gap; an incident can have several. {filters.CLICK}",
    name="control gaps", file_name="control_gaps.csv")
if gaps:
    filters.behind(charts.with_gaps(frames.incidents, frames.changes, gaps),
                   "AI-involved incidents with " + ", ".join(charts.figures.CONTROL_GAP_LABELS[g] for g in gaps), SHOWN)

fields = list(SETUP)
for pair in (fields[0:2], fields[2:4], fields[4:]):
    for column, field in zip(st.columns(2), pair, strict=False):
        with column:
            values = filters.chart(
                charts.counts_by(involved, field, f"AI-involved incidents by {SETUP[field]}", label=SETUP[field]),
                key=f"governance.{field}", table=tables.value_counts(involved, field),
                caption=f"AI-involved incidents counted by the AI's {SETUP[field]} as the COE records it. Click a "
                        "bar to list its incidents.",
                name=f"by {SETUP[field]}", file_name=f"ai_by_{field}.csv")
            if values:
                filters.behind(charts.with_values(involved, field, values),
                               f"AI-involved incidents with {SETUP[field]} {', '.join(values)}", SHOWN)

rates = current["change_failure_rate"]
st.subheader("Change failure rate")
if rates["ai"] is None and rates["human"] is None:
    st.info("No change volumes are recorded for these teams and months, so no change failure rate. "
            "Import monthly change counts (`coe volume import`) to see it.")
else:
    sides = filters.chart(
        charts.change_failure_rate(rates), key="governance.cfr", table=tables.cfr_table(current),
        name="change failure rate", file_name="change_failure_rate.csv",
        caption=f"Incidents with a triggering or contributing change of that provenance ({rates['ai_failures']} AI, "
               f"{rates['human_failures']} human) ÷ changes of that provenance ({rates['changes_ai_generated']:,} "
               f"AI-generated, {rates['changes_human']:,} human), over the team-months with recorded volumes. "
               "Click a bar to list the failed changes' incidents.")
    if sides:
        months = [m["month"] for m in current["by_month"]]
        filters.behind(charts.failed_by_provenance(frames.incidents, frames.changes, frames.volumes, months, sides),
                       f"Incidents counted as failures of {' and '.join(sides)} changes", SHOWN)

st.subheader("The AI-involved incidents")
st.dataframe(data.incident_links(involved, SHOWN), column_config=filters.LINK, hide_index=True)
