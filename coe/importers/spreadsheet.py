"""Spreadsheets (`--format csv`): a header row mapped onto fields by name, one incident per row.

Columns are matched by name in any case, with spaces or dashes for underscores and a few common
aliases ("Incident" → title, "Start" → started_at); `--map column=field` names the rest. A column
that maps to no field is kept as an extra section of its row. Lists are JSON cells or `;`-separated.
"""

import csv
import io
import json
import re
from datetime import datetime
from typing import Any

FIELDS = (
    "key", "title", "kind", "severity", "services", "team", "regions", "environment", "started_at",
    "detected_at", "acknowledged_at", "mitigated_at", "resolved_at", "customer_impact", "customers_affected",
    "detection_method", "summary", "trigger", "root_cause", "root_cause_category", "resolution", "authors",
)
LISTS = ("services", "regions", "authors")
TIMES = ("started_at", "detected_at", "acknowledged_at", "mitigated_at", "resolved_at")
ALIASES = {
    "name": "title", "incident": "title", "incident_name": "title", "incident_title": "title", "sev": "severity", "priority": "severity",
    "service": "services", "components": "services", "component": "services", "region": "regions",
    "start": "started_at", "started": "started_at", "start_time": "started_at", "date": "started_at",
    "detected": "detected_at", "acknowledged": "acknowledged_at", "mitigated": "mitigated_at",
    "resolved": "resolved_at", "end": "resolved_at", "end_time": "resolved_at", "description": "summary",
    "impact": "customer_impact", "cause": "root_cause", "author": "authors", "owner_team": "team",
}
# Tried in order; day-first dotted dates are European, slashed dates are read as US month/day.
DATE_FORMATS = (
    "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d", "%Y/%m/%d %H:%M", "%d.%m.%Y %H:%M:%S", "%d.%m.%Y %H:%M",
    "%d.%m.%Y", "%m/%d/%Y %H:%M:%S", "%m/%d/%Y %H:%M", "%m/%d/%Y %I:%M %p", "%m/%d/%Y", "%d %b %Y %H:%M",
    "%d %B %Y %H:%M", "%d %b %Y", "%b %d, %Y %H:%M", "%B %d, %Y %H:%M",
)


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
        field = wanted.get(norm) or (norm if norm in FIELDS else ALIASES.get(norm))
        if field:
            out[index] = field
    return out


def rows(text: str, mapping: dict[str, str]) -> tuple[list[tuple[int, dict[str, Any]]], list[tuple[int, str, str]]]:
    """(line, coe/v1 record) per data row, and (line, field, message) problems found in the cells."""
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        return [], [(0, "", "the file is empty")]
    unknown = [f for f in mapping.values() if f not in FIELDS]
    if unknown:
        return [], [(1, unknown[0], f"--map names no field this format fills; one of {', '.join(FIELDS)}")]
    fields = columns(header, mapping)
    found, problems, line = [], [], reader.line_num
    for cells in reader:
        start, line = line + 1, reader.line_num
        if not any(c.strip() for c in cells):
            continue
        doc: dict[str, Any] = {"status": "draft", "extra_sections": []}
        for index, cell in enumerate(cells):
            cell = cell.strip()
            if not cell:
                continue
            field = fields.get(index)
            if field is None:
                heading = header[index] if index < len(header) else f"column {index + 1}"
                doc["extra_sections"].append({"heading": heading, "text": cell})
            elif field in LISTS:
                doc[field] = _list(cell)
            elif field in TIMES:
                doc[field] = _time(cell)
            elif field == "severity":
                doc[field] = _severity(cell)
            else:
                doc[field] = cell
        if "title" not in doc:
            problems.append((start, "title", "no column gives the title; name one with --map COLUMN=title"))
            continue
        found.append((start, doc))
    return found, problems


def _norm(name: str) -> str:
    return re.sub(r"[\s\-]+", "_", name.strip().lstrip("\ufeff").lower())


def _list(cell: str) -> Any:
    if cell.startswith("["):
        try:
            return json.loads(cell)
        except json.JSONDecodeError:
            pass
    return [part.strip() for part in cell.split(";") if part.strip()]


def _time(cell: str) -> str:
    """ISO-8601 when the cell is in a known format (naive ones then need --timezone); else the cell as is."""
    try:
        return datetime.fromisoformat(cell).isoformat()
    except ValueError:
        pass
    for fmt in DATE_FORMATS:
        try:
            return datetime.strptime(cell, fmt).isoformat()
        except ValueError:
            continue
    return cell


def _severity(cell: str) -> str:
    """'SEV-1', 'Sev 2', '3' and 'P2' all name a severity."""
    match = re.fullmatch(r"(?:sev|p)?[\s\-_]*([1-5])", cell.strip(), re.I)
    return f"sev{match[1]}" if match else cell.lower()
