"""Review queue: COEs in review with the DOMAIN.md checklist, and approved COEs ready to publish."""

import streamlit as st

import data
import state
from coe.enums import CHECKLIST, AmendmentStatus, Decision, ReviewRole, Status
from coe.errors import CoeError

st.title("Review queue")
if flash := st.session_state.pop(state.REVIEW_FLASH, None):
    st.toast(flash, icon=":material/check_circle:")

user = data.acting_user()
refused = data.refusal("review")
if refused:
    st.info(f"Reviewing a COE needs the reviewer role: {refused}.")
    st.stop()

SELF_APPROVAL = "You are an author of this COE; another reviewer must approve it"
SELF_APPROVAL_AMENDMENT = "You wrote this amendment or the COE; another reviewer must approve it"
BUTTONS = {Decision.approve: ("Approve", ":material/check:"),
           Decision.request_changes: ("Request changes", ":material/undo:"),
           Decision.comment: ("Comment", ":material/chat:")}


def done(message: str) -> None:
    """Show a toast after the rerun that shows the new state."""
    st.session_state[state.REVIEW_FLASH] = message
    st.rerun()


in_review = [*data.incidents_in(Status.in_review), *data.amended(AmendmentStatus.in_review)]
st.subheader(f"In review ({len(in_review)})")
if not in_review:
    st.caption("Nothing is waiting for review.")
for doc in in_review:
    pending = doc.amendments[-1] if doc.status == Status.published else None
    author = user in doc.authors or bool(pending and user == pending.author)
    refusal = SELF_APPROVAL_AMENDMENT if pending else SELF_APPROVAL
    with st.container(border=True):
        st.markdown(f"**{doc.key} · {doc.title}**" + (f" · amendment {pending.number}" if pending else ""))
        st.caption(f"{doc.severity} · {doc.kind} · team {doc.team or '—'} · by {', '.join(doc.authors)} · "
                   f"version {doc.version}")
        if pending:
            st.markdown(f"{pending.author} proposes this correction of the published COE: *{pending.reason}*")
            st.dataframe(data.amendment_changes(pending), hide_index=True)
        st.page_link(state.COE_PAGE, label="Read the COE", icon=":material/description:",
                     query_params={state.KEY_PARAM: doc.key})
        checks, words = st.columns([2, 3])
        checks.markdown("Checklist")
        for item in CHECKLIST:
            checks.checkbox(data.CHECKLIST_LABELS[item], key=state.review_widget(doc.key, item))
        comment = words.text_area("Comment", key=state.review_widget(doc.key, "comment"), height=100)
        review_role = words.selectbox("Reviewing as", [r.value for r in ReviewRole],
                                      key=state.review_widget(doc.key, "role"))
        with st.container(horizontal=True):
            clicked = [decision for decision, (label, icon) in BUTTONS.items() if st.button(
                label, icon=icon, key=state.review_widget(doc.key, f"decide.{decision}"),
                type="primary" if decision == Decision.approve else "secondary",
                disabled=author and decision == Decision.approve,
                help=refusal if author and decision == Decision.approve else None)]
        if author:
            st.caption(refusal + ".")
        if clicked:
            checklist = {item: st.session_state[state.review_widget(doc.key, item)] for item in CHECKLIST}
            try:
                saved = data.review(doc.key, doc.version, decision=clicked[0], checklist=checklist,
                                    comment=comment, review_role=review_role)
            except CoeError as exc:
                st.error(str(exc))
            else:
                done(f"amendment {pending.number} of {saved.key} is now {saved.amendments[-1].status}" if pending
                     else f"{saved.key} is now {saved.status}")

approved = [*data.incidents_in(Status.approved), *data.amended(AmendmentStatus.approved)]
st.subheader(f"Approved, ready to publish ({len(approved)})")
if not approved:
    st.caption("No approved COE is waiting to be published.")
for doc in approved:
    with st.container(border=True, horizontal=True, vertical_alignment="center"):
        reviews = doc.amendments[-1].reviews if doc.status == Status.published else doc.reviews
        what = f"amendment {doc.amendments[-1].number} of " if doc.status == Status.published else ""
        st.markdown(f"**{what}{doc.key} · {doc.title}** · approved by "
                    + ", ".join(r.reviewer for r in reviews if r.decision == Decision.approve))
        if st.button("Publish", icon=":material/public:", key=state.review_widget(doc.key, "publish")):
            try:
                saved = data.publish(doc.key, doc.version)
            except CoeError as exc:
                st.error(str(exc))
            else:
                done(f"{what}{saved.key} is published")
