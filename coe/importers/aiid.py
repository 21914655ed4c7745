"""AI Incident Database snapshots: incidents.csv and the classification tables beside it, one COE per incident.

Mapping: title → title; date → started_at (00:00 UTC); description → summary; alleged developer → ai.vendor;
alleged deployer → team; alleged harmed parties → customer_impact; incident id → an `aiid` external_ref
(https://incidentdatabase.ai/cite/<id>); the CSETv1 classification (people, peer-reviewed) → an `analyst`
claim, the MIT classification (produced by a model) → an `other` claim of `potential` confidence, so that
where they disagree the attribution is contested; CSETv1 harm level (else CSETv0 severity) → severity and
kind; CSETv1 autonomy → ai.autonomy; every classification's other columns → extra_sections. Incidents that
duplicates.csv names as duplicates are folded into their original as one more `aiid` reference.
"""

import csv
import datetime as dt
import hashlib
import io
import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

CITE = "https://incidentdatabase.ai/cite/{}"
COLUMNS = ("incident_id", "date", "title", "description")
DEPLOYER, DEVELOPER, HARMED = ("Alleged deployer of AI system", "Alleged developer of AI system",
                               "Alleged harmed or nearly harmed parties")
# Each per-annotator CSETv1 table holds one person's answers; the consolidated CSETv1 table is the classification.
SKIPPED = "_Annotator-"
YES_NO = ("yes", "no", "maybe", "")
CSET = {"AI System": YES_NO, "Clear link to technology": YES_NO,
        "AI Harm Level": ("none", "AI tangible harm event", "AI tangible harm near-miss", "AI tangible harm issue",
                          "unclear", ""),
        "Autonomy Level": ("Autonomy1", "Autonomy2", "Autonomy3", "unclear", "")}
MIT = {"Entity": ("AI", "Human", "Other", ""), "Intent": ("Intentional", "Unintentional", "Other", ""),
       "Timing": ("Pre-deployment", "Post-deployment", "Other", "")}
CSET0 = {"Severity": ("Negligible", "Minor", "Moderate", "Severe", "Critical", "Unclear/unknown", ""),
         "Near Miss": ("Harm caused", "Near miss", "Unclear/unknown", "")}
CHECKED = {"CSETv1": CSET, "MIT": MIT, "CSETv0": CSET0}
HARM_LEVEL = {"AI tangible harm event": "sev3", "AI tangible harm near-miss": "sev4",
              "AI tangible harm issue": "sev4", "none": "sev4"}
SEVERITY0 = {"Critical": "sev1", "Severe": "sev2", "Moderate": "sev3", "Minor": "sev4", "Negligible": "sev5"}
# Autonomy1 acts alone; Autonomy2 acts alone while a person watches and may override; Autonomy3 only proposes.
AUTONOMY = {"Autonomy1": "autonomous", "Autonomy2": "autonomous", "Autonomy3": "suggest_only"}
PEER_REVIEWED = ("4.", "5.", "6.")
DEFAULT_SEVERITY = "sev3"


@dataclass
class Snapshot:
    """What one snapshot folder gives: (where, coe/v1 record) pairs, problem lines and what was read."""

    path: Path
    found: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    sha256: str = ""
    files_read: list[str] = field(default_factory=list)
    folded: list[tuple[int, int]] = field(default_factory=list)
    severity_from: Counter = field(default_factory=Counter)
    orphans: int = 0
    not_read: list[str] = field(default_factory=list)
    rejected: set[int] = field(default_factory=set)

    def summary(self, incidents: list[Any]) -> list[str]:
        """What mapped where, and how the attribution came out."""
        status = Counter(str(i.attribution.status) for i in incidents)
        claims = Counter(c.source_kind for i in incidents for c in i.attribution.claims)
        mapped = ("title → title, date → started_at, description → summary, alleged developer → ai.vendor, "
                  "alleged deployer → team, harmed parties → customer_impact, id → external_refs aiid")
        lines = [f"{len(incidents)} AIID incidents ({mapped})",
                 f"read: {', '.join(self.files_read)}"
                 + (f"; not read: {', '.join(self.not_read)}" if self.not_read else ""),
                 f"claims: {claims['analyst']} CSETv1 (analyst: annotated and peer-reviewed by people), "
                 + f"{claims['other']} MIT (other, potential: produced by a model)",
                 f"attribution: {status['contested']} contested, {status['agreed']} agreed, "
                 + f"{status['undetermined']} undetermined",
                 "severity: " + (", ".join(f"{n} {how}" for how, n in sorted(self.severity_from.items())) or "none")]
        lines += [f"AIID {dup} is a duplicate of {true}: folded into it" for dup, true in self.folded]
        lines += [f"{self.orphans} classifications name no incident of incidents.csv; not imported"] if self.orphans else []
        return lines


