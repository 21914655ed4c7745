"""Write COE: start a new COE, or edit the one named by ?key=…; save it as a draft and send it for review."""

import streamlit as st

import data
import forms
import similar_panel
import state
from coe.enums import Status
from coe.errors import CoeError, Conflict, ValidationFailed

key = st.query_params.get(state.KEY_PARAM, "")
doc = data.incident(key) if key else None
if key and doc is None:
    st.title("Write COE")
    st.warning(f"There is no incident with key {key}.")
    st.page_link(state.INCIDENTS_PAGE, label="Back to Incidents", icon=":material/arrow_back:")
    st.stop()
zone = forms.zone_of(st.context.timezone)


def load() -> None:
    """Fill the widgets with the saved COE (or a blank one), discarding local edits."""
    base = data.coe_data(data.incident(key) if key else None)
    st.session_state.update(forms.widget_values(base, zone))
    for name in forms.TABLES:
        st.session_state[state.editor_table_data(name)] = forms.table_frame(name, base, zone)
        st.session_state.pop(forms.key(name), None)  # the table's own cell edits
    st.session_state.update({state.EDITOR_BASE: base, state.EDITOR_VERSION: base.get("version"),
                             state.EDITOR_LOADED: key, state.EDITOR_CONFLICT: None})


if st.session_state.get(state.EDITOR_LOADED) != key or forms.key("title") not in st.session_state:
    load()
if flash := st.session_state.pop(state.EDITOR_FLASH, None):
    st.toast(flash, icon=":material/check_circle:")

st.title(f"Edit {doc.key} · {doc.title}" if doc else "New COE")
if doc:
    st.caption(f"{doc.status} · version {st.session_state[state.EDITOR_VERSION]} · by {', '.join(doc.authors)}")
refused = data.refusal("update" if doc else "create")
if refused:
    st.info(f"{refused}. You can read this form but not save it.")
published = bool(doc and doc.status == Status.published)
if published:
    st.info(f"{doc.key} is published: your edits become an amendment, which applies once another "
            "reviewer approves it and it is published.")
slots = {}


def section(name: str):
    """An open expander for one section, with a place at its top for that section's problems."""
    box = st.expander(forms.SECTIONS[name][0], expanded=True)
    slots[name] = box.container()
    return box


tables = {}


def edit_table(name: str, hint: str) -> None:
    """An editable table, starting from the rows loaded for it; what it returns is saved."""
    tables[name] = forms.table(name, st.session_state[state.editor_table_data(name)], hint)


with section("basics"):
    if published:
        st.text_input("Reason for the amendment", key=state.EDITOR_AMEND_REASON, max_chars=2000)
    st.text_input("Title", key=forms.key("title"), max_chars=200)
    left, middle, right = st.columns(3)
    forms.choice(left, "Kind", "kind")
    forms.choice(middle, "Severity", "severity")
    forms.choice(right, "Environment", "environment")
    left, middle, right = st.columns(3)
    left.text_input("Team", key=forms.key("team"))
    middle.text_input("Services (comma-separated)", key=forms.key("services"))
    right.text_input("Regions (comma-separated)", key=forms.key("regions"))

with section("impact"):
    st.caption(f"Times are in {zone.key} (your browser's zone when known) and are stored in UTC.")
    forms.moment_inputs()
    left, right = st.columns(2)
    forms.choice(left, "Detection method", "detection_method")
    right.number_input("Customers affected", key=forms.key(forms.CUSTOMERS), min_value=0, step=1)
    forms.markdown_area("Customer impact", "customer_impact")

with section("narrative"):
    for label, field in (("Summary", "summary"), ("Trigger", "trigger"), ("Root cause", "root_cause")):
        forms.markdown_area(label, field)
    forms.choice(st, "Root cause category", "root_cause_category")
    forms.markdown_area("Resolution", "resolution")

