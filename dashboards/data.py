"""The one module that talks to the coe library and owns caching; pages call only this."""

import io
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pandas as pd
import streamlit as st
from sqlalchemy import Engine
from sqlmodel import Session

import auth
import state
from coe import actions, audit, interchange, schema, services, users, workflow
from coe.config import Settings
from coe.db import engine_for, reading, writing
from coe.enums import CHECKLIST, AmendmentStatus, AttributionStatus, Decision, Status
from coe.errors import NotFound, PermissionDenied
from coe.reports.coe_report import report_pdf
from coe.reports.trend_report import trend_pdf
from coe.search import fulltext, similar as similarity
from coe import metrics
from coe.metrics import tables
from coe.services import IncidentFilter
from coe.validation import parse_incident

# Cached reads are keyed on the audit chain head, which every write through coe.services moves, so a
# saved COE (from any session or the CLI) shows at once; the ttl only bounds how long old entries live.
TTL_SECONDS = 600

CONTESTED = f"⚠ {AttributionStatus.contested}"
COE_LINK = f"{state.COE_URL_PATH}?{state.KEY_PARAM}="  # relative, so it also works under a baseUrlPath
SEVERITY_COLORS = {"sev1": "red", "sev2": "orange", "sev3": "yellow", "sev4": "blue", "sev5": "gray"}
STATUS_COLORS = {"draft": "gray", "in_review": "blue", "approved": "violet", "published": "green"}
ATTRIBUTION_COLORS = {"undetermined": "gray", "agreed": "green", "contested": "orange"}


@st.cache_resource(show_spinner=False)
def _engine(url: str) -> Engine:
    """One engine per database URL for the life of the server."""
    return engine_for(url)


def _url() -> str:
    return Settings.from_env().database_url


def change_token() -> str:
    """A cheap value that changes whenever any incident is written (the newest audit event's hash)."""
    with reading(_engine(_url())) as session:
        return audit.head(session)


def clear() -> None:
    """Forget every cached read; pages call it after a write."""
    _incident_count.clear()
    _incident_frame.clear()
    _incident.clear()
    _amended.clear()
    _history.clear()
    _action_item_frame.clear()
    _similar.clear()
    _metric_frames.clear()
    _summary.clear()
    _headlines.clear()
    _started_in.clear()
    _durations.clear()
    _action_flags.clear()
    _dashboard_options.clear()


@st.cache_data(ttl=TTL_SECONDS, show_spinner=False)
def _incident_count(url: str, token: str) -> int:
    with reading(_engine(url)) as session:
        return services.count_incidents(session)


@st.cache_data(ttl=TTL_SECONDS, max_entries=64, show_spinner=False)
def _incident_frame(url: str, token: str, filters: IncidentFilter) -> pd.DataFrame:
    with reading(_engine(url)) as session:
        rows = services.list_incidents(session, filters=filters)
    frame = pd.DataFrame(rows, columns=[*services.LIST_COLUMNS, "services"])
    frame["started_at"] = pd.to_datetime(frame["started_at"], utc=True)
    return frame


@st.cache_data(ttl=TTL_SECONDS, max_entries=256, show_spinner=False)
def _incident(url: str, token: str, key: str) -> schema.Incident | None:
    with reading(_engine(url)) as session:
        try:
            return services.get_incident(session, key=key)
        except NotFound:
            return None


def incident_count() -> int:
    """How many incidents the database holds."""
    return _incident_count(_url(), change_token())


def incidents(filters: IncidentFilter = IncidentFilter()) -> pd.DataFrame:
    """The incident list for a filter, newest first."""
    return _incident_frame(_url(), change_token(), filters).reset_index(drop=True)


@st.cache_data(ttl=TTL_SECONDS, max_entries=64, show_spinner=False)
def _search_hits(url: str, token: str, query: str, limit: int) -> pd.DataFrame:
    with reading(_engine(url)) as session:
        hits = fulltext.search(session, query=query, limit=limit)
    return pd.DataFrame([(h.key, h.rank, h.snippet) for h in hits], columns=["key", "rank", "snippet"])


