"""Agent post-mortems (the swarmproof agent-postmortems standard v1.0): YAML records, or the standard's JSON export.

Mapping: title, summary, trigger, root_cause → the same fields; date → started_at (00:00 UTC); recovery →
resolution; prevention → open action items (one per `;` clause); contributing_factors → contributing
factors; incident_type hazard → kind near_miss; severity critical…informational → sev1…sev5; system →
the AI-involvement block (framework → tool, vendor, models → model, autonomy_level → mode and autonomy,
failure subclasses → approval gate, permission scope, destructive actions) and its tools → services; causation → the COE's
attribution finding and one `analyst` claim from the record; blast_radius → customer_impact and
customers_affected; external_ids, sources, CVE and CWE → external_refs; timeline → timeline events.
Everything else (detection, failure classes, severity rationale, sources, tags, …) → extra_sections.
"""

import datetime as dt
import json
import re
from collections.abc import Hashable
from typing import Any

import yaml

SEVERITY = {"critical": "sev1", "high": "sev2", "moderate": "sev3", "low": "sev4", "informational": "sev5"}
# supervised-autonomous: the agent acts without asking first, a human watches; both autonomous levels act alone.
AUTONOMY = {"suggest": (None, "suggest_only"), "human-in-the-loop": (None, "approve_each_step"),
            "supervised-autonomous": ("agent", "autonomous"), "fully-autonomous": ("agent", "autonomous"),
            "unknown": (None, None)}
FAILURE_CLASSES = (
    "prompt-injection", "jailbreak", "tool-misuse", "unsafe-action", "data-exfiltration", "excessive-agency",
    "runaway-loop", "cost-blowup", "double-side-effect", "hallucination", "reward-hacking", "goal-misalignment",
    "memory-context-poisoning", "supply-chain-compromise", "insecure-output", "multi-agent-failure",
    "task-failure", "autonomous-misuse", "other")
# Only the classes that name a cause in coe's root-cause vocabulary; model behaviour has no category there.
ROOT_CAUSE = {"prompt-injection": "security", "jailbreak": "security", "data-exfiltration": "security",
              "memory-context-poisoning": "security", "supply-chain-compromise": "security",
              "autonomous-misuse": "security", "insecure-output": "security", "tool-misuse": "access_control",
              "excessive-agency": "access_control"}
DESTRUCTIVE = {"data-deletion": "delete", "prod-mutation": "data_mutation", "unauthorized-write": "data_mutation"}
ENUMS = {
    "incident_type": ("incident", "hazard"),
    "status": ("preliminary", "factual", "final"),
    "confidence": ("reported", "corroborated", "confirmed", "disputed"),
    "severity": tuple(SEVERITY),
    "attack_vector": ("direct-user", "untrusted-content", "tool-metadata", "supply-chain", "multimodal",
                      "self-induced", "n-a"),
    "system.autonomy_level": tuple(AUTONOMY),
    "causation.entity": ("human", "ai", "both", "unknown"),
    "causation.intentionality": ("intentional", "unintentional", "mixed", "unknown"),
    "causation.timing": ("pre-deployment", "post-deployment", "unknown"),
    "blast_radius.reversibility": ("reversible", "partially-reversible", "irreversible", "unknown"),
    "blast_radius.data.classification": ("public", "internal", "confidential", "pii", "credentials", "unknown", "n-a"),
}
SOURCE_TYPES = ("primary-research", "vendor-disclosure", "vendor-response", "regulatory-court", "news", "academic",
                "social-primary", "other")
HARM = ("physical", "environmental", "property", "psychological", "reputational", "economic", "legal-regulatory",
        "human-rights", "none-reported")
FIELDS = ("schema_version", "taxonomy_version", "incident_id", "title", "summary", "date", "last_updated",
          "incident_type", "status", "confidence", "severity", "severity_rationale", "system",
          "primary_failure_class", "failure_classes", "attack_vector", "causation", "trigger", "root_cause",
          "contributing_factors", "detection", "recovery", "prevention", "blast_radius", "timeline", "external_ids",
          "cve", "cwe", "related_incidents", "tags", "submitted_by", "sources", "machine_export")
MAPPINGS = ("system", "causation", "blast_radius", "blast_radius.cost", "blast_radius.data", "blast_radius.user_harm",
            "external_ids", "machine_export")
LISTS = ("failure_classes", "contributing_factors", "timeline", "cve", "cwe", "related_incidents", "tags", "sources",
         "system.models", "system.tools", "blast_radius.user_harm.categories")
