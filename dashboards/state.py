"""Session-state keys and query-parameter names shared by the pages, in one place."""

# Query parameters (part of a shareable URL).
KEY_PARAM = "key"  # the COE shown by the COE page: ?key=COE-2025-0001

# Page files, relative to dashboards/app.py (what st.switch_page and st.page_link take).
INCIDENTS_PAGE = "views/incidents.py"
COE_PAGE = "views/coe.py"
# The COE page's URL path; the incidents table links to f"{COE_URL_PATH}?key=…".
COE_URL_PATH = "coe"

# Widget keys of the incidents page's filters, which are also their query parameters (a filtered
# list is a shareable URL), e.g. ?severity=sev1&ai=confirmed.
FILTER_SINCE = "since"
FILTER_UNTIL = "until"
FILTER_TEAMS = "team"
FILTER_SERVICES = "service"
FILTER_SEVERITIES = "severity"
FILTER_KINDS = "kind"
FILTER_STATUSES = "status"
FILTER_AI_INVOLVEMENT = "ai"
SEARCH = "q"
INCIDENT_TABLE = "incidents.table"  # the table's row selection