def searched_incidents(filters: IncidentFilter, query: str, limit: int = 200) -> pd.DataFrame:
    """The `limit` best full-text matches of `query` that pass `filters`, best first, each with its snippet.

    Raises ValidationFailed, in one sentence, for a query with nothing to look for.
    """
    # Filters are applied to the ranked hits, so a narrowed list looks further down the ranking.
    wanted = limit if filters == IncidentFilter() else limit * 10
    hits = _search_hits(_url(), change_token(), query.strip(), wanted)
    return hits.merge(_incident_frame(_url(), change_token(), filters), on="key").head(limit)


def filter_options() -> dict[str, Any]:
    """Choices for the list filters that come from the data: teams, services and the first and last day."""
    frame = incidents()
    days = frame["started_at"].dt.date
    return {
        "teams": sorted(t for t in frame["team"].unique() if t),
        "services": sorted({s for names in frame["services"] for s in names}),
        "first_day": days.min() if len(frame) else None,
        "last_day": days.max() if len(frame) else None,
    }


def incident_table(frame: pd.DataFrame) -> pd.DataFrame:
    """The incident list as the table shows it: a link per key, UTC times, contested attribution marked."""
    return pd.DataFrame({
        "key": COE_LINK + frame["key"],
        "title": frame["title"],
        "started": frame["started_at"].dt.tz_localize(None),
        "severity": frame["severity"],
        "kind": frame["kind"],
        "status": frame["status"],
        "ai_involvement": frame["ai_involvement"],
        "attribution": frame["attribution_status"].where(
            frame["attribution_status"] != AttributionStatus.contested, CONTESTED),
        "team": frame["team"],
        "services": frame["services"].map(", ".join),
    })


def incident(key: str) -> schema.Incident | None:
    """One whole COE, or None when no incident has that key."""
    return _incident(_url(), change_token(), key.strip())


def coe_v1_json(doc: schema.Incident) -> str:
    """A `coe/v1` file holding just this incident, exactly as `coe export` writes it."""
    out = io.StringIO()
    interchange.write_json([doc], out)
    return out.getvalue()


def coe_report_pdf(key: str) -> bytes:
    """The COE report of `key` as PDF bytes, rendered when asked for."""
    with reading(_engine(_url())) as session:
        return report_pdf(session, key, templates_dir=Settings.from_env().templates_dir)


def trend_report_pdf(since: date, until: date, as_of: date) -> bytes:
    """The governance trend report of `[since, until]` as PDF bytes, rendered when asked for."""
    with reading(_engine(_url())) as session:
        return trend_pdf(session, since=since, until=until, as_of=as_of, templates_dir=Settings.from_env().templates_dir)


def _frame(items: list[Any], columns: list[str]) -> pd.DataFrame:
    """Parts of a document (pydantic models) as a table with the given columns."""
    return pd.DataFrame([item.model_dump(mode="json") for item in items], columns=columns)


def timeline(doc: schema.Incident) -> pd.DataFrame:
    """The timeline, oldest first, times in UTC."""
    frame = _frame(doc.timeline, ["at", "phase", "actor_kind", "actor", "description"])
    frame["at"] = [e.at.replace(tzinfo=None) for e in doc.timeline]
    return frame


def changes(doc: schema.Incident) -> pd.DataFrame:
    """The contributing changes."""
    frame = _frame(doc.changes, ["ref", "role", "provenance", "reviewed_by", "deployed_at", "description"])
    frame["deployed_at"] = [c.deployed_at.replace(tzinfo=None) if c.deployed_at else None for c in doc.changes]
    return frame


def claims(doc: schema.Incident) -> pd.DataFrame:
    """Every attribution claim, side by side."""
    return _frame(doc.attribution.claims,
                  ["source", "source_kind", "attributes_to", "confidence", "stated_on", "statement", "url"])


