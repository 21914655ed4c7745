"""Incidents: every COE in a filterable table; a row opens its COE."""

from datetime import date

import streamlit as st

import data
import state
from coe.enums import Involvement, Kind, Severity, Status
from coe.services import IncidentFilter

st.title("Incidents")

total = data.incident_count()
if total == 0:
    st.info("No incidents yet — run `coe demo` to load a demo history, or `coe import FILE.json`.")
    st.stop()

options = data.filter_options()
# Filters live in the URL (shareable) and in the session (they come back after a visit to a COE).
remembered = {"bind": "query-params", "persist_state": "session"}
with st.sidebar:
    st.header("Filters")
    first_day = min(options["first_day"], date.today())
    last_day = max(options["last_day"], date.today())
    since = st.date_input("Since", value=None, min_value=first_day, max_value=last_day,
                          key=state.FILTER_SINCE, **remembered)
    until = st.date_input("Until", value=None, min_value=first_day, max_value=last_day,
                          key=state.FILTER_UNTIL, **remembered)
    teams = st.multiselect("Team", options["teams"], key=state.FILTER_TEAMS, **remembered)
    service_names = st.multiselect("Service", options["services"], key=state.FILTER_SERVICES, **remembered)
    severities = st.multiselect("Severity", [s.value for s in Severity], key=state.FILTER_SEVERITIES,
                                **remembered)
    kinds = st.multiselect("Kind", [k.value for k in Kind], key=state.FILTER_KINDS, **remembered)
    statuses = st.multiselect("Status", [s.value for s in Status], key=state.FILTER_STATUSES, **remembered)
    involvement = st.multiselect("AI involvement", [i.value for i in Involvement],
                                 key=state.FILTER_AI_INVOLVEMENT, **remembered)

search = st.text_input("Search titles", key=state.SEARCH, placeholder="e.g. database, deploy, agent",
                       **remembered)
filters = IncidentFilter(
    since=since, until=until, teams=tuple(teams), services=tuple(service_names),
    severities=tuple(severities), kinds=tuple(kinds), statuses=tuple(statuses),
    ai_involvement=tuple(involvement),
)
frame = data.incidents(filters, search)

shown = len(frame)
noun = "incident" if total == 1 else "incidents"
st.markdown(f"**{total} {noun}**" if shown == total else f"**{shown} of {total} {noun}**")
if frame.empty:
    st.caption("Nothing matches these filters; widen them in the sidebar.")
    st.stop()

event = st.dataframe(
    data.incident_table(frame),
    key=state.INCIDENT_TABLE,
    hide_index=True,
    on_select="rerun",
    selection_mode="single-row",
    height=min(38 + 35 * len(frame), 700),
    column_config={
        "key": st.column_config.LinkColumn("Key", display_text=r"key=(.*)$", pinned=True,
                                           help="Opens the COE in a new tab; select a row to open it here"),
        "title": st.column_config.TextColumn("Title", width="medium"),
        "started": st.column_config.DatetimeColumn("Started (UTC)", format="YYYY-MM-DD HH:mm"),
        "severity": st.column_config.TextColumn("Severity", width="small"),
        "kind": st.column_config.TextColumn("Kind", width="small"),
        "status": st.column_config.TextColumn("Status", width="small"),
        "ai_involvement": "AI involvement",
        "attribution": "Attribution",
        "team": "Team",
        "services": "Services",
    },
)
if event.selection.rows:
    chosen = frame["key"].iloc[event.selection.rows[0]]
    st.switch_page(state.COE_PAGE, query_params={state.KEY_PARAM: chosen})
