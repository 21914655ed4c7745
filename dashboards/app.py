"""The coe Streamlit app: a router over the pages in views/ (run with `streamlit run dashboards/app.py`)."""

import streamlit as st

import state

st.set_page_config(page_title="coe", layout="wide")

PAGES = [
    st.Page(state.INCIDENTS_PAGE, title="Incidents", icon=":material/list:", default=True),
    st.Page(state.COE_PAGE, title="COE", icon=":material/description:", url_path=state.COE_URL_PATH),
]

st.navigation(PAGES).run()