def action_items(doc: schema.Incident) -> pd.DataFrame:
    """The action items with owner, priority, due date and status."""
    return _frame(doc.action_items,
                  ["title", "kind", "control", "priority", "owner", "due_on", "status", "completed_on", "ticket_url"])


def reviews(doc: schema.Incident) -> pd.DataFrame:
    """The reviews, with how many checklist items each reviewer ticked."""
    frame = _frame(doc.reviews, ["at", "reviewer", "role", "decision", "checklist", "comment"])
    frame["at"] = [r.at.replace(tzinfo=None) for r in doc.reviews]
    frame["checklist"] = [f"{sum(r.checklist.model_dump().values())}/{len(schema.Checklist.model_fields)}"
                          for r in doc.reviews]
    return frame


def ai_involvement(doc: schema.Incident) -> pd.DataFrame:
    """The AI-involvement fields that are filled in, as field/value rows."""
    shown = {True: "yes", False: "no"}
    rows = [
        {"field": name.replace("_", " "), "value": ", ".join(value) if isinstance(value, list) else shown.get(value, value)}
        for name, value in doc.ai.model_dump(mode="json").items()
        if value not in (None, "", [])
    ]
    return pd.DataFrame(rows, columns=["field", "value"])


def acting_user() -> str:
    """Who the app acts as, by COE_AUTH mode (see auth.py); app.py has stopped the page when nobody is."""
    return auth.current_user() or ""


@contextmanager
def _changing() -> Iterator[Session]:
    """A session for one write through the services; after it succeeds every cached read is forgotten."""
    with writing(_engine(_url())) as session:
        yield session
    clear()


def password_matches(name: str, password: str) -> bool:
    """Whether a name and password sign in (COE_AUTH=local)."""
    with writing(_engine(_url())) as session:
        return users.check_password(session, name=name, password=password)


def refusal(action: str) -> str | None:
    """Why the acting user may not take an action (e.g. "review"), in a sentence; None when they may."""
    with reading(_engine(_url())) as session:
        try:
            users.require(session, acting_user(), action)
        except PermissionDenied as exc:
            return str(exc)
    return None


@st.cache_data(ttl=TTL_SECONDS, max_entries=128, show_spinner=False)
def _similar(url: str, token: str, draft: dict[str, Any], limit: int) -> list[similarity.Match]:
    with reading(_engine(url)) as session:
        return similarity.similar_to_draft(session, draft=draft, limit=limit)


SIMILARITY_FIELDS = ("key", "title", "summary", "trigger", "root_cause", "resolution", "root_cause_category",
                     "started_at", "services", "ai")


def similar_incidents(draft: dict[str, Any], limit: int = 5) -> list[similarity.Match]:
    """Earlier incidents like a COE or a draft being written (coe/v1-shaped data), with their unfinished fixes."""
    return _similar(_url(), change_token(), {f: draft.get(f) for f in SIMILARITY_FIELDS}, limit)


def coe_data(doc: schema.Incident | None) -> dict[str, Any]:
    """A COE as coe/v1 data ({} for a new one): what the editor starts from."""
    return services.dump(doc) if doc else {}


def save_incident(data: dict[str, Any], *, key: str | None, version: int | None) -> schema.Incident:
    """Validate typed coe/v1 data and save it as a new draft (no key) or over `version` of `key`.

    Raises ValidationFailed, Conflict, PermissionDenied or WorkflowError with a sentence for the user.
    """
    doc = parse_incident(data)
    with _changing() as session:
        if key:
            return services.update_incident(session, key=key, incident=doc, version=version, actor=acting_user())
        return services.create_incident(session, incident=doc, actor=acting_user())


def submit(key: str, version: int) -> schema.Incident:
    """Send the saved draft for review."""
    with _changing() as session:
        return workflow.submit(session, key=key, actor=acting_user(), version=version)