def looks_like(raw: bytes) -> bool:
    """Whether a CSV file is an AIID incidents.csv (its header names the alleged deployer)."""
    return b"Alleged deployer of AI system" in raw[:2_000] and b"incident_id" in raw[:2_000]


def read(path: Path) -> Snapshot:
    """Read the snapshot of a folder, or of the folder an incidents.csv is in."""
    folder, incidents = (path, path / "incidents.csv") if path.is_dir() else (path.parent, path)
    snap = Snapshot(path=path)
    if not incidents.is_file():
        snap.problems.append(f"{path}: no incidents.csv in this folder" if path.is_dir() else f"{path}: no such file")
        return snap
    digest = hashlib.sha256()
    tables: dict[str, tuple[Path, dict[int, tuple[int, list[tuple[str, str]]]]]] = {}
    files = [incidents, *sorted(f for f in folder.glob("classifications_*.csv") if SKIPPED not in f.name)]
    duplicates = folder / "duplicates.csv"
    for file in files + ([duplicates] if duplicates.is_file() else []):
        raw = file.read_bytes()
        digest.update(file.name.encode() + b"\0" + hashlib.sha256(raw).digest())
        snap.files_read.append(file.name)
        header, rows, wrong = _rows(file, raw)
        snap.problems += wrong
        if file == incidents:
            records, columns = rows, header
        elif file == duplicates:
            pairs = [(_int(r, "duplicate_incident_number"), _int(r, "true_incident_number")) for _, r in rows]
        else:
            tables[file.stem.removeprefix("classifications_")] = (file, _by_incident(file, rows, snap))
    snap.sha256 = digest.hexdigest()
    snap.not_read = sorted(f.name for f in folder.glob("*.csv") if f.name not in snap.files_read)
    missing = [c for c in COLUMNS if columns and c not in columns]
    if missing:
        snap.problems.append(f"{incidents}: missing column {', '.join(missing)}")
    if missing or any(p.startswith(f"{incidents}:") for p in snap.problems):
        return snap
    _incidents(snap, incidents, records, len(columns), tables, pairs if duplicates.is_file() else [])
    return snap


