"""Attribution: incidents whose cause is contested, each with its attribution claims side by side."""

import streamlit as st

import data
import filters
from coe import charts
from coe.metrics import tables


SHOWN = 25  # contested incidents laid out in full; the table below lists them all
COLUMNS = ("title", "severity", "ai_involvement", "ai_contribution", "team")

st.title("Attribution")
if filters.empty_state():
    st.stop()
chosen = filters.sidebar()
current = data.summary(chosen)
rows, claims = tables.contested(data.metric_frames(chosen))
ai = current["ai_attributable"]
st.caption(f"{chosen.since} to {chosen.until}. AI-attributable share of {ai['total']} incidents: "
           f"{ai['lower']['count']} agreed (lower bound) to {ai['upper']['count']} claimed, contested or suspected "
           f"(upper bound). Contested incidents in the window, any kind: {len(rows)}.")
if rows.empty:
    st.info("No contested attributions in this window: every claim about a cause agrees, or none was made.")
    st.stop()

causes = filters.chart(
    charts.counts_by(claims, "attributes_to", "What the claims about contested incidents blame", unit="claims"),
    key="attribution.claims", table=claims, name="claims", file_name="contested_claims.csv",
    caption="Attribution claims on the contested incidents, counted by what each claim says caused the incident. "
            "Click a bar to list the incidents with such a claim.")
if causes:
    blamed = charts.with_values(claims, "attributes_to", causes)["key"]
    filters.behind(charts.with_values(rows, "key", blamed), f"Contested incidents with a claim blaming "
                   f"{' or '.join(causes)}", COLUMNS)

st.subheader("Every contested incident")
st.dataframe(data.incident_links(rows, COLUMNS), column_config=filters.LINK, hide_index=True)

for incident in rows.head(SHOWN).itertuples():
    st.markdown(f"#### [{incident.key}]({data.COE_LINK}{incident.key}) · {incident.title}")
    st.caption(f"{incident.severity} · {incident.team} · AI involvement {incident.ai_involvement}, "
               f"contribution {incident.ai_contribution}, primary cause {incident.primary_cause}")
    said = claims[claims["key"] == incident.key]
    for column, claim in zip(st.columns(max(len(said), 1)), said.itertuples(), strict=False):
        with column.container(border=True):
            st.markdown(f"**{claim.source}** ({claim.source_kind}) blames **{claim.attributes_to}**, "
                        f"{claim.confidence} confidence")
            st.write(claim.statement)
            if claim.stated_on:
                st.caption(f"stated on {claim.stated_on}")
if len(rows) > SHOWN:
    st.caption(f"The {SHOWN} newest are laid out above; the table lists all {len(rows)}.")
