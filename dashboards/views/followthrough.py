"""Follow-through: whether the action items of the window's incidents get done, by status, owner and control."""

import streamlit as st

import data
import filters
from coe import charts
from coe.metrics import tables


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
        values = filters.chart(
            charts.counts_by(flags, field, f"Action items by {field}", unit="action items"),
            key=f"followthrough.{field}", table=tables.value_counts(flags, field),
            caption=f"Every action item of the window's incidents, counted by its {field}. Click a bar to list "
                    "its items.",
            name=f"by {field}", file_name=f"actions_by_{field}.csv")
        if values:
            filters.behind(charts.with_values(flags, field, values),
                           f"Action items with {field} {', '.join(values)}", ITEM_COLUMNS)

ageing = tables.overdue_ageing(flags)
buckets = filters.chart(
    charts.ordered_bars(ageing, "overdue for", "count", "Overdue action items by how long overdue", "action items"),
    key="followthrough.ageing", table=ageing, name="overdue ageing", file_name="overdue_ageing.csv",
    caption="Open and in-progress items past their due date, by days since that date (today, UTC). Click a bar to "
            "list its items.")
if buckets:
    filters.behind(charts.overdue_for(flags, buckets, tables.AGEING_BUCKETS, tables.AGEING_LABELS),
                   f"Action items overdue for {', '.join(buckets)}", ("days_overdue", *ITEM_COLUMNS))

st.subheader("Open items by owner")
st.dataframe(tables.open_by_owner(flags), hide_index=True)
st.subheader("Overdue items, longest overdue first")
st.dataframe(data.overdue_items(flags), column_config=filters.LINK, hide_index=True)
