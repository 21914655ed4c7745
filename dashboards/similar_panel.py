"""The "has this happened before?" panel shown on the COE view and in the editor."""

import streamlit as st

import state
from coe.search.similar import Match


def show(matches: list[Match], *, empty: str) -> None:
    """Each earlier match with its reasons; a repeat with an unfinished fix stands out as a warning."""
    if not matches:
        st.caption(empty)
        return
    for m in matches:
        line = f"**{m.key}** · {m.title} · {m.started_at:%Y-%m-%d} — {'; '.join(m.reasons)}"
        if m.unfinished_fix:
            items = "\n".join(f"- {a['title']} ({a['status']}, {a['owner'] or 'no owner'})" for a in m.open_actions)
            st.warning(f"Repeat with an unfinished fix: {line}\n\nNot done yet:\n{items}", icon="⚠️")
        else:
            st.markdown(line)
        st.page_link(state.COE_PAGE, label=f"Open {m.key}", query_params={state.KEY_PARAM: m.key})
