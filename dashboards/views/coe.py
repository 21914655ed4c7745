"""COE: one incident's post-mortem, chosen by ?key=COE-YYYY-NNNN."""

import streamlit as st

import data
import similar_panel
import state

key = st.query_params.get(state.KEY_PARAM, "")
doc = data.incident(key) if key else None
if doc is None:
    st.title("COE")
    st.warning(f"There is no incident with key {key}." if key else
               "No incident chosen: pick one from the Incidents list.")
    st.page_link(state.INCIDENTS_PAGE, label="Back to Incidents", icon=":material/arrow_back:")
    st.stop()

st.title(f"{doc.key} · {doc.title}")
attribution = doc.attribution
with st.container(horizontal=True):
    st.badge(str(doc.severity), color=data.SEVERITY_COLORS.get(doc.severity, "gray"))
    st.badge(str(doc.status), color=data.STATUS_COLORS.get(doc.status, "gray"))
    st.badge(str(doc.kind), color="gray")
    st.badge(f"AI: {doc.ai.involvement}", color="violet" if doc.ai.involvement != "none" else "gray")
    st.badge(f"attribution: {attribution.status}", icon="⚠️" if attribution.status == "contested" else None,
             color=data.ATTRIBUTION_COLORS.get(attribution.status, "gray"))
st.caption(" · ".join(filter(None, [
    doc.team and f"team {doc.team}",
    doc.services and "services " + ", ".join(doc.services),
    doc.regions and "regions " + ", ".join(doc.regions),
    str(doc.environment),
    doc.authors and "by " + ", ".join(doc.authors),
    f"version {doc.version}",
])))

moments = [("Started", doc.started_at), ("Detected", doc.detected_at), ("Acknowledged", doc.acknowledged_at),
           ("Mitigated", doc.mitigated_at), ("Resolved", doc.resolved_at)]
for column, (label, at) in zip(st.columns(len(moments)), moments):
    column.markdown(f"**{label}** (UTC)  \n{at:%Y-%m-%d %H:%M}" if at else f"**{label}**  \n—")

with st.container(horizontal=True):
    st.download_button("Download coe/v1 JSON", data=data.coe_v1_json(doc), file_name=f"{doc.key}.json",
                       mime="application/json", icon=":material/download:")
    st.download_button("Download PDF report", data=lambda: data.coe_report_pdf(doc.key), file_name=f"{doc.key}.pdf",
                       mime="application/pdf", icon=":material/picture_as_pdf:")
    if doc.status != "published":
        st.page_link(state.EDITOR_PAGE, label="Edit", icon=":material/edit:", query_params={state.KEY_PARAM: doc.key})

left, right = st.columns(2)
with left:
    st.subheader("Customer impact")
    st.markdown(doc.customer_impact or "—")
    if doc.customers_affected is not None:
        st.caption(f"{doc.customers_affected:,} customers affected")
    st.subheader("Summary")
    st.markdown(doc.summary or "—")
with right:
    st.subheader("Trigger")
    st.markdown(doc.trigger or "—")
    st.subheader(f"Root cause ({doc.root_cause_category})")
    st.markdown(doc.root_cause or "—")
    st.subheader("Resolution")
    st.markdown(doc.resolution or "—")

if doc.five_whys:
    with st.expander("Five whys"):
        for number, why in enumerate(doc.five_whys, start=1):
            st.markdown(f"{number}. **{why.question}**  \n{why.answer}")

st.subheader("Timeline (UTC)")
st.dataframe(data.timeline(doc), hide_index=True,
             column_config={"at": st.column_config.DatetimeColumn("at", format="YYYY-MM-DD HH:mm")})

st.subheader("Changes")
st.dataframe(data.changes(doc), hide_index=True, column_config={
    "deployed_at": st.column_config.DatetimeColumn("deployed_at (UTC)", format="YYYY-MM-DD HH:mm")})

st.subheader("AI involvement")
st.dataframe(data.ai_involvement(doc), hide_index=True)

st.subheader("Attribution")
finding = f"COE finding: AI contribution **{attribution.ai_contribution}**, primary cause **{attribution.primary_cause}**."
if attribution.status == "contested":
    st.warning(f"Attribution is contested: the sources below disagree on the cause. {finding}", icon="⚠️")
else:
    st.markdown(f"Attribution is {attribution.status}. {finding}")
st.dataframe(data.claims(doc), hide_index=True,
             column_config={"url": st.column_config.LinkColumn("url"),
                            "statement": st.column_config.TextColumn("statement", width="large")})

st.subheader("Action items")
st.dataframe(data.action_items(doc), hide_index=True,
             column_config={"ticket_url": st.column_config.LinkColumn("ticket"),
                            "title": st.column_config.TextColumn("title", width="large")})

if doc.extra_sections:
    st.subheader("Other sections (imported)")
    for section in doc.extra_sections:
        with st.expander(section.heading or "Untitled"):
            st.markdown(section.text or "—")

st.subheader("Similar earlier incidents")
similar_panel.show(data.similar_incidents(data.coe_data(doc)), empty="No earlier incident is like this one.")

st.subheader("Reviews")
if doc.reviews:
    st.dataframe(data.reviews(doc), hide_index=True,
                 column_config={"at": st.column_config.DatetimeColumn("at", format="YYYY-MM-DD HH:mm")})
else:
    st.caption("No reviews yet.")

if doc.amendments:
    st.subheader("Amendments")
    st.dataframe(data.amendments(doc), hide_index=True,
                 column_config={"at": st.column_config.DatetimeColumn("at", format="YYYY-MM-DD HH:mm")})

st.subheader("History")
st.caption("Every change to this COE from the tamper-evident audit trail (UTC); check it with `coe audit verify`.")
st.dataframe(data.history(doc.key), hide_index=True,
             column_config={"at": st.column_config.DatetimeColumn("at", format="YYYY-MM-DD HH:mm:ss"),
                            "fields": st.column_config.TextColumn("fields changed", width="large")})

st.page_link(state.INCIDENTS_PAGE, label="Back to Incidents", icon=":material/arrow_back:")
