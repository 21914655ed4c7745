"""Spreadsheets (`--format csv`): a header row mapped onto fields by name, one incident per row.

Columns are matched by name in any case, with spaces, dashes or brackets for underscores and common
aliases ("Incident" → title, "Start" → started_at, "Duration (min)" → resolved_at from started_at);
`--map column=field` names the rest and `--set field=value` fills a field the sheet gives no row. An id
and a URL column make the row's external reference; a column that maps to no field is kept as an extra
section of its row. The dry run says which column went where.
"""

import csv
import io
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from coe.enums import RootCauseCategory
from coe.errors import ValidationFailed
from coe.importers import sheet_cells as cells
from coe.validation import parse_incident

FIELDS = (
    "key", "title", "kind", "severity", "services", "team", "regions", "environment", "started_at",
    "detected_at", "acknowledged_at", "mitigated_at", "resolved_at", "customer_impact", "customers_affected",
    "detection_method", "summary", "trigger", "root_cause", "root_cause_category", "resolution", "authors",
)
# Columns that fill no coe/v1 field of their own name: a duration sets resolved_at, an id (with its URL) is
# the row's external reference, a true human-error flag is an attribution claim.
DERIVED = ("duration", "id", "url", "human_error")
SETTABLE = tuple(f for f in FIELDS if f != "key")
REQUIRED = ("title", "severity", "started_at")
LISTS = ("services", "regions", "authors")
TIMES = ("started_at", "detected_at", "acknowledged_at", "mitigated_at", "resolved_at")
ALIASES = {
    "name": "title", "incident": "title", "incident_name": "title", "incident_title": "title", "sev": "severity", "priority": "severity",
    "service": "services", "components": "services", "component": "services", "services_affected": "services",
    "affected_services": "services", "affected_components": "services", "region": "regions",
    "start": "started_at", "started": "started_at", "start_time": "started_at", "date": "started_at",
    "detected": "detected_at", "acknowledged": "acknowledged_at", "mitigated": "mitigated_at",
    "resolved": "resolved_at", "end": "resolved_at", "end_time": "resolved_at", "description": "summary",
    "impact": "customer_impact", "cause": "root_cause", "author": "authors", "owner_team": "team",
    "cause_category": "root_cause_category", "root_cause_type": "root_cause_category", "mitigation": "resolution",
    "mitigation_actions": "resolution", "mitigation_steps": "resolution", "incident_id": "id", "record_id": "id",
    "link": "url", "postmortem_url": "url", "post_mortem_url": "url", "report_url": "url", "source_url": "url",
}
# A duration column by name, with its unit after it or in brackets: "duration_minutes", "Duration (h)", "TTR".
DURATIONS = ("duration", "outage_duration", "incident_duration", "impact_duration", "downtime", "ttr",
             "time_to_resolve", "time_to_resolution", "time_to_recover", "time_to_recovery", "time_to_restore")