with st.expander("Has this happened before? Similar earlier incidents", expanded=True):
    draft_text = {f: st.session_state.get(forms.key(f)) for f in ("title", "summary", "trigger", "root_cause",
                                                                     "root_cause_category")}
    draft_text["services"] = [s.strip() for s in (st.session_state.get(forms.key("services")) or "").split(",")]
    draft_text |= {"key": key or None, "started_at": doc.started_at if doc else None}
    similar_panel.show(data.similar_incidents(draft_text),
                       empty="Nothing similar yet: similar earlier incidents appear here as you write.")

with section("analysis"):
    edit_table("five_whys", "Five whys, in order")
    edit_table("contributing_factors", "Contributing factors")
    for column, field in zip(st.columns(3), forms.LINE_LISTS):
        label = field.split(".")[1].replace("_", " ").capitalize()
        column.text_area(f"{label} (one per line)", key=forms.key(field))
    left, right = st.columns(2)
    left.text_area("How would we have cut the time to detect in half?", key=forms.key("cut_in_half.detection"))
    right.text_area("…and the time to mitigate?", key=forms.key("cut_in_half.mitigation"))

with section("timeline"):
    edit_table("timeline", f"One row per step; times in {zone.key}. Kept sorted by time.")
with section("changes"):
    edit_table("changes", "Contributing code or config changes, commands and deploys")
with section("action_items"):
    edit_table("action_items", "A done item needs its completed-on date")

with section("ai"):
    forms.ai_inputs()

with section("attribution"):
    left, right = st.columns(2)
    forms.choice(left, "The COE's finding: AI contribution", "attribution.ai_contribution")
    forms.choice(right, "Primary cause", "attribution.primary_cause")
    edit_table("attribution.claims", "Every claim about the cause, with its source")

with st.container(horizontal=True):
    save = not published and st.button("Save draft", type="primary", icon=":material/save:", disabled=bool(refused))
    amend = published and st.button("Propose amendment", type="primary", icon=":material/rate_review:",
                                    disabled=bool(refused), help="Reviewers approve it before it applies")
    submit = doc is not None and doc.status == Status.draft and st.button(
        "Submit for review", icon=":material/send:", disabled=bool(refused),
        help="Sends the saved version to reviewers; save your edits first")
notice = st.container()  # beside the buttons, where the eye is after a click

try:
    if save or amend:
        values = {k: v for k, v in st.session_state.items() if str(k).startswith("editor.")}
        typed = forms.incident_data(values, tables, st.session_state[state.EDITOR_BASE], zone)
        version = st.session_state[state.EDITOR_VERSION]
        if amend:
            saved = data.amend(typed, key=key, version=version, reason=values.get(state.EDITOR_AMEND_REASON, ""))
            flash = f"Amendment {saved.amendments[-1].number} of {saved.key} is in review"
        else:
            saved = data.save_incident(typed, key=key or None, version=version)
            flash = f"Saved {saved.key} (version {saved.version})"
        st.session_state[state.EDITOR_FLASH] = flash
    elif submit:
        saved = data.submit(key, st.session_state[state.EDITOR_VERSION])
        st.session_state[state.EDITOR_FLASH] = f"{saved.key} is in review"
    if save or amend or submit:
        st.session_state[state.EDITOR_LOADED] = None  # load what was saved, with its new version
        st.query_params[state.KEY_PARAM] = saved.key
        st.rerun()
except ValidationFailed as exc:
    problems = forms.by_section(exc.problems, zone)
    notice.error("Not saved: fix the problems shown in " + ", ".join(forms.SECTIONS[s][0] for s in problems) + ".")
    for name, lines in problems.items():
        slots[name].error("\n".join(f"- {line}" for line in lines))
except Conflict as exc:
    st.session_state[state.EDITOR_CONFLICT] = str(exc)
except CoeError as exc:
    notice.error(str(exc))

if conflict := st.session_state.get(state.EDITOR_CONFLICT):
    notice.error(f"Not saved: {conflict}. Your edits are still in the form.")
    notice.button("Reload the latest version", icon=":material/refresh:", on_click=load,
                  help="Discards your edits and loads the COE as it is saved now")
