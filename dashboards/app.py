"""The coe Streamlit app: a router over the pages in views/ (run with `streamlit run dashboards/app.py`)."""

import streamlit as st

import auth
import data
import state

st.set_page_config(page_title="coe", layout="wide")
auth.gate(data.password_matches)  # who is acting; stops at the login form or the missing-header refusal

PAGES = {"COEs": [
    st.Page(state.INCIDENTS_PAGE, title="Incidents", icon=":material/list:", default=True),
    st.Page(state.COE_PAGE, title="COE", icon=":material/description:", url_path=state.COE_URL_PATH),
    st.Page(state.EDITOR_PAGE, title="Write COE", icon=":material/edit_note:", url_path=state.EDITOR_URL_PATH),
    st.Page(state.ACTIONS_PAGE, title="Action items", icon=":material/task_alt:", url_path=state.ACTIONS_URL_PATH),
    st.Page(state.REVIEW_PAGE, title="Review queue", icon=":material/rule:", url_path=state.REVIEW_URL_PATH),
], "Dashboards": [
    st.Page(state.OVERVIEW_PAGE, title="Overview", icon=":material/dashboard:", url_path="overview"),
    st.Page(state.GOVERNANCE_PAGE, title="AI governance", icon=":material/policy:", url_path="governance"),
    st.Page(state.RELIABILITY_PAGE, title="Reliability", icon=":material/timer:", url_path="reliability"),
    st.Page(state.ATTRIBUTION_PAGE, title="Attribution", icon=":material/balance:", url_path="attribution"),
    st.Page(state.FOLLOWTHROUGH_PAGE, title="Follow-through", icon=":material/checklist:",
            url_path="follow-through"),
    st.Page(state.REPORTS_PAGE, title="Reports", icon=":material/picture_as_pdf:", url_path="reports"),
]}

st.navigation(PAGES).run()
