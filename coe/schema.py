"""The `coe/v1` document: one pydantic model per part, and every validation rule of DOMAIN.md."""

from datetime import UTC, date, datetime
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from pydantic import (
    BaseModel,
    BeforeValidator,
    PlainSerializer,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationInfo,
    field_validator,
    model_validator,
)

from coe.enums import (
    CHECKLIST,
    ActionKind,
    ActionStatus,
    ActorKind,
    AmendmentStatus,
    AIContribution,
    AIMode,
    ApprovalGate,
    AttributesTo,
    AttributionStatus,
    Autonomy,
    ChangeRole,
    Confidence,
    Control,
    Decision,
    DestructiveAction,
    DetectionMethod,
    Environment,
    Involvement,
    Kind,
    PermissionScope,
    Phase,
    PrimaryCause,
    Priority,
    Provenance,
    RefSystem,
    ReviewRole,
    RootCauseCategory,
    Severity,
    SourceKind,
    Status,
)

FORMAT = "coe/v1"
KEY_PATTERN = r"^COE-\d{4}-\d{4,}$"
# Limits that keep one pasted log from filling the database; generous for real prose.
MARKDOWN_MAX = 100_000
TEXT_MAX = 10_000
NAME_MAX = 200

Markdown = Annotated[str, StringConstraints(max_length=MARKDOWN_MAX)]
Text = Annotated[str, StringConstraints(max_length=TEXT_MAX)]
Name = Annotated[str, StringConstraints(max_length=NAME_MAX, strip_whitespace=True)]
Url = Annotated[str, StringConstraints(max_length=2_000, strip_whitespace=True)]


def _to_utc(value: Any, info: ValidationInfo) -> Any:
    """Parse an ISO-8601 timestamp, insisting on an offset unless the importer named a zone."""
    if value is None or isinstance(value, datetime):
        parsed = value
    elif isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value.strip())
        except ValueError:
            raise ValueError(f"'{value[:40]}' is not an ISO-8601 timestamp") from None
    else:
        raise ValueError("must be an ISO-8601 timestamp string")
    if parsed is None:
        return None
    if parsed.utcoffset() is None:
        zone = (info.context or {}).get("assume_tz")
        if zone is None:
            raise ValueError(
                f"'{value}' has no UTC offset; write it like 2025-12-09T01:00:00+00:00"
            )
        parsed = parsed.replace(tzinfo=ZoneInfo(zone))
    return parsed.astimezone(UTC)


def _to_date(value: Any) -> Any:
    """Parse an ISO date (YYYY-MM-DD); a timestamp is not a date."""
    if value is None or isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            raise ValueError(f"'{value[:40]}' is not a date like 2026-01-31") from None
    raise ValueError("must be a date string like 2026-01-31")


# Written as 2025-12-09T01:00:00+00:00, the form DOMAIN.md shows, not pydantic's "Z".
Timestamp = Annotated[
    datetime, BeforeValidator(_to_utc), PlainSerializer(datetime.isoformat, when_used="json")
]
Day = Annotated[date, BeforeValidator(_to_date)]


class Part(BaseModel):
    """Base of every part of the document: unknown fields are refused, not dropped."""

    model_config = ConfigDict(extra="forbid", use_enum_values=False, validate_default=False)


class Why(Part):
    """One step of the five whys."""

    question: Text = ""
    answer: Text = ""


class ContributingFactor(Part):
    """A factor that made the incident possible or worse."""

    category: RootCauseCategory
    description: Text = ""


class Lessons(Part):
    """What went well, what went wrong, where we got lucky."""

    went_well: list[Text] = Field(default_factory=list)
    went_wrong: list[Text] = Field(default_factory=list)
    got_lucky: list[Text] = Field(default_factory=list)


class CutInHalf(Part):
    """How would we have cut the time to detect / to mitigate in half?"""

    detection: Markdown = ""
    mitigation: Markdown = ""


class TimelineEvent(Part):
    """One dated step of the incident."""

    at: Timestamp
    description: Annotated[Text, StringConstraints(min_length=1, strip_whitespace=True)]
    actor_kind: ActorKind = ActorKind.human
    actor: Name = ""
    phase: Phase = Phase.other


class Change(Part):
    """A contributing code or config change, command or deploy."""

    ref: Name = ""
    description: Text = ""
    role: ChangeRole = ChangeRole.contributing
    provenance: Provenance = Provenance.unknown
    reviewed_by: Name | None = None
    deployed_at: Timestamp | None = None