@dataclass
class Sheet:
    """What one sheet gives: (line, coe/v1 record) pairs, (line, field, message) problems, and what was read."""

    name: str
    zone: str | None
    header: list[str] = field(default_factory=list)
    fields: dict[int, str] = field(default_factory=dict)
    preset: dict[str, Any] = field(default_factory=dict)
    mapping: dict[str, str] = field(default_factory=dict)
    found: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    problems: list[tuple[int, str, str]] = field(default_factory=list)
    counts: Counter = field(default_factory=Counter)
    unclear: Counter = field(default_factory=Counter)
    naive: dict[int, list[int]] = field(default_factory=dict)
    ids: dict[str, list[int]] = field(default_factory=dict)

    @property
    def namespace(self) -> str:
        """The prefix of the sheet's record ids, from its file name: 'Cloud Incidents.csv' → 'cloud-incidents'."""
        return re.sub(r"[^a-z0-9]+", "-", Path(self.name).stem.lower()).strip("-") or "sheet"

    def heading(self, index: int) -> str:
        """The column's name as written, or its number."""
        return self.header[index].strip().lstrip("\ufeff") if index < len(self.header) else f"column {index + 1}"

    def summary(self, imported: int) -> list[str]:
        """Which column went where, and every value the sheet did not state itself."""
        went = [f"{self.heading(i)} → {self._where(f)}" for i, f in sorted(self.fields.items())]
        kept = [self.heading(i) for i in range(len(self.header)) if i not in self.fields]
        lines = [f"{imported} rows → incidents", *went]
        lines += [f"kept as extra sections: {', '.join(kept)}"] if kept else []
        named = {_norm(h) for h in self.header}
        lines += [f"--map {c}={f}: no column is named {c!r}" for c, f in self.mapping.items() if _norm(c) not in named]
        lines += [f"--set {f}={_shown(v)}: {self.counts['set ' + f]} rows" for f, v in self.preset.items()]
        if self.counts["date only"]:
            lines.append(f"{self.counts['date only']} dates without a time of day: 00:00 {self.zone}")
        if self.counts["no duration"]:
            lines.append(f"{self.counts['no duration']} rows give no duration and no resolved_at: resolved_at left empty")
        lines += self._causes()
        lines += [f"id {i!r} on lines {', '.join(map(str, at))}: one reference for all of them"
                  for i, at in self.ids.items() if len(at) > 1]
        return lines

    def _where(self, name: str) -> str:
        """Where a column's cells go, in words."""
        if name == "duration":
            return "resolved_at (started_at + duration, where no resolved_at is given)"
        if name == "id":
            return f"external_refs ('{self.namespace}:<id>': a re-import recognises the row)"
        if name == "url":
            return "external_refs (url)"
        if name == "human_error":
            return "attribution claim human_error when true, else kept as text"
        if name == "root_cause_category":
            return "root_cause_category where it names one category clearly, text kept"
        return name

    def _causes(self) -> list[str]:
        """How the root-cause column's words came out."""
        if "root_cause_category" not in self.fields.values():
            return []
        lines = [f"root_cause_category: set on {self.counts['one cause']} rows; {self.counts['several causes']} rows name "
                 "several causes or unclear words: their clear ones → contributing_factors, root_cause_category unknown"]
        if self.unclear:
            words = ", ".join(f"{w!r} ({n})" for w, n in self.unclear.most_common())
            lines.append(f"cause words that name no category clearly, kept as text: {words}")
        return lines


def decode(raw: bytes) -> str:
    """UTF-8 (with or without BOM), else Windows-1252, which spreadsheets on Windows save."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace")


def columns(header: list[str], mapping: dict[str, str]) -> dict[int, str]:
    """Column index → field name, for the columns that map to a field."""
    wanted = {_norm(k): v for k, v in mapping.items()}
    out = {}
    for index, name in enumerate(header):
        norm = _norm(name)
        found = wanted.get(norm) or (norm if norm in FIELDS + DERIVED else ALIASES.get(norm))
        if found or _unit(norm):
            out[index] = found or "duration"
    return out


def preset(pairs: dict[str, str], zone: str | None) -> tuple[dict[str, Any], list[str]]:
    """`--set FIELD=VALUE` values checked against each field's vocabulary, and one sentence per wrong one."""
    values, problems = {}, []
    for name, text in pairs.items():
        if name not in SETTABLE:
            problems.append(f"--set {name}={text}: {name!r} is no field a sheet fills; one of {', '.join(SETTABLE)}")
            continue
        value = _value(name, text, zone)
        stub = {"title": "-", "severity": "sev3", "started_at": "1970-01-01T00:00:00+00:00", name: value}
        try:
            parse_incident(stub, assume_tz=zone)
        except ValidationFailed as exc:
            problems += [f"--set {name}={text}: {p.message}" for p in exc.problems]
            continue
        values[name] = value
    return values, problems


