"""The vocabulary of every enumerated field of the COE domain (DOMAIN.md)."""

from enum import StrEnum
from operator import attrgetter


class Vocabulary(StrEnum):
    """A vocabulary of DOMAIN.md; `value` read without a Python call (serialising a COE reads it ~50 times)."""

    value = property(attrgetter("_value_"))  # type: ignore[assignment]


class Status(Vocabulary):
    """Where a COE stands in the review workflow."""

    draft = "draft"
    in_review = "in_review"
    approved = "approved"
    published = "published"


class Kind(Vocabulary):
    """Incident, near miss or drill (drills are excluded from every metric)."""

    incident = "incident"
    near_miss = "near_miss"
    drill = "drill"


class Severity(Vocabulary):
    """sev1 is the worst."""

    sev1 = "sev1"
    sev2 = "sev2"
    sev3 = "sev3"
    sev4 = "sev4"
    sev5 = "sev5"


class Environment(Vocabulary):
    """Where the failure happened."""

    production = "production"
    staging = "staging"
    development = "development"
    other = "other"


class DetectionMethod(Vocabulary):
    """How the incident was noticed."""

    alarm = "alarm"
    customer_report = "customer_report"
    internal_report = "internal_report"
    automated_test = "automated_test"
    ai_agent = "ai_agent"
    other = "other"
    unknown = "unknown"


class RootCauseCategory(Vocabulary):
    """Category of a root cause or contributing factor."""

    config_change = "config_change"
    code_defect = "code_defect"
    deployment = "deployment"
    access_control = "access_control"
    capacity = "capacity"
    dependency = "dependency"
    hardware = "hardware"
    data = "data"
    process = "process"
    security = "security"
    unknown = "unknown"


class ActorKind(Vocabulary):
    """Who or what took a timeline step."""

    human = "human"
    ai_agent = "ai_agent"
    automation = "automation"
    system = "system"


class Phase(Vocabulary):
    """The phase of the incident a timeline event belongs to."""

    trigger = "trigger"
    detection = "detection"
    escalation = "escalation"
    diagnosis = "diagnosis"
    mitigation = "mitigation"
    resolution = "resolution"
    other = "other"


class ChangeRole(Vocabulary):
    """How a change relates to the incident."""

    trigger = "trigger"
    contributing = "contributing"
    suspect = "suspect"


class Provenance(Vocabulary):
    """Who wrote a change and whether a human reviewed it."""

    human = "human"
    ai_assisted = "ai_assisted"
    ai_generated_reviewed = "ai_generated_reviewed"
    ai_generated_unreviewed = "ai_generated_unreviewed"
    ai_executed = "ai_executed"
    unknown = "unknown"


class ActionKind(Vocabulary):
    """What an action item does."""

    prevent = "prevent"
    detect = "detect"
    mitigate = "mitigate"
    process = "process"
    investigate = "investigate"
    repair = "repair"


class Control(Vocabulary):
    """The governance control an action item puts in place."""

    none = "none"
    permission_scoping = "permission_scoping"
    approval_gate = "approval_gate"
    sandboxing = "sandboxing"
    plan_review = "plan_review"
    agent_evaluation = "agent_evaluation"
    provenance_tracking = "provenance_tracking"
    change_review = "change_review"


class Priority(Vocabulary):
    """p0 is the most urgent."""

    p0 = "p0"
    p1 = "p1"
    p2 = "p2"
    p3 = "p3"


class ActionStatus(Vocabulary):
    """Progress of an action item."""

    open = "open"
    in_progress = "in_progress"
    done = "done"
    wont_do = "wont_do"


class Involvement(Vocabulary):
    """Whether an AI tool was involved at all."""

    none = "none"
    suspected = "suspected"
    confirmed = "confirmed"
    unknown = "unknown"


class AIMode(Vocabulary):
    """How the AI tool was used."""

    completion = "completion"
    chat = "chat"
    agent = "agent"
    autonomous_ops = "autonomous_ops"


class Autonomy(Vocabulary):
    """How much the AI tool could do without a human."""

    suggest_only = "suggest_only"
    approve_each_step = "approve_each_step"
    approve_plan = "approve_plan"
    autonomous = "autonomous"


class ApprovalGate(Vocabulary):
    """Whether the human approval gate ran."""

    enforced = "enforced"
    bypassed = "bypassed"
    absent = "absent"
    not_applicable = "not_applicable"
    unknown = "unknown"


class PermissionScope(Vocabulary):
    """How broad the AI tool's permissions were."""

    least_privilege = "least_privilege"
    broad = "broad"
    admin = "admin"
    unknown = "unknown"


class DestructiveAction(Vocabulary):
    """A destructive step the AI tool took."""

    delete = "delete"
    recreate = "recreate"
    schema_change = "schema_change"
    iam_change = "iam_change"
    data_mutation = "data_mutation"
    deploy = "deploy"
    config_change = "config_change"
    other = "other"


class AIContribution(Vocabulary):
    """The COE's own finding on how much AI contributed."""

    primary = "primary"
    contributing = "contributing"
    none = "none"
    undetermined = "undetermined"


class PrimaryCause(Vocabulary):
    """What the failure is attributed to."""

    ai_tool = "ai_tool"
    human_error = "human_error"
    process_gap = "process_gap"
    software_defect = "software_defect"
    infrastructure = "infrastructure"
    third_party = "third_party"
    undetermined = "undetermined"


# What an attribution claim blames: the primary-cause vocabulary plus `shared`.
AttributesTo = StrEnum("AttributesTo", {**{m.name: m.value for m in PrimaryCause}, "shared": "shared"})


class SourceKind(Vocabulary):
    """Who made an attribution claim."""

    internal = "internal"
    vendor = "vendor"
    press = "press"
    analyst = "analyst"
    regulator = "regulator"
    other = "other"


class Confidence(Vocabulary):
    """Whether a claim is stated as established or as likely."""

    known = "known"
    potential = "potential"


class AttributionStatus(Vocabulary):
    """Derived: whether the claims agree on a cause."""

    undetermined = "undetermined"
    agreed = "agreed"
    contested = "contested"


class ReviewRole(Vocabulary):
    """The part a reviewer plays."""

    peer = "peer"
    bar_raiser = "bar_raiser"
    approver = "approver"


class Decision(Vocabulary):
    """A reviewer's decision."""

    approve = "approve"
    request_changes = "request_changes"
    comment = "comment"


class RefSystem(Vocabulary):
    """The system an external reference points into."""

    aiid = "aiid"
    oecd_aim = "oecd_aim"
    ticket = "ticket"
    status_page = "status_page"
    other = "other"


class AmendmentStatus(Vocabulary):
    """Where a correction to a published COE stands."""

    in_review = "in_review"
    approved = "approved"
    published = "published"
    rejected = "rejected"


class Role(Vocabulary):
    """What a user may do (issue: who may do what)."""

    viewer = "viewer"
    author = "author"
    reviewer = "reviewer"
    admin = "admin"


CHECKLIST = (
    "timeline_complete",
    "impact_quantified",
    "root_cause_deep_enough",
    "actions_owned_and_dated",
    "ai_fields_complete",
)
LESSON_KINDS = ("went_well", "went_wrong", "got_lucky")
