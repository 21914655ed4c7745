"""Follow-through: whether the action items of the window's incidents get done, by status, owner and control."""

import streamlit as st

import data
import filters
from coe import charts


ITEM_COLUMNS = ("title", "status", "due_on", "owner", "control")

st.title("Follow-through")
if filters.empty_state():
    st.stop()
chosen = filters.sidebar()
current = data.summary(chosen)
flags = data.action_flags_of(chosen)
totals = current["action_items"]
st.caption(f"{chosen.since} to {chosen.until}. Counted: action items of incidents (kind `incident`) that started "
           f"in the window — {totals['total']} items, {totals['open']} open, {totals['overdue']} overdue today.")
if flags.empty:
    st.info("No action items in this window. Widen the dates or clear a filter in the sidebar.")
    st.stop()

on_time = totals["on_time_share"]
days = totals["median_days_to_complete"]
for column, (label, value) in zip(st.columns(4), (
        ("Open", totals["open"]), ("Overdue", totals["overdue"]),
        ("Done on time", "—" if on_time is None else f"{on_time:.0%}"),
        ("Median days to complete", "—" if days is None else f"{days:.0f}")), strict=True):
    column.metric(label, value, border=True)

left, right = st.columns(2)
for column, field in ((left, "status"), (right, "control")):
    with column:
        event = st.plotly_chart(charts.counts_by(flags, field, f"Action items by {field}", unit="action items"),
                                key=f"followthrough.{field}", on_select="rerun", selection_mode="points")
        st.caption(f"Every action item of the window's incidents, counted by its {field}. Click a bar to list "
                   "its items.")
        st.download_button(f"Download by {field} (CSV)", data.csv(data.value_counts(flags, field)),
                           file_name=f"actions_by_{field}.csv", mime="text/csv", key=f"followthrough.{field}.csv")
        if values := charts.picked(event):
            filters.behind(charts.with_values(flags, field, values),
                           f"Action items with {field} {', '.join(values)}", ITEM_COLUMNS)

ageing = data.overdue_ageing(flags)
event = st.plotly_chart(charts.ordered_bars(ageing, "overdue for", "count", "Overdue action items by how long overdue",
                                            "action items"), key="followthrough.ageing", on_select="rerun",
                        selection_mode="points")
st.caption("Open and in-progress items past their due date, by days since that date (today, UTC). Click a bar to "
           "list its items.")
st.download_button("Download overdue ageing (CSV)", data.csv(ageing), file_name="overdue_ageing.csv",
                   mime="text/csv", key="followthrough.ageing.csv")
if buckets := charts.picked(event):
    filters.behind(charts.overdue_for(flags, buckets, data.AGEING_BUCKETS, data.AGEING_LABELS),
                   f"Action items overdue for {', '.join(buckets)}", ("days_overdue", *ITEM_COLUMNS))

st.subheader("Open items by owner")
st.dataframe(data.open_by_owner(flags), hide_index=True)
st.subheader("Overdue items, longest overdue first")
st.dataframe(data.overdue_items(flags), column_config=filters.LINK, hide_index=True)