def read(name: str, text: str, mapping: dict[str, str], given: dict[str, Any], zone: str | None) -> Sheet:
    """The rows of a sheet as coe/v1 records, with `given` (from --set) where a row has no value of its own."""
    sheet = Sheet(name=name, zone=zone, preset=given, mapping=mapping)
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        sheet.header = next(reader)
    except StopIteration:
        sheet.problems.append((0, "", "the file is empty"))
        return sheet
    unknown = [f for f in mapping.values() if f not in FIELDS + DERIVED]
    if unknown:
        sheet.problems.append((1, unknown[0], f"--map names no field this format fills; one of {', '.join(FIELDS + DERIVED)}"))
        return sheet
    sheet.fields = columns(sheet.header, mapping)
    missing = _missing(sheet)
    line = reader.line_num
    for values in reader:
        start, line = line + 1, reader.line_num
        if any(c.strip() for c in values):
            doc = _row(sheet, start, values)
            if doc is not None:
                sheet.found.append((start, doc))
    sheet.problems = missing + sheet.problems + [_unzoned(sheet, i, lines) for i, lines in sheet.naive.items()]
    if missing:  # the cells were still read, so that every problem shows at once
        sheet.found = []
    return sheet


def _missing(sheet: Sheet) -> list[tuple[int, str, str]]:
    """One line per required field that no column and no --set gives: said once, not on every row."""
    given = set(sheet.fields.values()) | set(sheet.preset)
    hint = {"severity": ", or give every row one with --set severity=sev3"}
    return [(1, f, f"no column gives the {f.replace('_', ' ')}; name one with --map COLUMN={f}{hint.get(f, '')}")
            for f in REQUIRED if f not in given]


def _unzoned(sheet: Sheet, index: int, lines: list[int]) -> tuple[int, str, str]:
    """One line for a column whose times carry no offset while no --timezone was given."""
    what = "dates without a time or zone" if sheet.counts[f"date only {index}"] == len(lines) else "times without a zone"
    rows = f"{len(lines)} row{'s' if len(lines) > 1 else ''}"
    return (lines[0], sheet.fields[index], f"column {sheet.heading(index)!r} gives {what} ({rows}); "
            "add --timezone ZONE to read them in that zone (dates as 00:00), e.g. --timezone UTC")


def _row(sheet: Sheet, line: int, values: list[str]) -> dict[str, Any] | None:
    """One row as a coe/v1 record, or None when a cell is wrong (its problem is on the sheet)."""
    doc: dict[str, Any] = {"status": "draft", "extra_sections": [], "external_refs": []}
    derived: dict[str, tuple[int, str]] = {}
    ok = True
    for index, raw in enumerate(values):
        cell, name = raw.strip(), sheet.fields.get(index)
        if not cell:
            continue
        if name is None:
            doc["extra_sections"].append({"heading": sheet.heading(index), "text": cell})
        elif name in DERIVED:
            derived[name] = (index, cell)
        elif name in TIMES:
            ok = _time(sheet, doc, line, index, cell) and ok
        elif name == "root_cause_category":
            _cause(sheet, doc, index, cell)
        else:
            doc[name] = _value(name, cell, sheet.zone)
    for name, value in sheet.preset.items():
        if name not in doc:
            doc[name] = value
            sheet.counts[f"set {name}"] += 1
    _reference(sheet, doc, line, derived)
    ok = _human_error(sheet, doc, line, derived) and ok
    ok = _duration(sheet, doc, line, derived) and ok
    return doc if ok else None


def _value(name: str, cell: str, zone: str | None) -> Any:
    """A cell (or a --set value) as the field holds it."""
    if name in LISTS:
        return cells.as_list(cell)
    if name in TIMES:
        return cells.as_time(cell, zone)[0]
    return cells.severity(cell) if name == "severity" else cell


def _time(sheet: Sheet, doc: dict[str, Any], line: int, index: int, cell: str) -> bool:
    """A time cell into its field; False (noted once for the column) when it has no zone and none was given."""
    name = sheet.fields[index]
    doc[name], parsed = cells.as_time(cell, sheet.zone)
    dated = parsed is not None and cells.date_only(cell)
    if parsed is not None and parsed.tzinfo is None:
        sheet.naive.setdefault(index, []).append(line)
        sheet.counts[f"date only {index}"] += dated
        return False
    sheet.counts["date only"] += dated
    return True


