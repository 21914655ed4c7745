"""AI governance: which controls were missing when AI was involved, how the AI was set up, and change failure rates."""

import streamlit as st

import data
import filters
from coe import charts

LINK = {"key": st.column_config.LinkColumn("key", display_text=r"key=(.*)")}
SETUP = {"ai_tool": "tool", "ai_mode": "mode", "ai_autonomy": "autonomy", "ai_approval_gate": "approval gate",
         "ai_permission_scope": "permission scope"}

st.title("AI governance")
if filters.empty_state():
    st.stop()
chosen = filters.sidebar()
current, _ = data.summaries(chosen)
frames = data.metric_frames(chosen)
involved = data.ai_involved(frames)
st.caption(f"{chosen.since} to {chosen.until}. Counted: incidents (kind `incident`) where AI involvement is "
           f"suspected or confirmed — {len(involved)} in this window.")
if involved.empty:
    st.info("No AI-involved incidents in this window. Widen the dates or clear a filter in the sidebar.")
    st.stop()

st.plotly_chart(charts.control_gaps(current["control_gaps"]), key="governance.gaps")
st.caption("Share of AI-involved incidents with each control gap; an incident can have several.")
st.download_button("Download control gaps (CSV)", data.csv(data.control_gap_table(current)),
                   file_name="control_gaps.csv", mime="text/csv", key="governance.gaps.csv")

for left, right in ((0, 1), (2, 3), (4, None)):
    columns = st.columns(2)
    for column, field in zip(columns, [list(SETUP)[left], None if right is None else list(SETUP)[right]]):
        if field is None:
            continue
        with column:
            st.plotly_chart(charts.counts_by(involved, field, f"AI-involved incidents by {SETUP[field]}"),
                            key=f"governance.{field}")
            st.caption(f"AI-involved incidents counted by the AI's {SETUP[field]} as the COE records it.")
            st.download_button(f"Download by {SETUP[field]} (CSV)", data.csv(data.value_counts(involved, field)),
                               file_name=f"ai_by_{field}.csv", mime="text/csv", key=f"governance.{field}.csv")

rates = current["change_failure_rate"]
st.subheader("Change failure rate")
if rates["ai"] is None and rates["human"] is None:
    st.info("No change volumes are recorded for these teams and months, so no change failure rate. "
            "Import monthly change counts (`coe volume import`) to see it.")
else:
    st.plotly_chart(charts.change_failure_rate(rates), key="governance.cfr")
    st.caption("Incidents with a triggering or contributing change of that provenance ÷ changes of that provenance, "
               "over the team-months that have recorded volumes.")
    st.download_button("Download change failure rate (CSV)", data.csv(data.cfr_table(current)),
                       file_name="change_failure_rate.csv", mime="text/csv", key="governance.cfr.csv")

st.subheader("The AI-involved incidents")
st.dataframe(data.incident_links(involved, ("title", "severity", "ai_tool", "ai_mode", "ai_approval_gate",
                                            "ai_permission_scope", "team")),
             column_config=LINK, hide_index=True)