def review(key: str, version: int, *, decision: Decision, checklist: dict[str, bool], comment: str,
           review_role: str) -> schema.Incident:
    """Record the acting user's review of the COE as they saw it (`version`)."""
    with _changing() as session:
        return workflow.review(session, key=key, actor=acting_user(), decision=decision, checklist=checklist,
                               comment=comment, role=review_role, version=version)


def publish(key: str, version: int) -> schema.Incident:
    """Publish an approved COE, or apply the approved amendment of a published one."""
    with _changing() as session:
        return workflow.publish(session, key=key, actor=acting_user(), version=version)


def amend(data: dict[str, Any], *, key: str, version: int, reason: str) -> schema.Incident:
    """Propose the edited published COE as an amendment, to be reviewed before it applies."""
    with _changing() as session:
        return workflow.amend(session, key=key, incident=parse_incident(data), reason=reason,
                              actor=acting_user(), version=version)


def amended(status: AmendmentStatus) -> list[schema.Incident]:
    """Published COEs whose open amendment has this status, oldest first."""
    return _amended(_url(), change_token(), status)


@st.cache_data(ttl=TTL_SECONDS, show_spinner=False)
def _amended(url: str, token: str, status: AmendmentStatus) -> list[schema.Incident]:
    with reading(_engine(url)) as session:
        return workflow.amended(session, status=status)


def history(key: str) -> pd.DataFrame:
    """The COE's audit trail: when, who, what action, which fields."""
    return _history(_url(), change_token(), key)


@st.cache_data(ttl=TTL_SECONDS, max_entries=64, show_spinner=False)
def _history(url: str, token: str, key: str) -> pd.DataFrame:
    with reading(_engine(url)) as session:
        rows = audit.history(session, key=key)
    frame = pd.DataFrame(rows, columns=["at", "actor", "action", "fields", "hash"])
    frame["fields"] = frame["fields"].map(", ".join)
    frame["hash"] = frame["hash"].str[:12]
    return frame


def amendments(doc: schema.Incident) -> pd.DataFrame:
    """Every amendment of a COE: number, status, author, when, why, which fields."""
    rows = [{"number": a.number, "status": str(a.status), "author": a.author, "at": a.at, "reason": a.reason,
             "fields": ", ".join(a.changes)} for a in doc.amendments]
    return pd.DataFrame(rows, columns=["number", "status", "author", "at", "reason", "fields"])


def amendment_changes(amendment: schema.Amendment) -> pd.DataFrame:
    """What an amendment corrects: one row per field, before and after, as JSON text."""
    rows = [{"field": name, "before": json.dumps(before, ensure_ascii=False), "after": json.dumps(after, ensure_ascii=False)}
            for name, (before, after) in amendment.changes.items()]
    return pd.DataFrame(rows, columns=["field", "before", "after"])


def incidents_in(status: Status) -> list[schema.Incident]:
    """Every COE with a status, whole (the review queue needs their authors), oldest first."""
    keys = incidents(IncidentFilter(statuses=(str(status),)))["key"].tolist()
    return [doc for doc in map(incident, reversed(keys)) if doc is not None]


# The review checklist of DOMAIN.md, as a reviewer reads it.
CHECKLIST_LABELS = {
    "timeline_complete": "The timeline is complete",
    "impact_quantified": "The impact is quantified",
    "root_cause_deep_enough": "The root cause is deep enough",
    "actions_owned_and_dated": "Every action item has an owner and a date",
    "ai_fields_complete": "The AI-involvement fields are complete",
}
assert tuple(CHECKLIST_LABELS) == CHECKLIST


ACTION_COLUMNS = ["key", "coe_title", "team", "version", "position", "title", "owner", "control", "priority",
                  "due_on", "status", "completed_on", "ticket_url", "overdue_days"]


