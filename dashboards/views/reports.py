"""Reports: the governance trend report of a chosen window, as a PDF download."""

import streamlit as st

import data
import state

st.title("Reports")
st.caption("The governance trend report: the metrics of a window against the window of the same length before it, "
           "the AI-attributable range by month, durations, control gaps, action-item follow-through, contested "
           "incidents and the window's COEs. Each COE's own PDF is on its COE page.")
first, last = data.default_dashboard_window()
since_col, until_col, as_of_col = st.columns(3)
since = since_col.date_input("From (UTC day)", value=first, key=state.REPORTS_SINCE)
until = until_col.date_input("To (included)", value=last, key=state.REPORTS_UNTIL)
as_of = as_of_col.date_input("Overdue judged on", value=data.today(), key=state.REPORTS_AS_OF)
if until < since:
    st.error(f"The window ends ({until}) before it starts ({since}): choose a later end date.")
    st.stop()
st.download_button("Download trend report (PDF)", data=lambda: data.trend_report_pdf(since, until, as_of),
                   file_name=f"trend-{since}-{until}.pdf", mime="application/pdf", icon=":material/picture_as_pdf:")
st.caption("Also on the command line: `coe trend-report --since 2026-01-01 --until 2026-06-30 --output trend.pdf`.")