REQUIRED = ("schema_version", "incident_id", "title", "date", "incident_type")
MAPPED = ("title, summary, trigger, root_cause; date → started_at; recovery → resolution; prevention → action_items; "
          "system → ai, its tools → services; causation → attribution (one analyst claim); blast_radius → customer_impact; "
          "external_ids, sources, cve, cwe → external_refs; the rest → extra_sections")


class _Loader(yaml.SafeLoader):
    """yaml.safe_load's loader, refusing a field named twice: PyYAML would silently keep only the last value."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict:
        seen = set()
        for key_node, _ in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":  # `<<:` merges another mapping; keys may repeat there
                continue
            key = self.construct_object(key_node, deep=deep)
            if not isinstance(key, Hashable):
                continue  # SafeLoader itself refuses it, with its position
            if key in seen:
                raise yaml.constructor.ConstructorError(None, None, f"{key!r} appears twice", key_node.start_mark)
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


def looks_like(raw: bytes) -> bool:
    """Whether a YAML or JSON file reads like an agent post-mortem: it names an incident_id and failure classes."""
    head = raw[:200_000]
    return all(re.search(rb"\b" + key + rb'"?\s*:', head) for key in (b"incident_id", b"failure_classes"))


def records(text: str) -> tuple[list[tuple[int, Any]], list[tuple[int, str, str]]]:
    """(record number, object) pairs: one per YAML document, or one per entry of the export's `incidents` list."""
    try:
        documents = [d for d in yaml.load_all(text, Loader=_Loader) if d is not None]
    except yaml.YAMLError as exc:
        if text.lstrip()[:1] in ("{", "["):  # PyYAML refuses some valid JSON, such as tabs between tokens
            try:
                documents = [json.loads(text)]
            except json.JSONDecodeError as bad:
                return [], [(0, "", f"not valid JSON: line {bad.lineno} column {bad.colno}: {bad.msg}")]
        else:
            mark = getattr(exc, "problem_mark", None)
            where = f" at line {mark.line + 1} column {mark.column + 1}" if mark else ""
            return [], [(0, "", f"not valid YAML{where}: {getattr(exc, 'problem', None) or exc}")]
    if not documents:
        return [], [(0, "", "the file is empty")]
    if len(documents) > 1:
        return list(enumerate(documents, start=1)), []
    [data] = documents
    if isinstance(data, dict) and isinstance(data.get("incidents"), list):
        return list(enumerate(data["incidents"], start=1)), []
    if isinstance(data, list):
        return list(enumerate(data, start=1)), []
    return [(1, data)], []


def incident(data: Any) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    """One agent post-mortem as a coe/v1 record, and (field, message) problems of the record itself."""
    if not isinstance(data, dict):
        return {}, [("", "an agent post-mortem must be a mapping of fields")]
    problems = _check(data)
    if problems:
        return {}, problems
    system, causation, blast = (data.get(k) or {} for k in ("system", "causation", "blast_radius"))
    chain = [(c["class"], c.get("subclass") or "") for c in data.get("failure_classes") or []]
    subclasses = {s for _, s in chain}
    doc: dict[str, Any] = {
        "title": _text(data["title"]),
        "status": "draft",
        "kind": "near_miss" if data["incident_type"] == "hazard" else "incident",
        "severity": SEVERITY.get(data.get("severity"), "sev3"),
        # The agent's tools are where its failure landed (a database, a file system, a chat window).
        "services": [_text(t)[:200] for t in system.get("tools") or [] if _text(t)],
        "started_at": _when(data["date"]),
        "summary": _text(data.get("summary")),
        "trigger": _text(data.get("trigger")),
        "root_cause": _text(data.get("root_cause")),
        # The first class of the causal chain that names a category of coe's vocabulary.
        "root_cause_category": next((ROOT_CAUSE[c] for c, _ in chain if c in ROOT_CAUSE), "unknown"),
        "resolution": _text(data.get("recovery")),
        "detection_method": _detection(_text(data.get("detection"))),
        "customer_impact": _impact(blast),
        "customers_affected": (blast.get("user_harm") or {}).get("affected_count"),
        "contributing_factors": [{"category": "unknown", "description": _text(f)}
                                 for f in data.get("contributing_factors") or [] if _text(f)],
        "action_items": [{"title": step[:500], "kind": "prevent", "status": "open"}
                         for step in _clauses(_text(data.get("prevention")))],
        "timeline": [_event(e) for e in data.get("timeline") or [] if e.get("at")],
        "ai": _ai(data, system, subclasses),
        "attribution": _attribution(data, causation),
        "external_refs": _refs(data),
        "authors": [_text(data["submitted_by"])] if data.get("submitted_by") else [],
        "extra_sections": _extra(data, chain),
    }
    return doc, []