class ActionItem(Part):
    """A corrective action with an owner and a date."""

    title: Annotated[str, StringConstraints(min_length=1, max_length=500, strip_whitespace=True)]
    kind: ActionKind = ActionKind.prevent
    control: Control = Control.none
    owner: Name = ""
    priority: Priority = Priority.p2
    due_on: Day | None = None
    status: ActionStatus = ActionStatus.open
    completed_on: Day | None = None
    ticket_url: Url | None = None

    @model_validator(mode="after")
    def _completion_matches_status(self) -> "ActionItem":
        if self.status == ActionStatus.done and self.completed_on is None:
            raise ValueError("completed_on: required when status is done")
        if self.status in (ActionStatus.open, ActionStatus.in_progress) and self.completed_on:
            raise ValueError(f"completed_on: must be empty while status is {self.status}")
        return self


class AIInvolvement(Part):
    """Which AI tool was involved, how, with what permissions and gates."""

    involvement: Involvement = Involvement.none
    tool: Name | None = None
    vendor: Name | None = None
    model: Name | None = None
    mode: AIMode | None = None
    autonomy: Autonomy | None = None
    approval_gate: ApprovalGate = ApprovalGate.not_applicable
    gate_bypass: Text | None = None
    permission_scope: PermissionScope = PermissionScope.unknown
    permissions_inherited: bool | None = None
    destructive_actions: list[DestructiveAction] = Field(default_factory=list)
    spec_reviewed: bool | None = None

    @field_validator("destructive_actions")
    @classmethod
    def _no_repeats(cls, value: list[DestructiveAction]) -> list[DestructiveAction]:
        return list(dict.fromkeys(value))


class AttributionClaim(Part):
    """One party's statement of what caused the incident."""

    source: Annotated[str, StringConstraints(min_length=1, max_length=NAME_MAX, strip_whitespace=True)]
    source_kind: SourceKind = SourceKind.other
    attributes_to: AttributesTo
    confidence: Confidence = Confidence.potential
    statement: Text = ""
    url: Url | None = None
    stated_on: Day | None = None


def attribution_status(claims: list[AttributionClaim]) -> AttributionStatus:
    """`undetermined` if no claim names a cause, `agreed` if all that do agree, else `contested`."""
    named = {c.attributes_to for c in claims if c.attributes_to != AttributesTo.undetermined}
    if not named:
        return AttributionStatus.undetermined
    return AttributionStatus.agreed if len(named) == 1 else AttributionStatus.contested


class Attribution(Part):
    """The COE's own finding and every claim made about the cause."""

    ai_contribution: AIContribution = AIContribution.undetermined
    primary_cause: PrimaryCause = PrimaryCause.undetermined
    claims: list[AttributionClaim] = Field(default_factory=list)
    # Derived and read-only: whatever a file says is replaced by the value the claims give.
    status: AttributionStatus = AttributionStatus.undetermined

    @model_validator(mode="after")
    def _derive_status(self) -> "Attribution":
        self.status = attribution_status(self.claims)
        return self


class Checklist(Part):
    """The review checklist of DOMAIN.md."""

    timeline_complete: bool = False
    impact_quantified: bool = False
    root_cause_deep_enough: bool = False
    actions_owned_and_dated: bool = False
    ai_fields_complete: bool = False


assert tuple(Checklist.model_fields) == CHECKLIST


class Review(Part):
    """A reviewer's decision on the COE."""

    reviewer: Annotated[str, StringConstraints(min_length=1, max_length=NAME_MAX, strip_whitespace=True)]
    role: ReviewRole = ReviewRole.peer
    decision: Decision
    checklist: Checklist = Field(default_factory=Checklist)
    comment: Text = ""
    at: Timestamp


class ExternalRef(Part):
    """A pointer into another system (AIID, a ticket, a status page)."""

    system: RefSystem
    id: Name = ""
    url: Url | None = None


class ExtraSection(Part):
    """Text from an imported document that maps to no field, kept under its own heading."""

    heading: Annotated[str, StringConstraints(max_length=200, strip_whitespace=True)]
    text: Markdown = ""


