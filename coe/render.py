"""Plain-text views of incidents for the terminal."""

import json
from datetime import datetime
from typing import Any

from coe import schema

_COLUMNS = (("key", 14), ("started", 16), ("sev", 4), ("kind", 9), ("status", 9), ("ai", 9),
            ("attribution", 12), ("team", 14), ("title", 0))


def incident_table(rows: list[dict[str, Any]], *, as_json: bool = False) -> str:
    """A fixed-width table of incident summaries, or the same rows as JSON."""
    if as_json:
        return json.dumps(rows, default=_iso, ensure_ascii=False, indent=2)
    if not rows:
        return "no incidents match (add some with `coe demo` or `coe import FILE.json`)"
    lines = ["  ".join(name.upper().ljust(width) for name, width in _COLUMNS).rstrip()]
    for row in rows:
        cells = {
            "key": row["key"], "started": f"{row['started_at']:%Y-%m-%d %H:%M}", "sev": row["severity"],
            "kind": row["kind"], "status": row["status"], "ai": row["ai_involvement"],
            "attribution": row["attribution_status"], "team": row["team"][:14], "title": row["title"],
        }
        lines.append("  ".join(str(cells[name]).ljust(width) for name, width in _COLUMNS).rstrip())
    lines.append(f"{len(rows)} incident{'s' if len(rows) != 1 else ''}")
    return "\n".join(lines)


def incident_text(doc: schema.Incident) -> str:
    """The whole COE as readable text, section by section."""
    out = [f"{doc.key}  {doc.title}", f"{doc.severity} {doc.kind}, {doc.status}, version {doc.version}", ""]
    out += _pairs([
        ("Team", doc.team), ("Services", ", ".join(doc.services)), ("Regions", ", ".join(doc.regions)),
        ("Environment", doc.environment), ("Started", _when(doc.started_at)), ("Detected", _when(doc.detected_at)),
        ("Acknowledged", _when(doc.acknowledged_at)), ("Mitigated", _when(doc.mitigated_at)),
        ("Resolved", _when(doc.resolved_at)), ("Detection", doc.detection_method),
        ("Customers affected", doc.customers_affected), ("Authors", ", ".join(doc.authors)),
    ])
    for title, text in (("Customer impact", doc.customer_impact), ("Summary", doc.summary),
                        ("Trigger", doc.trigger), ("Root cause", f"[{doc.root_cause_category}] {doc.root_cause}"),
                        ("Resolution", doc.resolution)):
        out += ["", f"## {title}", text or "—"]
    out += ["", "## Five whys"] + [f"{i}. {w.question}\n   {w.answer}" for i, w in enumerate(doc.five_whys, 1)]
    out += ["", "## Timeline (UTC)"] + [
        f"{e.at:%Y-%m-%d %H:%M}  [{e.actor_kind}] {e.actor}: {e.description}" for e in doc.timeline
    ]
    out += ["", "## Changes"] + [f"- {c.ref}: {c.description} ({c.role}, {c.provenance})" for c in doc.changes]
    ai = doc.ai
    out += ["", "## AI involvement"] + _pairs([
        ("Involvement", ai.involvement), ("Tool", " / ".join(filter(None, (ai.tool, ai.vendor, ai.model)))),
        ("Mode", ai.mode), ("Autonomy", ai.autonomy), ("Approval gate", ai.approval_gate),
        ("Gate bypass", ai.gate_bypass), ("Permissions", ai.permission_scope),
        ("Inherited", ai.permissions_inherited), ("Destructive", ", ".join(ai.destructive_actions)),
        ("Spec reviewed", ai.spec_reviewed),
    ])
    at = doc.attribution
    out += ["", f"## Attribution ({at.status})",
            f"Finding: AI contribution {at.ai_contribution}, primary cause {at.primary_cause}"]
    out += [f"- {c.source} ({c.source_kind}, {c.confidence}): {c.attributes_to}. {c.statement}" for c in at.claims]
    out += ["", "## Action items"] + [
        f"- [{a.status}] {a.title} ({a.kind}, {a.control}, {a.priority}, owner {a.owner or '—'}, due {a.due_on or '—'})"
        for a in doc.action_items
    ]
    for section in doc.extra_sections:  # imported text that maps to no field
        out += ["", f"## {section.heading}", section.text]
    out += ["", "## Reviews"] + [f"- {r.at:%Y-%m-%d} {r.reviewer} ({r.role}): {r.decision}. {r.comment}".rstrip()
                                 for r in doc.reviews]
    return "\n".join(out)


def _pairs(items: list[tuple[str, Any]]) -> list[str]:
    """'Label: value' lines, leaving out empty values."""
    return [f"{label + ':':<20}{value}" for label, value in items if value not in (None, "")]


def _when(value: datetime | None) -> str:
    """A UTC timestamp for reading."""
    return f"{value:%Y-%m-%d %H:%M} UTC" if value else ""


def _iso(value: Any) -> str:
    """JSON fallback for timestamps."""
    return value.isoformat() if isinstance(value, datetime) else str(value)


def user_table(rows: list[dict[str, Any]], *, as_json: bool = False) -> str:
    """Users with role and state."""
    if as_json:
        return json.dumps(rows, default=_iso, indent=2)
    lines = [f"{'NAME':<24}{'ROLE':<10}STATE"]
    lines += [f"{r['name']:<24}{r['role']:<10}{'active' if r['active'] else 'disabled'}" for r in rows]
    return "\n".join(lines)
