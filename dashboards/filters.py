"""The dashboards' shared sidebar filters (window, teams, services, severities, kinds) and click-through lists."""

from typing import Any

import pandas as pd
import streamlit as st

import data
import state
from coe import charts
from coe.enums import Kind, Severity


def _kept(key: str, default: Any) -> None:
    """Give a widget the value it had on the previous dashboard page (widget state is per page)."""
    kept = st.session_state.setdefault(state.DASH_KEPT, {})
    st.session_state[key] = kept.get(key, default)  # callbacks run first, so `kept` already has any new value


def _keep(key: str) -> None:
    st.session_state[state.DASH_KEPT][key] = st.session_state[key]


def sidebar() -> data.DashboardFilter:
    """Draw the shared filters in the sidebar and return what they select."""
    options = data.dashboard_options()
    since, until = data.default_dashboard_window()
    choices = {
        state.DASH_TEAMS: ("Team", options["teams"]),
        state.DASH_SERVICES: ("Service", options["services"]),
        state.DASH_SEVERITIES: ("Severity", [s.value for s in Severity]),
        state.DASH_KINDS: ("Kind", [k.value for k in Kind]),
    }
    for key, default in ((state.DASH_SINCE, since), (state.DASH_UNTIL, until), *((k, []) for k in choices)):
        _kept(key, default)
    with st.sidebar:
        st.header("Filters")
        st.date_input("From (UTC day)", key=state.DASH_SINCE, on_change=_keep, args=(state.DASH_SINCE,))
        st.date_input("To (UTC day)", key=state.DASH_UNTIL, on_change=_keep, args=(state.DASH_UNTIL,))
        for key, (label, values) in choices.items():
            st.multiselect(label, values, key=key, on_change=_keep, args=(key,), placeholder="any")
        st.caption("Drills never count; near misses are counted on their own.")
    first, last = st.session_state[state.DASH_SINCE], st.session_state[state.DASH_UNTIL]
    if last < first:
        first, last = last, first
    return data.DashboardFilter(
        since=first, until=last,
        **{name: tuple(st.session_state[key]) for name, key in (
            ("teams", state.DASH_TEAMS), ("services", state.DASH_SERVICES),
            ("severities", state.DASH_SEVERITIES), ("kinds", state.DASH_KINDS))})


def empty_state() -> bool:
    """When the database holds no incidents, say how to get some and return True."""
    if data.incident_count():
        return False
    st.info("No incidents yet. Run `coe demo` to load a realistic synthetic history, "
            "or write a COE on the **Write COE** page; the dashboards fill in from there.")
    return True


LINK = {"key": st.column_config.LinkColumn("key", display_text=r"key=(.*)")}
CLICK = "Click bars or points (shift-click for several) to list the incidents behind them."


def behind(rows: pd.DataFrame, heading: str, columns: tuple[str, ...] = ("title", "severity", "team")) -> None:
    """Under a chart: the rows its clicked points stand for, each linked to its COE (nothing when none)."""
    if rows is None:
        return
    st.markdown(f"**{heading}** — {len(rows)}")
    st.dataframe(data.incident_links(rows, columns), column_config=LINK, hide_index=True)


def chart(figure: Any, *, key: str, caption: str, table: pd.DataFrame, name: str, file_name: str) -> list:
    """A chart that can be clicked, its one-line explanation and its data as CSV; what was clicked on it."""
    event = st.plotly_chart(figure, key=key, on_select="rerun", selection_mode="points")
    st.caption(caption)
    st.download_button(f"Download {name} (CSV)", data.csv(table), file_name=file_name, mime="text/csv",
                       key=f"{key}.csv")
    return charts.picked(event)
