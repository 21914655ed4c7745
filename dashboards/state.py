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

# The COE editor (?key=… edits that COE; no key starts a new one) and the review queue.
EDITOR_PAGE = "views/editor.py"
EDITOR_URL_PATH = "write"
REVIEW_PAGE = "views/review.py"
REVIEW_URL_PATH = "review"
EDITOR_LOADED = "editor.loaded"  # which COE the editor's widgets hold ("" for a new one)
EDITOR_VERSION = "editor.version"  # the version the edits are based on (optimistic locking)
EDITOR_BASE = "editor.base"  # the loaded COE as coe/v1 data: fields the editor has no widget for
EDITOR_CONFLICT = "editor.conflict"  # the Conflict sentence of the last save, until reload or a good save
EDITOR_FLASH = "editor.flash"  # a toast to show after the rerun that follows a save
EDITOR_AMEND_REASON = "editor.amend_reason"  # why a published COE is being corrected


def editor_table_data(name: str) -> str:
    """Session key of the rows an editor table starts from, e.g. editor_table_data("timeline")."""
    return f"editor.{name}.data"


def review_widget(key: str, part: str) -> str:
    """Widget key of one part of the review form of a COE, e.g. review_widget("COE-2025-0001", "comment")."""
    return f"review.{key}.{part}"
REVIEW_FLASH = "review.flash"  # a toast to show after the rerun that follows a review or a publish

# Sign-in (COE_AUTH=local): who signed in on this browser session, and the login form's widgets.
AUTH_USER = "auth.user"
LOGIN_NAME = "auth.login.name"
LOGIN_PASSWORD = "auth.login.password"
LOGOUT = "auth.logout"

# The action-items page: its filters (also query parameters) and the inline status editor.
ACTIONS_PAGE = "views/actions.py"
ACTIONS_URL_PATH = "actions"
ACTIONS_OWNERS = "owner"
ACTIONS_TEAMS = "action_team"
ACTIONS_CONTROLS = "control"
ACTIONS_STATUSES = "action_status"
ACTIONS_TABLE = "actions.table"  # the data_editor's edited rows

# The dashboards (issue 5): their pages and the sidebar filters they share (kept across pages in DASH_KEPT).
OVERVIEW_PAGE = "views/overview.py"
GOVERNANCE_PAGE = "views/governance.py"
RELIABILITY_PAGE = "views/reliability.py"
ATTRIBUTION_PAGE = "views/attribution.py"
FOLLOWTHROUGH_PAGE = "views/followthrough.py"
REPORTS_PAGE = "views/reports.py"  # the trend report download (issue 6)
REPORTS_SINCE = "reports.since"
REPORTS_UNTIL = "reports.until"
REPORTS_AS_OF = "reports.as_of"
DASH_SINCE = "dash.since"
DASH_UNTIL = "dash.until"
DASH_TEAMS = "dash.team"
DASH_SERVICES = "dash.service"
DASH_SEVERITIES = "dash.severity"
DASH_KINDS = "dash.kind"
DASH_KEPT = "dash.kept"  # {widget key: value}, so a filter set on one dashboard holds on the next
OVERVIEW_MONTHS = "overview.months"  # the monthly chart's selection