def _rows(file: Path, raw: bytes) -> tuple[list[str], list[tuple[int, list[tuple[str, str]]]], list[str]]:
    """The header, and (line where the row starts, [(column, cell)]) for every row; a cell may span lines."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return [], [], [f"{file}: is not UTF-8 text (byte {exc.start})"]
    reader = csv.reader(io.StringIO(text, newline=""))
    header = [h.strip() for h in next(reader, [])]
    rows, start = [], reader.line_num + 1
    try:
        for row in reader:
            if any(cell.strip() for cell in row):
                rows.append((start, list(zip(header, (cell.strip() for cell in row), strict=False))))
            start = reader.line_num + 1
    except csv.Error as exc:
        return header, rows, [f"{file}:{start}: not valid CSV: {exc}"]
    return header, rows, []


def _int(row: list[tuple[str, str]], column: str) -> int | None:
    value = dict(row).get(column, "")
    return int(value) if value.isdigit() else None


def _count(cells: dict, column: str) -> int:
    """A casualty count; blank is none (the values were checked when the table was read)."""
    value = cells.get(column, "")
    return int(value) if value.isdigit() else 0


def _by_incident(file: Path, rows: list, snap: Snapshot) -> dict[int, tuple[int, list[tuple[str, str]]]]:
    """A classification table by incident id, its mapped columns checked against their vocabularies."""
    namespace = file.stem.removeprefix("classifications_")
    out = {}
    for line, row in rows:
        cells = dict(row)
        number = _int(row, "Incident ID")
        if number is None:
            snap.problems.append(f"{file}:{line}: Incident ID: {cells.get('Incident ID', '')!r} is not a whole number")
            continue
        wrong = []
        for column, allowed in CHECKED.get(namespace, {}).items():
            if cells.get(column, "") not in allowed:
                shown = ", ".join(repr(a) for a in allowed if a)
                wrong.append(f"{column}: unknown value {cells[column]!r}; expected one of {shown}")
        if namespace == "CSETv1":
            intent = cells.get("Intentional Harm", "")
            if intent and intent != "unclear" and not intent.startswith(("Yes.", "No.")):
                wrong.append(f"Intentional Harm: unknown value {intent!r}; expected 'Yes. …', 'No. …' or 'unclear'")
            wrong += [f"{c}: {cells[c]!r} is not a whole number" for c in ("Lives Lost", "Injuries")
                      if cells.get(c, "") and not cells[c].isdigit()]
        snap.problems += [f"{file}:{line}: {w}" for w in wrong]
        if wrong:
            snap.rejected.add(number)  # with --skip-invalid its incident is left out, not imported half-classified
        out[number] = (line, row)
    return out


def _incidents(snap: Snapshot, path: Path, records: list, width: int, tables: dict, pairs: list) -> None:
    """Every incident row as a coe/v1 record, duplicates folded into their originals."""
    ids: dict[int, int] = {}
    parsed = []
    for line, row in records:
        cells = dict(row)
        wrong = [f"has {len(row)} cells; the header names {width} columns"] if len(row) < width else []
        number = _int(row, "incident_id")
        if number is None:
            wrong.append(f"incident_id: {cells.get('incident_id', '')!r} is not a whole number")
        elif number in ids:
            wrong.append(f"incident_id: {number} is also line {ids[number]}")
        else:
            ids[number] = line
        try:
            dt.date.fromisoformat(cells.get("date", ""))
        except ValueError:
            wrong.append(f"date: {cells.get('date', '')[:40]!r} is not a date like 2026-01-31")
        lists = {}
        for column in (DEPLOYER, DEVELOPER, HARMED, "reports"):
            try:
                value = json.loads(cells.get(column) or "[]")
            except json.JSONDecodeError:
                value = None
            if not isinstance(value, list):
                wrong.append(f"{column}: not a JSON list like [\"name\"]")
            lists[column] = [str(v) for v in value or []]
        snap.problems += [f"{path}:{line}: {w}" for w in wrong]
        if not wrong:
            parsed.append((line, number, cells, lists))
    present = {number for _, number, _, _ in parsed}
    folded = {dup: true for dup, true in pairs if dup in present and true in present and dup != true}
    snap.folded = sorted(folded.items())
    known = set(ids)
    snap.orphans = sum(1 for _, table in tables.values() for n in table if n not in known)
    for line, number, cells, lists in parsed:
        if number in folded or number in snap.rejected:
            continue
        also = sorted(dup for dup, true in folded.items() if true == number)
        snap.found.append((f"{path}:{line}", _record(snap, number, cells, lists, also, tables)))


def _record(snap: Snapshot, number: int, cells: dict, lists: dict, also: list[int], tables: dict) -> dict[str, Any]:
    """One AIID incident as a coe/v1 record."""
    classified = {ns: dict(table[number][1]) for ns, (_, table) in tables.items() if number in table}
    cset, mit, cset0 = (classified.get(ns, {}) for ns in ("CSETv1", "MIT", "CSETv0"))
    severity, kind = _severity(snap, cset, cset0)
    claims = [c for c in (_cset_claim(number, cset), _mit_claim(number, mit)) if c]
    harmed = ", ".join(lists[HARMED]) or "none named"
    hurt = [f"{_count(cset, c)} {c.lower()}" for c in ("Lives Lost", "Injuries") if _count(cset, c)]
    refs = [{"system": "aiid", "id": str(n), "url": CITE.format(n)} for n in (number, *also)]
    confirmed = cset.get("AI System") == "yes" and cset.get("Clear link to technology") == "yes"
    extra = [{"heading": "AIID record", "text": "\n".join([
        f"- Alleged deployer: {', '.join(lists[DEPLOYER]) or 'none named'}",
        f"- Alleged developer: {', '.join(lists[DEVELOPER]) or 'none named'}",
        f"- Reports: {', '.join(lists['reports']) or 'none'}", f"- Record id: {cells.get('_id', '')}"])}]
    for ns, (_, table) in sorted(tables.items()):
        if number in table:
            lines = [f"- {c}: {v}" for c, v in dict.fromkeys(table[number][1]) if v and c not in ("Namespace", "Incident ID")]
            extra.append({"heading": f"Classification {ns}", "text": "\n".join(lines)})
    return {
        "title": cells.get("title", ""), "status": "draft", "kind": kind, "severity": severity,
        "team": _names(lists[DEPLOYER]),
        "regions": [cset[c] for c in ("Location Region", "Location Country (two letters)") if cset.get(c)],
        "started_at": f"{cells['date']}T00:00:00+00:00",
        "summary": cells.get("description", ""),
        "customer_impact": f"Alleged harmed or nearly harmed parties: {harmed}." + (
            f" {', '.join(hurt).capitalize()} (CSETv1)." if hurt else ""),
        "ai": {"involvement": "confirmed" if confirmed else "suspected", "vendor": _names(lists[DEVELOPER]) or None,
               "autonomy": AUTONOMY.get(cset.get("Autonomy Level", "")), "approval_gate": "unknown"},
        "attribution": {"claims": claims},
        "external_refs": refs,
        "extra_sections": extra,
    }


def _names(names: list[str]) -> str:
    """Names joined to fit a 200-character field, the rest counted."""
    out = ""
    for n, name in enumerate(names):
        rest = len(names) - n - 1
        candidate = f"{out}, {name}" if out else name
        if len(candidate) + (len(f" and {rest} more") if rest else 0) > 200:
            return f"{out} and {len(names) - n} more"
        out = candidate
    return out


def _severity(snap: Snapshot, cset: dict, cset0: dict) -> tuple[str, str]:
    """Severity and kind from CSETv1's harm level and casualties, else CSETv0's severity, else the default."""
    near = cset.get("AI Harm Level") == "AI tangible harm near-miss" or (
        not cset.get("AI Harm Level") and cset0.get("Near Miss") == "Near miss")
    kind = "near_miss" if near else "incident"
    if _count(cset, "Lives Lost"):
        snap.severity_from["sev1 (CSETv1 lives lost)"] += 1
        return "sev1", kind
    if _count(cset, "Injuries"):
        snap.severity_from["sev2 (CSETv1 injuries)"] += 1
        return "sev2", kind
    if cset.get("AI Harm Level") in HARM_LEVEL:
        snap.severity_from["from CSETv1 harm level"] += 1
        return HARM_LEVEL[cset["AI Harm Level"]], kind
    if cset0.get("Severity") in SEVERITY0:
        snap.severity_from["from CSETv0 severity"] += 1
        return SEVERITY0[cset0["Severity"]], kind
    snap.severity_from[f"{DEFAULT_SEVERITY} by default (no harm classification)"] += 1
    return DEFAULT_SEVERITY, kind


def _cset_claim(number: int, cset: dict) -> dict[str, Any] | None:
    """What CSET's annotators say caused it: AI, a deliberate human act, non-AI software, or no clear link."""
    system, link, intent = (cset.get(c, "") for c in ("AI System", "Clear link to technology", "Intentional Harm"))
    if not (system or link or intent):
        return None
    if intent.startswith("Yes"):
        blames = "third_party"  # built or used on purpose to harm: the person acting, not the tool, is the cause
    elif system == "no":
        blames = "software_defect"  # the system involved does not meet CSET's definition of AI
    elif system in ("yes", "maybe") and link in ("yes", "maybe"):
        blames = "ai_tool"
    else:
        blames = "undetermined"
    status = cset.get("Annotation Status", "")
    sure = status.startswith(PEER_REVIEWED) and "maybe" not in (system, link)
    said = [f"AI system: {system or 'blank'}", f"clear link to technology: {link or 'blank'}",
            f"intentional harm: {intent or 'blank'}", f"AI harm level: {cset.get('AI Harm Level') or 'blank'}",
            f"annotation status: {status or 'blank'}"]
    return {"source": "CSET AI Harm Taxonomy v1 (AIID annotators)", "source_kind": "analyst", "attributes_to": blames,
            "confidence": "known" if sure else "potential", "statement": "; ".join(said) + ".",
            "url": CITE.format(number)}


def _mit_claim(number: int, mit: dict) -> dict[str, Any] | None:
    """What the model-produced MIT classification says caused it: the AI, a person on purpose, or a person's error."""
    entity, intent = mit.get("Entity", ""), mit.get("Intent", "")
    if not entity:
        return None
    human = "third_party" if intent == "Intentional" else "human_error"
    blames = {"AI": "ai_tool", "Human": human}.get(entity, "undetermined")
    said = [f"entity: {entity}", f"intent: {intent or 'blank'}", f"timing: {mit.get('Timing') or 'blank'}",
            f"risk domain: {mit.get('Risk Domain') or 'blank'}", f"subdomain: {mit.get('Risk Subdomain') or 'blank'}"]
    return {"source": "MIT AI Risk Repository classification (model-produced)", "source_kind": "other",
            "attributes_to": blames, "confidence": "potential",
            "statement": "; ".join(said) + ". Produced by a language model, not reviewed by a person.",
            "url": CITE.format(number)}