class Amendment(Part):
    """A correction to a published COE: reviewed before it applies; the original stays on record."""

    number: Annotated[int, Field(ge=1)]
    status: AmendmentStatus = AmendmentStatus.in_review
    reason: Annotated[Text, StringConstraints(min_length=1, strip_whitespace=True)]
    author: Name
    at: Timestamp
    changes: dict[str, list[Any]] = Field(default_factory=dict)  # field: [before, after]
    reviews: list[Review] = Field(default_factory=list)

    @field_validator("changes")
    @classmethod
    def _before_and_after(cls, value: dict[str, list[Any]]) -> dict[str, list[Any]]:
        if any(len(pair) != 2 for pair in value.values()):
            raise ValueError("each change must be a pair [before, after]")
        return value


# The order timestamps must keep: (later, earlier) pairs.
TIMESTAMP_ORDER = (
    ("detected_at", "started_at"),
    ("acknowledged_at", "started_at"),
    ("mitigated_at", "started_at"),
    ("resolved_at", "started_at"),
    ("acknowledged_at", "detected_at"),
    ("resolved_at", "detected_at"),
    ("resolved_at", "acknowledged_at"),
    ("resolved_at", "mitigated_at"),
)
READ_ONLY = ("created_at", "updated_at", "version")


class Incident(Part):
    """One COE document, exactly as `coe/v1` JSON holds it."""

    key: Annotated[str, StringConstraints(pattern=KEY_PATTERN, strip_whitespace=True)] | None = None
    title: Annotated[str, StringConstraints(min_length=1, max_length=200, strip_whitespace=True)]
    status: Status = Status.draft
    kind: Kind = Kind.incident
    severity: Severity
    services: list[Name] = Field(default_factory=list)
    team: Name = ""
    regions: list[Name] = Field(default_factory=list)
    environment: Environment = Environment.production
    started_at: Timestamp
    detected_at: Timestamp | None = None
    acknowledged_at: Timestamp | None = None
    mitigated_at: Timestamp | None = None
    resolved_at: Timestamp | None = None
    customer_impact: Markdown = ""
    customers_affected: Annotated[int, Field(ge=0, le=2**31 - 1)] | None = None
    detection_method: DetectionMethod = DetectionMethod.unknown
    summary: Markdown = ""
    trigger: Markdown = ""
    root_cause: Markdown = ""
    root_cause_category: RootCauseCategory = RootCauseCategory.unknown
    resolution: Markdown = ""
    five_whys: list[Why] = Field(default_factory=list)
    contributing_factors: list[ContributingFactor] = Field(default_factory=list)
    lessons: Lessons = Field(default_factory=Lessons)
    cut_in_half: CutInHalf = Field(default_factory=CutInHalf)
    timeline: list[TimelineEvent] = Field(default_factory=list)
    changes: list[Change] = Field(default_factory=list)
    action_items: list[ActionItem] = Field(default_factory=list)
    ai: AIInvolvement = Field(default_factory=AIInvolvement)
    attribution: Attribution = Field(default_factory=Attribution)
    reviews: list[Review] = Field(default_factory=list)
    external_refs: list[ExternalRef] = Field(default_factory=list)
    authors: list[Name] = Field(default_factory=list)
    # An extension of coe/v1, written only when there is one: other files look exactly as DOMAIN.md shows.
    amendments: list[Amendment] = Field(default_factory=list, exclude_if=lambda value: not value)
    extra_sections: list[ExtraSection] = Field(default_factory=list, exclude_if=lambda value: not value)
    created_at: Timestamp | None = None
    updated_at: Timestamp | None = None
    version: Annotated[int, Field(ge=1, le=2**31 - 1)] | None = None

    @field_validator("services", "regions", "authors")
    @classmethod
    def _distinct_names(cls, value: list[str]) -> list[str]:
        return [v for v in dict.fromkeys(value) if v]

    @field_validator("timeline")
    @classmethod
    def _sorted_by_time(cls, value: list[TimelineEvent]) -> list[TimelineEvent]:
        return sorted(value, key=lambda e: e.at)

    @model_validator(mode="after")
    def _timestamps_in_order(self) -> "Incident":
        for later, earlier in TIMESTAMP_ORDER:
            a, b = getattr(self, later), getattr(self, earlier)
            if a is not None and b is not None and a < b:
                raise ValueError(
                    f"{later}: {a.isoformat()} is before {earlier} {b.isoformat()}"
                )
        return self
