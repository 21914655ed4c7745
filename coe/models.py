"""Table models: how a COE document is stored. Vocabulary values are kept as plain strings."""

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Column, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

SHORT = 40  # vocabulary values
NAME = 200
KEY = 24


def _text() -> Any:
    """A Markdown or long-text column."""
    return Field(default="", sa_type=Text)


def _json(default: Any) -> Any:
    """A JSON column (lists of names, lessons, checklists)."""
    return Field(default_factory=default, sa_column=Column(JSON, nullable=False))


def _parent() -> Any:
    """The owning incident; children go with it."""
    return Field(foreign_key="incident.id", ondelete="CASCADE", index=True)


class Incident(SQLModel, table=True):
    """One COE: scalar fields, AI involvement and the attribution finding, flattened."""

    __table_args__ = (Index("ix_incident_started_at", "started_at"),)

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=KEY, unique=True)
    title: str = Field(max_length=NAME)
    status: str = Field(max_length=SHORT, index=True)
    kind: str = Field(max_length=SHORT)
    severity: str = Field(max_length=SHORT)
    team: str = Field(default="", max_length=NAME, index=True)
    regions: list[str] = _json(list)
    environment: str = Field(max_length=SHORT)
    started_at: datetime
    detected_at: datetime | None = None
    acknowledged_at: datetime | None = None
    mitigated_at: datetime | None = None
    resolved_at: datetime | None = None
    customer_impact: str = _text()
    customers_affected: int | None = None
    detection_method: str = Field(max_length=SHORT)
    summary: str = _text()
    trigger: str = _text()
    root_cause: str = _text()
    root_cause_category: str = Field(max_length=SHORT)
    resolution: str = _text()
    # Parts always read with their incident and never filtered on their own are kept as JSON.
    five_whys: list[dict[str, str]] = _json(list)
    contributing_factors: list[dict[str, str]] = _json(list)
    lessons: dict[str, list[str]] = _json(dict)
    cut_in_half_detection: str = _text()
    cut_in_half_mitigation: str = _text()
    ai_involvement: str = Field(max_length=SHORT)
    ai_tool: str | None = Field(default=None, max_length=NAME)
    ai_vendor: str | None = Field(default=None, max_length=NAME)
    ai_model: str | None = Field(default=None, max_length=NAME)
    ai_mode: str | None = Field(default=None, max_length=SHORT)
    ai_autonomy: str | None = Field(default=None, max_length=SHORT)
    ai_approval_gate: str = Field(max_length=SHORT)
    ai_gate_bypass: str | None = Field(default=None, sa_type=Text)
    ai_permission_scope: str = Field(max_length=SHORT)
    ai_permissions_inherited: bool | None = None
    ai_destructive_actions: list[str] = _json(list)
    ai_spec_reviewed: bool | None = None
    ai_contribution: str = Field(max_length=SHORT)
    primary_cause: str = Field(max_length=SHORT)
    # Derived from the claims on every save, kept for filtering and the list badges.
    attribution_status: str = Field(max_length=SHORT)
    external_refs: list[dict[str, Any]] = _json(list)
    authors: list[str] = _json(list)
    amendments: list[dict[str, Any]] = _json(list)
    extra_sections: list[dict[str, Any]] = _json(list)
    created_at: datetime
    updated_at: datetime
    version: int = 1


class IncidentService(SQLModel, table=True):
    """An affected service (a table of its own so that lists can filter on it)."""

    __tablename__ = "incident_service"
    __table_args__ = (Index("ix_incident_service_name", "name"),)

    id: int | None = Field(default=None, primary_key=True)
    incident_id: int = _parent()
    position: int
    name: str = Field(max_length=NAME)


class TimelineEvent(SQLModel, table=True):
    """A dated step of the incident."""

    __tablename__ = "timeline_event"

    id: int | None = Field(default=None, primary_key=True)
    incident_id: int = _parent()
    position: int
    at: datetime
    description: str = Field(sa_type=Text)
    actor_kind: str = Field(max_length=SHORT)
    actor: str = Field(default="", max_length=NAME)
    phase: str = Field(max_length=SHORT)


class Change(SQLModel, table=True):
    """A contributing change with its provenance."""

    __tablename__ = "incident_change"

    id: int | None = Field(default=None, primary_key=True)
    incident_id: int = _parent()
    position: int
    ref: str = Field(default="", max_length=NAME)
    description: str = _text()
    role: str = Field(max_length=SHORT)
    provenance: str = Field(max_length=SHORT)
    reviewed_by: str | None = Field(default=None, max_length=NAME)
    deployed_at: datetime | None = None


class ActionItem(SQLModel, table=True):
    """A corrective action."""

    __tablename__ = "action_item"

    id: int | None = Field(default=None, primary_key=True)
    incident_id: int = _parent()
    position: int
    title: str = Field(max_length=500)
    kind: str = Field(max_length=SHORT)
    control: str = Field(max_length=SHORT)
    owner: str = Field(default="", max_length=NAME)
    priority: str = Field(max_length=SHORT)
    due_on: date | None = None
    status: str = Field(max_length=SHORT, index=True)
    completed_on: date | None = None
    ticket_url: str | None = Field(default=None, max_length=2_000)


class AttributionClaim(SQLModel, table=True):
    """One party's statement of the cause."""

    __tablename__ = "attribution_claim"

    id: int | None = Field(default=None, primary_key=True)
    incident_id: int = _parent()
    position: int
    source: str = Field(max_length=NAME)
    source_kind: str = Field(max_length=SHORT)
    attributes_to: str = Field(max_length=SHORT)
    confidence: str = Field(max_length=SHORT)
    statement: str = _text()
    url: str | None = Field(default=None, max_length=2_000)
    stated_on: date | None = None


class Review(SQLModel, table=True):
    """A reviewer's decision."""

    id: int | None = Field(default=None, primary_key=True)
    incident_id: int = _parent()
    position: int
    reviewer: str = Field(max_length=NAME)
    role: str = Field(max_length=SHORT)
    decision: str = Field(max_length=SHORT)
    checklist: dict[str, bool] = _json(dict)
    comment: str = _text()
    at: datetime


class User(SQLModel, table=True):
    """A person who authors, reviews or approves COEs."""

    __tablename__ = "app_user"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=NAME, unique=True)
    role: str = Field(max_length=SHORT)
    active: bool = True
    password_hash: str | None = Field(default=None, max_length=NAME)
    created_at: datetime


class AuditEvent(SQLModel, table=True):
    """An append-only, hash-chained record of one change."""

    __tablename__ = "audit_event"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime
    actor: str = Field(max_length=NAME)
    action: str = Field(max_length=SHORT)
    incident_key: str | None = Field(default=None, max_length=KEY, index=True)
    changes: dict[str, Any] = _json(dict)
    state_hash: str | None = Field(default=None, max_length=64)
    prev_hash: str = Field(max_length=64)
    hash: str = Field(max_length=64, unique=True)


class ChangeVolume(SQLModel, table=True):
    """How many changes a team shipped in a month, and how many were AI-generated."""

    __tablename__ = "change_volume"
    __table_args__ = (UniqueConstraint("month", "team"),)

    id: int | None = Field(default=None, primary_key=True)
    month: str = Field(max_length=7)
    team: str = Field(max_length=NAME)
    changes_total: int
    changes_ai_generated: int


CHILD_TABLES = (
    IncidentService,
    TimelineEvent,
    Change,
    ActionItem,
    AttributionClaim,
    Review,
)
