"""Overview: the headline numbers of the window against the window before it, and incidents per month."""

import streamlit as st

import data
import filters
import state
from coe import charts
from coe.metrics import tables


st.title("Overview")
if filters.empty_state():
    st.stop()
chosen = filters.sidebar()
current, previous = data.headlines(chosen)
st.caption(f"{chosen.since} to {chosen.until} (UTC days), compared with the {(chosen.until - chosen.since).days + 1} "
           "days before. Counted: incidents of kind `incident`; near misses and drills are left out.")

for column, tile in zip(st.columns(4), charts.overview_tiles(current, previous), strict=True):
    column.metric(tile.label, tile.value, tile.delta, delta_color="inverse", border=True)
st.caption(f"AI-attributable is a range: agreed AI contributions ({current['ai_attributable']['lower']['count']}) "
           f"up to every incident where AI is claimed, contested or suspected "
           f"({current['ai_attributable']['upper']['count']}). Overdue counts open action items past their due "
           "date today.")

if not current["incidents"]:
    st.info("No incidents in this window. Widen the dates or clear a filter in the sidebar.")
    st.stop()

event = st.plotly_chart(charts.monthly_incidents(current["by_month"]), key=state.OVERVIEW_MONTHS,
                        on_select="rerun", selection_mode="points")
st.caption("Each bar is one month's incidents (kind `incident`) by when they started, split by AI contribution; "
           "the band is the AI-attributable share, lower to upper bound. Click bars to list their incidents.")
st.download_button("Download monthly data (CSV)", data.csv(tables.by_month_table(current)),
                   file_name="incidents_by_month.csv", mime="text/csv")

# A bar carries its month as customdata; a point of the share band has only x (a date on the month axis).
months = sorted({str(p.get("customdata") or p.get("x"))[:7] for p in event.selection.points}) if event else []
if months:
    filters.behind(data.started_in(chosen, months), f"Incidents started in {', '.join(months)}",
                   ("title", "severity", "ai_contribution", "attribution_status", "team"))