def _check(data: dict) -> list[tuple[str, str]]:
    """Problems a reader must fix: missing or unknown fields and values outside the standard's vocabularies."""
    problems = [(name, "unknown field; the agent post-mortem standard v1.0 has no such field")
                for name in data if name not in FIELDS]
    problems += [(name, "required") for name in REQUIRED if data.get(name) in (None, "")]
    shapes = [(name, "must be a mapping of fields") for name in MAPPINGS
              if _path(data, name) is not None and not isinstance(_path(data, name), dict)]
    shapes += [(name, "must be a list") for name in LISTS
               if _path(data, name) is not None and not isinstance(_path(data, name), list)]
    if shapes:  # the checks below read inside these parts
        return problems + shapes
    if data.get("incident_id") and not re.fullmatch(r"[0-9]{4}-[a-z0-9]+(?:-[a-z0-9]+)*", str(data["incident_id"])):
        problems.append(("incident_id", f"{str(data['incident_id'])[:40]!r} is not a slug like 2025-short-name"))
    if data.get("schema_version") not in (None, "", "1.0", 1.0):
        problems.append(("schema_version", f"unsupported version {data['schema_version']!r}; expected '1.0'"))
    for name, allowed in ENUMS.items():
        value = _path(data, name)
        if value is not None and value not in allowed:
            problems.append((name, _unknown(value, allowed)))
    for number, item in enumerate(data.get("failure_classes") or []):
        if not isinstance(item, dict) or item.get("class") not in FAILURE_CLASSES:
            value = item.get("class") if isinstance(item, dict) else item
            problems.append((f"failure_classes[{number}].class", _unknown(value, FAILURE_CLASSES)))
        elif not isinstance(item.get("subclass") or "", str):
            problems.append((f"failure_classes[{number}].subclass", "must be text"))
    if data.get("primary_failure_class") not in (None, *FAILURE_CLASSES):
        problems.append(("primary_failure_class", _unknown(data["primary_failure_class"], FAILURE_CLASSES)))
    for number, source in enumerate(data.get("sources") or []):
        if not isinstance(source, dict) or source.get("type") not in SOURCE_TYPES:
            value = source.get("type") if isinstance(source, dict) else source
            problems.append((f"sources[{number}].type", _unknown(value, SOURCE_TYPES)))
    for number, harm in enumerate(_path(data, "blast_radius.user_harm.categories") or []):
        if harm not in HARM:
            problems.append((f"blast_radius.user_harm.categories[{number}]", _unknown(harm, HARM)))
    for number, event in enumerate(data.get("timeline") or []):
        if not isinstance(event, dict) or not _text(event.get("event")):
            problems.append((f"timeline[{number}].event", "required"))
    for name in ("date", "last_updated"):
        if data.get(name) not in (None, "") and not _is_date(data[name]):
            problems.append((name, f"{str(data[name])[:40]!r} is not a date like 2026-01-31"))
    return problems


def _path(data: dict, dotted: str) -> Any:
    """The value at a dotted path, or None when any part is missing or not a mapping."""
    for part in dotted.split("."):
        data = data.get(part) if isinstance(data, dict) else None
    return data


def _unknown(value: Any, allowed: tuple[str, ...]) -> str:
    return f"unknown value {value!r}; expected one of {', '.join(allowed)}"


def _text(value: Any) -> str:
    return " ".join(str(value).split()) if value not in (None, "") else ""


def _is_date(value: Any) -> bool:
    if isinstance(value, dt.date):
        return True
    try:
        dt.date.fromisoformat(str(value).strip())
    except ValueError:
        return False
    return True


def _day_only(value: Any) -> bool:
    """A date without a time of day, as YAML reads it or as written."""
    if isinstance(value, dt.date):
        return not isinstance(value, dt.datetime)
    return isinstance(value, str) and re.fullmatch(r"\d{4}-\d\d-\d\d", value.strip()) is not None


def _when(value: Any) -> str:
    """An ISO timestamp from a date (00:00 UTC: the records give no time of day) or a timestamp as written."""
    if isinstance(value, dt.datetime):
        return value.isoformat()
    return f"{str(value).strip()}T00:00:00+00:00" if _day_only(value) else str(value)


def _event(event: dict) -> dict[str, Any]:
    """A timeline entry; one dated by day alone sorts at 00:00 UTC and says so."""
    note = " (date only)" if _day_only(event["at"]) else ""
    return {"at": _when(event["at"]), "description": _text(event["event"]) + note}


