"""Pure functions: a COE document and its audit record become the template context."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from coe import schema


@dataclass(frozen=True)
class AuditInfo:
    """Where the record's newest audit event sits in the hash chain."""

    position: int
    event_hash: str
    state_hash: str | None
    at: datetime
    chain_length: int


def _minutes(start: datetime | None, end: datetime | None) -> str:
    """A duration as hours and minutes, or a dash when either end is missing."""
    if start is None or end is None:
        return "—"
    total = int((end - start).total_seconds() // 60)
    return f"{total // 60} h {total % 60:02d} min" if total >= 60 else f"{total} min"


def durations(doc: schema.Incident) -> list[dict[str, str]]:
    """The TTD / TTA / TTM / TTR table, each measured from the start of impact."""
    rows = [
        ("TTD", "time to detect", doc.detected_at),
        ("TTA", "time to acknowledge", doc.acknowledged_at),
        ("TTM", "time to mitigate", doc.mitigated_at),
        ("TTR", "time to resolve", doc.resolved_at),
    ]
    return [{"name": name, "meaning": meaning, "value": _minutes(doc.started_at, end)} for name, meaning, end in rows]


def build(doc: schema.Incident, *, audit_info: AuditInfo | None, similar: tuple[Any, ...] = ()) -> dict[str, Any]:
    """The context of templates/coe_report.html.j2."""
    return {
        "doc": doc,
        "draft": doc.status.value != "published",
        "durations": durations(doc),
        "timeline": sorted(doc.timeline, key=lambda event: event.at),
        "audit": audit_info,
        "approval": next((r for r in reversed(doc.reviews) if r.decision.value == "approve"), None),
        "similar": list(similar),
        "checklist_items": list(schema.Checklist.model_fields),
    }