def _cause(sheet: Sheet, doc: dict[str, Any], index: int, cell: str) -> None:
    """Root-cause words: one clear category sets root_cause_category; otherwise the clear parts are contributing factors."""
    found, unclear = cells.causes(cell)
    sheet.unclear.update(unclear)
    if len({kind for _, kind in found}) == 1 and not unclear:
        doc["root_cause_category"] = found[0][1]
        sheet.counts["one cause"] += 1
    elif found:
        doc["contributing_factors"] = [{"category": kind, "description": part} for part, kind in found]
        sheet.counts["several causes"] += 1
    if cell not in RootCauseCategory.__members__:
        doc["extra_sections"].append({"heading": sheet.heading(index), "text": cell})


def _reference(sheet: Sheet, doc: dict[str, Any], line: int, derived: dict[str, tuple[int, str]]) -> None:
    """The row's id (namespaced by the sheet's name) and URL as one external reference."""
    record, url = derived.get("id", (0, ""))[1], derived.get("url", (0, ""))[1]
    if record:
        sheet.ids.setdefault(record, []).append(line)
    if record or url:
        doc["external_refs"].append({"system": "other", "id": f"{sheet.namespace}:{record}"[:200] if record else "",
                                     "url": url or None})


def _human_error(sheet: Sheet, doc: dict[str, Any], line: int, derived: dict[str, tuple[int, str]]) -> bool:
    """A true flag is the sheet's claim that human error caused it; false is kept as text; anything else is wrong."""
    if "human_error" not in derived:
        return True
    index, cell = derived["human_error"]
    said = cells.flag(cell)
    if said is None:
        sheet.problems.append((line, "human_error", f"column {sheet.heading(index)!r}: {cell!r} is not true or false"))
        return False
    if said:
        statement = f"{sheet.heading(index)}: {cell}"
        doc["attribution"] = {"claims": [{"source": sheet.name[:200], "source_kind": "other",
                                          "attributes_to": "human_error", "confidence": "known", "statement": statement}]}
    else:
        doc["extra_sections"].append({"heading": sheet.heading(index), "text": cell})
    return True


def _duration(sheet: Sheet, doc: dict[str, Any], line: int, derived: dict[str, tuple[int, str]]) -> bool:
    """resolved_at from started_at and the row's duration, when the row gives no resolved_at of its own."""
    if "duration" not in derived:
        sheet.counts["no duration"] += "duration" in sheet.fields.values() and "resolved_at" not in doc
        return True
    index, cell = derived["duration"]
    length = cells.duration(cell, _unit(_norm(sheet.heading(index))) or 1)
    if length is None:
        sheet.problems.append((line, "duration", f"column {sheet.heading(index)!r}: {cell!r} is not a duration; "
                                                 "write minutes (90), '90 min', '1h 30m' or '1:30'"))
        return False
    start = cells.as_time(str(doc.get("started_at", "")), sheet.zone)[1]
    if "resolved_at" in doc or start is None or start.tzinfo is None:
        doc["extra_sections"].append({"heading": sheet.heading(index), "text": cell})
    else:
        doc["resolved_at"] = (start + length).isoformat()
    return True


def _unit(norm: str) -> float | None:
    """Minutes per unit of a duration column's values, from its name; None when the name is no duration's."""
    base, _, unit = norm.rpartition("_")
    if norm in DURATIONS:
        return 1.0
    return float(cells.UNITS[unit]) if base in DURATIONS and unit in cells.UNITS else None


def _norm(name: str) -> str:
    """A header as a field name: 'Duration (min)' → 'duration_min'."""
    return re.sub(r"[\W_]+", "_", name.lstrip("\ufeff").lower()).strip("_")


def _shown(value: Any) -> str:
    """A --set value as the user wrote it."""
    return "; ".join(value) if isinstance(value, list) else str(value)