def _clauses(text: str) -> list[str]:
    """The `;`-separated steps of a prevention paragraph, each starting with a capital."""
    steps = [s.strip().rstrip(".").strip() for s in text.split(";")]
    return [s[:1].upper() + s[1:] for s in steps if s]


def _detection(text: str) -> str:
    """How it was noticed, by the words the standard's records use; the text itself is kept as an extra section."""
    words = text.lower()
    if not words:
        return "unknown"
    if "internal" in words:
        return "internal_report"
    if "research" in words:
        return "other"
    return "customer_report" if re.search(r"\b(users?|customers?)\b", words) else "other"


def _impact(blast: dict) -> str:
    """Scope, reversibility, harm, data and cost of the blast radius, one line each."""
    harm, data, cost = (blast.get(k) or {} for k in ("user_harm", "data", "cost"))
    lines = []
    if blast.get("scope") or blast.get("reversibility"):
        lines.append(f"Scope: {_text(blast.get('scope')) or 'not stated'}. "
                     f"Reversibility: {str(blast.get('reversibility') or 'unknown').replace('-', ' ')}.")
    if harm:
        kinds = ", ".join(harm.get("categories") or []) or "not stated"
        lines.append(f"Harm ({kinds}): {_text(harm.get('description')) or 'no description'}")
    if data:
        records = f", {data['records']} records" if data.get("records") is not None else ""
        lines.append(f"Data ({data.get('classification') or 'unknown'}{records}): "
                     f"{_text(data.get('description')) or 'no description'}")
    if cost.get("amount_usd") is not None:
        upper = f"–{cost['amount_usd_max']}" if cost.get("amount_usd_max") is not None else ""
        lines.append(f"Cost: USD {cost['amount_usd']}{upper}" + (" (estimated)." if cost.get("estimated") else "."))
    return "\n\n".join(lines)


def _ai(data: dict, system: dict, subclasses: set[str]) -> dict[str, Any]:
    """The AI-involvement block from the system and what the failure chain says about gates and permissions."""
    mode, autonomy = AUTONOMY.get(system.get("autonomy_level") or "unknown", (None, None))
    tools = " ".join(map(str, system.get("tools") or [])) + " " + str(system.get("framework") or "")
    if mode is None and re.search(r"chat|support", tools, re.IGNORECASE):
        mode = "chat"
    return {
        "involvement": "confirmed" if data.get("confidence") in ("confirmed", "corroborated") else "suspected",
        "tool": _text(system.get("framework"))[:200] or None,
        "vendor": _text(system.get("vendor"))[:200] or None,
        "model": ", ".join(map(str, system.get("models") or []))[:200] or None,
        "mode": mode,
        "autonomy": autonomy,
        "approval_gate": "absent" if "missing-approval-gate" in subclasses else "unknown",
        "permission_scope": "broad" if "over-broad-scope" in subclasses else "unknown",
        # The action crossed trust boundaries with the user's own privileges.
        "permissions_inherited": True if "cross-domain-action" in subclasses else None,
        "destructive_actions": [DESTRUCTIVE[s] for s in sorted(subclasses) if s in DESTRUCTIVE],
    }


def _attribution(data: dict, causation: dict) -> dict[str, Any]:
    """The record's causation as the COE's finding and as the record's own claim, with its sourcing confidence."""
    entity, intent = causation.get("entity") or "unknown", causation.get("intentionality") or "unknown"
    # A human acting on purpose (an attacker, a prompt injector) is a third party to the system; otherwise an error.
    human = "third_party" if intent == "intentional" else "human_error"
    blames = {"ai": "ai_tool", "human": human, "both": "shared"}.get(entity, "undetermined")
    finding = {"ai": ("primary", "ai_tool"), "both": ("contributing", "undetermined"),
               "human": ("contributing", human)}.get(entity, ("undetermined", "undetermined"))
    said = ", ".join(f"{k} {v}" for k, v in causation.items() if v)
    claim = {"source": f"agent-postmortems record {data['incident_id']}"[:200], "source_kind": "analyst",
             "attributes_to": blames,
             "confidence": "known" if data.get("confidence") == "confirmed" else "potential",
             "statement": (f"Causation: {said}. " if said else "") + _text(data.get("root_cause")),
             "stated_on": _when(data["last_updated"])[:10] if data.get("last_updated") else None}
    # A record that states no cause makes no claim: it would only hide the incident from `undetermined`.
    return {"ai_contribution": finding[0], "primary_cause": finding[1],
            "claims": [claim] if blames != "undetermined" else []}


