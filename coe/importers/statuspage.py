"""Status-page incidents: the Atlassian Statuspage API shape and one-object-per-line (JSONL) exports.

Mapping: name/title → title; impact → severity (critical sev1, major sev2, minor sev3, none sev4,
maintenance sev5); components → services; started_at (else created_at) → started_at; monitoring_at →
mitigated_at; resolved_at → resolved_at; the first update → detected_at (when the page first said so);
every update → a timeline event "Status: message"; id and url (or shortlink) → a status_page reference.
"""

import json
from typing import Any

SEVERITY = {"critical": "sev1", "major": "sev2", "minor": "sev3", "none": "sev4", "maintenance": "sev5"}
PHASE = {"investigating": "detection", "identified": "diagnosis", "monitoring": "mitigation",
         "resolved": "resolution", "completed": "resolution", "postmortem": "other"}


def records(text: str) -> tuple[list[tuple[int, Any]], list[tuple[int, str, str]]]:
    """(line or record number, object) pairs from either shape, and (number, field, message) problems."""
    stripped = text.lstrip()
    if not stripped:
        return [], [(0, "", "the file is empty")]
    if stripped[0] == "{" and "\n{" not in stripped.rstrip():
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            return [], [(0, "", f"not valid JSON: line {exc.lineno} column {exc.colno}: {exc.msg}")]
        if isinstance(data, dict) and isinstance(data.get("incidents"), list):
            return list(enumerate(data["incidents"], start=1)), []
        if isinstance(data, dict) and isinstance(data.get("incident"), dict):
            return [(1, data["incident"])], []
        return [(1, data)], []
    if stripped[0] == "[":
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            return [], [(0, "", f"not valid JSON: line {exc.lineno} column {exc.colno}: {exc.msg}")]
        return list(enumerate(data, start=1)), []
    found, problems = [], []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            found.append((number, json.loads(line)))
        except json.JSONDecodeError as exc:
            problems.append((number, "", f"not valid JSON: column {exc.colno}: {exc.msg}"))
    return found, problems


def incident(data: Any) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    """One status-page incident as a coe/v1 record, and (field, message) problems of the source itself."""
    if not isinstance(data, dict):
        return {}, [("", "a status-page incident must be a JSON object")]
    problems = []
    impact = str(data.get("impact") or "none").lower()
    if impact not in SEVERITY:
        problems.append(("impact", f"unknown value {impact!r}; expected one of {', '.join(SEVERITY)}"))
    updates = data.get("incident_updates", data.get("updates")) or []
    if not isinstance(updates, list):
        problems.append(("incident_updates", "must be a list of updates"))
        updates = []
    events = [_event(u) for u in updates if isinstance(u, dict)]
    events = [e for e in events if e["at"] and e["description"]]
    events.sort(key=lambda e: e["at"])
    doc: dict[str, Any] = {
        "title": data.get("name") or data.get("title") or "",
        "status": "draft",
        "severity": SEVERITY.get(impact, "sev4"),
        "services": _components(data.get("components")),
        "started_at": data.get("started_at") or data.get("created_at") or (events[0]["at"] if events else None),
        "resolved_at": data.get("resolved_at"),
        "timeline": events,
        "summary": (data.get("postmortem_body") or (events[0]["description"].split(": ", 1)[-1] if events else "")),
        "detection_method": "unknown",
        "external_refs": [_ref(data)] if data.get("id") or data.get("url") or data.get("shortlink") else [],
    }
    if data.get("monitoring_at"):
        doc["mitigated_at"] = data["monitoring_at"]
    if events and doc["started_at"] and events[0]["at"] >= str(doc["started_at"]):
        doc["detected_at"] = events[0]["at"]
    return doc, problems


def _event(update: dict) -> dict[str, Any]:
    status = str(update.get("status") or "update")
    body = str(update.get("body") or update.get("message") or "").strip()
    return {"at": update.get("display_at") or update.get("created_at") or update.get("at"),
            "description": f"{status.replace('_', ' ').capitalize()}: {body}" if body else "",
            "actor_kind": "human", "actor": "status page",
            "phase": PHASE.get(status.lower(), "other")}


def _components(value: Any) -> list[str]:
    if not isinstance(value, list):
        return []
    names = [c.get("name", "") if isinstance(c, dict) else str(c) for c in value]
    return [n.strip() for n in names if n and n.strip()][:20]


def _ref(data: dict) -> dict[str, Any]:
    ref: dict[str, Any] = {"system": "status_page", "id": str(data.get("id") or "")}
    url = data.get("url") or data.get("shortlink")
    if url:
        ref["url"] = url
    return ref
