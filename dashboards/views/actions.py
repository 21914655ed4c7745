"""Action items: every open and overdue follow-through across COEs; status is updated inline."""

import streamlit as st

import data
import state
from coe.enums import ActionStatus, Control
from coe.errors import Conflict, PermissionDenied, WorkflowError

st.title("Action items")

remembered = {"bind": "query-params", "persist_state": "session"}
everything = data.action_item_list(statuses=tuple(s.value for s in ActionStatus))
with st.sidebar:
    st.header("Filters")
    owners = st.multiselect("Owner", sorted(o for o in everything["owner"].unique() if o),
                            key=state.ACTIONS_OWNERS, **remembered)
    teams = st.multiselect("Team", sorted(t for t in everything["team"].unique() if t),
                           key=state.ACTIONS_TEAMS, **remembered)
    controls = st.multiselect("Control", [c.value for c in Control], key=state.ACTIONS_CONTROLS, **remembered)
    statuses = st.multiselect("Status", [s.value for s in ActionStatus], key=state.ACTIONS_STATUSES,
                              placeholder="open and in progress", **remembered)

frame = data.action_item_list(statuses=tuple(statuses), owners=tuple(owners), teams=tuple(teams),
                              controls=tuple(controls))
overdue = int((frame["overdue_days"] > 0).sum())
st.markdown(f"**{len(frame)} action items**, {overdue} overdue")
if frame.empty:
    st.caption("Nothing matches these filters; widen them in the sidebar.")
    st.stop()

refusal = data.refusal("update")
edited = st.data_editor(
    data.action_item_table(frame),
    key=state.ACTIONS_TABLE,
    hide_index=True,
    height=min(36 * (len(frame) + 1) + 2, 720),
    disabled=[c for c in data.action_item_table(frame).columns if c != "status" or refusal],
    column_config={
        "key": st.column_config.LinkColumn("COE", display_text=r"key=(.*)$", pinned=True),
        "coe_title": st.column_config.TextColumn("COE title", width="medium"),
        "team": "Team",
        "title": st.column_config.TextColumn("Action", width="large"),
        "owner": "Owner",
        "control": "Control",
        "priority": st.column_config.TextColumn("Priority", width="small"),
        "due_on": st.column_config.DateColumn("Due"),
        "status": st.column_config.SelectboxColumn("Status", options=[s.value for s in ActionStatus],
                                                   required=True),
        "overdue_days": st.column_config.NumberColumn("Overdue", format="%d d", width="small"),
    },
)
if refusal:
    st.caption(refusal)

changed = edited["status"] != frame["status"]
for row in frame[changed.to_numpy()].itertuples():
    status = edited["status"].iloc[frame.index.get_loc(row.Index)]
    try:
        data.set_action_status(row.key, int(row.position), status, int(row.version))
    except (Conflict, PermissionDenied, WorkflowError) as exc:
        st.error(str(exc))
        st.stop()
    st.toast(f"{row.key}: “{row.title}” is now {status}")
if changed.any():
    del st.session_state[state.ACTIONS_TABLE]
    st.rerun()
