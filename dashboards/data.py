"""The one module that talks to the coe library and owns caching; pages call only this."""

import io
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
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
from coe.enums import CHECKLIST, AttributionStatus, Decision, Status
from coe.errors import NotFound, PermissionDenied
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
    _action_item_frame.clear()


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


def incidents(filters: IncidentFilter = IncidentFilter(), search: str = "") -> pd.DataFrame:
    """The incident list for a filter, newest first, narrowed to titles containing `search` (any case)."""
    frame = _incident_frame(_url(), change_token(), filters)
    if search.strip():
        frame = frame[frame["title"].str.contains(search.strip(), case=False, regex=False)]
    return frame.reset_index(drop=True)


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
    """Publish an approved COE."""
    with _changing() as session:
        return workflow.publish(session, key=key, actor=acting_user(), version=version)


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
    table = frame[["key", "coe_title", "team", "title", "owner", "control", "priority", "due_on", "status",
                   "overdue_days"]].copy()
    table["key"] = COE_LINK + table["key"]
    return table


def set_action_status(key: str, position: int, status: str, version: int) -> schema.Incident:
    """Move one action item of a COE to a status, as the acting user."""
    with _changing() as session:
        return actions.set_action_status(session, key=key, position=position, status=status,
                                           actor=acting_user(), version=version)
