"""Incidents: every COE in a filterable table, or the best full-text matches of a search; a row opens its COE."""

from datetime import date

import streamlit as st

import data
import state
from coe.enums import Involvement, Kind, Severity, Status
from coe.errors import ValidationFailed
from coe.search import fulltext
from coe.services import IncidentFilter

SHOWN_SNIPPETS = 5  # the best matches shown with their highlighted text above the table
SEARCH_LIMIT = 200

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

search = st.text_input(
    "Search", key=state.SEARCH, placeholder='e.g. dns, "cascading failure", permiss*, service:payments',
    help='Every text of a COE, best match first. A "phrase", prefix*, and service:, team:, severity:, ai: filters.',
    **remembered,
)
filters = IncidentFilter(
    since=since, until=until, teams=tuple(teams), services=tuple(service_names),
    severities=tuple(severities), kinds=tuple(kinds), statuses=tuple(statuses),
    ai_involvement=tuple(involvement),
)
try:
    frame = data.searched_incidents(filters, search, SEARCH_LIMIT) if search.strip() else data.incidents(filters)
except ValidationFailed as problem:
    sentence = problem.problems[0].message
    st.warning(f"{sentence[0].upper()}{sentence[1:]}.")
    st.stop()

shown = len(frame)
noun = "incident" if total == 1 else "incidents"
if search.strip():
    best = f"the {shown} best matches" if shown == SEARCH_LIMIT else f"{shown} {'match' if shown == 1 else 'matches'}"
    st.markdown(f"**{best[0].upper()}{best[1:]}** of {total} {noun}, best first")
else:
    st.markdown(f"**{total} {noun}**" if shown == total else f"**{shown} of {total} {noun}**")
if frame.empty:
    st.caption("Nothing matches; try other words, or widen the filters in the sidebar.")
    st.stop()

table = data.incident_table(frame)
if search.strip():
    for hit in frame.head(SHOWN_SNIPPETS).itertuples():
        title, snippet = fulltext.markdown_text(hit.title), fulltext.snippet_markdown(hit.snippet)
        st.markdown(f"[**{hit.key}**]({data.COE_LINK}{hit.key}) · {title}  \n{snippet}")
    table.insert(2, "match", frame["snippet"].map(fulltext.snippet_text))

event = st.dataframe(
    table,
    key=state.INCIDENT_TABLE,
    hide_index=True,
    on_select="rerun",
    selection_mode="single-row",
    height=min(38 + 35 * len(frame), 700),
    column_config={
        "key": st.column_config.LinkColumn("Key", display_text=r"key=(.*)$", pinned=True,
                                           help="Opens the COE in a new tab; select a row to open it here"),
        "title": st.column_config.TextColumn("Title", width="medium"),
        "match": st.column_config.TextColumn("Match", width="large", help="Where the words were found"),
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