@st.cache_data(ttl=TTL_SECONDS, max_entries=64, show_spinner=False)
def _action_item_frame(url: str, token: str, as_of: date, statuses: tuple[str, ...], owners: tuple[str, ...],
                       teams: tuple[str, ...], controls: tuple[str, ...]) -> pd.DataFrame:
    with reading(_engine(url)) as session:
        rows = actions.action_items(session, as_of=as_of, statuses=statuses, owners=owners, teams=teams,
                                    controls=controls)
    return pd.DataFrame(rows, columns=ACTION_COLUMNS)


def action_item_list(*, statuses: tuple[str, ...] = (), owners: tuple[str, ...] = (), teams: tuple[str, ...] = (),
                     controls: tuple[str, ...] = ()) -> pd.DataFrame:
    """Action items across COEs as of today (UTC); no statuses means open and in progress."""
    return _action_item_frame(_url(), change_token(), audit.now().date(),
                              statuses or tuple(actions.OPEN_STATUSES), owners, teams, controls)


def action_item_table(frame: pd.DataFrame) -> pd.DataFrame:
    """The action items as the page shows them: a link per COE key."""
    # What a user acts on first, so the editable status never hides behind a sideways scroll.
    table = frame[["key", "title", "status", "due_on", "overdue_days", "owner", "control", "priority", "team",
                   "coe_title"]].copy()
    table["key"] = COE_LINK + table["key"]
    return table


def set_action_status(key: str, position: int, status: str, version: int) -> schema.Incident:
    """Move one action item of a COE to a status, as the acting user."""
    with _changing() as session:
        return actions.set_action_status(session, key=key, position=position, status=status,
                                           actor=acting_user(), version=version)


# --- Dashboards (issue 5): trend metrics of one window and the filters shared by the dashboard pages. ---

DEFAULT_WINDOW_DAYS = 365


@dataclass(frozen=True)
class DashboardFilter:
    """The dashboards' shared filters: a window of UTC days (both included) and what to narrow incidents to."""

    since: date
    until: date
    teams: tuple[str, ...] = ()
    services: tuple[str, ...] = ()
    severities: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()

    def narrowing(self) -> dict[str, tuple[str, ...]]:
        return {"teams": self.teams, "services": self.services, "severities": self.severities, "kinds": self.kinds}


@st.cache_data(ttl=TTL_SECONDS, show_spinner=False)
def _dashboard_options(url: str, token: str) -> dict[str, list[str]]:
    with reading(_engine(url)) as session:
        return metrics.frames.filter_values(session)


def dashboard_options() -> dict[str, list[str]]:
    """The teams and services the dashboards' filters offer (cached small, so a re-render stays cheap)."""
    return _dashboard_options(_url(), change_token())


def today() -> date:
    """Today's UTC date: what overdue and the default window are measured from."""
    return audit.now().date()


def default_dashboard_window() -> tuple[date, date]:
    """The last DEFAULT_WINDOW_DAYS days, ending today (UTC)."""
    until = today()
    return until - timedelta(days=DEFAULT_WINDOW_DAYS - 1), until


# A resource cache hands every page the same frames: pickling 100,000 rows per re-render would cost seconds.
# Pages and the functions below only read them; at 100,000 incidents a window's frames hold ~160 MB.
@st.cache_resource(ttl=TTL_SECONDS, max_entries=4, show_spinner=False)
def _metric_frames(url: str, token: str, filters: DashboardFilter) -> metrics.Frames:
    with reading(_engine(url)) as session:
        return metrics.load(session, since=filters.since, until=filters.until, **filters.narrowing())


@st.cache_data(ttl=TTL_SECONDS, max_entries=16, show_spinner=False)
def _summary(url: str, token: str, filters: DashboardFilter, as_of: date) -> dict:
    return metrics.summary(_metric_frames(url, token, filters), since=filters.since, until=filters.until,
                           as_of=as_of)