def _refs(data: dict) -> list[dict[str, Any]]:
    """The record itself, its cross-references, CVEs, CWEs and sources, as external references."""
    ids = data.get("external_ids") or {}
    refs = [{"system": "other", "id": f"agent-postmortems:{data['incident_id']}"[:200]}]
    if ids.get("aiid") not in (None, ""):
        refs.append({"system": "aiid", "id": str(ids["aiid"]), "url": f"https://incidentdatabase.ai/cite/{ids['aiid']}"})
    if ids.get("oecd_aim"):
        refs.append({"system": "oecd_aim", "id": str(ids["oecd_aim"])})
    if ids.get("aiaaic"):
        refs.append({"system": "other", "id": f"aiaaic:{ids['aiaaic']}"[:200]})
    refs += [{"system": "other", "id": str(c)[:200], "url": f"https://www.cve.org/CVERecord?id={c}"}
             for c in data.get("cve") or []]
    refs += [{"system": "other", "id": str(c)[:200], "url": f"https://cwe.mitre.org/data/definitions/{str(c).split('-')[-1]}.html"}
             for c in data.get("cwe") or []]
    for source in data.get("sources") or []:
        url = str(source.get("url") or "")
        aiid = re.search(r"incidentdatabase\.ai/cite/(\d+)", url)
        if aiid and any(r["system"] == "aiid" and r["id"] == aiid[1] for r in refs):
            continue
        name = _text(source.get("publisher")) or _text(source.get("title")) or url
        refs.append({"system": "aiid" if aiid else "other", "id": aiid[1] if aiid else name[:200], "url": url or None})
    return refs


def _extra(data: dict, chain: list[tuple[str, str]]) -> list[dict[str, str]]:
    """What the record says that no coe/v1 field holds, under headings a reader recognises."""
    system, causation = data.get("system") or {}, data.get("causation") or {}
    record = [f"Incident id: {data['incident_id']}", f"Schema version: {data.get('schema_version')}",
              f"Taxonomy version: {data.get('taxonomy_version') or 'not stated'}",
              f"Incident type: {data['incident_type']}", f"Report status: {data.get('status') or 'not stated'}",
              f"Sourcing confidence: {data.get('confidence') or 'not stated'}",
              f"Severity: {data.get('severity') or 'not stated (imported as sev3)'}"]
    record += [f"Last updated: {data['last_updated']}"] if data.get("last_updated") else []
    classes = [f"{n}. {c}" + (f" / {s}" if s else "") for n, (c, s) in enumerate(chain, start=1)]
    if chain and data.get("primary_failure_class") not in (None, chain[0][0]):
        classes.insert(0, f"Primary: {data['primary_failure_class']}")
    ai = [f"Autonomy level: {system.get('autonomy_level') or 'not stated'}",
          f"Attack vector: {data.get('attack_vector') or 'not stated'}"]
    ai += [f"Causation {k}: {v}" for k, v in causation.items()]
    sources = [_source_line(s) for s in data.get("sources") or []]
    hints = [f"{k.replace('_', ' ').capitalize()}: {v}" for k, v in (data.get("machine_export") or {}).items()]
    undated = [_text(e.get("event")) for e in data.get("timeline") or [] if not e.get("at")]
    lists = [("Record", record), ("AI system", ai), ("Timeline (undated)", undated), ("Sources", sources),
             ("Related incidents", list(data.get("related_incidents") or [])), ("Machine export hints", hints)]
    texts = [("Failure classes", "\n".join(classes)), ("Detection", _text(data.get("detection"))),
             ("Severity rationale", _text(data.get("severity_rationale"))), ("Tags", ", ".join(map(str, data.get("tags") or [])))]
    sections = dict([(h, "\n".join(f"- {line}" for line in lines if line)) for h, lines in lists] + texts)
    order = ("Record", "Failure classes", "AI system", "Detection", "Severity rationale", "Timeline (undated)",
             "Sources", "Related incidents", "Tags", "Machine export hints")
    return [{"heading": h, "text": sections[h]} for h in order if sections[h]]


def _source_line(source: dict) -> str:
    parts = [_text(source.get("title")) or str(source.get("url")), _text(source.get("publisher")), source.get("type"),
             f"accessed {source['date_accessed']}" if source.get("date_accessed") else "", str(source.get("url") or ""),
             f"archive {source['archive_url']}" if source.get("archive_url") else ""]
    return " — ".join(str(p) for p in parts if p)
