"""The review workflow: submit, review, publish, and amendments to published COEs."""

from typing import Any

from sqlalchemy import func, select
from sqlmodel import Session

from coe import audit, schema, services, users
from coe.store import INCIDENT
from coe.enums import AmendmentStatus, Decision, Status
from coe.errors import PermissionDenied, Problem, ValidationFailed, WorkflowError

# What an amendment may correct: everything but the workflow's own record.
NOT_AMENDABLE = ("key", "status", "reviews", "amendments", "created_at", "updated_at", "version")
_OPEN = (AmendmentStatus.in_review, AmendmentStatus.approved)


def submit(session: Session, *, key: str, actor: str, version: int | None = None) -> schema.Incident:
    """Send a draft for review."""
    users.require(session, actor, "submit")
    current = services.get_incident(session, key=key)
    if current.status != Status.draft:
        raise WorkflowError(f"{key} is {current.status}; only a draft can be submitted")
    changed = current.model_copy(update={"status": Status.in_review})
    return services.save_state(session, current, changed, version or current.version, actor, "submit")


def review(
    session: Session,
    *,
    key: str,
    actor: str,
    decision: Decision,
    checklist: dict[str, bool] | None = None,
    comment: str = "",
    role: str = "peer",
    version: int | None = None,
) -> schema.Incident:
    """Record a review of a COE in review, or of the open amendment of a published one."""
    users.require(session, actor, "review")
    current = services.get_incident(session, key=key)
    entry = schema.Review.model_validate(
        {"reviewer": actor, "role": role, "decision": decision, "checklist": checklist or {},
         "comment": comment, "at": audit.now()}
    )
    pending = open_amendment(current)
    if current.status == Status.published and pending and pending.status == AmendmentStatus.in_review:
        if decision == Decision.approve and actor in (pending.author, *current.authors):
            raise PermissionDenied(f"{actor} wrote amendment {pending.number} of {key} or the COE itself "
                                   "and cannot approve it; another reviewer must")
        status = {Decision.approve: AmendmentStatus.approved,
                  Decision.request_changes: AmendmentStatus.rejected}.get(decision, pending.status)
        amended = pending.model_copy(update={"status": status, "reviews": [*pending.reviews, entry]})
        changed = current.model_copy(update={"amendments": [*current.amendments[:-1], amended]})
        return services.save_state(session, current, changed, version or current.version, actor, "review_amendment")
    if current.status != Status.in_review:
        raise WorkflowError(f"{key} is {current.status} with no amendment in review; there is nothing to review")
    if decision == Decision.approve and actor in current.authors:
        raise PermissionDenied(f"{actor} is an author of {key} and cannot approve it; another reviewer must")
    status = {Decision.approve: Status.approved, Decision.request_changes: Status.draft}.get(decision, current.status)
    changed = current.model_copy(update={"status": status, "reviews": [*current.reviews, entry]})
    return services.save_state(session, current, changed, version or current.version, actor, "review")


def publish(session: Session, *, key: str, actor: str, version: int | None = None) -> schema.Incident:
    """Publish an approved COE, or apply the approved amendment of a published one."""
    users.require(session, actor, "publish")
    current = services.get_incident(session, key=key)
    pending = open_amendment(current)
    if current.status == Status.published and pending:
        if pending.status != AmendmentStatus.approved:
            raise WorkflowError(f"amendment {pending.number} of {key} is {pending.status}; "
                                "it must be approved before it is published")
        corrected = services.dump(current) | {name: after for name, (_, after) in pending.changes.items()}
        done = pending.model_copy(update={"status": AmendmentStatus.published})
        corrected["amendments"] = [a.model_dump(mode="json") for a in [*current.amendments[:-1], done]]
        changed = schema.Incident.model_validate(corrected)
        return services.save_state(session, current, changed, version or current.version, actor, "publish_amendment")
    if current.status != Status.approved:
        raise WorkflowError(f"{key} is {current.status}; it must be approved before it is published")
    changed = current.model_copy(update={"status": Status.published})
    return services.save_state(session, current, changed, version or current.version, actor, "publish")


def amend(
    session: Session, *, key: str, incident: schema.Incident, reason: str, actor: str, version: int
) -> schema.Incident:
    """Propose a correction to a published COE; it applies only once reviewed and published."""
    users.require(session, actor, "amend")
    current = services.get_incident(session, key=key)
    if current.status != Status.published:
        raise WorkflowError(f"{key} is {current.status}, not published; edit it directly instead of amending it")
    if not reason.strip():
        raise ValidationFailed([Problem("reason", "say why the published COE needs correcting")])
    pending = open_amendment(current)
    if pending:
        raise WorkflowError(f"amendment {pending.number} of {key} is still {pending.status}; "
                            "publish or reject it before proposing another")
    changes = corrections(current, incident)
    if not changes:
        raise ValidationFailed([Problem("", f"the amendment changes nothing in {key}")])
    amendment = schema.Amendment.model_validate(
        {"number": len(current.amendments) + 1, "reason": reason, "author": actor, "at": audit.now(),
         "changes": changes}
    )
    changed = current.model_copy(update={"amendments": [*current.amendments, amendment]})
    return services.save_state(session, current, changed, version, actor, "amend")


def open_amendment(doc: schema.Incident) -> schema.Amendment | None:
    """The amendment still in review or awaiting publication, if any."""
    last = doc.amendments[-1] if doc.amendments else None
    return last if last and last.status in _OPEN else None


def amended(session: Session, *, status: AmendmentStatus) -> list[schema.Incident]:
    """Published COEs whose open amendment has this status, oldest first."""
    keys = session.execute(
        select(INCIDENT.c.key)
        .where(INCIDENT.c.status == Status.published, func.json_array_length(INCIDENT.c.amendments) > 0)
        .order_by(INCIDENT.c.started_at, INCIDENT.c.id)
    ).scalars()
    docs = (services.get_incident(session, key=key) for key in keys)
    return [doc for doc in docs if (pending := open_amendment(doc)) and pending.status == status]


def corrections(current: schema.Incident, corrected: schema.Incident) -> dict[str, list[Any]]:
    """The amendable fields that differ, as {field: [before, after]}."""
    before, after = services.dump(current), services.dump(corrected)
    return {name: [before.get(name), after.get(name)] for name in after
            if name not in NOT_AMENDABLE and before.get(name) != after.get(name)}