@st.cache_data(ttl=TTL_SECONDS, max_entries=16, show_spinner=False)
def _headlines(url: str, token: str, filters: DashboardFilter, as_of: date) -> tuple[dict, dict]:
    with reading(_engine(url)) as session:
        return metrics.headlines(session, since=filters.since, until=filters.until, as_of=as_of,
                                 **filters.narrowing())


@st.cache_data(ttl=TTL_SECONDS, max_entries=16, show_spinner=False)
def _started_in(url: str, token: str, filters: DashboardFilter, months: tuple[str, ...]) -> pd.DataFrame:
    first, last = pd.Period(months[0]), pd.Period(months[-1])
    with reading(_engine(url)) as session:
        rows = metrics.frames.incident_columns(
            session, STARTED_IN_COLUMNS, since=max(filters.since, first.start_time.date()),
            until=min(filters.until, last.end_time.date()), **filters.narrowing())
    return rows[(rows["kind"] == "incident") & rows["started_at"].dt.strftime("%Y-%m").isin(months)]


def metric_frames(filters: DashboardFilter) -> metrics.Frames:
    """The window's incidents, changes, claims and action items as DataFrames (coe.metrics.frames)."""
    return _metric_frames(_url(), change_token(), filters)


def summary(filters: DashboardFilter) -> dict:
    """`coe metrics --json` of the window, as of today."""
    return _summary(_url(), change_token(), filters, today())


def headlines(filters: DashboardFilter) -> tuple[dict, dict]:
    """The Overview's numbers (coe.metrics.headline) of the window and of the same-length window before it."""
    return _headlines(_url(), change_token(), filters, today())


STARTED_IN_COLUMNS = ("key", "kind", "title", "severity", "ai_contribution", "attribution_status", "team",
                      "started_at")


def started_in(filters: DashboardFilter, months: list[str]) -> pd.DataFrame:
    """Counted incidents of the window and filters that started in one of the months ("YYYY-MM")."""
    return _started_in(_url(), change_token(), filters, tuple(sorted(months)))


# Tables derived from the frames, kept like them so that a click or a re-render does not recompute them.
@st.cache_resource(ttl=TTL_SECONDS, max_entries=4, show_spinner=False)
def _durations(url: str, token: str, filters: DashboardFilter) -> pd.DataFrame:
    return tables.duration_minutes(_metric_frames(url, token, filters))


@st.cache_resource(ttl=TTL_SECONDS, max_entries=4, show_spinner=False)
def _action_flags(url: str, token: str, filters: DashboardFilter, as_of: date) -> pd.DataFrame:
    return tables.action_flags(_metric_frames(url, token, filters), as_of)


def durations_of(filters: DashboardFilter) -> pd.DataFrame:
    """duration_minutes() of the window's frames."""
    return _durations(_url(), change_token(), filters)


def action_flags_of(filters: DashboardFilter) -> pd.DataFrame:
    """action_flags() of the window's frames, as of today."""
    return _action_flags(_url(), change_token(), filters, today())


def incident_links(frame: pd.DataFrame, columns: tuple[str, ...] = ("title", "severity", "team")) -> pd.DataFrame:
    """Incidents behind a chart: a COE link per key and a few columns, newest first when started_at is there."""
    if "started_at" in frame:
        frame = frame.sort_values("started_at", ascending=False)
    table = frame.loc[:, ["key", *[c for c in columns if c in frame]]].copy()
    table["key"] = COE_LINK + table["key"]
    return table.reset_index(drop=True)


def csv(frame: pd.DataFrame) -> bytes:
    """A table as UTF-8 CSV, for a download button."""
    return frame.to_csv(index=False).encode("utf-8")


def overdue_items(flags: pd.DataFrame) -> pd.DataFrame:
    """Overdue action items, longest overdue first, with a link to their COE."""
    rows = flags[flags["overdue"]].sort_values("days_overdue", ascending=False)
    table = rows.loc[:, ["key", "days_overdue", "title", "owner", "control", "status", "due_on"]].copy()
    table["key"] = COE_LINK + table["key"]
    return table.reset_index(drop=True)
